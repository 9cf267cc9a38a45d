"""A quick yes/no: would Jackson map this body onto the DTO without an error?

``Spec.read_body`` asks ``jsonschema`` for every error and keeps the ones Jackson would
raise. That walk costs most of a batch POST, while nearly every body a client sends maps
cleanly. This module compiles each body schema once into plain Python checks of the same
mapping keywords (``type``, ``enum``, ``const``, ``pattern``, ``additionalProperties`` and a
missing discriminator), so a clean body skips the walk. Extensions (``x-...``) annotate.

The check may only answer "clean" when ``jsonschema`` would find no mapping error. When
in doubt it answers "not sure" and the full walk runs, which also words the error; a
schema keyword it does not know makes every answer "not sure".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that can never raise a mapping error (engine rules, annotations, `if` alone).
_SILENT = frozenset(
    {
        "description",
        "examples",
        "example",
        "format",
        "required",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "default",
        "title",
        "deprecated",
        "if",
        "then",
        "discriminator",
    }
)

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # As jsonschema: booleans are no numbers; 1.0 is an integer.
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


# Types whose test is a plain isinstance: several of them are tested in one call.
_CLASSES: dict[str, type] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _one_of_types(types: list[str]) -> Check:
    """The check that a value is of one of the JSON ``types``."""
    if len(types) == 1:
        return _TYPE_TESTS[types[0]]
    if all(name in _CLASSES for name in types):
        classes = tuple(_CLASSES[name] for name in types)
        return lambda value: isinstance(value, classes)
    tests = [_TYPE_TESTS[name] for name in types]

    def check(value: Any) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop: no generator per value, hot path
            if test(value):
                return True
        return False

    return check


def _never_sure(value: Any) -> bool:
    return False


def _all_of(checks: list[Check]) -> Check:
    """One check that holds when every one of ``checks`` holds."""
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for one in checks:  # noqa: SIM110 - a plain loop: no generator per value, hot path
            if not one(value):
                return False
        return True

    return check


def _each_item(item: Check) -> Check:
    """The check of an array whose items must each pass ``item``."""

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for one in value:  # noqa: SIM110 - a plain loop: no generator per value, hot path
            if not item(one):
                return False
        return True

    return check


def _strictly_in(value: Any, allowed: list[Any]) -> bool:
    """``value in allowed`` without Python's ``True == 1`` (jsonschema tells them apart)."""
    return any(type(value) is type(option) and value == option for option in allowed)


class MappingChecks:
    """Compiles schemas of one OpenAPI document into quick mapping checks."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._compiled: dict[int, Check] = {}

    def compile(self, schema: dict[str, Any]) -> Check:
        """The check of a schema; one that always answers "not sure" if it has unknown parts."""
        try:
            return self._node(schema)
        except _Unsupported:
            return _never_sure

    def _target(self, reference: str) -> dict[str, Any]:
        if not reference.startswith("#/"):
            raise _Unsupported(reference)
        node: Any = self.document
        for part in reference[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _node(self, schema: dict[str, Any]) -> Check:
        key = id(schema)
        if key in self._compiled:
            return self._compiled[key]
        # A schema may refer back to itself: the entry calls the check once it is built.
        built: list[Check] = []
        self._compiled[key] = lambda value: built[0](value)
        try:
            built.append(self._build(schema))
        except _Unsupported:
            del self._compiled[key]  # no half-built entry for the schemas that refer to it
            raise
        self._compiled[key] = built[0]
        return built[0]

    def _build(self, schema: dict[str, Any]) -> Check:
        unknown = (
            {keyword for keyword in schema if not keyword.startswith("x-")}
            - _SILENT
            - {
                "$ref",
                "type",
                "enum",
                "const",
                "pattern",
                "properties",
                "additionalProperties",
                "items",
                "allOf",
            }
        )
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._node(self._target(schema["$ref"])))
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            checks.append(_one_of_types(types))
        if "enum" in schema:
            allowed = list(schema["enum"])
            checks.append(lambda v: _strictly_in(v, allowed))
        if "const" in schema:
            constant = [schema["const"]]
            checks.append(lambda v: _strictly_in(v, constant))
        if "pattern" in schema:
            pattern = re.compile(schema["pattern"])
            checks.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
        if "discriminator" in schema and "required" in schema:
            checks.append(self._discriminator(schema))
        if "properties" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema))
        if "items" in schema:
            checks.append(_each_item(self._node(schema["items"])))
        for part in schema.get("allOf", []):
            checks.append(self._node(part))
        return _all_of(checks)

    @staticmethod
    def _discriminator(schema: dict[str, Any]) -> Check:
        """A missing ``required`` property is Jackson's error only when the type key is gone."""
        name = schema["discriminator"]["propertyName"]
        required = list(schema["required"])
        return lambda v: not isinstance(v, dict) or name in v or all(key in v for key in required)

    def _object(self, schema: dict[str, Any]) -> Check:
        properties = {name: self._node(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        if extra is True:
            extra_check: Check | None = None
        elif extra is False:
            extra_check = _never_sure
        else:
            extra_check = self._node(extra)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, item in value.items():
                known = properties.get(name)
                if known is not None:
                    if not known(item):
                        return False
                elif extra_check is not None and not extra_check(item):
                    return False
            return True

        return check


class _Unsupported(Exception):
    """A schema keyword or reference the quick check does not model."""
