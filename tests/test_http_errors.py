"""Bad requests of every shape get Camunda's JSON error body, never an HTML page or a 500."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from flask.testing import FlaskClient

from mockserver.app import default_spec
from mockserver.clock import format_engine_date, parse_engine_date
from tests.conftest import BASE

JOB_RETRIES = f"{BASE}/process-instance/job-retries"
SUSPEND = f"{BASE}/process-instance/suspended-async"


def assert_error(response, status: int, type_: str, message: str | None) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json() == {"type": type_, "message": message, "code": None}


SOURCE = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
OPEN_OBJECT = f"Unexpected end-of-input: expected close marker for Object (start marker at {SOURCE}"
AT = f"\n at {SOURCE}"
VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"{", f"{OPEN_OBJECT}line: 1, column: 1]){AT}line: 1, column: 2]"),
        (
            b'{"retries": 1,}',
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field "
            f"name{AT}line: 1, column: 15]",
        ),
        (
            b"{'retries': 1}",
            "Unexpected character (''' (code 39)): was expecting double-quote to start field "
            f"name{AT}line: 1, column: 2]",
        ),
        (
            b'{"retries": 1 "processInstances": []}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object "
            f"entries{AT}line: 1, column: 15]",
        ),
        (b"not json", f"Unrecognized token 'not': was expecting {VALUES}{AT}line: 1, column: 5]"),
        (
            b'{"retries": 1}\n}',
            f"Unexpected close marker '}}': no open Object to close{AT}line: 2, column: 1]",
        ),
        (
            b'{"retries": 1, "colour": [1,]}',
            f"Unexpected character (']' (code 93)): expected a value{AT}line: 1, column: 29]",
        ),
    ],
    ids=[
        "truncated",
        "trailing-comma",
        "single-quotes",
        "missing-comma",
        "no-json",
        "second-closer",
        "in-an-ignored-property",
    ],
)
def test_a_syntax_error_outside_a_value_is_jacksons_plain_text(
    client: FlaskClient, raw: bytes, text: str
) -> None:
    response = client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain"  # no charset, as Jersey sends it
    assert response.get_data(as_text=True) == text


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'{"retries": 1, "processInstances": [', "processInstances"),
        (b'{"retries": "1\\q", "processInstances": ["a"]}', "retries"),
        (b'{"retries": 1, "processInstanceQuery": {"active": tru}}', "processInstanceQuery"),
    ],
    ids=["cut-short", "bad-escape", "bad-word"],
)
def test_a_syntax_error_inside_a_propertys_value_is_a_mapping_error(
    client: FlaskClient, raw: bytes, where: str
) -> None:
    # Jackson wraps what goes wrong while a property reads its value in a mapping exception.
    response = client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert_error(response, 400, "InvalidRequestException", "")
    assert response.headers["X-Mock-Error-Detail"].startswith(f"{where}: ")


@pytest.mark.parametrize("raw", [b"[]", b"5", b'"text"', b"true"])
def test_body_that_is_not_an_object_is_a_mapping_error(client: FlaskClient, raw: bytes) -> None:
    response = client.post(SUSPEND, data=raw, content_type="application/json")
    assert_error(response, 400, "InvalidRequestException", "")
    assert "JSON object" in response.headers["X-Mock-Error-Detail"]


@pytest.mark.parametrize("raw", [b"{} {}", b'{"retries": 1} 5', b'{} "cut'])
def test_a_second_value_after_the_body_is_a_mapping_error(client: FlaskClient, raw: bytes) -> None:
    response = client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert_error(response, 400, "InvalidRequestException", "")
    assert "follows the body" in response.headers["X-Mock-Error-Detail"]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [(b"null", "application/json"), (b" \n ", "application/json"), (b"", None)],
    ids=["null", "blank", "no-entity"],
)
def test_no_body_gives_the_resource_no_dto(
    client: FlaskClient, raw: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(JOB_RETRIES, data=raw, headers=headers)
    assert_error(response, 400, "InvalidRequestException", "setJobRetriesDto is null")
    response = client.post(SUSPEND, data=raw, headers=headers)
    assert_error(
        response,
        500,
        "NullPointerException",
        'Cannot invoke "org.camunda.bpm.engine.rest.dto.runtime.'
        "ProcessInstanceSuspensionStateAsyncDto.updateSuspensionStateAsync("
        'org.camunda.bpm.engine.ProcessEngine)" because "dto" is null',
    )


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/JSON; charset=utf-8", "application/json;"]
)
def test_an_empty_json_body_is_an_empty_object(client: FlaskClient, content_type: str) -> None:
    # Camunda's EmptyBodyFilter: the engine's own rules run, here "retries is null".
    response = client.post(JOB_RETRIES, data=b"", headers={"Content-Type": content_type})
    assert_error(response, 400, "InvalidRequestException", "retries is null")


def test_an_empty_body_the_filter_does_not_match_is_no_dto(client: FlaskClient) -> None:
    # The filter wants ";" right after the type; JAX-RS still takes the media type.
    headers = {"Content-Type": "application/json ; charset=utf-8"}
    response = client.post(JOB_RETRIES, data=b"", headers=headers)
    assert_error(response, 400, "InvalidRequestException", "setJobRetriesDto is null")


def test_a_parser_limit_outside_a_read_property_is_a_500(client: FlaskClient) -> None:
    raw = b'{"colour": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert_error(
        response,
        500,
        "StreamConstraintsException",
        "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
        "`StreamReadConstraints.getMaxNestingDepth()`)",
    )


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"retries": "many", "processInstances": ["a"]}, "retries"),
        ({"retries": 1, "processInstances": "a"}, "processInstances"),
        ({"retries": 1, "processInstances": [1, {"x": 1}]}, "processInstances/1"),
        ({"retries": 1, "processInstanceQuery": []}, "processInstanceQuery"),
        (
            {"retries": 1, "processInstanceQuery": {"active": "maybe"}},
            "processInstanceQuery/active",
        ),
        ({"retries": 2**31, "processInstances": ["a"]}, "retries"),
        ({"retries": 1, "processInstances": ["a"], "dueDate": "tomorrow"}, "dueDate"),
    ],
    ids=[
        "word-for-int",
        "string-for-array",
        "object-in-id-list",
        "array-for-query",
        "word-for-boolean",
        "int32-overflow",
        "bad-date",
    ],
)
def test_wrong_json_types_are_mapping_errors(client: FlaskClient, body: dict, where: str) -> None:
    response = client.post(JOB_RETRIES, json=body)
    assert_error(response, 400, "InvalidRequestException", "")
    assert response.headers["X-Mock-Error-Detail"].startswith(where)


@pytest.mark.parametrize(
    "retries", ["1", " 2 ", 3.0, 3.9], ids=["numeric-string", "padded", "whole-float", "float"]
)
def test_jackson_coerces_scalars_into_integers(client: FlaskClient, retries: object) -> None:
    # Coerced, so the engine's own rules run next: no instances selected -> jobIds is empty.
    response = client.post(JOB_RETRIES, json={"retries": retries, "processInstances": ["none"]})
    assert_error(response, 400, "InvalidRequestException", "jobIds is empty")


def test_unsupported_query_filter_is_named(client: FlaskClient) -> None:
    response = client.post(SUSPEND, json={"processInstanceQuery": {"nameOfMyPet": "Rex"}})
    assert_error(
        response,
        400,
        "InvalidRequestException",
        "processInstanceQuery: the mock does not support the filter(s) nameOfMyPet; it refuses "
        "them instead of ignoring them as the engine would",
    )


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("process-instance/job-retries", {"retries": 1}, "processInstanceQuery"),
        ("external-task/retries-async", {"retries": 1}, "externalTaskQuery"),
        ("external-task/retries-async", {"retries": 1}, "historicProcessInstanceQuery"),
        ("process-instance/suspended-async", {}, "historicProcessInstanceQuery"),
        ("modification/executeAsync", {"processDefinitionId": "d"}, "processInstanceQuery"),
        (
            "process-definition/d/restart-async",
            {"instructions": []},
            "historicProcessInstanceQuery",
        ),
    ],
)
def test_every_query_object_refuses_unsupported_filters(
    client: FlaskClient, path: str, body: dict, where: str
) -> None:
    response = client.post(f"{BASE}/{path}", json={**body, where: {"colour": "red"}})
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert message.startswith(f"{where}: the mock does not support the filter(s) colour;")


def test_a_wrong_type_wins_over_an_unsupported_filter(client: FlaskClient) -> None:
    body = {"processInstanceIds": "one", "processInstanceQuery": {"nameOfMyPet": "Rex"}}
    assert_error(client.post(SUSPEND, json=body), 400, "InvalidRequestException", "")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None]
)
def test_other_content_types_are_415(client: FlaskClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(JOB_RETRIES, data=b'{"retries": 1}', headers=headers)
    assert_error(response, 415, "NotSupportedException", "HTTP 415 Unsupported Media Type")


@pytest.mark.parametrize(
    ("content_type", "headers"),
    [("text/plain", {}), (None, {"Transfer-Encoding": "chunked"})],
    ids=["other-type", "no-type-chunked"],
)
def test_an_empty_body_of_another_type_is_415(
    client: FlaskClient, content_type: str | None, headers: dict[str, str]
) -> None:
    if content_type:
        headers = {**headers, "Content-Type": content_type}
    response = client.post(JOB_RETRIES, data=b"", headers=headers)
    assert_error(response, 415, "NotSupportedException", "HTTP 415 Unsupported Media Type")


def test_json_with_charset_is_accepted(client: FlaskClient) -> None:
    response = client.post(
        JOB_RETRIES, data=b'{"retries": 1}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 500  # ENGINE-13051: reached the engine rules, not a 415
    assert response.get_json()["type"] == "ProcessEngineException"


@pytest.mark.parametrize("path", [f"{BASE}/no-such-resource", "/", f"{BASE}/batch/x/y"])
def test_unknown_path_is_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(path), 404, "NotFoundException", "HTTP 404 Not Found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", JOB_RETRIES, {"POST", "OPTIONS"}),
        ("delete", SUSPEND, {"POST", "OPTIONS"}),
        ("post", f"{BASE}/batch", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_wrong_method_is_405_with_allow(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = getattr(client, method)(path)
    assert_error(response, 405, "NotAllowedException", "HTTP 405 Method Not Allowed")
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_a_bad_request_changes_no_state(client: FlaskClient) -> None:
    before = client.get(f"{BASE}/batch/count").get_json()
    for raw in (b"{", b"[]", b'{"retries": "x"}'):
        client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert client.get(f"{BASE}/batch/count").get_json() == before == {"count": 0}


@pytest.mark.parametrize(
    ("date", "stored"),
    [
        ("2025-13-01T10:00:00.000+0100", "2026-01-01T09:00:00.000+0000"),
        ("2025-02-30T10:00:00.000+0100", "2025-03-02T09:00:00.000+0000"),
        ("2025-01-31T24:30:00.000+0000", "2025-02-01T00:30:00.000+0000"),
    ],
)
def test_dates_roll_over_like_the_engines_lenient_parser(
    client: FlaskClient, deploy, start, date: str, stored: str
) -> None:
    assert format_engine_date(parse_engine_date(date).astimezone(UTC)) == stored
    (instance,) = start(deploy("reminder.bpmn"))
    body = {"retries": 1, "processInstances": [instance.id], "dueDate": date}
    assert client.post(JOB_RETRIES, json=body).status_code == 200


def test_a_date_of_another_shape_is_a_mapping_error(client: FlaskClient) -> None:
    body = {"retries": 1, "processInstances": ["a"], "dueDate": "2025-01-31"}
    assert_error(client.post(JOB_RETRIES, json=body), 400, "InvalidRequestException", "")


def _json_body_operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in default_spec().document["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    _json_body_operations(),
    ids=[operation["operationId"] for _, _, operation in _json_body_operations()],
)
def test_every_json_body_without_an_entity_gets_the_operations_null_body_answer(
    client: FlaskClient, deploy, path: str, method: str, operation: dict
) -> None:
    deploy("order.bpmn")  # a key is looked up before the body is read
    url = BASE + path.replace("{key}", "order")
    url = re.sub(r"\{[A-Za-z]+\}", "no-such-id", url)
    response = client.open(url, method=method.upper())
    answer = operation["x-null-body"]
    assert_error(response, answer["status"], answer["type"], answer["message"])
