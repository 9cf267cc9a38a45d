"""Jackson's default scalar coercions, compiled once per schema of the contract.

Each schema becomes one function that takes a parsed JSON value and returns it coerced as
Jackson would map it onto the DTO: numbers and numeric strings into integer fields (floats
truncated, ``int32``/``int64`` ranges enforced), ``"true"``/``"false"`` into booleans,
scalars into string fields as their JSON text, and date strings checked for existence.
Values of the wrong JSON type are left as they are, for the mapping check to reject.

Compiling walks the schema once; reading a body then only calls the prepared functions
instead of looking up ``$ref``, ``type`` and ``properties`` for every value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .clock import parse_engine_date

Coerce = Callable[[Any], Any]
Resolve = Callable[[dict[str, Any]], dict[str, Any]]


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
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    booleans = "boolean" in types
    strings = "string" in types

    def coerce(value: Any) -> Any:
        if isinstance(value, str):
            if pattern is not None:
                return _checked_date(value, pattern)
            if booleans and value in ("true", "false"):
                return value == "true"
            return value
        if strings and value is not None:
            return json.dumps(value)  # Jackson writes scalars into String fields as text
        return value

    return coerce


def _checked_date(value: str, pattern: re.Pattern[str]) -> str:
    """Dates are the only patterned strings; one of the right shape must also exist."""
    if pattern.fullmatch(value):
        try:
            parse_engine_date(value)
        except ValueError as exc:
            raise Misfit(str(exc)) from None
    return value


def _integer(value: Any, bits: int) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return value  # left for the type check to reject
    elif isinstance(value, float):
        value = int(value)  # Jackson truncates floats written into integer fields
    limit = 2 ** (bits - 1)
    if isinstance(value, int) and not -limit <= value < limit:
        raise Misfit(f"{value} is out of range of a {bits}-bit int")
    return value
