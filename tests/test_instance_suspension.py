"""``PUT /process-instance/{id}/suspended``: suspend or activate one instance, as Camunda 7.24.

Every answer pinned here is the engine's (checked against Camunda 7.24.0): 204 whatever the
id, the state applied to the instance, its user tasks, external tasks and jobs, and history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.models import ProcessDefinition, ProcessInstance
from tests.assertions import assert_error
from tests.conftest import BASE


@pytest.fixture
def instance(deploy: Callable[..., ProcessDefinition], start: Callable[..., Any]) -> str:
    """An order: waiting in an external task (reserve stock)."""
    (order,) = start(deploy("order.bpmn"))
    return order.id


@pytest.fixture
def waiting_everywhere(
    deploy: Callable[..., ProcessDefinition],
    start: Callable[..., list[ProcessInstance]],
    client: FlaskClient,
) -> str:
    """An order past its external task: a job (charge card) and a user task (pack goods)."""
    (order,) = start(deploy("order.bpmn"))
    locked = client.post(
        f"{BASE}/external-task/fetchAndLock",
        json={
            "workerId": "w",
            "maxTasks": 1,
            "topics": [{"topicName": "reserve-stock", "lockDuration": 1000}],
        },
    ).get_json()
    client.post(f"{BASE}/external-task/{locked[0]['id']}/complete", json={"workerId": "w"})
    return order.id


def put(client: FlaskClient, instance_id: str, body: Any, **kwargs: Any) -> Any:
    return client.put(f"{BASE}/process-instance/{instance_id}/suspended", json=body, **kwargs)


def states(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    """What the instance's suspension shows in: itself, its waits, its history."""

    def listed(path: str) -> list[bool]:
        rows = client.get(f"{BASE}{path}", query_string={"processInstanceId": instance_id})
        return [row["suspended"] for row in rows.get_json()]

    return {
        "instance": client.get(f"{BASE}/process-instance/{instance_id}").get_json()["suspended"],
        "tasks": listed("/task"),
        "externalTasks": listed("/external-task"),
        "jobs": listed("/job"),
        "history": client.get(f"{BASE}/history/process-instance/{instance_id}").get_json()["state"],
    }


def everything(suspended: bool, tasks: int, external: int, jobs: int) -> dict[str, Any]:
    return {
        "instance": suspended,
        "tasks": [suspended] * tasks,
        "externalTasks": [suspended] * external,
        "jobs": [suspended] * jobs,
        "history": "SUSPENDED" if suspended else "ACTIVE",
    }


def test_suspending_suspends_the_instance_its_tasks_and_jobs(
    client: FlaskClient, waiting_everywhere: str
) -> None:
    response = put(client, waiting_everywhere, {"suspended": True})

    assert response.status_code == 204 and response.data == b""
    assert states(client, waiting_everywhere) == everything(True, tasks=1, external=0, jobs=1)
    listed = client.get(f"{BASE}/process-instance", query_string={"suspended": "true"})
    assert [i["id"] for i in listed.get_json()] == [waiting_everywhere]


@pytest.mark.parametrize(
    "body",
    [{"suspended": False}, {}, {"suspended": None}],
    ids=["false", "missing", "null"],
)
def test_false_missing_or_null_activates(
    client: FlaskClient, waiting_everywhere: str, body: dict[str, Any]
) -> None:
    assert put(client, waiting_everywhere, {"suspended": True}).status_code == 204

    response = put(client, waiting_everywhere, body)

    assert response.status_code == 204
    assert states(client, waiting_everywhere) == everything(False, tasks=1, external=0, jobs=1)


def test_an_empty_json_body_activates(client: FlaskClient, instance: str) -> None:
    put(client, instance, {"suspended": True})

    response = client.put(
        f"{BASE}/process-instance/{instance}/suspended", data=b"", content_type="application/json"
    )

    assert response.status_code == 204
    assert states(client, instance) == everything(False, tasks=0, external=1, jobs=0)


def test_suspending_twice_or_activating_an_active_instance_changes_nothing(
    client: FlaskClient, instance: str
) -> None:
    assert put(client, instance, {"suspended": False}).status_code == 204
    assert states(client, instance) == everything(False, tasks=0, external=1, jobs=0)
    for _ in range(2):
        assert put(client, instance, {"suspended": True}).status_code == 204
    assert states(client, instance) == everything(True, tasks=0, external=1, jobs=0)


def test_a_suspended_instance_does_not_move_on(
    client: FlaskClient, waiting_everywhere: str
) -> None:
    put(client, waiting_everywhere, {"suspended": True})
    (task,) = client.get(
        f"{BASE}/task", query_string={"processInstanceId": waiting_everywhere}
    ).get_json()

    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 0}
    response = client.post(f"{BASE}/task/{task['id']}/complete", json={})
    assert_error(
        response,
        500,
        "RestException",
        f"Cannot complete task {task['id']}: ENGINE-03043 task with id '{task['id']}' is "
        "suspended.",
        0,
    )


def test_a_suspended_instances_external_task_is_not_fetched(
    client: FlaskClient, instance: str
) -> None:
    put(client, instance, {"suspended": True})
    fetch = {
        "workerId": "w",
        "maxTasks": 5,
        "topics": [{"topicName": "reserve-stock", "lockDuration": 1000}],
    }

    assert client.post(f"{BASE}/external-task/fetchAndLock", json=fetch).get_json() == []
    put(client, instance, {"suspended": False})
    assert len(client.post(f"{BASE}/external-task/fetchAndLock", json=fetch).get_json()) == 1


def test_an_unknown_or_ended_instance_is_no_error(client: FlaskClient, instance: str) -> None:
    """The engine updates no instance and answers 204 all the same."""
    assert put(client, "no-such-instance", {"suspended": True}).status_code == 204
    assert client.delete(f"{BASE}/process-instance/{instance}").status_code == 204

    response = put(client, instance, {"suspended": True})

    assert response.status_code == 204
    historic = client.get(f"{BASE}/history/process-instance/{instance}").get_json()
    assert historic["state"] == "EXTERNALLY_TERMINATED"


def test_another_content_type_is_415(client: FlaskClient, instance: str) -> None:
    response = client.put(
        f"{BASE}/process-instance/{instance}/suspended",
        data=b'{"suspended": true}',
        content_type="text/plain",
    )

    assert_error(response, 415, "NotSupportedException", "HTTP 415 Unsupported Media Type", None)
    assert states(client, instance)["instance"] is False


def test_a_null_body_is_the_engines_null_pointer(client: FlaskClient, instance: str) -> None:
    response = client.put(
        f"{BASE}/process-instance/{instance}/suspended",
        data=b"null",
        content_type="application/json",
    )

    assert_error(
        response,
        500,
        "NullPointerException",
        'Cannot invoke "org.camunda.bpm.engine.rest.dto.SuspensionStateDto.updateSuspensionState('
        'org.camunda.bpm.engine.ProcessEngine, String)" because "dto" is null',
        None,
    )


def test_get_is_not_allowed(client: FlaskClient, instance: str) -> None:
    response = client.get(f"{BASE}/process-instance/{instance}/suspended")

    assert_error(response, 405, "NotAllowedException", "HTTP 405 Method Not Allowed", None)
