"""The contract itself: a valid OpenAPI document whose examples, shapes and tables hold together.

``openapi.yaml`` is read here with plain ``yaml`` and checked with ``openapi-spec-validator`` and
``jsonschema``, independently of how the mock loads it, so a drift on either side shows up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.queries import (
    EXTERNAL_TASK_FILTERS,
    HISTORIC_PROCESS_INSTANCE_FILTERS,
    PROCESS_INSTANCE_FILTERS,
)
from tests.assertions import BATCH_KEYS
from tests.conftest import BASE, make_app

ROOT = Path(__file__).resolve().parent.parent
# The C loader when PyYAML has it: the document is large and parsed at collection time.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DOCUMENT: dict[str, Any] = yaml.load((ROOT / "openapi.yaml").read_text(encoding="utf-8"), LOADER)
URI = "urn:test:openapi"
REGISTRY = Registry().with_resource(
    URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# The 14 keys of the engine's HistoricBatchDto (camunda-facts.md section 5).
HISTORIC_BATCH_KEYS = (BATCH_KEYS - {"jobsCreated", "suspended"}) | {"endTime", "removalTime"}
ANSWER_KEYS = {"status", "type", "message", "code"}


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation as (path, method, operation object)."""
    for path, item in DOCUMENT["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def batch_operations() -> list[tuple[str, dict[str, Any]]]:
    """The POSTs that start a batch: the five endpoints, restart reachable by id and by key."""
    return [
        (path, operation)
        for path, method, operation in operations()
        if method == "post" and "Batch operations" in operation.get("tags", [])
    ]


def pointer(*parts: str) -> str:
    """A JSON pointer into the document (RFC 6901 escaping)."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validator_at(*parts: str) -> Draft202012Validator:
    """A validator for the schema at this place, resolving every ``$ref`` in the document."""
    return Draft202012Validator(
        {"$ref": URI + pointer(*parts)},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


# -- the document as a whole ------------------------------------------------------------


def test_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_every_operation_has_a_unique_operation_id() -> None:
    ids = [operation.get("operationId") for _, _, operation in operations()]
    assert None not in ids, [
        f"{m.upper()} {p}" for p, m, o in operations() if "operationId" not in o
    ]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# -- examples ---------------------------------------------------------------------------


def _media_examples(content: dict[str, Any], *where: str) -> Iterator[tuple[str, Any, tuple]]:
    for media_type, media in content.items():
        if "schema" not in media:
            continue
        schema_at = (*where, "content", media_type, "schema")
        if "example" in media:
            yield "/".join((*where, media_type, "example")), media["example"], schema_at
        for name, example in media.get("examples", {}).items():
            if "value" in example:
                yield "/".join((*where, media_type, name)), example["value"], schema_at


def _schema_examples(node: Any, at: tuple[str, ...]) -> Iterator[tuple[str, Any, tuple]]:
    """``examples`` (and ``example``) of every schema object below ``at``, nested ones too."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and ("type" in node or "$ref" in node):
            for i, value in enumerate(node["examples"]):
                yield "/".join((*at, "examples", str(i))), value, at
        if "example" in node and ("type" in node or "$ref" in node):
            yield "/".join((*at, "example")), node["example"], at
        for key, value in node.items():
            if key not in ("examples", "example"):
                yield from _schema_examples(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schema_examples(value, (*at, str(i)))


def all_examples() -> list[tuple[str, Any, tuple]]:
    """(label, example value, path to the schema it must satisfy) for every example."""
    found: list[tuple[str, Any, tuple]] = []
    for path, method, operation in operations():
        base = ("paths", path, method)
        body = operation.get("requestBody", {})
        found += _media_examples(body.get("content", {}), *base, "requestBody")
        for status, response in operation.get("responses", {}).items():
            found += _media_examples(response.get("content", {}), *base, "responses", status)
        for i, parameter in enumerate(operation.get("parameters", [])):
            if "schema" in parameter:
                at = (*base, "parameters", str(i), "schema")
                if "example" in parameter:
                    found.append(("/".join((*at, "example")), parameter["example"], at))
                for name, example in parameter.get("examples", {}).items():
                    found.append(("/".join((*at, name)), example["value"], at))
    for name, schema in DOCUMENT["components"]["schemas"].items():
        found += _schema_examples(schema, ("components", "schemas", name))
    for name, parameter in DOCUMENT["components"].get("parameters", {}).items():
        found += _schema_examples(parameter["schema"], ("components", "parameters", name, "schema"))
    return found


EXAMPLES = all_examples()


def test_the_document_has_examples_for_every_batch_call() -> None:
    labels = [label for label, _, _ in EXAMPLES]
    for path, _ in batch_operations():
        assert any(label.startswith(f"paths/{path}/post/requestBody") for label in labels), path
        assert any(label.startswith(f"paths/{path}/post/responses/200") for label in labels), path


@pytest.mark.parametrize(
    ("label", "value", "schema_at"), EXAMPLES, ids=[label for label, _, _ in EXAMPLES]
)
def test_example_matches_its_schema(label: str, value: Any, schema_at: tuple) -> None:
    errors = sorted(validator_at(*schema_at).iter_errors(value), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]


# -- the served document ----------------------------------------------------------------


@pytest.mark.parametrize("base_path", [BASE, "/camunda/api"])
def test_openapi_json_serves_the_document_with_the_live_base_path(base_path: str) -> None:
    client = make_app(base_path=base_path).test_client()
    response = client.get(f"{base_path}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served = response.get_json()
    assert served["servers"] == [{"url": base_path}]
    assert {**served, "servers": DOCUMENT["servers"]} == DOCUMENT
    if base_path != BASE:
        assert client.get(f"{BASE}/openapi.json").status_code == 404


# -- shapes that clients and the property tests rely on ---------------------------------


def test_batch_dto_requires_exactly_the_14_batch_keys() -> None:
    schema = DOCUMENT["components"]["schemas"]["BatchDto"]
    assert len(schema["required"]) == len(set(schema["required"])) == 14
    assert set(schema["required"]) == BATCH_KEYS
    assert set(schema["properties"]) == BATCH_KEYS


def test_historic_batch_dto_requires_exactly_its_14_keys() -> None:
    schema = DOCUMENT["components"]["schemas"]["HistoricBatchDto"]
    assert len(schema["required"]) == len(set(schema["required"])) == 14
    assert set(schema["required"]) == HISTORIC_BATCH_KEYS
    assert set(schema["properties"]) == HISTORIC_BATCH_KEYS


def test_the_batch_operations_are_the_five_endpoints() -> None:
    assert sorted(path for path, _ in batch_operations()) == [
        "/external-task/retries-async",
        "/modification/executeAsync",
        "/process-definition/key/{key}/restart-async",
        "/process-definition/{id}/restart-async",
        "/process-instance/job-retries",
        "/process-instance/suspended-async",
    ]


@pytest.mark.parametrize(
    ("path", "operation"), batch_operations(), ids=[path for path, _ in batch_operations()]
)
def test_batch_post_documents_200_and_400_and_links_to_the_batch(
    path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    assert {"200", "400"} <= set(responses)
    ok = responses["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BatchDto"}
    links = ok.get("links", {})
    assert {"GetBatch", "GetHistoricBatch"} <= set(links)
    operation_ids = {o["operationId"] for _, _, o in operations()}
    for name, target in (("GetBatch", "getBatch"), ("GetHistoricBatch", "getHistoricBatch")):
        assert links[name]["operationId"] == target
        assert target in operation_ids
        assert links[name]["parameters"] == {"id": "$response.body#/id"}
    error = responses["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ExceptionDto"}


# -- the query objects and the mock's filter tables -------------------------------------


@pytest.mark.parametrize(
    ("schema_name", "filters"),
    [
        ("ProcessInstanceQueryDto", PROCESS_INSTANCE_FILTERS),
        ("HistoricProcessInstanceQueryDto", HISTORIC_PROCESS_INSTANCE_FILTERS),
        ("ExternalTaskQueryDto", EXTERNAL_TASK_FILTERS),
    ],
)
def test_query_schema_and_filter_table_name_the_same_filters(
    schema_name: str, filters: dict[str, Any]
) -> None:
    schema = DOCUMENT["components"]["schemas"][schema_name]
    documented = set(schema["properties"])
    implemented = set(filters)
    assert documented - implemented == set(), "documented, but the mock has no filter"
    assert implemented - documented == set(), "implemented, but not in the contract"
    # Closed objects: an unknown filter is refused rather than silently ignored.
    assert schema["additionalProperties"] is False


# -- x-divergences ----------------------------------------------------------------------


def test_divergences_are_listed() -> None:
    entries = DOCUMENT["x-divergences"]
    assert entries
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "entry", DOCUMENT["x-divergences"], ids=[e["id"] for e in DOCUMENT["x-divergences"]]
)
def test_divergence_entry_is_complete(entry: dict[str, Any]) -> None:
    assert set(entry) >= {"id", "operation", "condition", "engine", "docs"}
    assert isinstance(entry["id"], str) and entry["id"]
    assert entry["operation"] in {o["operationId"] for _, _, o in operations()}
    assert isinstance(entry["condition"], str) and entry["condition"].strip()
    for side in ("engine", "docs"):
        answer = entry[side]
        assert set(answer) == ANSWER_KEYS, side
        assert isinstance(answer["status"], int) and 200 <= answer["status"] <= 599, side
        if answer["status"] < 300:  # "go on": the batch is created, there is no error body
            assert answer["type"] is answer["message"] is answer["code"] is None, side
        else:
            assert isinstance(answer["type"], str) and answer["type"], side
            assert answer["message"] is None or isinstance(answer["message"], str), side
            assert answer["code"] is None or isinstance(answer["code"], int), side
    assert entry["engine"] != entry["docs"]


# -- reading a JSON body -----------------------------------------------------------------


def json_body_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """The operations whose body the engine reads with Jackson."""
    return [
        (path, method, operation)
        for path, method, operation in operations()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    json_body_operations(),
    ids=[operation["operationId"] for _, _, operation in json_body_operations()],
)
def test_a_json_body_documents_its_parse_error_and_its_null_body(
    path: str, method: str, operation: dict[str, Any]
) -> None:
    answer = operation["x-null-body"]
    assert set(answer) == ANSWER_KEYS
    # The validation table has the answer as a row, so the property tests accept it.
    row = f"| {answer['type']} | `{answer['message']}` |"
    status = f"**{answer['status']}**" if answer["status"] >= 500 else str(answer["status"])
    assert f"| {status} {row}" in operation["description"]
    assert str(answer["status"]) in operation["responses"]
    parse_error = operation["responses"]["400"]["content"]["text/plain"]["schema"]
    assert parse_error == {"$ref": "#/components/schemas/JsonParseMessage"}


def test_engine_also_reads_only_names_properties_the_schema_leaves_out() -> None:
    listing = {
        name: schema["x-engine-also-reads"]
        for name, schema in DOCUMENT["components"]["schemas"].items()
        if "x-engine-also-reads" in schema
    }
    assert listing
    for name, extra in listing.items():
        properties = set(DOCUMENT["components"]["schemas"][name].get("properties", {}))
        assert extra == sorted(set(extra)), name
        assert not properties & set(extra), name
