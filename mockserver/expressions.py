"""Expressions as an engine with no beans evaluates them: service tasks, listeners, conditions.

``compile_expression`` reads the text at deployment (``juel`` builds the tree) and checks what
the engine checks then: syntax, and the functions used. ``Expression.value`` evaluates it
with JUEL's rules against one process instance. Identifiers resolve as the engine's
``VariableScopeElResolver`` does: ``execution``, ``task`` (in task listeners),
``authenticatedUserId``, then process variables; any other name fails as on an engine where no
bean has that name: ``Unknown property used in expression: ${someBean.run()}. Cause: Cannot
resolve identifier 'someBean'``. Values keep their Java class (``Long`` literals, ``Integer``
variables, ``Double``...), and operators coerce them as JUEL does, with its messages.

What the mock cannot evaluate is named, never guessed. At deployment (``UnsupportedExpression``):
members of ``execution`` and ``task`` outside ``ExecutionBean.MEMBERS``/``TaskBean.MEMBERS``,
and the functions ``dateTime()`` and ``currentUserGroups()``. At run time (a failure saying
"the mock cannot ..."): methods called on variable values, the few Java bean properties of
them it does not model, and comparing ``execution``/``task`` by order. Nothing is passed to
``eval``.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from . import juel
from .models import EngineFailure, ProcessInstance, TypedValue, UserTask

JAVA_CLASSES = {
    "String": "java.lang.String",
    "Long": "java.lang.Long",
    "Integer": "java.lang.Integer",
    "Short": "java.lang.Short",
    "Double": "java.lang.Double",
    "Boolean": "java.lang.Boolean",
    "Date": "java.util.Date",
}
_INTEGER_TYPES = ("Long", "Integer", "Short")
_BITS = {"Long": 64, "Integer": 32, "Short": 16}
# Functions the engine registers (``now()``, ``currentUser()``...) and their arity.
FUNCTIONS = {"now": 0, "currentUser": 0}
UNSUPPORTED_FUNCTIONS = ("dateTime", "currentUserGroups")  # Joda and List results
# Java's Long.valueOf / Double.valueOf text (Double.valueOf trims characters up to ' ').
_JAVA_DOUBLE = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)", re.ASCII)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# How the engine words a failed evaluation (``JuelExpression.getValue``), by JUEL exception.
PROPERTY = "Unknown property used in expression"
METHOD = "Unknown method used in expression"
OTHER = "Error while evaluating expression"


class UnsupportedExpression(ValueError):
    """Valid for the engine, but outside what the mock evaluates; refused at deployment."""


class ExpressionParseError(ValueError):
    """The engine refuses the text while parsing the model (``ENGINE-01009 ...``)."""


class ExpressionError(EngineFailure):
    """An evaluation failed; the message is the engine's ProcessEngineException message."""


class _Failure(Exception):
    """A JUEL failure inside one evaluation: its kind (PROPERTY, METHOD, OTHER) and cause."""

    def __init__(self, kind: str, cause: str) -> None:
        super().__init__(cause)
        self.kind = kind
        self.cause = cause


def _limitation(what: str) -> _Failure:
    return _Failure(OTHER, f"the mock cannot {what}")


# -- values ---------------------------------------------------------------------------------


