"""The engine's read endpoints that show what batches did: filters, sorting, paging, counts,
POST queries, unknown ids and bad parameters.

One arranged world serves every row. Its objects have readable names: instances ``o1``..``r2``
(their business keys are the same names), and ``task:o1``, ``ext:o2``, ``job:r1``,
``inc:r2`` for an instance's user task, external task, job and incident, ``jd:chargeCard``
for an activity's job definition. Rows name the objects they expect; a query may refer to an
object's id as ``{o1}``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.engine import MockEngine
from mockserver.models import TypedValue
from tests.conftest import BASE

IRE = "InvalidRequestException"
SUSPENSION = "/process-instance/suspended-async"

Names = dict[str, str]  # name -> id

# -- the world --------------------------------------------------------------------------


@pytest.fixture
def world(engine: MockEngine, deploy: Any) -> Names:
    """Seven running instances and one ended, with jobs, tasks, external tasks and incidents.

    - order o1 passed reserveStock: a chargeCard job and a packGoods task; o2's external task
      failed with no retries left (incident); o3 is suspended at reserveStock
    - invoice i1 (variable customer="acme") and i3 (suspended) wait at approveInvoice; i2 was
      deleted
    - reminder r1 and r2 wait at their timers; r2's timer job has no retries left (incident)
    """
    definitions = {
        "o": deploy("order.bpmn"),
        "i": deploy("invoice.bpmn"),
        "r": deploy("reminder.bpmn"),
    }
    store, runtime = engine.store, engine.runtime
    with store.lock:
        instances = {
            name: runtime.start(definitions[name[0]], business_key=name)
            for name in ("o1", "o2", "o3", "i1", "i2", "i3", "r1", "r2")
        }
        instances["i1"].variables["customer"] = TypedValue("String", "acme")
        (reserve_o1,) = store.external_tasks_of_instance(instances["o1"].id)
        runtime.complete_external_task(reserve_o1)
        (reserve_o2,) = store.external_tasks_of_instance(instances["o2"].id)
        runtime.fail_external_task(reserve_o2, "no stock", 0)
        (timer_r2,) = store.jobs_of_instance(instances["r2"].id)
        runtime.set_job_retries(timer_r2, 0)
        runtime.set_suspended(instances["o3"], True)
        runtime.set_suspended(instances["i3"], True)
        runtime.cancel(instances["i2"])

        names = {name: instance.id for name, instance in instances.items()}
        by_instance = {instance.id: name for name, instance in instances.items()}
        for prefix, table, owner in (
            ("task", store.user_tasks, "process_instance_id"),
            ("ext", store.external_tasks, "process_instance_id"),
            ("job", store.jobs, "process_instance_id"),
            ("inc", store.incidents, "process_instance_id"),
        ):
            for object_id, obj in table.items():
                names[f"{prefix}:{by_instance[getattr(obj, owner)]}"] = object_id
        for definition in store.job_definitions.values():
            names[f"jd:{definition.activity_id}"] = definition.id
    return names


def expected_ids(world: Names, names: list[str]) -> list[str]:
    return [world[name] for name in names]


def named(world: Names, items: list[dict[str, Any]]) -> list[str]:
    """The names of the returned objects, in the order returned."""
    by_id = {object_id: name for name, object_id in world.items()}
    return [by_id[item["id"]] for item in items]


def read(client: FlaskClient, path: str, query: str = "", world: Names | None = None) -> Any:
    response = client.get(f"{BASE}{path}?{query.format(**(world or {}))}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_error(response: TestResponse, status: int, type_: str, message: str) -> None:
    assert response.status_code == status, response.get_json()
    assert response.get_json() == {"type": type_, "message": message, "code": None}


# -- filters and counts -----------------------------------------------------------------

FILTER_ROWS = [
    ("/process-instance", "processDefinitionKey=order", {"o1", "o2", "o3"}),
    ("/process-instance", "processDefinitionKey=order&active=true", {"o1", "o2"}),
    ("/process-instance", "suspended=true", {"o3", "i3"}),
    ("/process-instance", "withIncident=true", {"o2", "r2"}),
    ("/process-instance", "businessKey=i1", {"i1"}),
    ("/process-instance", "processInstanceIds={o1},{i2}", {"o1"}),
    ("/history/process-instance", "finished=true", {"i2"}),
    ("/history/process-instance", "processDefinitionKey=invoice&unfinished=true", {"i1", "i3"}),
    ("/history/process-instance", "suspended=true", {"o3", "i3"}),
    ("/history/process-instance", "externallyTerminated=true", {"i2"}),
    ("/history/process-instance", "processInstanceBusinessKey=r2&withIncidents=true", {"r2"}),
    ("/external-task", "topicName=reserve-stock", {"ext:o2", "ext:o3"}),
    ("/external-task", "noRetriesLeft=true", {"ext:o2"}),
    ("/external-task", "withRetriesLeft=true&suspended=true", {"ext:o3"}),
    ("/external-task", "processInstanceId={o3}&active=true", set()),
    ("/job", "timers=true", {"job:r1", "job:r2"}),
    ("/job", "messages=true&activityId=chargeCard", {"job:o1"}),
    ("/job", "noRetriesLeft=true", {"job:r2"}),
    ("/job", "processDefinitionKey=paymentReminder&withRetriesLeft=true", {"job:r1"}),
    ("/job", "processInstanceId={o1}", {"job:o1"}),
    ("/job-definition", "processDefinitionKey=order", {"jd:chargeCard"}),
    ("/job-definition", "jobType=timer-intermediate-transition", {"jd:waitThreeDays"}),
    ("/job-definition", "activityIdIn=chargeCard,waitThreeDays&active=true",
     {"jd:chargeCard", "jd:waitThreeDays"}),
    ("/job-definition", "jobConfiguration=async-before", {"jd:chargeCard"}),
    ("/job-definition", "suspended=true", set()),
    ("/incident", "incidentType=failedJob", {"inc:r2"}),
    ("/incident", "processInstanceId={o2}&incidentMessage=no stock", {"inc:o2"}),
    ("/incident", "activityId=waitThreeDays", {"inc:r2"}),
    ("/incident", "incidentType=failedExternalTask&processInstanceId={r2}", set()),
    ("/task", "taskDefinitionKey=approveInvoice", {"task:i1", "task:i3"}),
    ("/task", "suspended=true", {"task:i3"}),
    ("/task", "processDefinitionKey=order", {"task:o1"}),
    ("/task", "processInstanceBusinessKey=i1", {"task:i1"}),
    ("/task", "taskDefinitionKeyIn=approveInvoice,packGoods&active=true", {"task:o1", "task:i1"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    FILTER_ROWS,
    ids=[f"{path[1:]}?{query}" for path, query, _ in FILTER_ROWS],
)
def test_list_filters_and_count_agree(
    client: FlaskClient, world: Names, path: str, query: str, expected: set[str]
) -> None:
    found = named(world, read(client, path, query, world))
    assert sorted(found) == sorted(expected)  # each object once
    assert read(client, f"{path}/count", query, world) == {"count": len(expected)}


ALL = {
    "/process-instance": ["o1", "o2", "o3", "i1", "i3", "r1", "r2"],
    "/history/process-instance": ["o1", "o2", "o3", "i1", "i2", "i3", "r1", "r2"],
    "/external-task": ["ext:o2", "ext:o3"],
    "/job": ["job:o1", "job:r1", "job:r2"],
    "/job-definition": ["jd:chargeCard", "jd:waitThreeDays"],
    "/incident": ["inc:o2", "inc:r2"],
    "/task": ["task:o1", "task:i1", "task:i3"],
}


@pytest.mark.parametrize("path", list(ALL), ids=[path[1:] for path in ALL])
def test_without_filters_everything_is_listed_and_counted(
    client: FlaskClient, world: Names, path: str
) -> None:
    assert sorted(named(world, read(client, path))) == sorted(ALL[path])
    assert read(client, f"{path}/count") == {"count": len(ALL[path])}


# -- sorting and paging -----------------------------------------------------------------

BY_ID = None  # the rows whose order is the order of the objects' ids
SORT_ROWS = [
    ("/process-instance", "businessKey", ["i1", "i3", "o1", "o2", "o3", "r1", "r2"]),
    ("/history/process-instance", "businessKey",
     ["i1", "i2", "i3", "o1", "o2", "o3", "r1", "r2"]),
    ("/external-task", "id", BY_ID),
    ("/job", "jobId", BY_ID),
    ("/job-definition", "activityId", ["jd:chargeCard", "jd:waitThreeDays"]),
    ("/incident", "incidentType", ["inc:o2", "inc:r2"]),  # failedExternalTask < failedJob
    ("/task", "id", BY_ID),
]  # fmt: skip


def ascending(world: Names, path: str, order: list[str] | None) -> list[str]:
    return order if order is not None else sorted(ALL[path], key=world.__getitem__)


@pytest.mark.parametrize(
    ("path", "sort_by", "order"), SORT_ROWS, ids=[f"{p[1:]}-{s}" for p, s, _ in SORT_ROWS]
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorting(
    client: FlaskClient,
    world: Names,
    path: str,
    sort_by: str,
    order: list[str] | None,
    direction: str,
) -> None:
    expected = ascending(world, path, order)
    if direction == "desc":
        expected = expected[::-1]
    found = named(world, read(client, path, f"sortBy={sort_by}&sortOrder={direction}"))
    assert found == expected


@pytest.mark.parametrize(
    ("path", "sort_by", "order"), SORT_ROWS, ids=[f"{p[1:]}-{s}" for p, s, _ in SORT_ROWS]
)
@pytest.mark.parametrize(
    ("first", "maximum", "window"),
    [(1, 2, slice(1, 3)), (0, 1, slice(0, 1)), (1, None, slice(1, None)), (50, 5, slice(0, 0))],
    ids=["window", "first-only", "from-second", "past-the-end"],
)
def test_paging(
    client: FlaskClient,
    world: Names,
    path: str,
    sort_by: str,
    order: list[str] | None,
    first: int,
    maximum: int | None,
    window: slice,
) -> None:
    query = f"sortBy={sort_by}&sortOrder=asc&firstResult={first}"
    if maximum is not None:
        query += f"&maxResults={maximum}"
    assert named(world, read(client, path, query)) == ascending(world, path, order)[window]
    # paging does not change a count
    assert read(client, f"{path}/count", query) == {"count": len(ALL[path])}


# -- POST queries -----------------------------------------------------------------------

POST_ROWS = [
    ("/process-instance", {"processDefinitionKey": "order", "suspended": True}, {"o3"}),
    ("/process-instance", {"processInstanceIds": ["{o1}", "{o2}", "{i2}"]}, {"o1", "o2"}),
    ("/process-instance", {"withIncident": True, "processDefinitionKeyIn": ["paymentReminder"]},
     {"r2"}),
    ("/external-task", {"topicName": "reserve-stock", "noRetriesLeft": True}, {"ext:o2"}),
    ("/external-task", {"processInstanceIdIn": ["{o2}", "{o3}"], "suspended": True}, {"ext:o3"}),
    ("/history/process-instance", {"processDefinitionKey": "invoice", "finished": True}, {"i2"}),
    ("/history/process-instance", {"processInstanceIds": ["{i1}", "{i2}"], "unfinished": True},
     {"i1"}),
]  # fmt: skip


def with_ids(world: Names, body: dict[str, Any]) -> dict[str, Any]:
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value.format(**world) if isinstance(value, str) else value

    return {key: fill(value) for key, value in body.items()}


def post_query(client: FlaskClient, path: str, body: dict[str, Any], query: str = "") -> Any:
    response = client.post(f"{BASE}{path}?{query}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    POST_ROWS,
    ids=[f"{path[1:]}-{'-'.join(body)}" for path, body, _ in POST_ROWS],
)
def test_post_query_and_its_count(
    client: FlaskClient, world: Names, path: str, body: dict[str, Any], expected: set[str]
) -> None:
    filled = with_ids(world, body)
    assert sorted(named(world, post_query(client, path, filled))) == sorted(expected)
    assert post_query(client, f"{path}/count", filled) == {"count": len(expected)}


@pytest.mark.parametrize("path", ["/process-instance", "/history/process-instance"])
def test_post_query_sorts_by_the_body_and_pages_by_the_query_string(
    client: FlaskClient, world: Names, path: str
) -> None:
    body = {
        "processDefinitionKey": "order",
        "sorting": [{"sortBy": "businessKey", "sortOrder": "desc"}],
    }
    assert named(world, post_query(client, path, body)) == ["o3", "o2", "o1"]
    paged = post_query(client, path, body, "firstResult=1&maxResults=1")
    assert named(world, paged) == ["o2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("variables=customer_eq_acme", ["i1"]),
        ("variables=customer_neq_acme", []),
        ("variables=customer_like_ac%25", ["i1"]),
        ("variables=customer_eq_acme&processDefinitionKey=order", []),
    ],
    ids=["eq", "neq", "like", "eq-and-key"],
)
def test_get_variables_filter_uses_the_engine_syntax(
    client: FlaskClient, world: Names, query: str, expected: list[str]
) -> None:
    """GET queries filter by variable value with ``variables=name_operator_value``."""
    assert named(world, read(client, "/process-instance", query)) == expected
    assert read(client, "/process-instance/count", query) == {"count": len(expected)}


def test_post_variables_filter(client: FlaskClient, world: Names) -> None:
    body = {"variables": [{"name": "customer", "operator": "eq", "value": "acme"}]}
    assert named(world, post_query(client, "/process-instance", body)) == ["i1"]


# -- unknown ids ------------------------------------------------------------------------

# ProcessInstanceResourceImpl, HistoricProcessInstanceResourceImpl, JobResourceImpl and
# ExternalTaskResourceImpl (which throws a RestException, not an InvalidRequestException).
UNKNOWN_ID_ROWS = [
    ("process-instance", "/process-instance/nope", IRE,
     "Process instance with id nope does not exist"),
    ("ended-process-instance", "/process-instance/{i2}", IRE,
     "Process instance with id {i2} does not exist"),
    ("activity-instances", "/process-instance/nope/activity-instances", IRE,
     "Process instance with id nope does not exist"),
    ("activity-instances-of-ended", "/process-instance/{i2}/activity-instances", IRE,
     "Process instance with id {i2} does not exist"),
    ("historic-process-instance", "/history/process-instance/nope", IRE,
     "Historic process instance with id nope does not exist"),
    ("external-task", "/external-task/nope", "RestException",
     "External task with id nope does not exist"),
    ("job", "/job/nope", IRE, "Job with id nope does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "type_", "message"),
    [row[1:] for row in UNKNOWN_ID_ROWS],
    ids=[row[0] for row in UNKNOWN_ID_ROWS],
)
def test_unknown_id(client: FlaskClient, world: Names, path: str, type_: str, message: str) -> None:
    response = client.get(f"{BASE}{path.format(**world)}")
    assert_error(response, 404, type_, message.format(**world))


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/process-instance", "o1"),
        ("/history/process-instance", "i2"),
        ("/external-task", "ext:o3"),
        ("/job", "job:r1"),
    ],
)
def test_known_ids_are_found(client: FlaskClient, world: Names, path: str, name: str) -> None:
    assert read(client, f"{path}/{world[name]}")["id"] == world[name]


# -- bad parameters ---------------------------------------------------------------------

WITH_SUSPENDED = [p for p in ALL if p != "/incident"]


@pytest.mark.parametrize("path", list(ALL), ids=[path[1:] for path in ALL])
def test_unknown_sort_by_is_rejected(client: FlaskClient, path: str) -> None:
    response = client.get(f"{BASE}{path}?sortBy=nope&sortOrder=asc")
    assert_error(response, 400, IRE, "Cannot set query parameter 'sortBy' to value 'nope'")


@pytest.mark.parametrize("path", WITH_SUSPENDED, ids=[path[1:] for path in WITH_SUSPENDED])
@pytest.mark.parametrize("suffix", ["", "/count"], ids=["list", "count"])
def test_non_boolean_flag_is_rejected(client: FlaskClient, path: str, suffix: str) -> None:
    response = client.get(f"{BASE}{path}{suffix}?suspended=maybe")
    assert_error(
        response,
        400,
        IRE,
        "Cannot set query parameter 'suspended' to value 'maybe': "
        "Cannot convert value maybe to java type java.lang.Boolean",
    )


@pytest.mark.parametrize("path", list(ALL), ids=[path[1:] for path in ALL])
@pytest.mark.parametrize("param", ["firstResult", "maxResults"])
def test_non_integer_paging_is_a_404(client: FlaskClient, path: str, param: str) -> None:
    response = client.get(f"{BASE}{path}?{param}=x")
    assert_error(response, 404, "QueryParamException", "HTTP 404 Not Found")


# -- a batch's job definitions ----------------------------------------------------------


def test_a_running_batch_has_three_job_definitions(client: FlaskClient) -> None:
    response = client.post(
        f"{BASE}{SUSPENSION}", json={"suspended": True, "processInstanceIds": ["a", "b"]}
    )
    batch = response.get_json()
    kinds = {
        "batch-monitor-job": batch["monitorJobDefinitionId"],
        "batch-seed-job": batch["seedJobDefinitionId"],
        "instance-update-suspension-state": batch["batchJobDefinitionId"],
    }
    expected = [
        {
            "id": definition_id,
            "processDefinitionId": None,
            "processDefinitionKey": None,
            "activityId": None,
            "jobType": job_type,
            "jobConfiguration": batch["id"],
            "overridingJobPriority": None,
            "suspended": False,
            "tenantId": None,
            "deploymentId": None,
        }
        for job_type, definition_id in kinds.items()
    ]
    query = f"jobConfiguration={batch['id']}&sortBy=jobType&sortOrder=asc"
    for moment in ("created", "seeded", "one-job-done"):
        assert read(client, "/job-definition", query) == expected, moment
        assert read(client, "/job-definition/count", query) == {"count": 3}
        for job_type, definition_id in kinds.items():
            assert named(
                {job_type: definition_id}, read(client, "/job-definition", f"jobType={job_type}")
            ) == [job_type]
        client.post("/mock-api/jobs/step", json={"count": 1})  # seed, then execution jobs
    assert read(client, "/job", f"jobDefinitionId={batch['batchJobDefinitionId']}") == []
    client.post("/mock-api/jobs/run-due")  # the monitor ends the batch
    assert read(client, "/job-definition") == []
