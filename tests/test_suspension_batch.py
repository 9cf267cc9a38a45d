"""POST /process-instance/suspended-async: the engine's checks in order, and the batch.

Items are process instance ids: explicit ids (unknown ones kept), the runtime query's and
the historic query's results, de-duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.engine import MockEngine
from tests.assertions import (
    IRE,
    assert_error,
    assert_mapping_error,
    assert_new_batch,
    basic_auth,
    total_jobs,
)
from tests.conftest import BASE, make_app

PATH = f"{BASE}/process-instance/suspended-async"
BATCH_TYPE = "instance-update-suspension-state"
NOTHING_SET = (
    "Either processInstanceIds, processInstanceQuery or historicProcessInstanceQuery "
    "should be set to update the suspension state."
)
NULL_ID = "Cannot be null.: Process Instance ids contains null value"
NOTHING = "No process instance ids given: process Instance Ids is empty"


@dataclass
class Arranged:
    """Two running order instances, one running invoice instance, one ended invoice instance."""

    orders: list[str]
    invoice: str
    ended: str


@pytest.fixture
def arranged(engine: MockEngine, deploy: Callable, start: Callable) -> Arranged:
    orders = start(deploy("order.bpmn"), 2)
    invoice, ended = start(deploy("invoice.bpmn"), 2)
    with engine.store.lock:
        engine.runtime.cancel(ended)
    return Arranged(orders=[i.id for i in orders], invoice=invoice.id, ended=ended.id)


def post(client: FlaskClient, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(PATH, json=body, **kwargs)


def created(response: TestResponse) -> int:
    """``totalJobs`` of a suspension batch."""
    return total_jobs(response, BATCH_TYPE)


def run_batches(client: FlaskClient) -> None:
    assert client.post("/mock-api/jobs/run-due").status_code == 200


# -- validation rows, in the engine's order ---------------------------------------------

Body = Callable[[Arranged], dict[str, Any]]

VALIDATION_ROWS: list[tuple[str, Body, str]] = [
    ("1-nothing-set", lambda a: {}, NOTHING_SET),
    ("1-only-suspended-flag", lambda a: {"suspended": True}, NOTHING_SET),
    ("1-all-selections-null",
     lambda a: {"suspended": True, "processInstanceIds": None, "processInstanceQuery": None,
                "historicProcessInstanceQuery": None},
     NOTHING_SET),
    ("2-null-id", lambda a: {"processInstanceIds": [a.orders[0], None]}, NULL_ID),
    ("3-empty-id-list-counts-as-set", lambda a: {"processInstanceIds": []}, NOTHING),
    ("3-query-matches-nothing",
     lambda a: {"processInstanceQuery": {"businessKey": "no-such-key"}}, NOTHING),
    ("3-query-skips-ended-instances",
     lambda a: {"processInstanceQuery": {"processInstanceIds": [a.ended]}}, NOTHING),
    ("3-historic-query-matches-nothing",
     lambda a: {"historicProcessInstanceQuery": {"processDefinitionKey": "x"}}, NOTHING),
    ("3-empty-list-and-empty-queries",
     lambda a: {"processInstanceIds": [],
                "processInstanceQuery": {"processDefinitionKey": "x"},
                "historicProcessInstanceQuery": {"processInstanceBusinessKey": "y"}},
     NOTHING),
    # order: a body breaking two rules gets the earlier row's answer
    ("order-2-before-3", lambda a: {"processInstanceIds": [None]}, NULL_ID),
    ("order-2-before-3-with-empty-query",
     lambda a: {"processInstanceIds": [None], "processInstanceQuery": {"businessKey": "x"}},
     NULL_ID),
    ("order-mapping-before-1", lambda a: {"suspended": "maybe"}, ""),
    ("order-mapping-before-2", lambda a: {"processInstanceIds": [None], "suspended": []}, ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [row[1:] for row in VALIDATION_ROWS],
    ids=[row[0] for row in VALIDATION_ROWS],
)
def test_validation_rows(client: FlaskClient, arranged: Arranged, body: Body, message: str) -> None:
    assert_error(post(client, body(arranged)), 400, IRE, message, None)


# -- the batch ---------------------------------------------------------------------------


def test_created_batch_has_all_fields_and_can_be_read(
    client: FlaskClient, arranged: Arranged
) -> None:
    response = post(client, {"suspended": True, "processInstanceIds": arranged.orders})
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=2)


def test_create_user_id_comes_from_basic_credentials(
    client: FlaskClient, arranged: Arranged
) -> None:
    body = {"suspended": True, "processInstanceIds": arranged.orders}
    response = post(client, body, headers=basic_auth("piggy"))
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=2, createUserId="piggy")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (lambda a: {"processInstanceIds": a.orders}, 2),
        (lambda a: {"processInstanceQuery": {"processDefinitionKey": "invoice"}}, 1),
        (lambda a: {"historicProcessInstanceQuery": {"processDefinitionKey": "invoice"}}, 2),
        (
            lambda a: {
                "processInstanceIds": [a.orders[0], a.invoice],
                "processInstanceQuery": {"processDefinitionKey": "order"},
            },
            3,
        ),
        (
            lambda a: {
                "processInstanceIds": [a.orders[0]],
                "processInstanceQuery": {"processInstanceIds": [a.orders[0], a.orders[1]]},
                "historicProcessInstanceQuery": {"processInstanceIds": [a.orders[1], a.ended]},
            },
            3,
        ),
        (lambda a: {"processInstanceIds": [a.orders[0], a.orders[0]]}, 1),
        (lambda a: {"processInstanceIds": [a.orders[0], "unknown-1", "unknown-2"]}, 3),
        (lambda a: {"processInstanceIds": [], "processInstanceQuery": {"active": True}}, 3),
    ],
    ids=[
        "ids-only",
        "query-only",
        "historic-query-includes-ended",
        "ids-and-query-overlap-counted-once",
        "all-three-overlapping",
        "duplicate-ids-counted-once",
        "unknown-ids-kept-and-counted",
        "empty-list-plus-query",
    ],
)
def test_total_jobs_counts_the_collected_instances(
    client: FlaskClient, arranged: Arranged, selection: Body, expected: int
) -> None:
    assert created(post(client, {"suspended": True, **selection(arranged)})) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"invocations_per_batch_job": 3}, {"totalJobs": 3, "invocationsPerBatchJob": 3}),
        (
            {"invocations_per_batch_job_by_type": {BATCH_TYPE: 4}},
            {"totalJobs": 2, "invocationsPerBatchJob": 4},
        ),
        ({"batch_jobs_per_seed": 2}, {"totalJobs": 7, "batchJobsPerSeed": 2}),
    ],
    ids=["invocations-3-of-7", "own-type-override-4-of-7", "jobs-per-seed"],
)
def test_batch_settings_shape_the_numbers(
    settings: dict[str, Any], expected: dict[str, int]
) -> None:
    client = make_app(**settings).test_client()
    ids = [f"instance-{n}" for n in range(7)]  # unknown ids are kept: 7 items without data
    response = post(client, {"suspended": True, "processInstanceIds": ids})
    assert_new_batch(client, response, BATCH_TYPE, **expected)


def instance_states(client: FlaskClient, ids: list[str]) -> list[bool]:
    return [client.get(f"{BASE}/process-instance/{i}").get_json()["suspended"] for i in ids]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [({"suspended": True}, True), ({"suspended": False}, False), ({}, False)],
    ids=["true-suspends", "false-activates", "missing-activates"],
)
def test_suspended_flag_decides_the_new_state(
    client: FlaskClient,
    engine: MockEngine,
    arranged: Arranged,
    flag: dict[str, bool],
    expected: bool,
) -> None:
    with engine.store.lock:
        engine.runtime.set_suspended(engine.store.instances[arranged.orders[0]], True)
    assert instance_states(client, arranged.orders) == [True, False]
    assert created(post(client, {**flag, "processInstanceIds": arranged.orders})) == 2
    run_batches(client)
    assert instance_states(client, arranged.orders) == [expected, expected]


# -- Jackson-level mapping --------------------------------------------------------------


def test_boolean_string_is_accepted(client: FlaskClient, arranged: Arranged) -> None:
    response = post(client, {"suspended": "true", "processInstanceIds": arranged.orders})
    assert created(response) == 2
    run_batches(client)
    assert instance_states(client, arranged.orders) == [True, True]


@pytest.mark.parametrize(
    "body",
    [
        {"suspended": "yes", "processInstanceIds": ["p"]},
        {"suspended": True, "processInstanceIds": "p"},
        {"suspended": True, "processInstanceQuery": ["p"]},
    ],
    ids=[
        "non-boolean-string",
        "string-for-id-array",
        "array-for-query-object",
    ],
)
def test_mapping_errors(client: FlaskClient, body: dict[str, Any]) -> None:
    assert_mapping_error(post(client, body))


def test_unknown_top_level_property_is_ignored(client: FlaskClient, arranged: Arranged) -> None:
    body = {"suspended": True, "processInstanceIds": arranged.orders, "includeJobs": True}
    assert created(post(client, body)) == 2
