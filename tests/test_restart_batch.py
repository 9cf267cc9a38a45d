"""POST /process-definition/{id}/restart-async (and the by-key variant): checks and batch.

Items are historic (ended) process instance ids: explicit ids (not checked at creation) and
the historic query's results, de-duplicated; ``tenantId`` is the definition's tenant.
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

BATCH_TYPE = "instance-restart"
START = {"type": "startBeforeActivity", "activityId": "approveInvoice"}
NO_INSTANCES = "processInstanceIds is empty"
NO_INSTRUCTIONS = "Restart instructions cannot be empty: instructions is empty"
NULL_ID = "Process instance ids cannot be null: processInstanceIds contains null value"


def needs(kind: str, field: str = "activityId") -> str:
    """The instruction DTO's message for an instruction lacking its id."""
    return f"For instruction type '{kind}': '{field}' must be set"


def unknown_definition(definition_id: str) -> str:
    return (
        f"no deployed process definition found with id '{definition_id}': processDefinition is null"
    )


def restart_path(definition_id: str) -> str:
    return f"{BASE}/process-definition/{definition_id}/restart-async"


def by_key_path(key: str) -> str:
    return f"{BASE}/process-definition/key/{key}/restart-async"


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    """The usual test app, or one built with the settings a test passes indirectly."""
    return make_app(**getattr(request, "param", {}))


def end(engine: MockEngine, instances: list[ProcessInstance]) -> list[str]:
    """Delete running instances, which leaves them as ended historic instances."""
    with engine.store.lock:
        for instance in instances:
            engine.runtime.cancel(instance)
    return [i.id for i in instances]


@dataclass
class Arranged:
    """An invoice definition with three ended instances and one running instance."""

    definition: str
    ended: list[str]
    running: str


@pytest.fixture
def arranged(engine: MockEngine, deploy: Callable, start: Callable) -> Arranged:
    definition = deploy("invoice.bpmn")
    *finished, running = start(definition, 4)
    return Arranged(definition=definition.id, ended=end(engine, finished), running=running.id)


def post(client: FlaskClient, path: str, body: Any, **kwargs: Any) -> TestResponse:
    return client.post(path, json=body, **kwargs)


def created(response: TestResponse) -> int:
    """``totalJobs`` of a restart batch."""
    return total_jobs(response, BATCH_TYPE)


def restart(a: Arranged, **fields: Any) -> dict[str, Any]:
    """A valid body (one start instruction, the ended instances) with ``fields`` replaced."""
    return {"instructions": [START], "processInstanceIds": a.ended} | fields


# -- validation rows, in the engine's order ---------------------------------------------

Body = Callable[[Arranged], dict[str, Any]]

