"""Bad requests of every shape get Camunda's JSON error body, never an HTML page or a 500."""

from __future__ import annotations

from datetime import UTC

import pytest
from flask.testing import FlaskClient

from mockserver.clock import format_engine_date, parse_engine_date
from tests.conftest import BASE

JOB_RETRIES = f"{BASE}/process-instance/job-retries"
SUSPEND = f"{BASE}/process-instance/suspended-async"


def assert_error(response, status: int, type_: str, message: str | None) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json() == {"type": type_, "message": message, "code": None}


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"retries": 1,}', b"{'retries': 1}", b"\xff\xfe{}", b"", b"   "],
    ids=["truncated", "trailing-comma", "single-quotes", "invalid-utf8", "empty", "blank"],
)
def test_unparseable_body_is_a_mapping_error(client: FlaskClient, raw: bytes) -> None:
    response = client.post(JOB_RETRIES, data=raw, content_type="application/json")
    assert_error(response, 400, "InvalidRequestException", "")
    assert response.headers["X-Mock-Error-Detail"]


@pytest.mark.parametrize("raw", [b"[]", b"5", b'"text"', b"null", b"true"])
def test_body_that_is_not_an_object_is_a_mapping_error(client: FlaskClient, raw: bytes) -> None:
    response = client.post(SUSPEND, data=raw, content_type="application/json")
    assert_error(response, 400, "InvalidRequestException", "")
    assert "JSON object" in response.headers["X-Mock-Error-Detail"]


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
