"""Which answers the engine gives to generated requests: the rules schemathesis runs need.

Shared by the conformance suite's property tests (``contracts/test_properties.py``, any target)
and the project's in-process property tests (``tests/test_schemathesis.py``), so both read the
contract the same way:

- the engine answers a few requests with a 5xx: the 5xx rows of an operation's validation table
  and the ``x-divergences`` entries whose engine status is 5xx. Those, and only those, are
  allowed (:func:`server_error_check`); under the ``docs`` profile the divergent 5xx are not;
- the engine maps bodies with Jackson, which coerces some values the contract calls invalid
  (``"3"`` into an integer field). A negative case the engine maps onto a valid body, or goes
  on with (a divergence), is no "accepted invalid data" failure (:func:`engine_accepts_body`);
- the engine reads query values more widely than the contract types them (a boolean is read
  as JSON, so ``1`` is true; a date leniently): a negative query the engine reads throughout is
  no such failure either (:func:`engine_accepts_query`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from json.decoder import scanstring
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import schemathesis
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.core.parameters import ParameterLocation

from mockserver.spec import spec_path

# The C loader when PyYAML has it: the document is large and parsed at collection time.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DOCUMENT: dict[str, Any] = yaml.load(spec_path().read_text(encoding="utf-8"), LOADER)
URI = "urn:camunda-batch-contracts:engine-answers"
REGISTRY = Registry().with_resource(
    URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)

OPERATIONS: dict[str, dict[str, Any]] = {
    operation["operationId"]: operation
    for item in DOCUMENT["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
}

SERVER_ERROR_CHECK = "server_errors_are_engine_answers"


def operation_id(case: schemathesis.Case) -> str:
    """The ``operationId`` of the operation a generated case calls."""
    return case.operation.definition.raw["operationId"]


def response_json(response: schemathesis.Response) -> Any:
    """The body as JSON, or ``None`` when it is not JSON."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def response_text(response: schemathesis.Response) -> str:
    return response.content.decode("utf-8", "replace")


def message_pattern(template: str) -> re.Pattern[str]:
    """A contract message with its ``<id>``, ``<value>``... placeholders as wildcards."""
    return re.compile(re.sub(r"<[a-z]+>", ".*", re.escape(template)) + r"\Z", re.DOTALL)


def _table_rows(description: str) -> list[list[str]]:
    """The cells of each Markdown table row in a description."""
    rows = []
    for line in description.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3:
            rows.append(cells)
    return rows


SCHEMA_REF = "#/components/schemas/"