VALIDATION_ROWS: list[tuple[str, Body, str]] = [
    ("1-start-before-without-activity",
     lambda a: restart(a, instructions=[{"type": "startBeforeActivity"}]),
     needs("startBeforeActivity")),
    ("1-start-after-without-activity",
     lambda a: restart(a, instructions=[START, {"type": "startAfterActivity", "activityId": None}]),
     needs("startAfterActivity")),
    ("1-transition-without-id",
     lambda a: restart(a, instructions=[{"type": "startTransition", "activityId": "toApprove"}]),
     needs("startTransition", "transitionId")),
    ("3-no-selection", lambda a: {"instructions": [START]}, NO_INSTANCES),
    ("3-empty-id-list", lambda a: restart(a, processInstanceIds=[]), NO_INSTANCES),
    ("3-historic-query-matches-nothing",
     lambda a: restart(a, processInstanceIds=None,
                       historicProcessInstanceQuery={"processDefinitionKey": "nope"}),
     NO_INSTANCES),
    ("4-instructions-empty", lambda a: restart(a, instructions=[]), NO_INSTRUCTIONS),
    ("4-only-cancel-instructions",
     lambda a: restart(a, instructions=[{"type": "cancel", "activityId": "approveInvoice"}]),
     NO_INSTRUCTIONS),
    ("5-null-id", lambda a: restart(a, processInstanceIds=[a.ended[0], None]), NULL_ID),
    ("5-only-null-id", lambda a: restart(a, processInstanceIds=[None]), NULL_ID),
    # order: a body breaking two rules gets the earlier row's answer
    ("order-1-before-3",
     lambda a: {"instructions": [{"type": "startTransition"}]},
     needs("startTransition", "transitionId")),
    ("order-1-before-5",
     lambda a: restart(a, instructions=[{"type": "startAfterActivity"}],
                       processInstanceIds=[None]),
     needs("startAfterActivity")),
    ("order-3-before-4", lambda a: {"instructions": []}, NO_INSTANCES),
    ("order-3-before-4-only-cancel",
     lambda a: {"instructions": [{"type": "cancel", "activityId": "approveInvoice"}],
                "processInstanceIds": []},
     NO_INSTANCES),
    ("order-4-before-5", lambda a: restart(a, instructions=[], processInstanceIds=[None]),
     NO_INSTRUCTIONS),
    ("order-mapping-before-1",
     lambda a: restart(a, instructions=[{"type": "startBeforeActivity"}, {"type": "jump"}]), ""),
    ("order-mapping-before-3", lambda a: {"instructions": [{"activityId": "approveInvoice"}]},
     ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [row[1:] for row in VALIDATION_ROWS],
    ids=[row[0] for row in VALIDATION_ROWS],
)
def test_validation_rows(client: FlaskClient, arranged: Arranged, body: Body, message: str) -> None:
    response = post(client, restart_path(arranged.definition), body(arranged))
    assert_error(response, 400, IRE, message, None)


@pytest.mark.parametrize(
    ("body", "deployed"),
    [
        (lambda a: {"processInstanceIds": a.ended}, True),
        (lambda a: restart(a, instructions=None), True),
        (lambda a: {}, True),
        (lambda a: {"processInstanceIds": [None]}, True),
        (lambda a: {"processInstanceIds": a.ended}, False),
    ],
    ids=[
        "2-instructions-missing",
        "2-instructions-null",
        "order-2-before-3",
        "order-2-before-5",
        "order-2-before-6",
    ],
)
def test_missing_instructions_is_a_null_pointer_exception(
    client: FlaskClient, arranged: Arranged, body: Body, deployed: bool
) -> None:
    path = restart_path(arranged.definition if deployed else "invoice:7:nope")
    message = 'Cannot invoke "java.util.List.iterator()" because "this.instructions" is null'
    assert_error(post(client, path, body(arranged)), 500, "NullPointerException", message, None)


@pytest.mark.parametrize(
    ("definition_id", "fields", "message"),
    [
        ("invoice:7:nope", {}, unknown_definition("invoice:7:nope")),
        ("nope", {"processInstanceIds": ["unknown-instance"]}, unknown_definition("nope")),
        ("nope", {"processInstanceIds": []}, NO_INSTANCES),
        ("nope", {"instructions": []}, NO_INSTRUCTIONS),
        ("nope", {"processInstanceIds": [None]}, NULL_ID),
        (
            "nope",
            {"instructions": [{"type": "startTransition"}]},
            needs("startTransition", "transitionId"),
        ),
    ],
    ids=[
        "6-unknown-definition",
        "6-unknown-definition-unknown-instance",
        "order-3-before-6",
        "order-4-before-6",
        "order-5-before-6",
        "order-1-before-6",
    ],
)
def test_unknown_definition_is_checked_last(
    client: FlaskClient, arranged: Arranged, definition_id: str, fields: dict, message: str
) -> None:
    response = post(client, restart_path(definition_id), restart(arranged, **fields))
    assert_error(response, 400, IRE, message, None)


# -- the batch ---------------------------------------------------------------------------


def test_created_batch_has_all_fields_and_can_be_read(
    client: FlaskClient, arranged: Arranged
) -> None:
    response = post(client, restart_path(arranged.definition), restart(arranged))
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=3, tenantId=None)


