"""The quick mapping check never lets a body through that the full schema walk would stop.

For every request body of the contract, a clean sample body is built from its schema, then
every value in it is swapped, one at a time, for values of every other JSON type. Whenever
the quick check says "maps cleanly", the full ``jsonschema`` walk must find no mapping
error; and the clean samples must take the quick path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.app import default_spec
from mockserver.spec import Spec

SPEC: Spec = default_spec()
DATE = "2025-01-31T10:15:00.000+0100"
WRONG_VALUES: list[Any] = [None, "7", "x", 7, -1, 2.5, True, [], ["x"], [7], {}, {"type": "cancel"}]


def sample(schema: dict[str, Any], depth: int = 0) -> Any:
    """A value that maps cleanly onto ``schema`` (every property filled, lists of one)."""
    schema = SPEC.resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    types = schema.get("type", "object")
    kind = next((t for t in ([types] if isinstance(types, str) else types) if t != "null"), None)
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        return {name: sample(sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), depth + 1)]
    return {
        "string": DATE if "pattern" in schema else "abc",
        "integer": 3,
        "number": 1.5,
        "boolean": True,
        None: None,
    }[kind]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place inside a JSON value (keys and list positions)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def replaced(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


OPERATIONS = sorted(SPEC._body_schemas)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_clean_samples_take_the_quick_path(operation_id: str) -> None:
    body = sample(SPEC._body_schemas[operation_id])
    assert SPEC.mapping_errors(operation_id, body) == []
    assert SPEC.maps_cleanly(operation_id, body)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_quick_check_never_passes_what_the_full_walk_stops(operation_id: str) -> None:
    body = sample(SPEC._body_schemas[operation_id])
    missed = []
    for path in paths(body):
        for wrong in WRONG_VALUES:
            changed = replaced(body, path, wrong)
            if SPEC.maps_cleanly(operation_id, changed):
                errors = SPEC.mapping_errors(operation_id, changed)
                if errors:
                    missed.append((path, wrong, errors[0].message))
    unknown_key = {**body, "noSuchFilter": 1}
    if SPEC.maps_cleanly(operation_id, unknown_key):
        assert SPEC.mapping_errors(operation_id, unknown_key) == []
    assert missed == []