class Bean:
    """A Java object an expression reaches by name: the execution or the task.

    ``PROPERTIES`` are its bean properties (``execution.id`` and ``execution.getId()``),
    ``METHODS`` its other methods by (name, number of arguments). Arguments arrive coerced
    as Java coerces them to the parameter types: names to String, values as they are.
    """

    JAVA_CLASS: ClassVar[str]
    PROPERTIES: ClassVar[dict[str, Callable[[Any], Value]]]
    METHODS: ClassVar[dict[tuple[str, int], Callable[..., Value]]]

    @classmethod
    def members(cls) -> frozenset[str]:
        """Every name ``bean.name`` or ``bean.name(...)`` may use."""
        getters = {"get" + name[0].upper() + name[1:] for name in cls.PROPERTIES}
        return frozenset({*cls.PROPERTIES, *getters, *(name for name, _ in cls.METHODS)})

    def property(self, name: str) -> Value:
        """``bean.name``; the engine's error when the class has no such property."""
        getter = self.PROPERTIES.get(name)
        if getter is None:
            raise _Failure(
                PROPERTY, f"The class '{self.JAVA_CLASS}' does not have the property '{name}'."
            )
        return getter(self)

    def call(self, name: str, arguments: list[Value]) -> Value:
        """``bean.name(arguments)``; the engine's error when no method fits."""
        method = self.METHODS.get((name, len(arguments)))
        if method is not None:
            return method(self, *arguments)
        if name.startswith("get") and not arguments:
            prop = name[3:4].lower() + name[4:]
            if prop in self.PROPERTIES:
                return self.PROPERTIES[prop](self)
        types = ", ".join("null" if a is None else _class_of(a) for a in arguments)
        raise _Failure(METHOD, f"Method not found: class {self.JAVA_CLASS}.{name}({types})")


Value = TypedValue | Bean | None  # None is Java's null


def _string_or_null(text: str | None) -> TypedValue | None:
    return None if text is None else TypedValue("String", text)


def _stored(value: Value, name: str) -> TypedValue:
    """A value as the variable it becomes."""
    if isinstance(value, Bean):
        raise _limitation(f"store a {value.JAVA_CLASS} as variable '{name}'")
    return TypedValue("Null", None) if value is None else value


class ExecutionBean(Bean):
    """``execution``: the process instance, at one activity, maybe in a listener's event."""

    JAVA_CLASS = "org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity"

    def __init__(
        self,
        instance: ProcessInstance,
        activity_id: str | None,
        activity_instance_id: str | None = None,
        event_name: str | None = None,
    ) -> None:
        self.instance = instance
        self.activity_id = activity_id
        self.activity_instance_id = activity_instance_id
        self.event_name = event_name

    def __str__(self) -> str:
        return f"ProcessInstance[{self.instance.id}]"

    def variable(self, name: str) -> Value:
        """A process variable's value (None when it does not exist or is null)."""
        typed = self.instance.variables.get(name)
        return _readable(typed, name)

    def set_variable(self, name: str, value: Value) -> None:
        """Set a process variable (the mock's instances have one variable scope)."""
        self.instance.variables[name] = _stored(value, name)

    def _activity_name(self) -> TypedValue | None:
        activity = self.instance.definition.activities.get(self.activity_id or "")
        return _string_or_null(activity.name if activity else None)

    PROPERTIES: ClassVar[dict[str, Callable[[Any], Value]]] = {
        "id": lambda b: TypedValue("String", b.instance.id),
        "processInstanceId": lambda b: TypedValue("String", b.instance.id),
        "processDefinitionId": lambda b: TypedValue("String", b.instance.definition.id),
        "processBusinessKey": lambda b: _string_or_null(b.instance.business_key),
        "businessKey": lambda b: _string_or_null(b.instance.business_key),
        "currentActivityId": lambda b: _string_or_null(b.activity_id),
        "activityId": lambda b: _string_or_null(b.activity_id),
        "currentActivityName": lambda b: b._activity_name(),
        "activityInstanceId": lambda b: _string_or_null(b.activity_instance_id),
        "eventName": lambda b: _string_or_null(b.event_name),
        "tenantId": lambda b: _string_or_null(b.instance.tenant_id),
    }
    METHODS: ClassVar[dict[tuple[str, int], Callable[..., Value]]] = {
        ("getVariable", 1): lambda b, name: b.variable(_to_string(name)),
        ("getVariableLocal", 1): lambda b, name: b.variable(_to_string(name)),
        ("hasVariable", 1): lambda b, name: _boolean(_to_string(name) in b.instance.variables),
        ("hasVariableLocal", 1): lambda b, name: _boolean(_to_string(name) in b.instance.variables),
        ("setVariable", 2): lambda b, name, value: b.set_variable(_to_string(name), value),
        ("setVariableLocal", 2): lambda b, name, value: b.set_variable(_to_string(name), value),
        ("toString", 0): lambda b: TypedValue("String", str(b)),
    }


