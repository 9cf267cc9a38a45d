"""Camunda's typed variables: ``{"value": ..., "type": "Integer", "valueInfo": {}}``.

A value is checked against its declared type the way the engine's REST layer converts it;
a missing type is inferred from the JSON value, as the engine does for untyped values.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .clock import format_engine_date, parse_engine_date
from .models import TypedValue

INT_RANGE = {"Short": 2**15, "Integer": 2**31, "Long": 2**63}


class VariableError(ValueError):
    """A variable whose value does not fit its type; the message says which and why."""


def _integer(name: str, value: Any, type_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise VariableError(f"Cannot convert value '{value}' of variable '{name}' to {type_name}")
    try:
        number = int(value)
    except ValueError:
        raise VariableError(
            f"Cannot convert value '{value}' of variable '{name}' to {type_name}"
        ) from None
    limit = INT_RANGE[type_name]
    if not -limit <= number < limit:
        raise VariableError(f"Value '{value}' of variable '{name}' is out of range of {type_name}")
    return number


def typed_value(name: str, payload: Any) -> TypedValue:
    """One variable from its REST form."""
    if not isinstance(payload, dict):
        raise VariableError(f"Variable '{name}' must be an object with 'value' and 'type'")
    value, type_name = payload.get("value"), payload.get("type")
    if type_name is None:
        return infer(value)
    if type_name == "Null" or value is None:
        return TypedValue(type_name if value is None else "Null", None)
    if type_name == "String":
        return TypedValue("String", value if isinstance(value, str) else json.dumps(value))
    if type_name in INT_RANGE:
        return TypedValue(type_name, _integer(name, value, type_name))
    if type_name == "Double":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise VariableError(f"Cannot convert value '{value}' of variable '{name}' to Double")
        try:
            return TypedValue("Double", float(value))
        except ValueError:
            raise VariableError(
                f"Cannot convert value '{value}' of variable '{name}' to Double"
            ) from None
    if type_name == "Boolean":
        if isinstance(value, bool):
            return TypedValue("Boolean", value)
        if value in ("true", "false"):
            return TypedValue("Boolean", value == "true")
        raise VariableError(f"Cannot convert value '{value}' of variable '{name}' to Boolean")
    if type_name == "Date":
        try:
            return TypedValue("Date", parse_engine_date(str(value)))
        except ValueError:
            raise VariableError(
                f"Cannot convert value '{value}' of variable '{name}' to Date: expected the "
                "format yyyy-MM-dd'T'HH:mm:ss.SSSZ"
            ) from None
    if type_name == "Json":
        if not isinstance(value, str):
            raise VariableError(f"Value of Json variable '{name}' must be a JSON string")
        try:
            json.loads(value)
        except ValueError:
            raise VariableError(f"Value of Json variable '{name}' is not valid JSON") from None
        return TypedValue("Json", value)
    raise VariableError(f"Unsupported value type '{type_name}' of variable '{name}'")


def infer(value: Any) -> TypedValue:
    """The engine's type for an untyped JSON value."""
    if value is None:
        return TypedValue("Null", None)
    if isinstance(value, bool):
        return TypedValue("Boolean", value)
    if isinstance(value, int):
        return TypedValue("Integer" if -(2**31) <= value < 2**31 else "Long", value)
    if isinstance(value, float):
        return TypedValue("Double", value)
    if isinstance(value, str):
        return TypedValue("String", value)
    return TypedValue("Json", json.dumps(value))


def typed_values(payload: Any) -> dict[str, TypedValue]:
    """A ``variables`` map of a request body."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise VariableError("'variables' must be an object of name -> {value, type}")
    return {name: typed_value(name, item) for name, item in payload.items()}


def to_json(variable: TypedValue) -> dict[str, Any]:
    """A variable in its REST form (dates in the engine format)."""
    value = variable.value
    if isinstance(value, datetime):
        value = format_engine_date(value)
    return {"type": variable.type, "value": value, "valueInfo": {}}
