"""Starting instances and moving them on through HTTP: the token model's wait states, user
tasks, the external task worker API, jobs, variables and deletion, with the engine's answers.

Processes: ``order.bpmn`` (external task, then a parallel fork into an async-before service
task and a user task, joined before the end), ``invoice.bpmn`` (user task, then an exclusive
gateway on ``approved``), ``reminder.bpmn`` (a three-day timer) and ``tests/bpmn/
payment_errors.bpmn`` (an external task with an error boundary event for ``CARD_DECLINED``).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.assertions import ENGINE_DATE, IRE, PEE, assert_error
from tests.conftest import BASE

FIXTURES = Path(__file__).parent / "bpmn"
REST = "RestException"
NVE = "NullValueException"
LOCK = 60_000  # milliseconds a fetched task stays locked


# -- helpers ----------------------------------------------------------------------------


def deploy(client: FlaskClient, file: str) -> dict[str, Any]:
    """Deploy a shipped or fixture BPMN file through multipart; its one definition."""
    fixture = FIXTURES / file
    content = (
        fixture.read_bytes()
        if fixture.is_file()
        else (resources.files("mockserver") / "processes" / file).read_bytes()
    )
    response = client.post(
        f"{BASE}/deployment/create",
        data={"deployment-name": file, "data": (io.BytesIO(content), file)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    (definition,) = response.get_json()["deployedProcessDefinitions"].values()
    return definition


def start(client: FlaskClient, key: str, **body: Any) -> dict[str, Any]:
    """Start an instance by key; the 200 answer."""
    response = client.post(f"{BASE}/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def read(client: FlaskClient, path: str, **query: str) -> Any:
    response = client.get(f"{BASE}{path}", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def user_tasks(client: FlaskClient, instance_id: str) -> list[str]:
    """Task definition keys of the instance's user tasks."""
    return [t["taskDefinitionKey"] for t in read(client, "/task", processInstanceId=instance_id)]


def external_tasks(client: FlaskClient, instance_id: str) -> list[dict[str, Any]]:
    return read(client, "/external-task", processInstanceId=instance_id)


def jobs(client: FlaskClient, instance_id: str) -> list[dict[str, Any]]:
    return read(client, "/job", processInstanceId=instance_id)