class TaskBean(Bean):
    """``task`` in a task listener: the user task; its variables are its instance's."""

    JAVA_CLASS = "org.camunda.bpm.engine.impl.persistence.entity.TaskEntity"

    def __init__(self, task: UserTask, execution: ExecutionBean, event_name: str) -> None:
        self.task = task
        self.execution = execution
        self.event_name = event_name

    def __str__(self) -> str:
        return f"Task[{self.task.id}]"

    PROPERTIES: ClassVar[dict[str, Callable[[Any], Value]]] = {
        "id": lambda b: TypedValue("String", b.task.id),
        "name": lambda b: _string_or_null(b.task.name),
        "taskDefinitionKey": lambda b: TypedValue("String", b.task.task_definition_key),
        "assignee": lambda b: _string_or_null(b.task.assignee),
        "owner": lambda b: None,
        "description": lambda b: None,
        "dueDate": lambda b: None,
        "followUpDate": lambda b: None,
        "priority": lambda b: TypedValue("Integer", 50),
        "createTime": lambda b: TypedValue("Date", b.task.created),
        "processInstanceId": lambda b: TypedValue("String", b.task.process_instance_id),
        "executionId": lambda b: TypedValue("String", b.task.process_instance_id),
        "processDefinitionId": lambda b: TypedValue("String", b.task.definition.id),
        "tenantId": lambda b: _string_or_null(b.task.tenant_id),
        "eventName": lambda b: TypedValue("String", b.event_name),
        "execution": lambda b: b.execution,
    }
    METHODS: ClassVar[dict[tuple[str, int], Callable[..., Value]]] = {
        ("getVariable", 1): lambda b, name: b.execution.variable(_to_string(name)),
        ("hasVariable", 1): lambda b, name: _boolean(
            _to_string(name) in b.execution.instance.variables
        ),
        ("setVariable", 2): lambda b, name, value: b.execution.set_variable(
            _to_string(name), value
        ),
        ("toString", 0): lambda b: TypedValue("String", str(b)),
    }


def _readable(typed: TypedValue | None, name: str) -> Value:
    if typed is None or typed.type == "Null":
        return None
    if typed.type == "Json":  # the engine has no Json variables without the Spin plugin
        raise _limitation(f"use the Json variable '{name}' in an expression")
    return typed


@dataclass
class Scope:
    """What an expression sees: the execution, the task (task listeners), the clock."""

    execution: ExecutionBean
    now: datetime
    task: TaskBean | None = None

    def resolve(self, name: str) -> Value:
        """An identifier, as the engine's resolvers find it (no beans are registered)."""
        if name == "execution":
            return self.execution
        if name == "task" and self.task is not None:
            return self.task
        if name == "authenticatedUserId":
            return None  # the mock's commands run without an authenticated user
        if name in self.execution.instance.variables:
            return self.execution.variable(name)
        raise _Failure(PROPERTY, f"Cannot resolve identifier '{name}'")


# -- Java's conversions (JUEL's TypeConverterImpl) --------------------------------------------


def _class_of(value: TypedValue | Bean) -> str:
    if isinstance(value, Bean):
        return value.JAVA_CLASS
    return JAVA_CLASSES[value.type]


def _type(value: Value) -> str | None:
    return value.type if isinstance(value, TypedValue) else None


def _boolean(flag: bool) -> TypedValue:
    return TypedValue("Boolean", flag)


def _long(number: int) -> TypedValue:
    return TypedValue("Long", _wrap(number, 64))


def _double(number: float) -> TypedValue:
    return TypedValue("Double", number)


def _wrap(number: int, bits: int) -> int:
    """Java's two's-complement overflow."""
    half = 1 << (bits - 1)
    return (number + half) % (1 << bits) - half