def test_tenant_and_user_are_recorded(
    client: FlaskClient, engine: MockEngine, deploy: Callable, start: Callable
) -> None:
    definition = deploy("invoice.bpmn", tenant_id="tenant-b")
    ended = end(engine, start(definition, 2))
    response = post(
        client,
        restart_path(definition.id),
        {"instructions": [START], "processInstanceIds": ended},
        headers=basic_auth("gonzo"),
    )
    assert_new_batch(
        client, response, BATCH_TYPE, totalJobs=2, tenantId="tenant-b", createUserId="gonzo"
    )


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (lambda a: {"processInstanceIds": a.ended[:2]}, 2),
        (lambda a: {"historicProcessInstanceQuery": {"processDefinitionId": a.definition}}, 4),
        (
            lambda a: {
                "historicProcessInstanceQuery": {
                    "processDefinitionKey": "invoice",
                    "finished": True,
                }
            },
            3,
        ),
        (
            lambda a: {
                "processInstanceIds": a.ended[:2],
                "historicProcessInstanceQuery": {"processInstanceIds": a.ended[1:]},
            },
            3,
        ),
        (lambda a: {"processInstanceIds": [a.ended[0], a.ended[0]]}, 1),
        (lambda a: {"processInstanceIds": [a.ended[0], "unknown-1", "unknown-2"]}, 3),
        (lambda a: {"processInstanceIds": [a.running]}, 1),
    ],
    ids=[
        "ids-only",
        "historic-query-only",
        "historic-query-finished",
        "ids-and-query-overlap-counted-once",
        "duplicate-ids-counted-once",
        "unknown-ids-kept-and-counted",
        "running-instance-not-checked-at-creation",
    ],
)
def test_total_jobs_counts_the_collected_instances(
    client: FlaskClient, arranged: Arranged, selection: Body, expected: int
) -> None:
    response = post(
        client, restart_path(arranged.definition), {"instructions": [START]} | selection(arranged)
    )
    assert created(response) == expected


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ({"invocations_per_batch_job": 3}, {"totalJobs": 2, "invocationsPerBatchJob": 3}),
        (
            {"invocations_per_batch_job_by_type": {BATCH_TYPE: 4}},
            {"totalJobs": 2, "invocationsPerBatchJob": 4},
        ),
        ({"batch_jobs_per_seed": 1}, {"totalJobs": 5, "batchJobsPerSeed": 1}),
    ],
    ids=["invocations-3-of-5", "own-type-override-4-of-5", "jobs-per-seed"],
    indirect=["app"],
)
def test_batch_settings_shape_the_numbers(
    client: FlaskClient, arranged: Arranged, expected: dict[str, int]
) -> None:
    ids = [*arranged.ended, "unknown-1", "unknown-2"]
    response = post(
        client, restart_path(arranged.definition), restart(arranged, processInstanceIds=ids)
    )
    assert_new_batch(client, response, BATCH_TYPE, **expected)


def test_cancel_instructions_are_dropped(client: FlaskClient, arranged: Arranged) -> None:
    cancel = {"type": "cancel", "activityId": "approveInvoice"}
    body = restart(arranged, instructions=[cancel, START, cancel])
    assert created(post(client, restart_path(arranged.definition), body)) == 3


@pytest.mark.parametrize(
    "instructions",
    [
        [START],
        [{"type": "startAfterActivity", "activityId": "invoiceReceived"}],
        [{"type": "startTransition", "transitionId": "toApprove"}],
    ],
    ids=["startBeforeActivity", "startAfterActivity", "startTransition"],
)
def test_every_start_instruction_type_is_accepted(
    client: FlaskClient, arranged: Arranged, instructions: list[dict[str, str]]
) -> None:
    body = restart(arranged, instructions=instructions, skipCustomListeners=True)
    body |= {"skipIoMappings": False, "initialVariables": True, "withoutBusinessKey": None}
    assert created(post(client, restart_path(arranged.definition), body)) == 3