def _reached_schemas(schema: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The component schemas ``schema`` reaches through ``$ref``, by name, added to ``found``."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        name = ref.removeprefix(SCHEMA_REF) if isinstance(ref, str) else None
        if name is not None and ref.startswith(SCHEMA_REF) and name not in found:
            found[name] = DOCUMENT["components"]["schemas"][name]
            _reached_schemas(found[name], found)
        for value in schema.values():
            _reached_schemas(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _reached_schemas(value, found)
    return found


def validation_rows(operation: dict[str, Any]) -> list[list[str]]:
    """The rows of the operation's validation table, then those of every schema its request body
    reaches: the query objects document their own checks once, in their schema's description,
    and each operation that takes one answers them (its rows say how)."""
    rows = _table_rows(operation.get("description", ""))
    for schema in _reached_schemas(operation.get("requestBody", {}), {}).values():
        rows += _table_rows(schema.get("description", ""))
    return rows


def documented_messages(operation: dict[str, Any], status: int) -> list[re.Pattern[str]]:
    """The messages of the ``status`` rows of the operation's validation table (with the rows
    of the schemas its body reaches, :func:`validation_rows`).

    Each operation describes its checks as a Markdown table ``... | status | type | message |``
    with the message in backticks; rows without one (a mapping error's empty message, "engine
    text") are skipped.
    """
    patterns = []
    for cells in validation_rows(operation):
        if not any(c.strip("*") == str(status) for c in cells[:-2]):
            continue
        message = re.match(r"`([^`]+)`", cells[-1])
        if message:
            patterns.append(message_pattern(message.group(1)))
    return patterns


def documented_server_errors(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The 5xx rows of an operation's validation table (with the rows of the schemas its body
    reaches, :func:`validation_rows`) as engine answers.

    A row reads ``| ... | **500** | RestException (code 0) | `message` |``; without a
    ``(code N)`` the code is null.
    """
    answers = []
    for cells in validation_rows(operation):
        status, type_cell, message_cell = cells[-3].strip("*"), cells[-2], cells[-1]
        message = re.match(r"`([^`]+)`", message_cell)
        code = re.search(r"\(code (\d+)\)", type_cell)
        if status.isdigit() and int(status) >= 500 and message and type_cell:
            answers.append(
                {
                    "status": int(status),
                    "type": type_cell.split()[0],
                    "code": int(code.group(1)) if code else None,
                    "message": message.group(1),
                }
            )
    return answers


# The by-key restart shares `restart-instructions-missing` (its description says the entry
# "covers both paths"), but an entry names a single operation.
ALSO_COVERED_BY = {"restart-instructions-missing": {"restartProcessInstanceAsyncByKey"}}


def _divergent_operations(entry: dict[str, Any]) -> set[str]:
    return {entry["operation"], *ALSO_COVERED_BY.get(entry["id"], set())}


def is_answer(body: Any, answer: dict[str, Any]) -> bool:
    """Whether an error body is the answer ``{"status", "type", "code", "message"}``."""
    if not isinstance(body, dict) or set(body) != {"type", "message", "code"}:
        return False
    expected, message = answer["message"], body["message"]
    if expected is None or message is None:
        same_message = expected is message
    else:
        same_message = bool(message_pattern(expected).match(message))
    return body["type"] == answer["type"] and body["code"] == answer["code"] and same_message


@cache
def server_errors(profile: str = "engine") -> dict[str, list[dict[str, Any]]]:
    """operationId -> the 5xx answers conforming under ``profile``.

    ``engine``: the validation tables' 5xx rows plus the divergences' engine 5xx answers.
    ``docs``: the tables' rows that are no divergence, plus the documents' own 5xx answers.
    """
    table = {op_id: documented_server_errors(op) for op_id, op in OPERATIONS.items()}
    for entry in DOCUMENT["x-divergences"]:
        for op_id in _divergent_operations(entry):
            engine, docs = entry["engine"], entry["docs"]
            answers = table.setdefault(op_id, [])
            if profile == "docs":
                answers[:] = [a for a in answers if a["message"] != engine["message"]]
            chosen = docs if profile == "docs" else engine
            if chosen["status"] >= 500 and chosen not in answers:
                answers.append(chosen)
    return table


def server_error_check(profile: str = "engine") -> Callable[..., None]:
    """The schemathesis check: a 5xx must be one the engine gives there (under ``profile``)."""
    allowed = server_errors(profile)

    def server_errors_are_engine_answers(
        ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> None:
        """A 5xx must be one of the engine's 5xx answers: in ``x-divergences`` or documented in
        the operation's validation table."""
        if response.status_code < 500:
            return
        body = response_json(response)
        answers = allowed.get(operation_id(case), [])
        if not any(a["status"] == response.status_code and is_answer(body, a) for a in answers):
            raise AssertionError(
                f"{response.status_code} is not an engine answer documented for "
                f"{operation_id(case)} (profile {profile}): {response_text(response)}"
            )

    return server_errors_are_engine_answers


server_errors_are_engine_answers = server_error_check("engine")


def container_refuses_path(path_parameters: dict[str, Any] | None) -> bool:
    """Whether the servlet container in front of the engine (Tomcat) refuses a path built from
    these values with its own HTML 400 before the REST API sees it: one holding a backslash
    once decoded. (Slashes and NULs, which it refuses too, schemathesis never generates.)"""
    return any("\\" in unquote(str(value)) for value in (path_parameters or {}).values())


# -- invalid bodies the engine accepts too -----------------------------------------------

# Divergences where the engine goes on with a body the contract calls invalid:
# operation -> {(path in the body, failing keyword)}. Only under the engine profile.
ENGINE_GOES_ON = {
    # retries-async-negative-retries: the batch is created, its jobs fail later.
    "setExternalTaskRetriesAsyncOperation": {(("retries",), "minimum")},
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


# The strings Jackson reads into a Boolean field, and what it reads them as.
BOOLEAN_STRINGS = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "null"), None),
}


