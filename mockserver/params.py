"""Query-string parameters converted the way the engine's REST layer converts them.

Two layers read a query string. JAX-RS converts a resource method's own parameters
(``firstResult``, ``maxResults``, flags such as ``cascade``) before anything else. The
engine's query DTO then sets each ``@CamundaQueryParam`` from the map of all parameters sent:
Jackson reads booleans as JSON and dates as JSON strings in the engine's lenient format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

# The decoder's string reader (C or Python), public in the module but not in the type stubs.
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from .clock import parse_lenient_date
from .errors import CamundaError, invalid_request

# How a DTO reads one parameter: (parameters, name) -> value.
Converter = Callable[[Mapping[str, str], str], Any]

JSON_SPACE = (" ", "\t", "\r", "\n")
JAVA_TRIM = "".join(map(chr, range(0x21)))  # String.trim() strips every char up to U+0020
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_JAVA_INTEGER = re.compile(r"[+-]?\d+")
_INT = 2**31
MAX_NUMBER_DIGITS = 1000  # Jackson's StreamReadConstraints refuse a longer number
PERSISTENCE_FAILURE = (
    "An exception occurred in the persistence layer. Please check the server logs for a "
    "detailed message and the entire exception stack trace."
)


def _cannot_set(name: str, value: str, detail: str | None = None) -> CamundaError:
    message = f"Cannot set query parameter '{name}' to value '{value}'"
    return invalid_request(f"{message}: {detail}" if detail else message)


# -- the order the query DTO converts parameters in ----------------------------------------


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` over the UTF-16 units, as an unsigned 32-bit number."""
    units = text.encode("utf-16-be", "surrogatepass")
    value = 0
    for index in range(0, len(units), 2):
        value = (31 * value + int.from_bytes(units[index : index + 2], "big")) & 0xFFFFFFFF
    return value


def hash_map_order(names: Iterable[str]) -> list[str]:
    """Distinct names, given in insertion order, in the order a ``java.util.HashMap`` iterates.

    The map starts with 16 buckets and doubles them whenever it holds more than three
    quarters of that; it iterates bucket by bucket, each bucket's keys in insertion order.
    """
    names = list(names)
    buckets = 16
    while len(names) > buckets * 3 // 4:
        buckets *= 2

    def bucket(name: str) -> int:
        spread = java_string_hash(name)
        return (spread ^ (spread >> 16)) & (buckets - 1)

    return sorted(names, key=bucket)  # stable: insertion order within a bucket


def read(args: Mapping[str, str], converters: Mapping[str, Converter]) -> dict[str, Any]:
    """The parameters ``converters`` knows, converted in the order the engine converts them.

    The query DTO sets its parameters while iterating the request's parameter map (a
    ``HashMap`` of every name sent, known or not), so of several unreadable values the 400
    names the first in that map's order, not the first in the query string.
    """
    return {
        name: converters[name](args, name) for name in hash_map_order(args) if name in converters
    }


# -- @CamundaQueryParam values ----------------------------------------------------------


def _continues_literal(char: str) -> bool:
    """Whether Jackson reads ``char`` right after ``true``/``false``/``null`` as part of the
    token (an invalid one): a char from ``0`` up, but ``]`` and ``}``, that
    ``Character.isJavaIdentifierPart`` accepts."""
    if not char or char < "0" or char in "]}" or ord(char) > 0xFFFF:
        return False  # past the BMP Java sees a surrogate, which is no identifier part
    category = unicodedata.category(char)
    return (
        category[0] == "L"
        or category in ("Sc", "Pc", "Nd", "Nl", "Mn", "Mc", "Cf")
        or 0x7F <= ord(char) <= 0x9F  # control chars Java calls "identifier ignorable"
    )


def _boolean_text(text: str) -> bool | None:
    """A JSON string read into a ``Boolean``: trimmed, empty or ``null`` is null."""
    trimmed = text.strip(JAVA_TRIM)
    if trimmed in ("", "null"):
        return None
    if trimmed in ("true", "True", "TRUE"):
        return True
    if trimmed in ("false", "False", "FALSE"):
        return False
    raise ValueError(f"'{text}' is no boolean")