def _coerce_type(value: TypedValue | Bean, target: str) -> _Failure:
    return _Failure(OTHER, f"Cannot coerce from class {_class_of(value)} to class {target}")


def _coerce_value(text: str, target: str) -> _Failure:
    return _Failure(OTHER, f"Cannot coerce '{text}' to class {target}")


def _java_long_text(text: str) -> int | None:
    """``Long.valueOf``: a sign, then digits (any script's), within 64 bits; else None."""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not all(char.isdecimal() for char in digits):
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


def _java_double_text(text: str) -> float | None:
    """``Double.valueOf`` for decimal text (hexadecimal floats are not supported)."""
    trimmed = text.strip("".join(chr(c) for c in range(33)))
    if not _JAVA_DOUBLE.fullmatch(trimmed):
        return None
    return float(trimmed.rstrip("fFdD").replace("Infinity", "inf"))


def _java_cast_long(number: float) -> int:
    """``(long) double``: toward zero, NaN to 0, saturating at the ends."""
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return 2**63 - 1 if number > 0 else -(2**63)
    return max(-(2**63), min(2**63 - 1, int(number)))


def _to_long(value: Value) -> int:
    if value is None:
        return 0
    kind = _type(value)
    if kind in _INTEGER_TYPES:
        return value.value  # type: ignore[union-attr]
    if kind == "Double":
        return _java_cast_long(value.value)  # type: ignore[union-attr]
    if kind == "String":
        text = value.value  # type: ignore[union-attr]
        if text == "":
            return 0
        number = _java_long_text(text)
        if number is None:
            raise _coerce_value(text, "java.lang.Long")
        return number
    raise _coerce_type(value, "java.lang.Long")  # type: ignore[arg-type]


def _to_double(value: Value) -> float:
    if value is None:
        return 0.0
    kind = _type(value)
    if kind == "Double" or kind in _INTEGER_TYPES:
        return float(value.value)  # type: ignore[union-attr]
    if kind == "String":
        text = value.value  # type: ignore[union-attr]
        if text == "":
            return 0.0
        number = _java_double_text(text)
        if number is None:
            raise _coerce_value(text, "java.lang.Double")
        return number
    raise _coerce_type(value, "java.lang.Double")  # type: ignore[arg-type]


def _to_boolean(value: Value) -> bool:
    if value is None:
        return False
    kind = _type(value)
    if kind == "Boolean":
        return value.value  # type: ignore[union-attr]
    if kind == "String":
        return value.value.lower() == "true"  # type: ignore[union-attr]
    raise _coerce_type(value, "java.lang.Boolean")  # type: ignore[arg-type]


def _to_string(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Bean):
        return str(value)
    kind, data = value.type, value.value
    if kind == "String":
        return data
    if kind == "Boolean":
        return "true" if data else "false"
    if kind == "Double":
        return java_double_string(data)
    if kind == "Date":
        return _java_date_string(data)
    return str(data)


def java_double_string(number: float) -> str:
    """``Double.toString``: ``1.5``, ``100.0``, ``1.0E7``, ``1.0E-4``, ``NaN``, ``-Infinity``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "-0.0" if math.copysign(1, number) < 0 else "0.0"
    if 1e-3 <= abs(number) < 1e7:
        text = repr(number)  # the shortest digits, in plain notation in this range
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    figures = "".join(map(str, digits)).rstrip("0") or "0"
    power = exponent + len(digits) - 1  # type: ignore[operator]
    mantissa = figures[0] + "." + (figures[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def _java_date_string(moment: datetime) -> str:
    """``Date.toString`` in the engine's time zone (UTC): ``Mon Jan 01 10:00:00 UTC 2024``."""
    utc = moment.astimezone(UTC)
    return (
        f"{_DAYS[utc.weekday()]} {_MONTHS[utc.month - 1]} {utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} UTC {utc.year}"
    )