def fetch(
    client: FlaskClient, topic: str, worker: str = "w1", max_tasks: int = 10, **options: Any
) -> list[dict[str, Any]]:
    """``fetchAndLock`` on one topic; the locked tasks."""
    response = fetch_raw(
        client,
        {
            "workerId": worker,
            "maxTasks": max_tasks,
            "topics": [{"topicName": topic, "lockDuration": LOCK, **options}],
        },
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def fetch_raw(client: FlaskClient, body: dict[str, Any]) -> TestResponse:
    return client.post(f"{BASE}/external-task/fetchAndLock", json=body)


def fetch_one(client: FlaskClient, topic: str, worker: str = "w1") -> str:
    """Lock the one task of a topic; its id."""
    (task,) = fetch(client, topic, worker)
    return task["id"]


def worker_call(
    client: FlaskClient, task_id: str, action: str, worker: str | None = "w1", **body: Any
) -> TestResponse:
    """``POST /external-task/{id}/{complete|failure|bpmnError}``."""
    if worker is not None:
        body["workerId"] = worker
    return client.post(f"{BASE}/external-task/{task_id}/{action}", json=body)


def complete_task(client: FlaskClient, instance_id: str, key: str, **body: Any) -> TestResponse:
    """Complete the instance's user task with the given definition key."""
    (task,) = read(client, "/task", processInstanceId=instance_id, taskDefinitionKey=key)
    return client.post(f"{BASE}/task/{task['id']}/complete", json=body)


def execute_job(client: FlaskClient, instance_id: str) -> None:
    (job,) = jobs(client, instance_id)
    assert client.post(f"{BASE}/job/{job['id']}/execute").status_code == 204


def now(client: FlaskClient) -> datetime:
    return engine_time(client.get("/mock-api/clock").get_json()["now"])


def advance(client: FlaskClient, seconds: float) -> None:
    assert client.post("/mock-api/clock/advance", json={"seconds": seconds}).status_code == 200


def engine_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def variable(client: FlaskClient, instance_id: str, name: str) -> TestResponse:
    return client.get(f"{BASE}/process-instance/{instance_id}/variables/{name}")


def history(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    return read(client, f"/history/process-instance/{instance_id}")


def assert_ended(client: FlaskClient, instance_id: str, state: str = "COMPLETED") -> None:
    """Gone from the runtime, in history with ``state`` and an end time; no wait states left."""
    assert_error(
        client.get(f"{BASE}/process-instance/{instance_id}"),
        404,
        IRE,
        f"Process instance with id {instance_id} does not exist",
        None,
    )
    historic = history(client, instance_id)
    assert historic["state"] == state
    assert ENGINE_DATE.fullmatch(historic["endTime"] or ""), historic["endTime"]
    assert historic["durationInMillis"] == (
        engine_time(historic["endTime"]) - engine_time(historic["startTime"])
    ) // timedelta(milliseconds=1)
    assert (user_tasks(client, instance_id), external_tasks(client, instance_id)) == ([], [])
    assert jobs(client, instance_id) == []


def assert_running(client: FlaskClient, instance_id: str) -> None:
    assert read(client, f"/process-instance/{instance_id}")["ended"] is False
    assert history(client, instance_id)["state"] == "ACTIVE"


def typed(type_: str, value: Any) -> dict[str, Any]:
    return {"type": type_, "value": value, "valueInfo": {}}


# -- starting ---------------------------------------------------------------------------

# id, what the client sends, what the engine stores and answers
VARIABLES = [
    ("string", {"value": "acme", "type": "String"}, typed("String", "acme")),
    ("integer", {"value": 42, "type": "Integer"}, typed("Integer", 42)),
    ("integer-from-text", {"value": "42", "type": "Integer"}, typed("Integer", 42)),
    ("short", {"value": 7, "type": "Short"}, typed("Short", 7)),
    ("long", {"value": 2**40, "type": "Long"}, typed("Long", 2**40)),
    ("double", {"value": 2.5, "type": "Double"}, typed("Double", 2.5)),
    ("boolean", {"value": True, "type": "Boolean"}, typed("Boolean", True)),
    ("json", {"value": '{"a": [1, 2]}', "type": "Json"}, typed("Json", '{"a": [1, 2]}')),
    (
        "date",
        {"value": "2025-01-31T10:15:00.000+0100", "type": "Date"},
        typed("Date", "2025-01-31T10:15:00.000+0100"),
    ),
    ("null", {"value": None, "type": "Null"}, typed("Null", None)),
    ("untyped-text", {"value": "plain"}, typed("String", "plain")),
    ("untyped-int", {"value": 7}, typed("Integer", 7)),
    ("untyped-long", {"value": 2**31}, typed("Long", 2**31)),
    ("untyped-float", {"value": 0.5}, typed("Double", 0.5)),
    ("untyped-bool", {"value": False}, typed("Boolean", False)),
    ("untyped-null", {"value": None}, typed("Null", None)),
]
# The engine lower-cases the first letter before it looks a type up (fromRestApiTypeName),
# so "integer" is "Integer"; answers name the type with a capital.
LOWER_CASE_TYPE = ("lower-case-type", {"value": 5, "type": "integer"}, typed("Integer", 5))


def test_start_by_key_answers_the_instance(client: FlaskClient) -> None:
    definition = deploy(client, "order.bpmn")
    body = start(client, "order", businessKey="ORD-1")
    assert {k: v for k, v in body.items() if k != "links"} == {
        "id": body["id"],
        "definitionId": definition["id"],
        "definitionKey": "order",
        "businessKey": "ORD-1",
        "caseInstanceId": None,
        "ended": False,
        "suspended": False,
        "tenantId": None,
    }
    assert read(client, f"/process-instance/{body['id']}") == body | {"links": []}
    historic = history(client, body["id"])
    assert (historic["businessKey"], historic["state"], historic["endTime"]) == (
        "ORD-1",
        "ACTIVE",
        None,
    )


def test_the_start_answer_links_to_the_new_instance(client: FlaskClient) -> None:
    """The resource adds a ``self`` link to ``GET /process-instance/{id}``."""
    deploy(client, "order.bpmn")
    body = start(client, "order")
    assert body["links"] == [
        {
            "method": "GET",
            "href": f"http://localhost{BASE}/process-instance/{body['id']}",
            "rel": "self",
        }
    ]


def test_start_by_id_with_all_variable_types_returns_them(client: FlaskClient) -> None:
    definition = deploy(client, "order.bpmn")
    variables = {name: sent for name, sent, _ in VARIABLES}

    response = client.post(
        f"{BASE}/process-definition/{definition['id']}/start",
        json={"businessKey": "ORD-2", "variables": variables, "withVariablesInReturn": True},
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["definitionId"], body["businessKey"]) == (definition["id"], "ORD-2")
    assert body["variables"] == {name: stored for name, _, stored in VARIABLES}
    for name, _, stored in VARIABLES:
        assert variable(client, body["id"], name).get_json() == stored, name


def test_without_variables_in_return_the_answer_has_no_variables(client: FlaskClient) -> None:
    deploy(client, "order.bpmn")
    body = start(client, "order", variables={"a": {"value": 1, "type": "Integer"}})
    assert "variables" not in body


@pytest.mark.parametrize(
    ("sent", "problem"),
    [
        (
            {"value": "abc", "type": "Integer"},
            "Cannot convert value 'abc' of type 'Integer' to java type java.lang.Integer",
        ),
        (
            {"value": 2**31, "type": "Integer"},
            f"Cannot convert value '{2**31}' of type 'Integer' to java type java.lang.Integer",
        ),
        (
            {"value": "yes", "type": "Boolean"},
            "Cannot convert value 'yes' of type 'Boolean' to java type java.lang.Boolean",
        ),
        (
            {"value": "31.01.2025", "type": "Date"},
            "Cannot convert value '31.01.2025' of type 'Date' to java type java.util.Date",
        ),
        ({"value": 1, "type": "Money"}, "Unsupported value type 'Money'"),
    ],
    ids=["integer-text", "integer-overflow", "boolean-text", "date-format", "unknown-type"],
)
def test_a_variable_that_does_not_fit_its_type_refuses_the_start(
    client: FlaskClient, sent: dict[str, Any], problem: str
) -> None:
    definition = deploy(client, "order.bpmn")
    response = client.post(
        f"{BASE}/process-definition/{definition['id']}/start", json={"variables": {"v": sent}}
    )
    assert_error(
        response,
        400,
        IRE,
        f"Cannot instantiate process definition {definition['id']}: {problem}",
        None,
    )
    assert read(client, "/process-instance/count") == {"count": 0}


def test_starting_an_unknown_definition_id_is_a_500(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/process-definition/order:1:nope/start", json={})
    assert_error(
        response,
        500,
        REST,
        "Cannot instantiate process definition order:1:nope: no deployed process definition "
        "found with id 'order:1:nope': processDefinition is null",
        0,
    )


def test_starting_an_unknown_key_is_a_404(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/process-definition/key/nothing/start", json={})
    assert_error(
        response,
        404,
        REST,
        "No matching process definition with key: nothing and no tenant-id",
        None,
    )


# -- wait states and gateways -----------------------------------------------------------


def test_an_external_task_is_a_wait_state(client: FlaskClient) -> None:
    definition = deploy(client, "order.bpmn")
    instance = start(client, "order", businessKey="ORD-3")

    (task,) = external_tasks(client, instance["id"])
    assert {k: task[k] for k in ("topicName", "activityId", "businessKey", "workerId")} == {
        "topicName": "reserve-stock",
        "activityId": "reserveStock",
        "businessKey": "ORD-3",
        "workerId": None,
    }
    assert (task["processDefinitionId"], task["processDefinitionVersionTag"]) == (
        definition["id"],
        "2.3",
    )
    assert (user_tasks(client, instance["id"]), jobs(client, instance["id"])) == ([], [])


def test_a_user_task_is_a_wait_state(client: FlaskClient) -> None:
    definition = deploy(client, "invoice.bpmn")
    instance = start(client, "invoice")

    (task,) = read(client, "/task", processInstanceId=instance["id"])
    assert ENGINE_DATE.fullmatch(task["created"])
    assert read(client, f"/task/{task['id']}") == {
        "id": task["id"],
        "name": "Approve invoice",
        "assignee": None,
        "owner": None,
        "created": task["created"],
        "lastUpdated": None,
        "due": None,
        "followUp": None,
        "delegationState": None,
        "description": None,
        "executionId": instance["id"],
        "parentTaskId": None,
        "priority": 50,
        "processDefinitionId": definition["id"],
        "processInstanceId": instance["id"],
        "caseExecutionId": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "taskDefinitionKey": "approveInvoice",
        "suspended": False,
        "formKey": None,
        "camundaFormRef": None,
        "tenantId": None,
    }


def test_an_unknown_task_is_404(client: FlaskClient) -> None:
    assert_error(client.get(f"{BASE}/task/nope"), 404, IRE, "No matching task with id nope", None)


def test_an_async_continuation_is_a_job(client: FlaskClient) -> None:
    deploy(client, "order.bpmn")
    instance = start(client, "order")
    assert worker_call(client, fetch_one(client, "reserve-stock"), "complete").status_code == 204

    (job,) = jobs(client, instance["id"])
    assert (job["dueDate"], job["retries"], job["suspended"]) == (None, 3, False)
    (job_definition,) = read(client, "/job-definition", jobDefinitionId=job["jobDefinitionId"])
    assert (job_definition["activityId"], job_definition["jobType"]) == (
        "chargeCard",
        "async-continuation",
    )
    assert user_tasks(client, instance["id"]) == ["packGoods"]


def test_a_timer_is_a_job_due_after_its_duration(client: FlaskClient) -> None:
    deploy(client, "reminder.bpmn")
    before = now(client)
    instance = start(client, "paymentReminder")
    after = now(client)

    (job,) = jobs(client, instance["id"])
    due = engine_time(job["dueDate"])
    assert before + timedelta(days=3) <= due <= after + timedelta(days=3)
    assert external_tasks(client, instance["id"]) == []


def test_executing_the_timer_job_moves_the_instance_on(client: FlaskClient) -> None:
    deploy(client, "reminder.bpmn")
    instance = start(client, "paymentReminder")

    execute_job(client, instance["id"])

    assert jobs(client, instance["id"]) == []
    assert [t["topicName"] for t in external_tasks(client, instance["id"])] == ["send-reminder"]


def test_the_timer_fires_when_the_clock_passes_its_due_date(client: FlaskClient) -> None:
    deploy(client, "reminder.bpmn")
    instance = start(client, "paymentReminder")

    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 0}
    advance(client, 3 * 24 * 3600 + 1)
    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 1}
    assert [t["topicName"] for t in external_tasks(client, instance["id"])] == ["send-reminder"]


@pytest.mark.parametrize(
    ("variables", "archived"),
    [
        ({"approved": {"value": True, "type": "Boolean"}}, True),
        ({"approved": {"value": False, "type": "Boolean"}}, False),
    ],
    ids=["condition-true", "condition-false-default-flow"],
)
def test_exclusive_gateway_takes_the_true_condition_else_the_default_flow(
    client: FlaskClient, variables: dict[str, Any], archived: bool
) -> None:
    deploy(client, "invoice.bpmn")
    instance = start(client, "invoice")

    response = complete_task(client, instance["id"], "approveInvoice", variables=variables)

    assert response.status_code == 204
    if archived:
        assert [t["activityId"] for t in external_tasks(client, instance["id"])] == [
            "archiveInvoice"
        ]
        assert_running(client, instance["id"])
    else:
        assert_ended(client, instance["id"])


def test_a_condition_on_a_missing_variable_fails_the_completion(client: FlaskClient) -> None:
    """As on Camunda 7.24: the unknown identifier fails the condition (no default flow is
    taken), and the task stays."""
    deploy(client, "invoice.bpmn")
    instance = start(client, "invoice")
    (task,) = client.get(
        f"{BASE}/task", query_string={"processInstanceId": instance["id"]}
    ).get_json()

    response = complete_task(client, instance["id"], "approveInvoice", variables={})

    assert_error(
        response,
        500,
        "RestException",
        f"Cannot complete task {task['id']}: Unknown property used in expression: "
        "${approved == true}. Cause: Cannot resolve identifier 'approved'",
        0,
    )
    assert_running(client, instance["id"])


def test_parallel_gateway_joins_both_branches_before_the_end(client: FlaskClient) -> None:
    deploy(client, "order.bpmn")
    instance = start(client, "order")
    assert worker_call(client, fetch_one(client, "reserve-stock"), "complete").status_code == 204

    assert complete_task(client, instance["id"], "packGoods").status_code == 204
    assert_running(client, instance["id"])  # the join waits for chargeCard
    assert len(jobs(client, instance["id"])) == 1

    execute_job(client, instance["id"])
    assert_ended(client, instance["id"])


# -- user tasks -------------------------------------------------------------------------


def test_completing_a_task_sets_its_variables(client: FlaskClient) -> None:
    deploy(client, "invoice.bpmn")
    instance = start(client, "invoice", variables={"amount": {"value": 120, "type": "Integer"}})

    response = complete_task(
        client,
        instance["id"],
        "approveInvoice",
        variables={"approved": {"value": True, "type": "Boolean"}, "note": {"value": "ok"}},
    )

    assert (response.status_code, response.get_data()) == (204, b"")
    assert variable(client, instance["id"], "approved").get_json() == typed("Boolean", True)
    assert variable(client, instance["id"], "note").get_json() == typed("String", "ok")


def test_completing_with_variables_in_return_answers_them(client: FlaskClient) -> None:
    deploy(client, "invoice.bpmn")
    instance = start(client, "invoice", variables={"amount": {"value": 120, "type": "Integer"}})

    response = complete_task(
        client,
        instance["id"],
        "approveInvoice",
        variables={"approved": {"value": True, "type": "Boolean"}},
        withVariablesInReturn=True,
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "amount": typed("Integer", 120),
        "approved": typed("Boolean", True),
    }


def test_completing_an_unknown_task_is_a_500(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/task/nope/complete", json={})
    assert_error(
        response,
        500,
        REST,
        "Cannot complete task nope: Cannot find task with id nope: task is null",
        0,
    )


def test_a_task_variable_that_does_not_fit_refuses_the_completion(client: FlaskClient) -> None:
    deploy(client, "invoice.bpmn")
    instance = start(client, "invoice")
    (task,) = read(client, "/task", processInstanceId=instance["id"])

    response = client.post(
        f"{BASE}/task/{task['id']}/complete",
        json={"variables": {"approved": {"value": "maybe", "type": "Boolean"}}},
    )

    assert_error(
        response,
        400,
        IRE,
        f"Cannot complete task {task['id']}: Cannot convert value 'maybe' of type 'Boolean' to "
        "java type java.lang.Boolean",
        None,
    )
    assert user_tasks(client, instance["id"]) == ["approveInvoice"]


# -- fetch and lock ---------------------------------------------------------------------


@pytest.fixture
def three_orders(client: FlaskClient) -> list[str]:
    """Three order instances (business keys o1..o3), each at its reserve-stock task."""
    deploy(client, "order.bpmn")
    return [
        start(
            client,
            "order",
            businessKey=f"o{n}",
            variables={
                "customer": {"value": f"c{n}", "type": "String"},
                "amount": {"value": n * 10, "type": "Integer"},
            },
        )["id"]
        for n in (1, 2, 3)
    ]


def test_fetch_and_lock_locks_tasks_of_the_topic_for_the_worker(
    client: FlaskClient, three_orders: list[str]
) -> None:
    before = now(client)
    locked = fetch(client, "reserve-stock", max_tasks=2)
    after = now(client)

    assert len(locked) == 2
    for task in locked:
        assert (task["workerId"], task["topicName"]) == ("w1", "reserve-stock")
        expiry = engine_time(task["lockExpirationTime"])
        assert (
            before + timedelta(milliseconds=LOCK) <= expiry <= after + timedelta(milliseconds=LOCK)
        )
        assert task["variables"] == {
            "customer": typed("String", f"c{three_orders.index(task['processInstanceId']) + 1}"),
            "amount": typed("Integer", (three_orders.index(task["processInstanceId"]) + 1) * 10),
        }
        assert task["businessKey"] == f"o{three_orders.index(task['processInstanceId']) + 1}"
        stored = read(client, f"/external-task/{task['id']}")
        assert (stored["workerId"], stored["lockExpirationTime"]) == (
            "w1",
            task["lockExpirationTime"],
        )
    assert read(client, "/external-task/count", locked="true") == {"count": 2}


def test_a_locked_task_is_fetched_again_only_after_its_lock_expired(
    client: FlaskClient, three_orders: list[str]
) -> None:
    first = {t["id"] for t in fetch(client, "reserve-stock", max_tasks=2)}
    second = fetch(client, "reserve-stock", worker="w2")
    assert len(second) == 1 and second[0]["id"] not in first
    assert fetch(client, "reserve-stock", worker="w3") == []

    advance(client, LOCK / 1000 - 1)
    assert fetch(client, "reserve-stock", worker="w3") == []
    advance(client, 2)
    again = fetch(client, "reserve-stock", worker="w3")
    assert {t["id"] for t in again} == first | {second[0]["id"]}
    assert {t["workerId"] for t in again} == {"w3"}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["amount", "missing"], {"amount": typed("Integer", 10)}),
        ([], {}),
        (None, {"customer": typed("String", "c1"), "amount": typed("Integer", 10)}),
    ],
    ids=["named", "empty-list", "all"],
)
def test_fetch_returns_the_topic_s_variables(
    client: FlaskClient, three_orders: list[str], names: list[str] | None, expected: dict
) -> None:
    options = {} if names is None else {"variables": names}
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1", **options)
    assert task["variables"] == expected