def read_boolean_json(text: str) -> bool | None:
    """``text`` as Jackson's ``readValue(text, Boolean.class)`` reads it (``ValueError`` if
    it cannot).

    Only the first JSON value counts: ``true``, ``false``, ``null``; an integer (0 is false,
    any other true; at most 1000 digits), which must end the text or be followed by
    whitespace; or a string, of which what follows the closing quote is never read. Floats,
    arrays, objects and anything else are refused.
    """
    rest = text.lstrip("".join(JSON_SPACE))
    for literal, value in (("true", True), ("false", False), ("null", None)):
        if rest.startswith(literal):
            if _continues_literal(rest[len(literal) : len(literal) + 1]):
                raise ValueError(f"'{text}' is no JSON token")
            return value
    if rest.startswith('"'):
        return _boolean_text(scanstring(rest, 1, True)[0])
    number = _JSON_NUMBER.match(rest)
    if number is None or rest[number.end() : number.end() + 1] not in ("", *JSON_SPACE):
        raise ValueError(f"'{text}' is no JSON value")
    if number.group(1) or number.group(2):
        raise ValueError(f"'{text}' is a floating-point number")
    digits = number.group().lstrip("-")
    if len(digits) > MAX_NUMBER_DIGITS:
        raise ValueError(f"'{text}' has more digits than Jackson reads")
    return digits != "0"  # JSON has no leading zeros: only 0 (or -0) is zero


def boolean(args: Mapping[str, str], name: str) -> bool | None:
    """A ``@CamundaQueryParam`` boolean (``BooleanConverter``): the value read as JSON, see
    :func:`read_boolean_json`; null (``null``, ``""`` quoted) sets no filter."""
    value = args.get(name)
    if value is None:
        return None
    try:
        return read_boolean_json(value)
    except ValueError:
        raise _cannot_set(
            name, value, f"Cannot convert value {value} to java type java.lang.Boolean"
        ) from None


def jaxrs_flag(args: Mapping[str, str], name: str) -> bool:
    """A plain JAX-RS ``boolean`` parameter (``DELETE /batch/{id}?cascade``): JAX-RS reads it
    with ``Boolean.valueOf``, so ``true`` in any case is true, any other text false, and
    nothing is refused."""
    return args.get(name, "").lower() == "true"


def exact_true(args: Mapping[str, str], name: str) -> bool:
    """A flag the resource reads itself with ``"true".equals`` (``DELETE
    /deployment/{id}?cascade``): only ``true`` exactly is true, and nothing is refused."""
    return args.get(name) == "true"


def date(args: Mapping[str, str], name: str) -> datetime | None:
    """A ``@CamundaQueryParam`` date (``DateConverter``).

    A value that starts or ends with a double quote is refused as such; any other is put in
    quotes and read by Jackson: a JSON string (escapes decoded, anything after an inner quote
    ignored), trimmed, then empty or ``null`` for no filter, else parsed by the engine's
    lenient date format (:func:`~mockserver.clock.parse_lenient_date`).
    """
    value = args.get(name)
    if value is None:
        return None
    if value.startswith('"') or value.endswith('"'):
        raise _cannot_set(
            name,
            value,
            f"Cannot convert value {value} to java type java.util.Date because of double quotes",
        )
    try:
        text = scanstring(f'"{value}"', 1, True)[0].strip(JAVA_TRIM)
        return None if text in ("", "null") else parse_lenient_date(text)
    except ValueError:
        raise _cannot_set(
            name, value, f'Cannot convert value "{value}" to java type java.util.Date'
        ) from None


def integer(args: Mapping[str, str], name: str) -> int | None:
    """A ``@CamundaQueryParam`` integer filter such as ``priorityHigherThanOrEquals``."""
    value = args.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not -(2**63) <= number < 2**63:
        raise _cannot_set(name, value, f"Cannot convert value {value} to java type java.lang.Long")
    return number