def _millis(moment: datetime) -> int:
    """``Date.getTime()``."""
    return (moment.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)


def _is_float(value: Value) -> bool:
    return _type(value) == "Double"


def _is_integer(value: Value) -> bool:
    return _type(value) in _INTEGER_TYPES


def _is_dot_ee(value: Value) -> bool:
    """A String that JUEL's arithmetic reads as a Double (it has '.', 'e' or 'E')."""
    return _type(value) == "String" and any(c in ".eE" for c in value.value)  # type: ignore[union-attr]


def _as_double_operation(left: Value, right: Value) -> bool:
    return any(_is_float(v) or _is_dot_ee(v) for v in (left, right))


# -- operators ------------------------------------------------------------------------------


def _add(left: Value, right: Value) -> Value:
    if _as_double_operation(left, right):
        return _double(_to_double(left) + _to_double(right))
    return _long(_to_long(left) + _to_long(right))


def _subtract(left: Value, right: Value) -> Value:
    if _as_double_operation(left, right):
        return _double(_to_double(left) - _to_double(right))
    return _long(_to_long(left) - _to_long(right))


def _multiply(left: Value, right: Value) -> Value:
    if _as_double_operation(left, right):
        return _double(_to_double(left) * _to_double(right))
    return _long(_to_long(left) * _to_long(right))


def _divide(left: Value, right: Value) -> Value:
    dividend, divisor = _to_double(left), _to_double(right)
    if divisor == 0:  # IEEE 754, as Java: no exception
        if dividend == 0 or math.isnan(dividend):
            return _double(math.nan)
        negative = (math.copysign(1, dividend) < 0) != (math.copysign(1, divisor) < 0)
        return _double(-math.inf if negative else math.inf)
    return _double(dividend / divisor)


def _remainder(left: Value, right: Value) -> Value:
    if any(_is_float(v) or _is_dot_ee(v) for v in (left, right)):
        dividend, divisor = _to_double(left), _to_double(right)
        if divisor == 0 or math.isinf(dividend) or math.isnan(dividend) or math.isnan(divisor):
            return _double(math.nan)
        return _double(dividend if math.isinf(divisor) else math.fmod(dividend, divisor))
    dividend, divisor = _to_long(left), _to_long(right)
    if divisor == 0:
        raise _Failure(OTHER, "/ by zero")
    magnitude = abs(dividend) % abs(divisor)  # Java's remainder has the dividend's sign
    return _long(-magnitude if dividend < 0 else magnitude)


def _negate(value: Value) -> Value:
    if value is None:
        return _long(0)
    kind = _type(value)
    if kind == "Double":
        return _double(-value.value)  # type: ignore[union-attr]
    if kind == "String":
        if _is_dot_ee(value):
            return _double(-_to_double(value))
        return _long(-_to_long(value))
    if kind in _INTEGER_TYPES:
        return TypedValue(kind, _wrap(-value.value, _BITS[kind]))  # type: ignore[union-attr,index]
    raise _Failure(OTHER, f"Cannot negate 'class {_class_of(value)}'")  # type: ignore[arg-type]


def _double_equals(left: float, right: float) -> bool:
    """``Double.equals``: NaN equals NaN, 0.0 differs from -0.0."""
    return struct.pack(">d", left) == struct.pack(">d", right) or (
        math.isnan(left) and math.isnan(right)
    )


def _equals(left: Value, right: Value) -> bool:
    if left is right:
        return True
    if left is None or right is None:
        return False
    if _is_float(left) or _is_float(right):
        return _double_equals(_to_double(left), _to_double(right))
    if _is_integer(left) or _is_integer(right):
        return _to_long(left) == _to_long(right)
    if "Boolean" in (_type(left), _type(right)):
        return _to_boolean(left) == _to_boolean(right)
    if "String" in (_type(left), _type(right)):
        return _to_string(left) == _to_string(right)
    if _type(left) == "Date" and _type(right) == "Date":
        return _millis(left.value) == _millis(right.value)  # type: ignore[union-attr]
    return False  # Object.equals: beans are equal only to themselves


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")  # String.compareTo compares char units