def test_fetch_ignores_other_topics_and_max_tasks_0_locks_nothing(
    client: FlaskClient, three_orders: list[str]
) -> None:
    assert fetch(client, "archive-invoice") == []
    assert fetch(client, "reserve-stock", max_tasks=0) == []
    assert read(client, "/external-task/count", locked="true") == {"count": 0}


def test_tasks_without_retries_are_not_fetched(
    client: FlaskClient, three_orders: list[str]
) -> None:
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1")
    assert (
        worker_call(client, task["id"], "failure", retries=0, errorMessage="x").status_code == 204
    )

    fetched = fetch(client, "reserve-stock")
    assert {t["businessKey"] for t in fetched} == {"o2", "o3"}
    advance(client, LOCK / 1000 + 1)
    assert task["id"] not in {t["id"] for t in fetch(client, "reserve-stock")}


def test_suspended_tasks_are_not_fetched(client: FlaskClient, three_orders: list[str]) -> None:
    suspend(client, three_orders[:2])

    fetched = fetch(client, "reserve-stock")
    assert [t["businessKey"] for t in fetched] == ["o3"]


def suspend(client: FlaskClient, instance_ids: list[str]) -> None:
    """Suspend instances through the suspension batch, run to its end."""
    response = client.post(
        f"{BASE}/process-instance/suspended-async",
        json={"processInstanceIds": instance_ids, "suspended": True},
    )
    assert response.status_code == 200, response.get_json()
    client.post("/mock-api/jobs/run-due")
    for instance_id in instance_ids:
        assert read(client, f"/process-instance/{instance_id}")["suspended"] is True


