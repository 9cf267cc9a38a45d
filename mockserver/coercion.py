"""Jackson's default scalar coercions, compiled once per schema of the contract.

Each schema becomes one function that takes a parsed JSON value and returns it coerced as
Jackson (2.19, as the engine configures it) would map it onto the DTO: numbers and numeric
strings into integer fields (floats truncated, ``int32``/``int64`` ranges enforced); integers
(0 is false) and ``true``/``True``/``TRUE`` (and their false) into booleans; an integer into a
date field as milliseconds since 1970; a blank text, or ``null`` as text, as null into any of
these; scalars into string fields as their JSON text (``1.50`` stays ``"1.50"``); and date
strings checked for existence. Values of the wrong JSON type are left as they are, for the
mapping check to reject.

Compiling walks the schema once; reading a body then only calls the prepared functions
instead of looking up ``$ref``, ``type`` and ``properties`` for every value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .clock import format_engine_date, parse_engine_date
from .jackson import number_text

Coerce = Callable[[Any], Any]
Resolve = Callable[[dict[str, Any]], dict[str, Any]]

JAVA_SPACE = "".join(map(chr, range(0x21)))  # what Java's String.trim() takes away
# The texts Jackson reads as a boolean (others are refused).
BOOLEAN_TEXTS = dict.fromkeys(("true", "True", "TRUE"), True) | dict.fromkeys(
    ("false", "False", "FALSE"), False
)
# Java's Integer.parseInt: a sign and digits, of any script.
JAVA_INTEGER = re.compile(r"[+-]?\d+")
LONG = 2**63
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Misfit(Exception):
    """A value Jackson cannot map; ``path`` is filled in on the way out of the body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.path: list[Any] = []

    def where(self) -> str:
        """The path to the value inside the body, ``instructions/0/ancestorId``."""
        return "/".join(str(part) for part in self.path)


class Coercions:
    """Compiles the schemas of one document into coercion functions (kept by schema)."""

    def __init__(self, resolve: Resolve) -> None:
        self._resolve = resolve
        self._compiled: dict[int, Coerce] = {}

    def compile(self, schema: dict[str, Any]) -> Coerce:
        """The coercion of ``schema`` (a ``$ref`` is followed first)."""
        schema = self._resolve(schema)
        key = id(schema)
        found = self._compiled.get(key)
        if found is not None:
            return found
        # A schema may refer back to itself: the entry calls the function once it is built.
        built: list[Coerce] = []
        self._compiled[key] = lambda value: built[0](value)
        built.append(self._build(schema))
        self._compiled[key] = built[0]
        return built[0]

    def _build(self, schema: dict[str, Any]) -> Coerce:
        properties = schema.get("properties")
        by_name = (
            None
            if properties is None
            else {name: self.compile(sub) for name, sub in properties.items()}
        )
        items = schema.get("items")
        each = None if items is None else self.compile(items)
        scalar = _scalar(schema)

        def coerce(value: Any) -> Any:
            if isinstance(value, dict):
                return value if by_name is None else _coerce_object(value, by_name)
            if isinstance(value, list):
                return value if each is None else _coerce_list(value, each)
            return scalar(value)

        return coerce


def _coerce_object(value: dict[str, Any], by_name: dict[str, Coerce]) -> dict[str, Any]:
    coerced = {}
    for name, item in value.items():
        coerce = by_name.get(name)
        if coerce is None:
            coerced[name] = item
            continue
        try:
            coerced[name] = coerce(item)
        except Misfit as misfit:
            misfit.path.insert(0, name)
            raise
    return coerced


def _coerce_list(value: list[Any], each: Coerce) -> list[Any]:
    coerced = []
    for index, item in enumerate(value):
        try:
            coerced.append(each(item))
        except Misfit as misfit:
            misfit.path.insert(0, index)
            raise
    return coerced


def _scalar(schema: dict[str, Any]) -> Coerce:
    """The coercion of a value that is neither an object nor an array."""
    declared = schema.get("type", [])
    types = frozenset([declared] if isinstance(declared, str) else declared)
    if "integer" in types:
        bits = 64 if schema.get("format") == "int64" else 32
        return lambda value: _integer(value, bits)
    if "pattern" in schema:  # dates are the only patterned strings
        pattern = re.compile(schema["pattern"])
        return lambda value: _date(value, pattern)
    if "boolean" in types:
        return _boolean
    if "string" in types:
        return _text
    return lambda value: value


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)  # Jackson writes a number into a String field as sent
    return value


def _textual_null(value: str) -> bool:
    """Whether Jackson reads a text as null into a number, boolean or date field: when it is
    blank, or ``null`` once Java's ``trim`` has taken the spaces and controls around it."""
    return value.strip(JAVA_SPACE) in ("", "null")


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        if _textual_null(value):
            return None
        return BOOLEAN_TEXTS.get(value.strip(JAVA_SPACE), value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value != 0  # an integer is taken as a boolean, a fraction is not
    return value


def _date(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        if _textual_null(value):
            return None
        if pattern.fullmatch(value):  # one of the right shape must also exist
            try:
                parse_engine_date(value)
            except ValueError as exc:
                raise Misfit(str(exc)) from None
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _epoch_millis(value)
    return value


def _epoch_millis(value: int) -> str:
    """An integer for a date: milliseconds since 1970, in the engine's format."""
    if not -LONG <= value < LONG:
        raise Misfit(f"{value} is out of range of a 64-bit long")
    try:
        moment = EPOCH + timedelta(milliseconds=value)
    except OverflowError:
        raise Misfit(f"{value} ms is beyond the dates the mock can hold") from None
    return format_engine_date(moment) or ""


def _integer(value: Any, bits: int) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if _textual_null(value):
            return None
        text = value.strip(JAVA_SPACE)
        if not JAVA_INTEGER.fullmatch(text):
            return value  # left for the type check to reject
        value = int(text)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Misfit(f"{value} does not fit an integer")
        value = int(value)  # Jackson truncates floats written into integer fields
    limit = 2 ** (bits - 1)
    if isinstance(value, int) and not -limit <= value < limit:
        raise Misfit(f"{value} is out of range of a {bits}-bit int")
    return value