def _order(left: TypedValue | Bean, right: TypedValue | Bean) -> int:
    """JUEL's comparison of two non-null values: negative, zero or positive."""
    if _is_float(left) or _is_float(right):
        a, b = _to_double(left), _to_double(right)
        return (a > b) - (a < b)
    if _is_integer(left) or _is_integer(right):
        x, y = _to_long(left), _to_long(right)
        return (x > y) - (x < y)
    if "String" in (_type(left), _type(right)):
        s, t = _utf16(_to_string(left)), _utf16(_to_string(right))
        return (s > t) - (s < t)
    if isinstance(left, Bean) or isinstance(right, Bean):
        raise _limitation(f"compare a {_class_of(left)} with a {_class_of(right)}")
    if left.type != right.type:  # Comparable.compareTo with another class
        this, other = _class_of(left), _class_of(right)
        raise _Failure(
            OTHER,
            f"class {other} cannot be cast to class {this} ({other} and {this} are in module "
            "java.base of loader 'bootstrap')",
        )
    if left.type == "Date":
        a_ms, b_ms = _millis(left.value), _millis(right.value)
        return (a_ms > b_ms) - (a_ms < b_ms)
    return (left.value > right.value) - (left.value < right.value)  # Boolean


def _compare(operator: str, left: Value, right: Value) -> bool:
    if left is right:
        return operator in (juel.LE, juel.GE)
    if left is None or right is None:
        return False
    if operator == juel.LT:
        return _order(left, right) < 0
    if operator == juel.GT:
        return _order(left, right) > 0
    # <= is "not greater", >= "not less": so NaN <= 1 holds, as in JUEL.
    if operator == juel.LE:
        return not _order(left, right) > 0
    return not _order(left, right) < 0


# Bean properties of variable values: the few the mock computes, and the other names Java has
# (``class``, ``bytes``, Date's deprecated getters), which need Java to answer.
_SCALAR_PROPERTIES: dict[str, dict[str, Callable[[Any], Value]]] = {
    "String": {
        "empty": lambda v: _boolean(v == ""),
        "blank": lambda v: _boolean(all(juel.is_java_space(c) for c in v)),
    },
    "Double": {
        "naN": lambda v: _boolean(math.isnan(v)),
        "infinite": lambda v: _boolean(math.isinf(v)),
    },
    "Date": {"time": lambda v: _long(_millis(v))},
}
_JAVA_ONLY_PROPERTIES = {
    "String": ("class", "bytes"),
    "Date": ("class", "date", "day", "hours", "minutes", "month", "seconds", "timezoneOffset"),
}


def _scalar_property(value: TypedValue, name: str) -> Value:
    computed = _SCALAR_PROPERTIES.get(value.type, {}).get(name)
    if computed is not None:
        return computed(value.value)
    if name in _JAVA_ONLY_PROPERTIES.get(value.type, ("class",)) or (
        value.type == "Date" and name == "year"
    ):
        raise _limitation(f"read the property '{name}' of a {_class_of(value)}")
    raise _Failure(PROPERTY, f"The class '{_class_of(value)}' does not have the property '{name}'.")


# -- evaluation -----------------------------------------------------------------------------