@pytest.mark.parametrize(
    ("body", "type_", "message"),
    [
        (
            {"maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": 1000}]},
            NVE,
            "workerId is null",
        ),
        (
            {"workerId": "w1", "maxTasks": 1, "topics": [{"lockDuration": 1000}]},
            NVE,
            "topicName is null",
        ),
        (
            {"workerId": "w1", "maxTasks": -1, "topics": [{"topicName": "t", "lockDuration": 1}]},
            PEE,
            "maxResults is not greater than or equal to 0",
        ),
        (
            {"workerId": "w1", "maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": 0}]},
            PEE,
            "lockTime is not greater than 0",
        ),
        (
            {"workerId": "w1", "maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": -5}]},
            PEE,
            "lockTime is not greater than 0",
        ),
        (
            {"workerId": "w1", "maxTasks": 1, "topics": [{"topicName": "t"}]},
            PEE,
            "lockTime is not greater than 0",
        ),
    ],
    ids=[
        "no-worker",
        "no-topic-name",
        "negative-max-tasks",
        "lock-duration-0",
        "negative-lock-duration",
        "no-lock-duration",
    ],
)
def test_fetch_and_lock_engine_checks_are_500s(
    client: FlaskClient, three_orders: list[str], body: dict, type_: str, message: str
) -> None:
    assert_error(fetch_raw(client, body), 500, type_, message, 0)
    assert read(client, "/external-task/count", locked="true") == {"count": 0}