def jackson_reads(value: Any, schema: dict[str, Any]) -> Any:
    """The value as the engine's Jackson mapper reads it into the DTO.

    Integral strings and floats go into integer fields (floats truncated); integers (0 is
    false, any other true), ``"true"``, ``"True"``, ``"TRUE"`` and their false, and ``""`` or
    ``"null"`` (null) into boolean fields; ``""`` into a date field as null; numbers and
    booleans into string fields as text.
    """
    schema = _resolve(schema)
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        return {
            k: jackson_reads(v, properties[k]) if k in properties else v for k, v in value.items()
        }
    if isinstance(value, list) and "items" in schema:
        return [jackson_reads(item, schema["items"]) for item in value]
    if isinstance(value, bool):
        return str(value).lower() if "string" in types else value
    if "integer" in types:
        if isinstance(value, float) and value == value and abs(value) != float("inf"):
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
    if value == "" and "pattern" in schema:
        return None  # an empty string is a null Date
    if "boolean" in types and isinstance(value, int):
        return value != 0
    if "boolean" in types and isinstance(value, str) and value in BOOLEAN_STRINGS:
        return BOOLEAN_STRINGS[value]
    if "string" in types and isinstance(value, (int, float)):
        return json.dumps(value)
    return value


def _negated_locations(case: schemathesis.Case) -> set[ParameterLocation]:
    meta = case.meta
    if meta is None:
        return set()
    return {loc for loc, info in meta.components.items() if info.mode.is_negative}


# -- invalid query values the engine reads anyway -----------------------------------------

# Flags no value of which is refused (not the engine's ``@CamundaQueryParam``): the batch's
# a plain JAX-RS ``boolean`` (``Boolean.valueOf``: ``true`` in any case is true, any other text
# false), the deployment's read by the resource itself (only ``true`` exactly is true).
# operationId -> parameter names.
JAXRS_FLAGS = {"deleteBatch": {"cascade"}, "deleteDeployment": {"cascade"}}
# JAX-RS ``Integer`` parameters: ``Integer.valueOf`` (a sign, digits of any script, within an
# int); empty means not given.
JAXRS_INTEGERS = {"firstResult", "maxResults"}
JAVA_TRIM = "".join(map(chr, range(0x21)))  # what String.trim() strips
_JSON_LITERAL = re.compile(r"[ \t\r\n]*(?:true|false|null)")
# An integer of at most 1000 digits (Jackson's number length limit).
_JSON_INTEGER = re.compile(r"[ \t\r\n]*-?(?:0|[1-9][0-9]{0,999})(?:[ \t\r\n].*)?", re.DOTALL)
_BOOLEAN_TEXTS = {"", "null", "true", "True", "TRUE", "false", "False", "FALSE"}
_JAVA_INTEGER = re.compile(r"[+-]?0*(\d{1,10})")  # leading zeros, however many, are fine
_DATE_NUMBER = r"[ \t]*-?\d+(?:E-?\d+)?"
_DATE_ZONE = (
    r"[ \t]*(?:[+-](?:[01][0-9]|2[0-3])[0-5][0-9]"
    r"|[Gg][Mm][Tt](?:[+-](?:[01]?[0-9]|2[0-3]):[0-5][0-9]|(?![+-])))"
)
LENIENT_DATE = re.compile(
    "-".join([_DATE_NUMBER] * 3)
    + "T"
    + ":".join([_DATE_NUMBER] * 3)
    + r"\."
    + _DATE_NUMBER
    + _DATE_ZONE
)


def _java_identifier_part(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        category[0] == "L"
        or category in ("Sc", "Pc", "Nd", "Nl", "Mn", "Mc", "Cf")
        or "\x7f" <= char <= "\x9f"
    )


def jackson_reads_boolean(text: str) -> bool:
    """Whether the engine's ``BooleanConverter`` reads ``text``: Jackson parses it as JSON
    and takes the first value, ``true``, ``false`` or ``null`` (unless a letter or digit
    goes on), an integer (followed by nothing or whitespace), or a string whose trimmed
    text is empty, ``null`` or ``true``/``false`` in one of three cases."""
    literal = _JSON_LITERAL.match(text)
    if literal:
        following = text[literal.end() : literal.end() + 1]
        return (
            following in ("", "]", "}")
            or following < "0"
            or not (ord(following) <= 0xFFFF and _java_identifier_part(following))
        )
    if _JSON_INTEGER.fullmatch(text):
        return True
    rest = text.lstrip(" \t\r\n")
    if not rest.startswith('"'):
        return False
    try:
        return scanstring(rest, 1, True)[0].strip(JAVA_TRIM) in _BOOLEAN_TEXTS
    except ValueError:
        return False


