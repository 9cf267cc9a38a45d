"""The engine's Jackson, byte for byte: parse errors, mapping errors, limits and null DTOs.

Every expected text below is what Camunda 7.24 (Jackson 2.19) answered to the same body sent
to ``POST /process-instance/job-retries``; that DTO reads ``retries`` and
``processInstances``, not ``x``, ``y`` or ``a``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver import jackson
from mockserver.app import default_spec
from mockserver.errors import CamundaError

SOURCE = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
JOB_RETRIES = "setJobRetriesAsyncOperation"

PARSE_ERRORS = [
    (b"not json", f"Unrecognized token 'not': was expecting {VALUES}", 1, 5),
    (
        b'{"retries": 1',
        "Unexpected end-of-input: expected close marker for Object (start "
        f"marker at {SOURCE}line: 1, column: 1])",
        1,
        14,
    ),
    (
        b'{"retries": 1 "x": []}',
        "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
        1,
        15,
    ),
    (
        b'{"retries": 1,}',
        "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
        1,
        15,
    ),
    (
        b"{'a': 1}",
        "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        1,
        2,
    ),
    (
        b"{a: 1}",
        "Unexpected character ('a' (code 97)): was expecting double-quote to start field name",
        1,
        2,
    ),
    (
        b'{"a" 1}',
        "Unexpected character ('1' (code 49)): was expecting a colon to "
        "separate field name and value",
        1,
        6,
    ),
    (b'{"retries": 1}}', "Unexpected close marker '}': no open Object to close", 1, 15),
    (b'{"retries": 1}\t ]', "Unexpected close marker ']': no open Array to close", 1, 17),
    (b'{"', "Unexpected end-of-input: was expecting closing '\"' for name", 1, 3),
    (b'{"retri', "Unexpected end-of-input in field name", 1, 8),
    (b'{"retries"', "Unexpected end-of-input within/between Object entries", 1, 11),
    (b'{"retries":', "Unexpected end-of-input within/between Object entries", 1, 12),
    (
        b"{",
        "Unexpected end-of-input: expected close marker for Object (start "
        f"marker at {SOURCE}line: 1, column: 1])",
        1,
        2,
    ),
    (b'{"x": "abc', "Unexpected end-of-input in VALUE_STRING", 1, 11),
    (b'{"x": "a\\q"}', "Unrecognized character escape 'q' (code 113)", 1, 10),
    (
        b'{"x": "\\u12G4"}',
        "Unexpected character ('G' (code 71)): expected a hex-digit for character escape sequence",
        1,
        12,
    ),
    (b'{"x": "\\', "Unexpected end-of-input in character escape sequence", 1, 9),
    (
        b'{"x": "a\tb"}',
        "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped "
        "using backslash to be included in string value",
        1,
        9,
    ),
    (
        b'{"x\x01": 1}',
        "Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped "
        "using backslash to be included in name",
        1,
        4,
    ),
    (
        b"{\x01}",
        "Illegal character ((CTRL-CHAR, code 1)): only regular white space (\\r,"
        " \\n, \\t) is allowed between tokens",
        1,
        3,
    ),
    (
        b"{\x1e}",
        "Illegal character ((CTRL-CHAR, code 30)): only regular white space "
        "(\\r, \\n, \\t) is allowed between tokens (consider enabling "
        "`JsonReadFeature.ALLOW_RS_CONTROL_CHAR` to allow use of Record "
        "Separators (\\u001E))",
        1,
        3,
    ),
    (
        b'{"retries": /* c */ 1}',
        "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? "
        "(not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for "
        "parser)",
        1,
        13,
    ),
    (b'{"retries": 01}', "Invalid numeric value: Leading zeroes not allowed", 1, 14),
    (
        b'{"retries": -}',
        "Unexpected character ('}' (code 125)) in numeric value: expected digit"
        " (0-9) to follow minus sign, for valid numeric value",
        1,
        14,
    ),
    (
        b'{"retries": 1.}',
        "Unexpected character ('}' (code 125)) in numeric value: Decimal point "
        "not followed by a digit",
        1,
        15,
    ),
    (
        b'{"retries": 1e}',
        "Unexpected character ('}' (code 125)) in numeric value: Exponent "
        "indicator not followed by a digit",
        1,
        15,
    ),
    (
        b'{"x": +1}',
        "Unexpected character ('+' (code 43)) in numeric value: JSON spec does "
        "not allow numbers to have plus signs: enable "
        "`JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow",
        1,
        8,
    ),
    (b'{"x": .5}', f"Unexpected character ('.' (code 46)): expected a valid value {VALUES}", 1, 7),
    (b'{"x": -.5}', f"Unexpected character ('.' (code 46)): expected a valid value {VALUES}", 1, 8),
    (
        b'{"x": NaN}',
        "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
        1,
        10,
    ),
    (
        b'{"x": -Infinity}',
        "Non-standard token '-Infinity': enable "
        "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
        1,
        16,
    ),
    (b'{"x": -Inf}', f"Unrecognized token '-Inf': was expecting {VALUES}", 1, 12),
    (
        b'{"x": -I\xc3\xa9}',
        "Unexpected character ('ￃ' (code -61)) in numeric value: expected digit"
        " (0-9) to follow minus sign, for valid numeric value",
        1,
        9,
    ),
    (b'{"retries": tru}', f"Unrecognized token 'tru': was expecting {VALUES}", 1, 17),
    (b'{"x": trueX}', f"Unrecognized token 'trueX': was expecting {VALUES}", 1, 13),
    (b'{"x": nulL}', f"Unrecognized token 'nulL': was expecting {VALUES}", 1, 12),
    (b'{"x": t}', f"Unrecognized token 't': was expecting {VALUES}", 1, 9),
    (
        b"5x",
        "Unexpected character ('x' (code 120)): Expected space separating root-level values",
        1,
        2,
    ),
    (b'"abc', "Unexpected end-of-input in VALUE_STRING", 1, 5),
    (b"]", "Unexpected close marker ']': no open Array to close", 1, 1),
    (b"}", "Unexpected close marker '}': no open Object to close", 1, 1),
    (b"{} garbage", f"Unrecognized token 'garbage': was expecting {VALUES}", 1, 11),
    (b"{} ,", "Unexpected character (',' (code 44)): expected a value", 1, 4),
    (b'{"x": [1,]}', "Unexpected character (']' (code 93)): expected a value", 1, 10),
    (
        b'{"x": [1 2]}',
        "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries",
        1,
        10,
    ),
    (
        b'{"x": {1: 2}}',
        "Unexpected character ('1' (code 49)): was expecting double-quote to start field name",
        1,
        8,
    ),
    (b'{"x": "\xff"}', "Invalid UTF-8 start byte 0xff", 1, 9),
    (b'{"x": "\xc3("}', "Invalid UTF-8 middle byte 0x28", 1, 10),
    (b'{"\xc3(": 1}', "Invalid UTF-8 middle byte 0xffffc328", 1, 6),
    (b'{"ab\xc3(": 1}', "Invalid UTF-8 middle byte 0x6162c328", 1, 8),
    (b'{"abc\xc3": 1}', "Unexpected end-of-input in field name", 1, 8),
    (b'{"x": \xc3\xa9}', "Invalid UTF-8 start byte 0xa9", 1, 9),
    (b"true\xc3\xa9", "Invalid UTF-8 middle byte 0xc3", 1, 6),
    (
        b"{\xc3\xa9",
        "Unexpected character ('é' (code 233)): was expecting double-quote to start field name",
        1,
        3,
    ),
    (
        b"\xef\xbb\xbf\x00\x00",
        "Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r,"
        " \\n, \\t) is allowed between tokens",
        1,
        5,
    ),
    (b'{"x":\r\n 1,\r "y": tru}', f"Unrecognized token 'tru': was expecting {VALUES}", 3, 11),
    (b"{} -", "Unexpected end-of-input in null", 1, 5),
    (b'{"x": [-', "Unexpected end-of-input in START_ARRAY", 1, 9),
    (b'{"x": -', "Unexpected end-of-input in FIELD_NAME", 1, 8),
    (b"-I", "Unexpected end-of-input in a Number value", 1, 3),
    (
        b'{"x": {"a": ]}}',
        f"Unexpected character (']' (code 93)): expected a valid value {VALUES}",
        1,
        13,
    ),
    (
        b'{"x": [1}',
        "Unexpected close marker '}': expected ']' (for Array starting at "
        f"{SOURCE}line: 1, column: 7])",
        1,
        9,
    ),
    (
        b'{"x": {"a": 1]}',
        "Unexpected close marker ']': expected '}' (for Object starting at "
        f"{SOURCE}line: 1, column: 7])",
        1,
        14,
    ),
]


def read(raw: bytes) -> dict[str, Any]:
    return default_spec().read_body(JOB_RETRIES, raw)


@pytest.mark.parametrize(
    ("raw", "message", "line", "column"), PARSE_ERRORS, ids=[repr(row[0]) for row in PARSE_ERRORS]
)
def test_a_parse_error_is_jacksons_message_and_location(
    raw: bytes, message: str, line: int, column: int
) -> None:
    with pytest.raises(CamundaError) as answer:
        read(raw)
    assert (answer.value.status, answer.value.plain_text) == (400, True)
    assert answer.value.message == f"{message}\n at {SOURCE}line: {line}, column: {column}]"


def test_an_unrecognized_token_is_quoted_up_to_256_characters() -> None:
    with pytest.raises(CamundaError) as answer:
        read(b'{"x": ' + b"a" * 300 + b"}")
    assert answer.value.message == (
        f"Unrecognized token '{'a' * 256}...': was expecting {VALUES}\n at {SOURCE}line: 1, "
        "column: 263]"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"retries": "many"}',
        b'{"retries": "1\\q"}',
        b'{"retries": "abc',
        b'{"processInstances": [1,',
        b'{"processInstances": "a"}',
        b'{"processInstances": [' + b"[" * 1000 + b"]" * 1001 + b"}",
        b"[",
        b"[1, 2",
        b'"text"',
        b"5",
        b"{} {}",
        b'{} "cut',
        b'{"retries": "x", "retries": 1}',
        b'{"retries": 1, "retries": "x"}',
    ],
    ids=[
        "wrong-type",
        "bad-escape-in-a-read-value",
        "cut-in-a-read-string",
        "cut-in-a-read-list",
        "string-for-a-list",
        "too-deep-in-a-read-value",
        "array-body",
        "cut-array-body",
        "string-body",
        "number-body",
        "second-value",
        "second-value-cut",
        "first-of-a-repeated-key",
        "last-of-a-repeated-key",
    ],
)
def test_what_fails_while_a_property_is_mapped_is_a_mapping_error(raw: bytes) -> None:
    with pytest.raises(CamundaError) as answer:
        read(raw)
    assert (answer.value.status, answer.value.type, answer.value.message) == (
        400,
        "InvalidRequestException",
        "",
    )
    assert not answer.value.plain_text
    assert answer.value.headers["X-Mock-Error-Detail"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b'{"x": ' + b"[" * 1000 + b"]" * 1000 + b"}",
            "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
            "`StreamReadConstraints.getMaxNestingDepth()`)",
        ),
        (
            b'{"retries": 1' + b"0" * 1000 + b"}",
            "Number value length (1001) exceeds the maximum allowed (1000, from "
            "`StreamReadConstraints.getMaxNumberLength()`)",
        ),
        (
            b'{"' + b"n" * 50001 + b'": 1}',
            "Name length (50001) exceeds the maximum allowed (50000, from "
            "`StreamReadConstraints.getMaxNameLength()`)",
        ),
    ],
    ids=["nesting", "number", "name"],
)
def test_a_parser_limit_outside_a_read_value_is_a_500(raw: bytes, message: str) -> None:
    with pytest.raises(CamundaError) as answer:
        read(raw)
    assert (answer.value.status, answer.value.type, answer.value.message) == (
        500,
        "StreamConstraintsException",
        message,
    )


@pytest.mark.parametrize("raw", [b"null", b" \r\n\t", b"null ", b"\xef\xbb\xbf null"])
def test_no_value_or_null_is_a_null_dto(raw: bytes) -> None:
    with pytest.raises(CamundaError) as answer:
        read(raw)
    assert (answer.value.status, answer.value.message) == (400, "setJobRetriesDto is null")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x00\xff\xfe\x00\x00\x00\x00", "Unsupported UCS-4 endianness (2143) detected"),
        (b"\xfe\xff\x00\x00{\x00}\x00", "Unsupported UCS-4 endianness (3412) detected"),
    ],
)
def test_an_odd_ucs4_byte_order_is_a_500(raw: bytes, message: str) -> None:
    with pytest.raises(CamundaError) as answer:
        read(raw)
    assert (answer.value.status, answer.value.type, answer.value.message) == (
        500,
        "CharConversionException",
        message,
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe" + '{"retries": 1}'.encode("utf-16-le"),
        '{"retries": 1}'.encode("utf-16-be"),
        '{"retries": 1}'.encode("utf-32-le"),
        b"\x00\x00\xfe\xff" + '{"retries": 1}'.encode("utf-32-be"),
        b'\xef\xbb\xbf{"retries": 1}',
    ],
    ids=["utf-16-le-mark", "utf-16-be", "utf-32-le", "utf-32-be-mark", "utf-8-mark"],
)
def test_jacksons_other_encodings_are_read(raw: bytes) -> None:
    assert read(raw) == {"retries": 1}


class Everything:
    """A DTO that reads every property and takes any value."""

    def reads(self, name: str) -> bool:
        return True

    def check(self, name: str, value: Any) -> None:
        pass


VALID = [
    '{"a": [1, -0, 2.5, -1e-3, 1E+2, true, false, null, "s"], "b": {"c": {}}, "d": []}',
    '{"esc": "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\ud800"}',
    '{"utf8": "é € 😀", "é": 1, "\\u00e9x": 2}',
    '{"deep": ' + "[" * 200 + "]" * 200 + "}",
    '  {"spaced" :\r\n [ 1 ,\t2 ] }  ',
    '{"big": 123456789012345678901234567890, "small": 1.5e-300}',
]


@pytest.mark.parametrize("text", VALID)
def test_the_scanner_reads_what_pythons_parser_reads(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    assert jackson._Scanner(raw, Everything()).body() == json.loads(text)


def test_a_lenient_utf8_sequence_is_read_as_jackson_decodes_it() -> None:
    # Overlong and surrogate sequences, which Python's strict UTF-8 refuses.
    raw = b'{"a": "\xc0\x80\xed\xa0\x80"}'
    assert jackson.read(raw, Everything()) == {"a": "\x00\ud800"}


def test_a_property_is_mapped_before_the_next_one_is_parsed() -> None:
    # The wrongly typed "retries" is found before the broken outline after it.
    with pytest.raises(CamundaError) as answer:
        read(b'{"retries": "many", "x" 1}')
    assert answer.value.status == 400 and not answer.value.plain_text