# -- complete, failure, bpmnError -------------------------------------------------------


def test_completing_by_the_locking_worker_moves_on_with_its_variables(
    client: FlaskClient, three_orders: list[str]
) -> None:
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1")

    response = worker_call(client, task["id"], "complete", variables={"reserved": {"value": True}})

    assert response.status_code == 204
    assert external_tasks(client, three_orders[0]) == []
    assert user_tasks(client, three_orders[0]) == ["packGoods"]
    assert variable(client, three_orders[0], "reserved").get_json() == typed("Boolean", True)
    assert_error(
        client.get(f"{BASE}/external-task/{task['id']}"),
        404,
        REST,
        f"External task with id {task['id']} does not exist",
        None,
    )


@pytest.mark.parametrize(
    ("action", "body", "refusal"),
    [
        ("complete", {}, "External Task {id} cannot be completed by worker 'w2'"),
        (
            "failure",
            {"retries": 1},
            "Failure of External Task {id} cannot be reported by worker 'w2'",
        ),
        (
            "bpmnError",
            {"errorCode": "X"},
            "Bpmn error of External Task {id} cannot be reported by worker 'w2'",
        ),
    ],
    ids=["complete", "failure", "bpmn-error"],
)
def test_another_worker_is_refused(
    client: FlaskClient, three_orders: list[str], action: str, body: dict, refusal: str
) -> None:
    task_id = fetch(client, "reserve-stock", max_tasks=1)[0]["id"]

    response = worker_call(client, task_id, action, worker="w2", **body)

    message = refusal.format(id=task_id) + ". It is locked by worker 'w1'."
    assert_error(response, 400, REST, message, 0)
    assert read(client, f"/external-task/{task_id}")["workerId"] == "w1"