def _evaluate(node: juel.Node, scope: Scope) -> Value:
    if isinstance(node, juel.Eval | juel.Nested):
        return _evaluate(node.child, scope)
    if isinstance(node, juel.Literal):
        return _literal(node)
    if isinstance(node, juel.Identifier):
        return scope.resolve(node.name)
    if isinstance(node, juel.Text):
        return TypedValue("String", node.value)
    if isinstance(node, juel.Composite):
        return TypedValue("String", "".join(_to_string(_evaluate(p, scope)) for p in node.parts))
    if isinstance(node, juel.Binary):
        return _binary(node, scope)
    if isinstance(node, juel.Unary):
        value = _evaluate(node.child, scope)
        if node.operator == juel.NOT:
            return _boolean(not _to_boolean(value))
        if node.operator == juel.MINUS:
            return _negate(value)
        return _boolean(value is None or (_type(value) == "String" and value.value == ""))  # type: ignore[union-attr]
    if isinstance(node, juel.Choice):
        chosen = node.yes if _to_boolean(_evaluate(node.question, scope)) else node.no
        return _evaluate(chosen, scope)
    if isinstance(node, juel.Dot | juel.Bracket):
        return _member(node, scope)
    if isinstance(node, juel.Method):
        return _method(node, scope)
    if isinstance(node, juel.Function):
        # Only now() and currentUser() pass compile_expression; the mock has no current user.
        return TypedValue("Date", scope.now) if node.name == "now" else None
    raise TypeError(f"no evaluation for {type(node).__name__}")


def _literal(node: juel.Literal) -> Value:
    kind = {juel.TRUE: "Boolean", juel.FALSE: "Boolean", juel.STRING: "String"}.get(node.kind)
    if kind is not None:
        return TypedValue(kind, node.value)
    if node.kind == juel.INTEGER:
        return TypedValue("Long", node.value)
    if node.kind == juel.FLOAT:
        return TypedValue("Double", node.value)
    return None


_ARITHMETIC: dict[str, Callable[[Value, Value], Value]] = {
    juel.PLUS: _add,
    juel.MINUS: _subtract,
    juel.MUL: _multiply,
    juel.DIV: _divide,
    juel.MOD: _remainder,
}


def _binary(node: juel.Binary, scope: Scope) -> Value:
    operator = node.operator
    if operator in (juel.AND, juel.OR):  # short-circuit, both sides coerced to Boolean
        first = _to_boolean(_evaluate(node.left, scope))
        if first == (operator == juel.OR):
            return _boolean(first)
        return _boolean(_to_boolean(_evaluate(node.right, scope)))
    left, right = _evaluate(node.left, scope), _evaluate(node.right, scope)
    if operator in _ARITHMETIC:
        if left is None and right is None:
            return _long(0)
        return _ARITHMETIC[operator](left, right)
    if operator == juel.EQ:
        return _boolean(_equals(left, right))
    if operator == juel.NE:
        return _boolean(not _equals(left, right))
    return _boolean(_compare(operator, left, right))


def _member_name(node: juel.Dot | juel.Bracket, scope: Scope) -> Value:
    if isinstance(node, juel.Dot):
        return TypedValue("String", node.name)
    return _evaluate(node.property, scope)


def _member(node: juel.Dot | juel.Bracket, scope: Scope) -> Value:
    base = _evaluate(node.prefix, scope)
    if base is None:
        return None
    name = _member_name(node, scope)
    if name is None:  # a null property of a non-null base reads as null
        return None
    if isinstance(base, Bean):
        return base.property(_to_string(name))
    return _scalar_property(base, _to_string(name))


def _method(node: juel.Method, scope: Scope) -> Value:
    base = _evaluate(node.target.prefix, scope)
    if base is None:
        raise _Failure(
            PROPERTY, f"Target unreachable, base expression '{node.target.prefix}' resolved to null"
        )
    name = _member_name(node.target, scope)
    if name is None:
        raise _Failure(METHOD, f"Cannot find method 'null' in '{_to_string(base)}'")
    arguments = [_evaluate(param, scope) for param in node.params]
    if isinstance(base, Bean):
        return base.call(_to_string(name), arguments)
    raise _limitation(f"call the method '{_to_string(name)}' of a {_class_of(base)}")


# -- compiling ------------------------------------------------------------------------------


