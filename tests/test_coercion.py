"""Jackson's scalar coercions, compiled per schema: what a body becomes, where a misfit is."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.app import default_spec
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


FIELDS = Coercions(lambda schema: schema).compile(
    {
        "type": "object",
        "properties": {
            "flag": {"type": ["boolean", "null"]},
            "count": {"type": ["integer", "null"]},
            "due": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T"},
        },
    }
)


@pytest.mark.parametrize(
    ("field", "value", "read"),
    [
        ("flag", 1, True),
        ("flag", 0, False),
        ("flag", -7, True),
        ("flag", "True", True),
        ("flag", "TRUE", True),
        ("flag", "FALSE", False),
        ("flag", " true\t", True),
        ("flag", "", None),
        ("flag", "  ", None),
        ("flag", " null ", None),
        ("count", "", None),
        ("count", "null", None),
        ("count", " 7 ", 7),
        ("count", "+5", 5),
        ("count", "\u0665", 5),  # an Arabic-Indic five: Java reads digits of any script
        ("due", "", None),
        ("due", "null", None),
        ("due", 0, "1970-01-01T00:00:00.000+0000"),
        ("due", -5, "1969-12-31T23:59:59.995+0000"),
    ],
)
def test_jackson_reads_these_texts_and_numbers_as_the_field_type(
    field: str, value: Any, read: Any
) -> None:
    assert FIELDS({field: value}) == {field: read}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flag", 1.5),
        ("flag", "yes"),
        ("flag", "1"),
        ("flag", "tRUE"),
        ("flag", "NULL"),
        ("count", "1_0"),
        ("count", "5.5"),
        ("count", "1e2"),
        ("count", "\u00a05"),  # Java's trim keeps a no-break space
        ("due", 1.5),
        ("due", "1700000000000"),
    ],
)
def test_jackson_refuses_these_so_they_are_left_for_the_type_check(field: str, value: Any) -> None:
    assert FIELDS({field: value}) == {field: value}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"count": float("inf")}, "inf does not fit an integer"),
        ({"due": 2**63}, "9223372036854775808 is out of range of a 64-bit long"),
    ],
)
def test_a_number_no_field_can_hold_is_a_misfit(body: dict[str, Any], detail: str) -> None:
    with pytest.raises(Misfit) as raised:
        FIELDS(body)
    assert raised.value.detail == detail


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["quick", "scanned"])
@pytest.mark.parametrize("number", ["1.50", "1e2", "1.0E+2", "-0", "12345678901234567890"])
def test_a_number_is_written_into_a_text_field_as_it_was_sent(prefix: bytes, number: str) -> None:
    raw = prefix + b'{"businessKey": ' + number.encode() + b"}"
    assert default_spec().read_body("startProcessInstance", raw) == {"businessKey": number}
