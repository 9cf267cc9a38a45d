"""Camunda's typed variables: ``{"value": ..., "type": "Integer", "valueInfo": {}}``.

A value is checked against its declared type the way the engine's REST layer converts it;
a missing type is inferred from the JSON value, as the engine does for untyped values.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from .clock import format_engine_date, parse_engine_date
from .models import TypedValue

INT_RANGE = {"Short": 2**15, "Integer": 2**31, "Long": 2**63}
JAVA_TYPES = {
    "Short": "java.lang.Short",
    "Integer": "java.lang.Integer",
    "Long": "java.lang.Long",
    "Double": "java.lang.Double",
    "Boolean": "java.lang.Boolean",
    "Date": "java.util.Date",
}


class VariableError(ValueError):
    """A variable whose value does not fit its type, worded as the engine words it."""


def _cannot_convert(value: Any, type_name: str) -> VariableError:
    return VariableError(
        f"Cannot convert value '{value}' of type '{type_name}' to java type {JAVA_TYPES[type_name]}"
    )


def _convert(value: Any, type_name: str) -> Any:
    """The value as the named primitive type, or the engine's conversion error."""
    if type_name in INT_RANGE:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _cannot_convert(value, type_name)
        try:
            number = int(value)
        except ValueError:
            raise _cannot_convert(value, type_name) from None
        if not -INT_RANGE[type_name] <= number < INT_RANGE[type_name]:
            raise _cannot_convert(value, type_name)
        return number
    if type_name == "Double":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _cannot_convert(value, type_name)
        try:
            return float(value)
        except ValueError:
            raise _cannot_convert(value, type_name) from None
    if type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _cannot_convert(value, type_name)
    try:  # Date
        return parse_engine_date(str(value))
    except ValueError:
        raise _cannot_convert(value, type_name) from None


def typed_value(name: str, payload: Any) -> TypedValue:
    """One variable from its REST form ``{"value", "type", "valueInfo"}``."""
    if not isinstance(payload, dict):
        raise VariableError(f"Variable '{name}' must be an object with 'value' and 'type'")
    value, type_name = payload.get("value"), payload.get("type")
    if type_name is None:
        return infer(value)
    if isinstance(type_name, str) and type_name:  # the engine accepts "integer" for "Integer"
        type_name = type_name[0].upper() + type_name[1:]
    if type_name not in (*JAVA_TYPES, "String", "Json", "Null"):
        raise VariableError(f"Unsupported value type '{type_name}'")
    if type_name == "Null" or value is None:
        return TypedValue(type_name, None)
    if type_name == "String":
        return TypedValue("String", value if isinstance(value, str) else json.dumps(value))
    if type_name == "Json":
        if not isinstance(value, str):
            raise VariableError(
                "Must provide 'null' or String value for value of SerializableValue type 'Json'."
            )
        return TypedValue("Json", value)
    return TypedValue(type_name, _convert(value, type_name))


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
    """A variable in its REST form (dates in the engine format; a Double that is not finite
    as the text Jackson writes for it, since JSON has no such numbers)."""
    value = variable.value
    if isinstance(value, datetime):
        value = format_engine_date(value)
    elif isinstance(value, float) and not math.isfinite(value):
        value = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return {"type": variable.type, "value": value, "valueInfo": {}}