@pytest.mark.parametrize("action", ["complete", "failure", "bpmnError"])
def test_worker_calls_on_an_unknown_task_are_404(client: FlaskClient, action: str) -> None:
    response = worker_call(client, "nope", action, errorCode="X")
    assert_error(response, 404, REST, "External task with id nope does not exist", 0)


def test_worker_calls_without_a_worker_id_are_500s(
    client: FlaskClient, three_orders: list[str]
) -> None:
    task_id = fetch(client, "reserve-stock", max_tasks=1)[0]["id"]
    response = worker_call(client, task_id, "complete", worker=None)
    assert_error(response, 500, NVE, "workerId is null", 0)


def test_failure_without_retries_opens_an_incident(
    client: FlaskClient, three_orders: list[str]
) -> None:
    definition_id = read(client, f"/process-instance/{three_orders[0]}")["definitionId"]
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1")

    response = worker_call(client, task["id"], "failure", retries=0, errorMessage="no stock")

    assert response.status_code == 204
    (incident,) = read(client, "/incident", processInstanceId=three_orders[0])
    assert {k: incident[k] for k in incident if k not in ("id", "incidentTimestamp")} == {
        "processDefinitionId": definition_id,
        "processInstanceId": three_orders[0],
        "executionId": three_orders[0],
        "incidentType": "failedExternalTask",
        "activityId": "reserveStock",
        "failedActivityId": "reserveStock",
        "causeIncidentId": incident["id"],
        "rootCauseIncidentId": incident["id"],
        "configuration": task["id"],
        "tenantId": None,
        "incidentMessage": "no stock",
        "jobDefinitionId": None,
        "annotation": None,
    }
    stored = read(client, f"/external-task/{task['id']}")
    assert (stored["retries"], stored["errorMessage"]) == (0, "no stock")
    advance(client, LOCK / 1000 + 1)
    assert task["id"] not in {t["id"] for t in fetch(client, "reserve-stock")}