# -- restart by key ---------------------------------------------------------------------


def test_by_key_restarts_the_latest_definition_without_tenant(
    client: FlaskClient, engine: MockEngine, deploy: Callable, start: Callable
) -> None:
    _, latest = deploy("invoice.bpmn"), deploy("invoice.bpmn")
    deploy("invoice.bpmn", tenant_id="tenant-c")  # a tenant's version does not count
    ended = end(engine, start(latest, 2))
    body = {"instructions": [START], "processInstanceIds": ended}
    response = post(client, by_key_path("invoice"), body, headers=basic_auth("rowlf"))
    assert_new_batch(client, response, BATCH_TYPE, totalJobs=2, tenantId=None, createUserId="rowlf")
    # Restarting runs against the latest version: both instances start anew there.
    assert client.post("/mock-api/jobs/run-due").status_code == 200
    restarted = client.get(f"{BASE}/process-instance?processDefinitionId={latest.id}").get_json()
    assert len(restarted) == 2


@pytest.mark.parametrize(
    ("tenant", "body"),
    [
        (None, {"instructions": [START], "processInstanceIds": ["p"]}),
        ("tenant-c", {"instructions": [START], "processInstanceIds": ["p"]}),
        (None, {}),
        (None, {"instructions": [{"type": "startTransition"}]}),
    ],
    ids=[
        "unknown-key",
        "key-only-deployed-for-a-tenant",
        "404-before-missing-instructions",
        "404-before-instruction-check",
    ],
)
def test_by_key_unknown_key_is_404(
    client: FlaskClient, deploy: Callable, tenant: str | None, body: dict[str, Any]
) -> None:
    key = "invoice" if tenant else "noSuchProcess"
    if tenant:
        deploy("invoice.bpmn", tenant_id=tenant)
    response = post(client, by_key_path(key), body)
    message = f"No matching process definition with key: {key} and no tenant-id"
    assert_error(response, 404, "RestException", message, None)


def test_by_key_unknown_key_is_404_before_the_body_is_read(client: FlaskClient) -> None:
    """JAX-RS resolves ``/key/{key}`` (a sub-resource locator) before it maps the body."""
    body = {"instructions": [{"type": "jump"}], "processInstanceIds": "p"}
    response = post(client, by_key_path("noSuchProcess"), body)
    message = "No matching process definition with key: noSuchProcess and no tenant-id"
    assert_error(response, 404, "RestException", message, None)


def test_by_key_applies_the_same_checks(client: FlaskClient, deploy: Callable) -> None:
    deploy("invoice.bpmn")
    response = post(client, by_key_path("invoice"), {"instructions": [START]})
    assert_error(response, 400, IRE, NO_INSTANCES, None)


# -- Jackson-level mapping --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"instructions": [{"type": "jump", "activityId": "approveInvoice"}]},
        {"instructions": [{"activityId": "approveInvoice"}]},
        {"instructions": START},
        {"processInstanceIds": "p"},
        {"historicProcessInstanceQuery": "invoice"},
        {"withoutBusinessKey": "sometimes"},
    ],
    ids=[
        "unknown-instruction-type",
        "instruction-without-type",
        "object-for-instruction-array",
        "string-for-id-array",
        "string-for-query-object",
        "non-boolean-string-for-flag",
    ],
)
def test_mapping_errors(client: FlaskClient, arranged: Arranged, fields: dict[str, Any]) -> None:
    response = post(client, restart_path(arranged.definition), restart(arranged, **fields))
    assert_mapping_error(response)


def test_unknown_top_level_property_is_ignored(client: FlaskClient, arranged: Arranged) -> None:
    body = restart(arranged, businessKey="ignored", annotation="ignored too")
    assert created(post(client, restart_path(arranged.definition), body)) == 3
