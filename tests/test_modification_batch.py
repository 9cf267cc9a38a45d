"""POST /modification/executeAsync: the engine's checks in order, and the batch it creates.

Items are process instance ids (explicit ids, unknown ones kept, plus both queries' results),
de-duplicated; ``tenantId`` is the definition's tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
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

PATH = f"{BASE}/modification/executeAsync"
BATCH_TYPE = "instance-modification"
NO_DEFINITION = "processDefinitionId is null"
NO_INSTRUCTIONS = "Modification instructions cannot be empty is empty"
NO_INSTANCES = "Process instance ids cannot be empty: Process instance ids is empty"
NULL_ID = "Process instance ids cannot be null: Process instance ids contains null value"
CANCEL = {"type": "cancel", "activityId": "reserveStock"}
START = {"type": "startBeforeActivity", "activityId": "packGoods"}


def needs(kind: str, field: str = "activityId") -> str:
    """The instruction DTO's message for an instruction lacking its id."""
    return f"For instruction type '{kind}': '{field}' must be set"


def unknown_definition(definition_id: str) -> str:
    return (
        f"no deployed process definition found with id '{definition_id}': processDefinition is null"
    )


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    """The usual test app, or one built with the settings a test passes indirectly."""
    return make_app(**getattr(request, "param", {}))


@dataclass
class Arranged:
    """Three running order instances of ``definition`` and an ended one."""

    definition: str
    instances: list[str]
    ended: str


@pytest.fixture
def arranged(engine: MockEngine, deploy: Callable, start: Callable) -> Arranged:
    definition = deploy("order.bpmn")
    *running, ended = start(definition, 4)
    with engine.store.lock:
        engine.runtime.cancel(ended)
    return Arranged(definition=definition.id, instances=[i.id for i in running], ended=ended.id)