def test_failure_with_retries_is_fetchable_again_after_the_retry_timeout(
    client: FlaskClient, three_orders: list[str]
) -> None:
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1")

    response = worker_call(
        client, task["id"], "failure", retries=2, retryTimeout=30_000, errorMessage="busy"
    )

    assert response.status_code == 204
    assert read(client, "/incident/count") == {"count": 0}
    assert fetch(client, "reserve-stock", worker="w2", businessKey="o1") == []
    advance(client, 29)
    assert fetch(client, "reserve-stock", worker="w2", businessKey="o1") == []
    advance(client, 2)
    (again,) = fetch(client, "reserve-stock", worker="w2", businessKey="o1")
    assert (again["id"], again["retries"], again["errorMessage"]) == (task["id"], 2, "busy")


def test_after_a_failure_the_task_keeps_its_worker_and_is_locked_for_the_retry_timeout(
    client: FlaskClient, three_orders: list[str]
) -> None:
    """``ExternalTaskEntity.failed`` sets ``lockExpirationTime`` to now + retryDuration and
    leaves ``workerId`` as it was."""
    (task,) = fetch(client, "reserve-stock", max_tasks=1, businessKey="o1")
    before = now(client)
    worker_call(client, task["id"], "failure", retries=2, retryTimeout=30_000, errorMessage="busy")
    after = now(client)

    stored = read(client, f"/external-task/{task['id']}")
    assert stored["workerId"] == "w1"
    expiry = engine_time(stored["lockExpirationTime"])
    assert before + timedelta(seconds=30) <= expiry <= after + timedelta(seconds=30)


def test_a_bpmn_error_caught_by_the_boundary_event_takes_its_path(client: FlaskClient) -> None:
    deploy(client, "payment_errors.bpmn")
    instance = start(client, "payment")
    task_id = fetch_one(client, "charge-card")

    response = worker_call(
        client,
        task_id,
        "bpmnError",
        errorCode="CARD_DECLINED",
        errorMessage="declined",
        variables={"reason": {"value": "expired", "type": "String"}},
    )

    assert response.status_code == 204
    assert external_tasks(client, instance["id"]) == []
    assert user_tasks(client, instance["id"]) == ["callCustomer"]
    assert variable(client, instance["id"], "reason").get_json() == typed("String", "expired")
    assert complete_task(client, instance["id"], "callCustomer").status_code == 204
    assert_ended(client, instance["id"])


def test_a_bpmn_error_no_boundary_catches_ends_that_path(client: FlaskClient) -> None:
    deploy(client, "payment_errors.bpmn")
    instance = start(client, "payment")

    response = worker_call(client, fetch_one(client, "charge-card"), "bpmnError", errorCode="OTHER")

    assert response.status_code == 204
    assert_ended(client, instance["id"])


def test_a_bpmn_error_without_code_is_a_500(client: FlaskClient) -> None:
    deploy(client, "payment_errors.bpmn")
    instance = start(client, "payment")
    task_id = fetch_one(client, "charge-card")

    response = worker_call(client, task_id, "bpmnError")

    assert_error(response, 500, NVE, "errorCode is null", 0)
    assert [t["id"] for t in external_tasks(client, instance["id"])] == [task_id]


def test_the_external_task_happy_path_ends_the_payment(client: FlaskClient) -> None:
    deploy(client, "payment_errors.bpmn")
    instance = start(client, "payment")
    assert worker_call(client, fetch_one(client, "charge-card"), "complete").status_code == 204
    assert_ended(client, instance["id"])


# -- deleting instances -----------------------------------------------------------------


def test_deleting_an_instance_terminates_it_externally(client: FlaskClient) -> None:
    deploy(client, "order.bpmn")
    instance = start(client, "order")

    response = client.delete(f"{BASE}/process-instance/{instance['id']}")

    assert (response.status_code, response.get_data()) == (204, b"")
    assert_ended(client, instance["id"], "EXTERNALLY_TERMINATED")