def lenient_reads_date(value: str) -> bool:
    """Whether the engine's ``DateConverter`` reads ``value``: refused when it starts or ends
    with a double quote, else read by Jackson as the JSON string ``"<value>"``, trimmed:
    empty or ``null`` is no date, anything else must begin with what the engine's lenient
    ``SimpleDateFormat`` reads (numbers of any length and sign, ``+hhmm`` or ``GMT``...)."""
    if value.startswith('"') or value.endswith('"'):
        return False
    try:
        text = scanstring(f'"{value}"', 1, True)[0].strip(JAVA_TRIM)
    except ValueError:
        return False
    return text in ("", "null") or LENIENT_DATE.match(text) is not None


def _parameter_schemas(op_id: str) -> dict[str, dict[str, Any]]:
    schemas = {}
    for parameter in OPERATIONS[op_id].get("parameters", []):
        parameter = _resolve(parameter)
        if parameter["in"] == "query":
            schemas[parameter["name"]] = _resolve(parameter["schema"])
    return schemas


def engine_reads_parameter(op_id: str, name: str, value: str) -> bool:
    """Whether the engine reads ``name=value`` of this operation without refusing it."""
    schema = _parameter_schemas(op_id).get(name)
    if schema is None or name in JAXRS_FLAGS.get(op_id, set()):
        return True  # unknown names are ignored; plain flags refuse nothing
    if name in JAXRS_INTEGERS:
        number = _JAVA_INTEGER.fullmatch(value)
        sign = -1 if value.startswith("-") else 1
        return value == "" or bool(number and -(2**31) <= sign * int(number[1]) < 2**31)
    if "enum" in schema:
        return value in schema["enum"]
    if schema.get("type") == "boolean":
        return jackson_reads_boolean(value)
    if schema.get("type") == "integer":
        return bool(re.fullmatch(r"-?(?:0|[1-9][0-9]*)", value))
    if "pattern" in schema:  # the only patterned parameters are dates
        return lenient_reads_date(value)
    return True


def sent_query(response: schemathesis.Response) -> dict[str, str]:
    """The query the request carried, decoded: the first value of each name, as the engine
    reads it."""
    query: dict[str, str] = {}
    for name, value in parse_qsl(urlsplit(response.request.url).query, keep_blank_values=True):
        query.setdefault(name, value)
    return query


def engine_accepts_query(case: schemathesis.Case, query: dict[str, str]) -> bool:
    """Whether the engine, too, reads every value of this invalid query (``sent_query``).

    The contract types the parameters strictly; the engine reads more: Jackson takes
    ``1`` or ``"true"`` for a boolean, the lenient date format a date with trailing text,
    JAX-RS an empty ``firstResult``, a plain flag anything.
    """
    if _negated_locations(case) != {ParameterLocation.QUERY}:
        return False
    if ("sortBy" in query) != ("sortOrder" in query):
        return False  # the engine wants both or neither
    op_id = operation_id(case)
    return all(engine_reads_parameter(op_id, name, value) for name, value in query.items())


def engine_accepts(
    case: schemathesis.Case, response: schemathesis.Response, profile: str = "engine"
) -> bool:
    """Whether the engine, too, goes on with this invalid request (body or query)."""
    return engine_accepts_body(case, profile) or engine_accepts_query(case, sent_query(response))


def engine_accepts_body(case: schemathesis.Case, profile: str = "engine") -> bool:
    """Whether the engine, too, would map this invalid body onto a valid one, or go on anyway."""
    if _negated_locations(case) != {ParameterLocation.BODY} or not isinstance(case.body, dict):
        return False
    op_id = operation_id(case)
    schema = OPERATIONS[op_id]["requestBody"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({"$ref": URI + schema["$ref"]}, registry=REGISTRY)
    errors = validator.iter_errors(jackson_reads(case.body, schema))
    tolerated = ENGINE_GOES_ON.get(op_id, set()) if profile == "engine" else set()
    return all((tuple(e.absolute_path), e.validator) in tolerated for e in errors)
