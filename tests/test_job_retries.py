"""POST /process-instance/job-retries: the engine's checks in order, and the batch it creates.

The items of this batch are the jobs of the selected instances, so the arrangements give
instances a known number of jobs: an invoice instance has none, a reminder instance has one
timer job, and ``add_timer_jobs`` gives a reminder instance more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.engine import MockEngine
from mockserver.models import ProcessInstance
from tests.assertions import (
    IRE,
    PEE,
    assert_error,
    assert_mapping_error,
    assert_new_batch,
    basic_auth,
    total_jobs,
)
from tests.conftest import BASE, make_app

PATH = f"{BASE}/process-instance/job-retries"
BATCH_TYPE = "set-job-retries"
NO_SELECTION = (
    "ENGINE-13051 You must specify at least one of or one of processInstanceIds, "
    "processInstanceQuery, or historicProcessInstanceQuery."
)


# -- arrangements -----------------------------------------------------------------------


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    """The usual test app, or one built with the settings a test passes indirectly."""
    return make_app(**getattr(request, "param", {}))


@dataclass
class Arranged:
    """Instance ids with a known number of jobs."""

    no_jobs: str  # an invoice instance: a user task, no job
    one_job: str  # a reminder instance: its timer job
    three_jobs: str  # a reminder instance with two extra timer jobs


def add_timer_jobs(engine: MockEngine, instance: ProcessInstance, count: int) -> None:
    """Give a reminder instance ``count`` more timer jobs (extra tokens at the timer)."""
    with engine.store.lock:
        for _ in range(count):
            engine.runtime.enter(instance, "waitThreeDays")


def job_count(engine: MockEngine, instance_id: str) -> int:
    return len(engine.store.jobs_of_instance(instance_id))


@pytest.fixture
def arranged(engine: MockEngine, deploy: Callable, start: Callable) -> Arranged:
    (invoice,) = start(deploy("invoice.bpmn"))
    one, three = start(deploy("reminder.bpmn"), 2)
    add_timer_jobs(engine, three, 2)
    assert [job_count(engine, i.id) for i in (invoice, one, three)] == [0, 1, 3]
    return Arranged(no_jobs=invoice.id, one_job=one.id, three_jobs=three.id)


def post(client: FlaskClient, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(PATH, json=body, **kwargs)


def created(response: TestResponse) -> int:
    """``totalJobs`` of a job-retries batch."""
    return total_jobs(response, BATCH_TYPE)


# -- validation rows, in the engine's order ---------------------------------------------

Body = Callable[[Arranged], dict[str, Any]]

VALIDATION_ROWS: list[tuple[str, Body, int, str, str, int | None]] = [
    # row 1: retries
    ("1-retries-missing", lambda a: {"processInstances": [a.one_job]}, 400, IRE,
     "retries is null", None),
    ("1-retries-null", lambda a: {"retries": None, "processInstances": [a.one_job]}, 400, IRE,
     "retries is null", None),
    # row 2: no selection
    ("2-no-selection", lambda a: {"retries": 1}, 500, PEE, NO_SELECTION, 0),
    ("2-empty-instance-list", lambda a: {"retries": 1, "processInstances": []}, 500, PEE,
     NO_SELECTION, 0),
    ("2-null-selections",
     lambda a: {"retries": 1, "processInstances": None, "processInstanceQuery": None},
     500, PEE, NO_SELECTION, 0),
    ("2-historic-query-does-not-count",
     lambda a: {"retries": 1, "historicProcessInstanceQuery": {"processInstanceId": a.one_job}},
     500, PEE, NO_SELECTION, 0),
    # row 3: no job found
    ("3-unknown-instance-ids", lambda a: {"retries": 1, "processInstances": ["nope", "gone"]},
     400, IRE, "jobIds is empty", None),
    ("3-instance-without-jobs", lambda a: {"retries": 1, "processInstances": [a.no_jobs]},
     400, IRE, "jobIds is empty", None),
    ("3-query-matches-nothing",
     lambda a: {"retries": 1, "processInstanceQuery": {"businessKey": "no-such-key"}},
     400, IRE, "jobIds is empty", None),
    ("3-query-matches-instances-without-jobs",
     lambda a: {"retries": 1, "processInstanceQuery": {"processDefinitionKey": "invoice"}},
     400, IRE, "jobIds is empty", None),
    # row 4: negative retries, only once jobs were found
    ("4-negative-retries", lambda a: {"retries": -1, "processInstances": [a.one_job]},
     500, PEE, "Retries count is not greater than or equal to 0", 0),
    # order: a body breaking two rules gets the earlier row's answer
    ("order-1-before-2", lambda a: {}, 400, IRE, "retries is null", None),
    ("order-1-before-3", lambda a: {"processInstances": ["nope"]}, 400, IRE,
     "retries is null", None),
    ("order-2-before-4", lambda a: {"retries": -1}, 500, PEE, NO_SELECTION, 0),
    ("order-3-before-4", lambda a: {"retries": -1, "processInstances": [a.no_jobs]},
     400, IRE, "jobIds is empty", None),
    ("order-mapping-before-1", lambda a: {"processInstances": [a.one_job], "dueDate": "soon"},
     400, IRE, "", None),
    ("order-mapping-before-2", lambda a: {"retries": "many"}, 400, IRE, "", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "type_", "message", "code"),
    [row[1:] for row in VALIDATION_ROWS],
    ids=[row[0] for row in VALIDATION_ROWS],
)
def test_validation_rows(
    client: FlaskClient,
    arranged: Arranged,
    body: Body,
    status: int,
    type_: str,
    message: str,
    code: int | None,
) -> None:
    assert_error(post(client, body(arranged)), status, type_, message, code)


# -- the batch ---------------------------------------------------------------------------


def test_created_batch_has_all_fields_and_can_be_read(
    client: FlaskClient, arranged: Arranged
) -> None:
    response = post(client, {"retries": 2, "processInstances": [arranged.three_jobs]})
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=3)


def test_create_user_id_comes_from_basic_credentials(
    client: FlaskClient, arranged: Arranged
) -> None:
    body = {"retries": 1, "processInstances": [arranged.one_job]}
    response = post(client, body, headers=basic_auth("demo"))
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=1, createUserId="demo")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (lambda a: {"processInstances": [a.no_jobs, a.one_job, a.three_jobs]}, 4),
        (lambda a: {"processInstances": [a.three_jobs]}, 3),
        (lambda a: {"processInstances": [a.no_jobs, a.one_job]}, 1),
        (lambda a: {"processInstanceQuery": {"processDefinitionKey": "paymentReminder"}}, 4),
        (lambda a: {"processInstanceQuery": {"processInstanceIds": [a.three_jobs]}}, 3),
        (
            lambda a: {
                "processInstances": [a.one_job, a.three_jobs],
                "processInstanceQuery": {"processInstanceIds": [a.three_jobs, a.no_jobs]},
            },
            4,
        ),
        (lambda a: {"processInstances": [a.one_job, "unknown-1", "unknown-2"]}, 1),
        (
            lambda a: {
                "processInstances": [a.one_job],
                "historicProcessInstanceQuery": {"processInstanceId": a.three_jobs},
            },
            1,
        ),
    ],
    ids=[
        "ids-count-all-jobs-of-each-instance",
        "one-instance-with-three-jobs",
        "instance-without-jobs-adds-nothing",
        "query-only",
        "query-by-ids",
        "ids-and-query-overlap-counted-once",
        "unknown-ids-add-nothing",
        "historic-query-is-ignored",
    ],
)
def test_total_jobs_counts_the_jobs_of_the_selected_instances(
    client: FlaskClient, arranged: Arranged, selection: Body, expected: int
) -> None:
    assert created(post(client, {"retries": 1, **selection(arranged)})) == expected


def test_a_null_instance_id_selects_no_job_not_even_a_batch_job(
    client: FlaskClient, arranged: Arranged
) -> None:
    # Another batch's seed job belongs to no instance: a null id must not select it
    # (measured on 7.24.0: [null] is "jobIds is empty", [id, null] the id's jobs only).
    assert created(post(client, {"retries": 1, "processInstances": [arranged.one_job]})) == 1
    nothing = post(client, {"retries": 1, "processInstances": [None]})
    assert_error(nothing, 400, IRE, "jobIds is empty", None)
    selected = {"retries": 1, "processInstances": [arranged.three_jobs, None]}
    assert created(post(client, selected)) == 3


def test_every_job_kind_counts_suspended_ones_too(
    client: FlaskClient, engine: MockEngine, deploy: Callable, start: Callable
) -> None:
    (order,) = start(deploy("order.bpmn"))
    (reminder,) = start(deploy("reminder.bpmn"))
    with engine.store.lock:
        (task,) = engine.store.external_tasks_of_instance(order.id)
        engine.runtime.complete_external_task(task)  # now waits at the async chargeCard job
        engine.runtime.set_suspended(reminder, True)
    kinds = {j.job_definition.job_type for j in engine.store.jobs.values()}
    assert kinds == {"async-continuation", "timer-intermediate-transition"}
    assert all(j.suspended for j in engine.store.jobs_of_instance(reminder.id))
    response = post(client, {"retries": 1, "processInstances": [order.id, reminder.id]})
    assert created(response) == 2


@pytest.mark.parametrize(
    ("app", "extra_jobs", "expected"),
    [
        ({"invocations_per_batch_job": 3}, 3, {"totalJobs": 3, "invocationsPerBatchJob": 3}),
        ({"invocations_per_batch_job": 3}, 2, {"totalJobs": 2, "invocationsPerBatchJob": 3}),
        (
            {"invocations_per_batch_job_by_type": {BATCH_TYPE: 2}},
            1,
            {"totalJobs": 3, "invocationsPerBatchJob": 2},
        ),
        ({"batch_jobs_per_seed": 7}, 0, {"totalJobs": 4, "batchJobsPerSeed": 7}),
    ],
    ids=["invocations-3-of-7", "invocations-3-of-6", "per-type-override-2-of-5", "jobs-per-seed"],
    indirect=["app"],
)
def test_batch_settings_shape_the_numbers(
    client: FlaskClient,
    engine: MockEngine,
    arranged: Arranged,
    extra_jobs: int,
    expected: dict[str, int],
) -> None:
    add_timer_jobs(engine, engine.store.instances[arranged.three_jobs], extra_jobs)
    body = {"retries": 1, "processInstances": [arranged.one_job, arranged.three_jobs]}
    assert_new_batch(client, post(client, body), BATCH_TYPE, **expected)


def test_per_type_override_leaves_other_batch_types_alone() -> None:
    client = make_app(invocations_per_batch_job_by_type={BATCH_TYPE: 2}).test_client()
    response = client.post(
        f"{BASE}/process-instance/suspended-async", json={"processInstanceIds": ["a", "b", "c"]}
    )
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["invocationsPerBatchJob"], response.get_json()["totalJobs"]) == (
        1,
        3,
    )


# -- dueDate and Jackson-level mapping --------------------------------------------------


@pytest.mark.parametrize(
    "due_date",
    ["2025-02-01T08:00:00.000+0100", "2030-12-31T23:59:59.999-0500", None],
    ids=["engine-format", "negative-offset", "null"],
)
def test_due_date_in_engine_format_is_accepted(
    client: FlaskClient, arranged: Arranged, due_date: str | None
) -> None:
    body = {"retries": 1, "processInstances": [arranged.three_jobs], "dueDate": due_date}
    assert created(post(client, body)) == 3


@pytest.mark.parametrize(
    "due_date",
    ["2025-02-01", "2025-02-01T08:00:00Z", "2025-02-01T08:00:00.000", "01.02.2025 08:00", "soon"],
    ids=["date-only", "iso-zulu", "no-offset", "german", "word"],
)
def test_due_date_in_another_format_is_a_mapping_error(
    client: FlaskClient, arranged: Arranged, due_date: str
) -> None:
    body = {"retries": 1, "processInstances": [arranged.one_job], "dueDate": due_date}
    assert_mapping_error(post(client, body))


def test_due_date_and_retries_reach_the_jobs(
    client: FlaskClient, engine: MockEngine, arranged: Arranged
) -> None:
    due = "2099-01-31T10:15:00.000+0100"
    body = {"retries": "5", "processInstances": [arranged.three_jobs], "dueDate": due}
    assert created(post(client, body)) == 3
    assert client.post("/mock-api/jobs/run-due").status_code == 200
    jobs = engine.store.jobs_of_instance(arranged.three_jobs)
    expected_due = datetime(2099, 1, 31, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    assert [(j.retries, j.due_date) for j in jobs] == [(5, expected_due)] * 3


def test_numeric_string_retries_are_accepted(client: FlaskClient, arranged: Arranged) -> None:
    assert created(post(client, {"retries": "5", "processInstances": [arranged.one_job]})) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"retries": "five", "processInstances": ["p"]},
        {"retries": 2**31, "processInstances": ["p"]},
        {"retries": 1, "processInstances": "p"},
        {"retries": 1, "processInstanceQuery": "p"},
    ],
    ids=[
        "non-numeric-retries",
        "retries-beyond-int32",
        "string-for-instance-array",
        "string-for-query-object",
    ],
)
def test_mapping_errors(client: FlaskClient, body: dict[str, Any]) -> None:
    assert_mapping_error(post(client, body))


def test_unknown_top_level_property_is_ignored(client: FlaskClient, arranged: Arranged) -> None:
    body = {"retries": 1, "processInstances": [arranged.one_job], "priority": "high"}
    assert created(post(client, body)) == 1