@pytest.mark.parametrize("deleted_before", [False, True], ids=["unknown", "already-deleted"])
def test_deleting_an_unknown_instance_is_404(client: FlaskClient, deleted_before: bool) -> None:
    instance_id = "nope"
    if deleted_before:
        deploy(client, "order.bpmn")
        instance_id = start(client, "order")["id"]
        client.delete(f"{BASE}/process-instance/{instance_id}")

    response = client.delete(f"{BASE}/process-instance/{instance_id}")

    message = f"No process instance found for id '{instance_id}': processInstance is null"
    assert_error(response, 404, IRE, message, 0)


# -- variables --------------------------------------------------------------------------


@pytest.fixture
def invoice(client: FlaskClient) -> str:
    """A running invoice instance's id."""
    deploy(client, "invoice.bpmn")
    return start(client, "invoice")["id"]


@pytest.mark.parametrize(
    ("name", "sent", "stored"),
    [*VARIABLES, LOWER_CASE_TYPE],
    ids=[row[0] for row in [*VARIABLES, LOWER_CASE_TYPE]],
)
def test_a_put_variable_reads_back_with_its_type(
    client: FlaskClient, invoice: str, name: str, sent: dict, stored: dict
) -> None:
    response = client.put(f"{BASE}/process-instance/{invoice}/variables/{name}", json=sent)

    assert (response.status_code, response.get_data()) == (204, b"")
    assert variable(client, invoice, name).get_json() == stored


def test_put_replaces_a_variable_and_its_type(client: FlaskClient, invoice: str) -> None:
    path = f"{BASE}/process-instance/{invoice}/variables/v"
    client.put(path, json={"value": 1, "type": "Integer"})
    client.put(path, json={"value": "one", "type": "String"})
    assert variable(client, invoice, "v").get_json() == typed("String", "one")


def test_an_unknown_variable_is_404(client: FlaskClient, invoice: str) -> None:
    assert_error(
        variable(client, invoice, "missing"),
        404,
        IRE,
        "process instance variable with name missing does not exist",
        None,
    )


@pytest.mark.parametrize("method", ["get", "put"])
def test_variables_of_an_unknown_instance_are_500s(client: FlaskClient, method: str) -> None:
    response = client.open(
        f"{BASE}/process-instance/nope/variables/v",
        method=method.upper(),
        json={"value": 1} if method == "put" else None,
    )
    assert_error(
        response,
        500,
        REST,
        f"Cannot {method} process instance variable v: execution nope doesn't exist: "
        "execution is null",
        0,
    )


def test_putting_a_value_that_does_not_fit_is_a_400(client: FlaskClient, invoice: str) -> None:
    response = client.put(
        f"{BASE}/process-instance/{invoice}/variables/n", json={"value": "abc", "type": "Long"}
    )
    assert_error(
        response,
        400,
        IRE,
        "Cannot put process instance variable n: Cannot convert value 'abc' of type 'Long' to "
        "java type java.lang.Long",
        None,
    )
    assert variable(client, invoice, "n").status_code == 404


def test_putting_an_unsupported_type_is_a_400(client: FlaskClient, invoice: str) -> None:
    response = client.put(
        f"{BASE}/process-instance/{invoice}/variables/n", json={"value": 1, "type": "Money"}
    )
    assert_error(
        response,
        400,
        IRE,
        "Cannot put process instance variable n: Unsupported value type 'Money'",
        None,
    )


# -- the "done when" ------------------------------------------------------------


def test_done_when_an_order_runs_end_to_end_and_a_batch_suspends_three_more(
    client: FlaskClient,
) -> None:
    deploy(client, "order.bpmn")
    order = start(client, "order", businessKey="ORD-100")["id"]

    task_id = fetch_one(client, "reserve-stock")
    assert worker_call(client, task_id, "complete").status_code == 204
    assert user_tasks(client, order) == ["packGoods"]
    execute_job(client, order)
    assert_running(client, order)
    assert complete_task(client, order, "packGoods").status_code == 204

    assert_ended(client, order)
    historic = history(client, order)
    assert (
        historic["businessKey"],
        historic["processDefinitionKey"],
        historic["deleteReason"],
    ) == (
        "ORD-100",
        "order",
        None,
    )

    more = [start(client, "order", businessKey=f"ORD-{n}")["id"] for n in (101, 102, 103)]
    response = client.post(
        f"{BASE}/process-instance/suspended-async",
        json={"processInstanceQuery": {"processDefinitionKey": "order"}, "suspended": True},
    )
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["type"], response.get_json()["totalJobs"]) == (
        "instance-update-suspension-state",
        3,
    )
    assert client.post("/mock-api/jobs/run-due").status_code == 200

    suspended = read(client, "/process-instance", suspended="true")
    assert sorted(i["id"] for i in suspended) == sorted(more)
    for instance_id in more:
        assert read(client, f"/process-instance/{instance_id}")["suspended"] is True
        assert [t["suspended"] for t in external_tasks(client, instance_id)] == [True]
