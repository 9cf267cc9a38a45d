"""POST /external-task/retries-async: the engine's checks in order, and the batch it creates.

Items are external task ids from five sources (ids, instances, a task query, an instance
query, a historic instance query), de-duplicated. Order instances wait at the external task
``reserveStock``; invoice instances have no external task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.engine import MockEngine
from mockserver.models import ProcessInstance
from tests.assertions import (
    IRE,
    assert_error,
    assert_mapping_error,
    assert_new_batch,
    basic_auth,
    total_jobs,
)
from tests.conftest import BASE, make_app

PATH = f"{BASE}/external-task/retries-async"
BATCH_TYPE = "set-external-task-retries"
RETRIES_NULL = "The number of retries cannot be null."
NULL_ID = "External task id cannot be null: externalTaskIds contains null value"
NOTHING = "externalTaskIds is empty"


@dataclass
class Arranged:
    """Three order instances (one external task each) and an invoice instance (none)."""

    instances: list[str]
    tasks: list[str]  # tasks[i] belongs to instances[i]
    no_tasks: str


def task_of(engine: MockEngine, instance: ProcessInstance) -> str:
    (task,) = engine.store.external_tasks_of_instance(instance.id)
    return task.id


@pytest.fixture
def arranged(engine: MockEngine, deploy: Callable, start: Callable) -> Arranged:
    orders = start(deploy("order.bpmn"), 3)
    (invoice,) = start(deploy("invoice.bpmn"))
    return Arranged(
        instances=[i.id for i in orders],
        tasks=[task_of(engine, i) for i in orders],
        no_tasks=invoice.id,
    )


def post(client: FlaskClient, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(PATH, json=body, **kwargs)


def created(response: TestResponse) -> int:
    """``totalJobs`` of an external-task-retries batch."""
    return total_jobs(response, BATCH_TYPE)


# -- validation rows, in the engine's order ---------------------------------------------

Body = Callable[[Arranged], dict[str, Any]]

VALIDATION_ROWS: list[tuple[str, Body, str]] = [
    ("1-retries-missing", lambda a: {"externalTaskIds": a.tasks}, RETRIES_NULL),
    ("1-retries-null", lambda a: {"retries": None, "externalTaskIds": a.tasks}, RETRIES_NULL),
    ("2-null-task-id", lambda a: {"retries": 1, "externalTaskIds": [a.tasks[0], None]}, NULL_ID),
    ("3-no-selection", lambda a: {"retries": 1}, NOTHING),
    ("3-all-selections-null",
     lambda a: {"retries": 1, "externalTaskIds": None, "processInstanceIds": None,
                "externalTaskQuery": None, "processInstanceQuery": None,
                "historicProcessInstanceQuery": None},
     NOTHING),
    ("3-empty-id-lists",
     lambda a: {"retries": 1, "externalTaskIds": [], "processInstanceIds": []}, NOTHING),
    ("3-instances-without-external-tasks",
     lambda a: {"retries": 1, "processInstanceIds": [a.no_tasks, "unknown-instance"]}, NOTHING),
    ("3-task-query-matches-nothing",
     lambda a: {"retries": 1, "externalTaskQuery": {"topicName": "no-such-topic"}}, NOTHING),
    ("3-instance-query-without-tasks",
     lambda a: {"retries": 1, "processInstanceQuery": {"processDefinitionKey": "invoice"}},
     NOTHING),
    ("3-historic-query-matches-nothing",
     lambda a: {"retries": 1, "historicProcessInstanceQuery": {"processDefinitionKey": "x"}},
     NOTHING),
    # order: a body breaking two rules gets the earlier row's answer
    ("order-1-before-2", lambda a: {"externalTaskIds": [None]}, RETRIES_NULL),
    ("order-1-before-3", lambda a: {}, RETRIES_NULL),
    ("order-2-before-3", lambda a: {"retries": 1, "externalTaskIds": [None]}, NULL_ID),
    ("order-2-before-negative-retries",
     lambda a: {"retries": -1, "externalTaskIds": [None, a.tasks[0]]}, NULL_ID),
    ("order-3-before-negative-retries", lambda a: {"retries": -1}, NOTHING),
    ("order-mapping-before-1", lambda a: {"externalTaskIds": a.tasks[0]}, ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [row[1:] for row in VALIDATION_ROWS],
    ids=[row[0] for row in VALIDATION_ROWS],
)
def test_validation_rows(client: FlaskClient, arranged: Arranged, body: Body, message: str) -> None:
    assert_error(post(client, body(arranged)), 400, IRE, message, None)


@pytest.mark.parametrize(
    "body",
    [
        lambda a: {"retries": 1, "processInstanceIds": [None]},
        lambda a: {"retries": 1, "processInstanceIds": [a.instances[0], None]},
        lambda a: {"retries": 1, "processInstanceIds": [None], "externalTaskIds": a.tasks},
        lambda a: {"retries": -1, "processInstanceIds": [None], "externalTaskQuery": {}},
    ],
    ids=["only-null", "null-after-an-id", "with-task-ids", "before-negative-retries"],
)
def test_null_instance_id_fails_the_engines_task_query(
    client: FlaskClient, arranged: Arranged, body: Body
) -> None:
    # After rows 1 and 2, the ids go to an external task query, which refuses a null: a 500.
    response = post(client, body(arranged))
    assert_error(response, 500, "NullValueException", "processInstanceIdIn contains null value", 0)


# -- the batch ---------------------------------------------------------------------------


def test_created_batch_has_all_fields_and_can_be_read(
    client: FlaskClient, arranged: Arranged
) -> None:
    response = post(client, {"retries": 0, "externalTaskIds": arranged.tasks})
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=3)


def test_create_user_id_comes_from_basic_credentials(
    client: FlaskClient, arranged: Arranged
) -> None:
    response = post(
        client, {"retries": 1, "externalTaskIds": arranged.tasks[:1]}, headers=basic_auth("kermit")
    )
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=1, createUserId="kermit")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (lambda a: {"externalTaskIds": a.tasks[:2]}, 2),
        (lambda a: {"processInstanceIds": [a.instances[0], a.no_tasks]}, 1),
        (lambda a: {"externalTaskQuery": {"topicName": "reserve-stock"}}, 3),
        (lambda a: {"externalTaskQuery": {"processInstanceIdIn": a.instances[1:]}}, 2),
        (lambda a: {"processInstanceQuery": {"processDefinitionKey": "order"}}, 3),
        (lambda a: {"historicProcessInstanceQuery": {"processInstanceIds": a.instances[:1]}}, 1),
        (lambda a: {"externalTaskIds": [a.tasks[0], a.tasks[0]]}, 1),
        (
            lambda a: {
                "externalTaskIds": [a.tasks[0]],
                "processInstanceIds": [a.instances[0], a.instances[1]],
                "externalTaskQuery": {"externalTaskId": a.tasks[1]},
                "processInstanceQuery": {"processInstanceIds": [a.instances[1]]},
                "historicProcessInstanceQuery": {"processInstanceId": a.instances[0]},
            },
            2,
        ),
        (
            lambda a: {
                "externalTaskIds": [a.tasks[0]],
                "externalTaskQuery": {"externalTaskIdIn": a.tasks[1:]},
                "historicProcessInstanceQuery": {"processDefinitionKey": "order"},
            },
            3,
        ),
        (lambda a: {"externalTaskIds": [a.tasks[0], "unknown-1", "unknown-2"]}, 3),
        (lambda a: {"externalTaskIds": ["unknown-1"]}, 1),
    ],
    ids=[
        "task-ids-only",
        "instance-ids",
        "task-query",
        "task-query-by-instances",
        "instance-query",
        "historic-instance-query",
        "duplicate-ids-counted-once",
        "all-five-sources-overlapping",
        "ids-and-queries-union",
        "unknown-ids-kept-and-counted",
        "only-unknown-ids",
    ],
)
def test_total_jobs_counts_the_collected_tasks(
    client: FlaskClient, arranged: Arranged, selection: Body, expected: int
) -> None:
    assert created(post(client, {"retries": 1, **selection(arranged)})) == expected


def test_negative_retries_still_create_the_batch(client: FlaskClient, arranged: Arranged) -> None:
    assert created(post(client, {"retries": -3, "externalTaskIds": arranged.tasks})) == 3


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"invocations_per_batch_job": 3}, {"totalJobs": 3, "invocationsPerBatchJob": 3}),
        (
            {"invocations_per_batch_job_by_type": {BATCH_TYPE: 2}},
            {"totalJobs": 4, "invocationsPerBatchJob": 2},
        ),
        (
            {"invocations_per_batch_job_by_type": {"set-job-retries": 2}},
            {"totalJobs": 7, "invocationsPerBatchJob": 1},
        ),
        ({"batch_jobs_per_seed": 3}, {"totalJobs": 7, "batchJobsPerSeed": 3}),
    ],
    ids=["invocations-3", "own-type-override", "other-type-override", "jobs-per-seed"],
)
def test_batch_settings_shape_the_numbers(
    settings: dict[str, Any], expected: dict[str, int]
) -> None:
    client = make_app(**settings).test_client()
    ids = [f"task-{n}" for n in range(7)]  # unknown ids are kept, so 7 items without data
    response = post(client, {"retries": 1, "externalTaskIds": ids})
    assert_new_batch(client, response, BATCH_TYPE, **expected)


def test_retries_reach_the_tasks(
    client: FlaskClient, engine: MockEngine, arranged: Arranged
) -> None:
    response = post(client, {"retries": "5", "externalTaskIds": arranged.tasks[:2]})
    assert created(response) == 2
    assert client.post("/mock-api/jobs/run-due").status_code == 200
    retries = [engine.store.external_tasks[t].retries for t in arranged.tasks]
    assert retries == [5, 5, None]


# -- Jackson-level mapping --------------------------------------------------------------


def test_numeric_string_retries_are_accepted(client: FlaskClient, arranged: Arranged) -> None:
    assert created(post(client, {"retries": "5", "externalTaskIds": arranged.tasks})) == 3


@pytest.mark.parametrize(
    "body",
    [
        {"retries": "five", "externalTaskIds": ["t"]},
        {"retries": 1, "externalTaskIds": "t"},
        {"retries": 1, "processInstanceIds": "p"},
    ],
    ids=[
        "non-numeric-retries",
        "string-for-task-id-array",
        "string-for-instance-id-array",
    ],
)
def test_mapping_errors(client: FlaskClient, body: dict[str, Any]) -> None:
    assert_mapping_error(post(client, body))


def test_unknown_top_level_property_is_ignored(client: FlaskClient, arranged: Arranged) -> None:
    body = {"retries": 1, "externalTaskIds": arranged.tasks, "workerId": "w1"}
    assert created(post(client, body)) == 3