def post(client: FlaskClient, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(PATH, json=body, **kwargs)


def created(response: TestResponse) -> int:
    """``totalJobs`` of a modification batch."""
    return total_jobs(response, BATCH_TYPE)


def modify(a: Arranged, **fields: Any) -> dict[str, Any]:
    """A valid body (definition, one cancel, the running instances) with ``fields`` replaced."""
    body = {"processDefinitionId": a.definition, "instructions": [CANCEL]}
    return body | {"processInstanceIds": a.instances} | fields


# -- validation rows, in the engine's order ---------------------------------------------

Body = Callable[[Arranged], dict[str, Any]]

VALIDATION_ROWS: list[tuple[str, Body, str]] = [
    ("1-definition-missing", lambda a: {"instructions": [CANCEL], "processInstanceIds": ["p"]},
     NO_DEFINITION),
    ("1-definition-null", lambda a: modify(a, processDefinitionId=None), NO_DEFINITION),
    ("2-cancel-without-activity", lambda a: modify(a, instructions=[{"type": "cancel"}]),
     needs("cancel")),
    ("2-start-before-without-activity",
     lambda a: modify(a, instructions=[{"type": "startBeforeActivity", "activityId": None}]),
     needs("startBeforeActivity")),
    ("2-start-after-without-activity",
     lambda a: modify(a, instructions=[{"type": "startAfterActivity"}]),
     needs("startAfterActivity")),
    ("2-transition-without-id",
     lambda a: modify(a, instructions=[{"type": "startTransition", "activityId": "toPack"}]),
     needs("startTransition", "transitionId")),
    ("2-first-bad-instruction-in-list-order",
     lambda a: modify(a, instructions=[CANCEL, {"type": "startTransition"}, {"type": "cancel"}]),
     needs("startTransition", "transitionId")),
    ("3-instructions-missing",
     lambda a: {"processDefinitionId": a.definition, "processInstanceIds": a.instances},
     NO_INSTRUCTIONS),
    ("3-instructions-null", lambda a: modify(a, instructions=None), NO_INSTRUCTIONS),
    ("3-instructions-empty", lambda a: modify(a, instructions=[]), NO_INSTRUCTIONS),
    ("4-no-selection", lambda a: {"processDefinitionId": a.definition, "instructions": [CANCEL]},
     NO_INSTANCES),
    ("4-empty-id-list", lambda a: modify(a, processInstanceIds=[]), NO_INSTANCES),
    ("4-queries-match-nothing",
     lambda a: modify(a, processInstanceIds=None,
                      processInstanceQuery={"businessKey": "none"},
                      historicProcessInstanceQuery={"processDefinitionKey": "none"}),
     NO_INSTANCES),
    ("4-runtime-query-skips-ended",
     lambda a: modify(a, processInstanceIds=None,
                      processInstanceQuery={"processInstanceIds": [a.ended]}),
     NO_INSTANCES),
    ("5-null-id", lambda a: modify(a, processInstanceIds=[a.instances[0], None]), NULL_ID),
    ("5-only-null-id", lambda a: modify(a, processInstanceIds=[None]), NULL_ID),
    ("6-unknown-definition", lambda a: modify(a, processDefinitionId="order:9:nope"),
     unknown_definition("order:9:nope")),
    # order: a body breaking two rules gets the earlier row's answer
    ("order-1-before-2",
     lambda a: modify(a, processDefinitionId=None, instructions=[{"type": "cancel"}]),
     NO_DEFINITION),
    ("order-1-before-3", lambda a: {}, NO_DEFINITION),
    ("order-2-before-4",
     lambda a: modify(a, instructions=[{"type": "startAfterActivity"}], processInstanceIds=[]),
     needs("startAfterActivity")),
    ("order-3-before-4",
     lambda a: {"processDefinitionId": a.definition, "instructions": []}, NO_INSTRUCTIONS),
    ("order-4-before-6",
     lambda a: modify(a, processDefinitionId="nope", processInstanceIds=[]), NO_INSTANCES),
    ("order-5-before-6",
     lambda a: modify(a, processDefinitionId="nope", processInstanceIds=[None]), NULL_ID),
    ("order-mapping-before-1",
     lambda a: {"instructions": [{"type": "jump", "activityId": "packGoods"}]}, ""),
    ("order-mapping-before-2",
     lambda a: modify(a, instructions=[{"type": "cancel"}, {"activityId": "packGoods"}]), ""),
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
    response = post(client, modify(arranged, instructions=[START, CANCEL]))
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=3, tenantId=None)


def test_tenant_and_user_are_recorded(
    client: FlaskClient, deploy: Callable, start: Callable
) -> None:
    definition = deploy("order.bpmn", tenant_id="tenant-a")
    instances = [i.id for i in start(definition, 2)]
    body = {"processDefinitionId": definition.id, "instructions": [CANCEL]}
    response = post(client, body | {"processInstanceIds": instances}, headers=basic_auth("fozzie"))
    assert_new_batch(
        client, response, BATCH_TYPE, totalJobs=2, tenantId="tenant-a", createUserId="fozzie"
    )


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (lambda a: {"processInstanceIds": a.instances[:2]}, 2),
        (lambda a: {"processInstanceQuery": {"processDefinitionId": a.definition}}, 3),
        (lambda a: {"historicProcessInstanceQuery": {"processDefinitionKey": "order"}}, 4),
        (
            lambda a: {
                "historicProcessInstanceQuery": {
                    "processDefinitionKey": "order",
                    "unfinished": True,
                }
            },
            3,
        ),
        (
            lambda a: {
                "processInstanceIds": a.instances[:2],
                "processInstanceQuery": {"processInstanceIds": a.instances[1:]},
            },
            3,
        ),
        (
            lambda a: {
                "processInstanceIds": [a.instances[0]],
                "processInstanceQuery": {"processInstanceIds": [a.instances[0]]},
                "historicProcessInstanceQuery": {"processInstanceId": a.instances[0]},
            },
            1,
        ),
        (lambda a: {"processInstanceIds": [a.instances[0], "unknown-1", "unknown-2"]}, 3),
        (lambda a: {"processInstanceIds": [a.ended]}, 1),
    ],
    ids=[
        "ids-only",
        "query-only",
        "historic-query-includes-ended",
        "historic-query-unfinished",
        "ids-and-query-overlap-counted-once",
        "all-three-same-instance",
        "unknown-ids-kept-and-counted",
        "ended-instance-not-checked-at-creation",
    ],
)
def test_total_jobs_counts_the_collected_instances(
    client: FlaskClient, arranged: Arranged, selection: Body, expected: int
) -> None:
    body = {"processDefinitionId": arranged.definition, "instructions": [CANCEL]}
    assert created(post(client, body | selection(arranged))) == expected


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ({"invocations_per_batch_job": 3}, {"totalJobs": 3, "invocationsPerBatchJob": 3}),
        (
            {"invocations_per_batch_job_by_type": {BATCH_TYPE: 5}},
            {"totalJobs": 2, "invocationsPerBatchJob": 5},
        ),
        ({"batch_jobs_per_seed": 9}, {"totalJobs": 7, "batchJobsPerSeed": 9}),
    ],
    ids=["invocations-3-of-7", "own-type-override-5-of-7", "jobs-per-seed"],
    indirect=["app"],
)
def test_batch_settings_shape_the_numbers(
    client: FlaskClient, arranged: Arranged, expected: dict[str, int]
) -> None:
    ids = [*arranged.instances, *(f"unknown-{n}" for n in range(4))]  # 3 running + 4 unknown
    response = post(client, modify(arranged, processInstanceIds=ids))
    assert_new_batch(client, response, BATCH_TYPE, **expected)


# -- Jackson-level mapping --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"instructions": [{"type": "jump", "activityId": "packGoods"}]},
        {"instructions": [{"activityId": "packGoods"}]},
        {"instructions": CANCEL},
        {"instructions": "cancel"},
        {"processInstanceIds": "p"},
        {"skipCustomListeners": "often"},
    ],
    ids=[
        "unknown-instruction-type",
        "instruction-without-type",
        "object-for-instruction-array",
        "string-for-instruction-array",
        "string-for-id-array",
        "non-boolean-string-for-flag",
    ],
)
def test_mapping_errors(client: FlaskClient, arranged: Arranged, fields: dict[str, Any]) -> None:
    assert_mapping_error(post(client, modify(arranged, **fields)))


@pytest.mark.parametrize(
    "fields",
    [
        {"priority": 3},
        {"skipCustomListeners": "true", "skipIoMappings": False, "annotation": "why not"},
        {
            "instructions": [
                START | {"activityInstanceId": "x", "variables": {"v": {"value": 1}}},
                CANCEL | {"cancelCurrentActiveActivityInstances": True},
                {"type": "startTransition", "transitionId": "toPack"},
                {"type": "startAfterActivity", "activityId": "chargeCard"},
            ]
        },
    ],
    ids=["unknown-top-level-property", "flags-and-annotation", "every-instruction-type"],
)
def test_accepted_bodies(client: FlaskClient, arranged: Arranged, fields: dict[str, Any]) -> None:
    assert created(post(client, modify(arranged, **fields))) == 3