def _children(node: juel.Node) -> list[juel.Node]:
    if isinstance(node, juel.Composite):
        return list(node.parts)
    if isinstance(node, juel.Eval | juel.Nested | juel.Unary):
        return [node.child]
    if isinstance(node, juel.Binary):
        return [node.left, node.right]
    if isinstance(node, juel.Choice):
        return [node.question, node.yes, node.no]
    if isinstance(node, juel.Dot):
        return [node.prefix]
    if isinstance(node, juel.Bracket):
        return [node.prefix, node.property]
    if isinstance(node, juel.Method):
        return [node.target, *node.params]
    if isinstance(node, juel.Function):
        return list(node.params)
    return []


def _functions(node: juel.Node) -> list[juel.Function]:
    """The functions in the order JUEL binds them (a call's arguments before the call)."""
    found = [f for child in _children(node) for f in _functions(child)]
    return [*found, node] if isinstance(node, juel.Function) else found


def _check(node: juel.Node, in_task: bool) -> None:
    """Refuse what the mock cannot evaluate: members of ``execution``/``task`` it lacks."""
    if isinstance(node, juel.Dot | juel.Bracket) and isinstance(node.prefix, juel.Identifier):
        root = node.prefix
        beans: dict[str, type[Bean]] = {"execution": ExecutionBean}
        if in_task:
            beans["task"] = TaskBean
        bean = beans.get(root.name)
        name: object = node.name if isinstance(node, juel.Dot) else None
        if isinstance(node, juel.Bracket) and isinstance(node.property, juel.Literal):
            name = node.property.value
        if bean is not None and isinstance(name, str) and name not in bean.members():
            supported = ", ".join(sorted(bean.members()))
            raise UnsupportedExpression(
                f"'{root}.{name}' is not supported by the mock (it supports {root}.{supported})"
            )
    for child in _children(node):
        _check(child, in_task)


@dataclass(frozen=True)
class Expression:
    """A compiled expression and its text (the engine quotes the text in its failures)."""

    text: str
    tree: juel.Node

    def value(self, scope: Scope) -> Value:
        """Evaluate it; ``ExpressionError`` with the engine's message when that fails."""
        try:
            return _evaluate(self.tree, scope)
        except _Failure as failure:
            raise ExpressionError(f"{failure.kind}: {self.text}. Cause: {failure.cause}") from None

    def stored(self, scope: Scope, name: str) -> TypedValue:
        """Evaluate it for a result variable: the value as that variable stores it."""
        result = self.value(scope)
        try:
            return _stored(result, name)
        except _Failure as failure:
            raise ExpressionError(f"{failure.kind}: {self.text}. Cause: {failure.cause}") from None

    def condition(self, scope: Scope) -> bool:
        """A sequence flow's condition: it must give a Boolean (``UelExpressionCondition``)."""
        result = self.value(scope)
        if result is None:
            raise EngineFailure("condition expression returns null: result is null")
        if isinstance(result, Bean) or result.type != "Boolean":
            raise EngineFailure(
                "condition expression returns non-Boolean: result has class "
                f"{_class_of(result)} and not java.lang.Boolean"
            )
        return bool(result.value)


def compile_expression(text: str, in_task: bool = False) -> Expression:
    """Parse an expression as the engine does at deployment.

    ``ExpressionParseError`` carries the engine's text (it answers 500 ``ENGINE-01009 Error
    while parsing process. <text>.``); ``UnsupportedExpression`` names what the mock cannot
    evaluate. ``in_task``: a task listener's expression, where ``task`` is the task.
    """
    try:
        tree = juel.parse(text)
    except juel.JuelSyntaxError as error:
        raise ExpressionParseError(f"Error parsing '{text}': {error}") from None
    for function in _functions(tree):
        if function.name in UNSUPPORTED_FUNCTIONS:
            raise UnsupportedExpression(f"the function {function.name}() is not supported")
        if function.name not in FUNCTIONS:
            raise ExpressionParseError(f"Could not resolve function '{function.name}'")
        if len(function.params) != FUNCTIONS[function.name]:
            raise ExpressionParseError(f"Parameters for function '{function.name}' do not match")
    _check(tree, in_task)
    return Expression(text, tree)
