"""Jackson's scalar coercions, compiled per schema: what a body becomes, where a misfit is."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.coercion import Coercions, Misfit

NODE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "big": {"type": "integer", "format": "int64"},
        "flag": {"type": "boolean"},
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/node"}},
    },
}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    return NODE if schema.get("$ref") == "#/node" else schema


COERCE = Coercions(resolve).compile(NODE)


def test_scalars_are_coerced_at_any_depth_of_a_self_referring_schema() -> None:
    body = {"count": "3", "flag": "true", "name": 7, "children": [{"count": 2.9, "x": "kept"}]}
    assert COERCE(body) == {
        "count": 3,
        "flag": True,
        "name": "7",
        "children": [{"count": 2, "x": "kept"}],
    }


def test_values_of_the_wrong_type_are_left_for_the_type_check() -> None:
    body = {"count": "many", "flag": "maybe", "children": "none"}
    assert COERCE(body) == body


@pytest.mark.parametrize(
    ("body", "where", "detail"),
    [
        ({"count": 2**31}, "count", "2147483648 is out of range of a 32-bit int"),
        ({"big": 2**63}, "big", "9223372036854775808 is out of range of a 64-bit int"),
        (
            {"children": [{}, {"children": [{"count": -(2**31) - 1}]}]},
            "children/1/children/0/count",
            "-2147483649 is out of range of a 32-bit int",
        ),
    ],
)
def test_an_integer_out_of_range_is_a_misfit_at_its_path(
    body: dict[str, Any], where: str, detail: str
) -> None:
    with pytest.raises(Misfit) as raised:
        COERCE(body)
    assert (raised.value.where(), raised.value.detail) == (where, detail)