def string_list(args: Mapping[str, str], name: str) -> list[str] | None:
    """A comma-separated list such as ``tenantIdIn=a,b``."""
    value = args.get(name)
    return None if value is None else value.split(",")


def _jaxrs_integer(args: Mapping[str, str], name: str) -> int | None:
    """A JAX-RS ``@QueryParam Integer``: ``Integer.valueOf`` (a sign, digits of any script,
    within an int), empty for not given; JAX-RS answers anything else with 404."""
    value = args.get(name)
    if not value:
        return None
    if _JAVA_INTEGER.fullmatch(value) and all(ord(c) <= 0xFFFF for c in value):  # UTF-16 units
        sign = value[0] if value[0] in "+-" else ""
        significant = value[len(sign) :].lstrip("0")  # any number of leading zeros is fine
        if len(significant) <= 10 and -_INT <= int(sign + (significant or "0")) < _INT:
            return int(sign + (significant or "0"))
    raise CamundaError(404, "QueryParamException", "HTTP 404 Not Found")


def paging(args: Mapping[str, str]) -> tuple[int | None, int | None]:
    """``firstResult`` and ``maxResults``, converted by JAX-RS before the engine reads any
    other parameter (so their 404 wins over every 400)."""
    return _jaxrs_integer(args, "firstResult"), _jaxrs_integer(args, "maxResults")


def text(args: Mapping[str, str], name: str) -> str | None:
    """A ``@CamundaQueryParam`` string: the value as sent."""
    return args.get(name)


def _one_of(allowed: tuple[str, ...]) -> Converter:
    def convert(args: Mapping[str, str], name: str) -> str:
        value = args[name]
        if value not in allowed:
            raise _cannot_set(name, value)
        return value

    return convert


def sort_parameters(valid_sort_by: tuple[str, ...]) -> dict[str, Converter]:
    """Converters of ``sortBy`` and ``sortOrder`` for :func:`read`: each refuses a value it
    does not know, in its turn among the other parameters."""
    return {"sortBy": _one_of(valid_sort_by), "sortOrder": _one_of(("asc", "desc"))}


def sort_pair(values: Mapping[str, Any]) -> tuple[str | None, bool]:
    """``(sortBy, descending)`` from values :func:`read` gave; both or neither, as the engine
    requires once it has set every parameter."""
    sort_by, sort_order = values.get("sortBy"), values.get("sortOrder")
    if (sort_by is None) != (sort_order is None):
        raise invalid_request(
            "Only a single sorting parameter specified. sortBy and sortOrder required"
        )
    return sort_by, sort_order == "desc"


def sorting(args: Mapping[str, str], valid_sort_by: tuple[str, ...]) -> tuple[str | None, bool]:
    """``sortBy`` and ``sortOrder`` of a read that converts its filters on its own."""
    return sort_pair(read(args, sort_parameters(valid_sort_by)))


def sortable(value: Any) -> tuple[bool, Any]:
    """A sort key on which None sorts first and never meets a value of another type."""
    return (value is not None, value if value is not None else 0)


def sort(
    items: list, sorting: tuple[str | None, bool], keys: Mapping[str, Callable[[Any], Any]]
) -> list:
    """Sort in place by an already checked ``(sortBy, descending)`` pair; no sortBy: as is."""
    sort_by, descending = sorting
    if sort_by is not None:
        key = keys[sort_by]
        items.sort(key=lambda item: sortable(key(item)), reverse=descending)
    return items


def page(items: list, window: tuple[int | None, int | None]) -> list:
    """Apply a :func:`paging` window to an already selected and sorted list.

    As the engine's query does: a ``-1`` for either gives an empty page without asking the
    database, and the database refuses any other negative offset or limit, which the engine
    answers with a 500.
    """
    first, maximum = window
    if first == -1 or maximum == -1:
        return []
    if (first or 0) < 0 or (maximum or 0) < 0:
        raise CamundaError(500, "ProcessEnginePersistenceException", PERSISTENCE_FAILURE, code=0)
    start = first or 0
    return items[start:] if maximum is None else items[start : start + maximum]
