"""Property tests against the target: schemathesis generates batch requests from the contract.

The batch operations and their batch reads and controls get generated requests, valid and
invalid, checked with ``status_code_conformance``, ``content_type_conformance``,
``response_schema_conformance``, ``negative_data_rejection`` and
``server_errors_are_engine_answers`` (a 5xx only where the engine answers one, under the
``--engine-profile``). A stateful test follows the contract's links from a new batch to its
reads and controls.

Every generated request is first scoped to the suite's own data (:mod:`contracts.scoping`): a
batch call whose selection still counts more than the suite made is refused, not sent, and the
refusal is recorded on the report (``("refused", reason)``). ``--contract-max-examples`` and
``--contract-seed`` bound and fix the generation; a failure prints a curl command to replay it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from .client import EngineClient
from .engine_answers import (
    DOCUMENT,
    OPERATIONS,
    engine_accepts,
    operation_id,
    server_error_check,
)
from .flows import read_json
from .plugin import GENERATION
from .scoping import OwnData, arranged_own_data, prepared_request

BATCH_OPERATIONS = frozenset(
    op_id for op_id, op in OPERATIONS.items() if "Batch operations" in op.get("tags", [])
)
BATCH_READS_AND_CONTROLS = frozenset(
    op_id for op_id, op in OPERATIONS.items() if {"Batch", "Historic batch"} & set(op["tags"])
)
CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
INSTANCES = 3
# The host name given to requests for the mock in process: it only shows in replay commands.
IN_PROCESS_HOST = "http://localhost"


def make_config() -> schemathesis.Config:
    """Generation settings: the batch operations and their reads, bounded, seeded."""
    selected = sorted(BATCH_OPERATIONS | BATCH_READS_AND_CONTROLS)
    return schemathesis.Config.from_dict(
        {
            "seed": GENERATION.seed,
            "output": {"sanitization": {"enabled": False}},  # it hides every "...Key" field
            "generation": {
                "mode": "all",
                "max-examples": GENERATION.max_examples,
                "database": "none",
            },
            "phases": {
                # Hundreds of boundary requests per operation: too slow for a live engine's
                # budget. tests/test_schemathesis.py runs them against the mock in process.
                "coverage": {"enabled": False},
                "stateful": {"generation": {"mode": "positive"}},
            },
            "operations": [
                {"exclude-operation-id": selected, "enabled": False},
            ],
        }
    )


schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=make_config())
failed_checks: list[str] = []  # the names of the checks the last validation failed


@schema.hook("after_validate")
def remember_failed_checks(context: Any, case: Any, response: Any, results: list[Any]) -> None:
    failed_checks[:] = [result.name for result in results if result.failure is not None]


@schema.hook("filter_failure")
def unless_the_engine_accepts_it_too(
    context: Any, failure: Any, case: schemathesis.Case, response: Any
) -> bool:
    accepted = isinstance(failure, AcceptedNegativeData)
    return not (accepted and engine_accepts(case, response, GENERATION.profile))


@pytest.fixture(scope="module")
def own_data(engine_client: EngineClient) -> Iterator[OwnData]:
    """Shared by the generated requests of every operation (arranging costs a few calls)."""
    with arranged_own_data(engine_client, INSTANCES) as own:
        yield own


@pytest.fixture
def fresh_own_data(engine_client: EngineClient) -> Iterator[OwnData]:
    """Data of its own: on a live engine the batches of earlier tests may have run, and
    cancelled or suspended the shared scenario's instances."""
    with arranged_own_data(engine_client, INSTANCES) as own:
        yield own


def base_url(client: EngineClient) -> str:
    """The URL requests are built against (the mock in process gets a stand-in host)."""
    if client.base_url.startswith(("http://", "https://")):
        return client.base_url
    return IN_PROCESS_HOST + client.base_url


def send(client: EngineClient, case: schemathesis.Case) -> schemathesis.Response:
    """Send a generated case through the suite's client; the answer as schemathesis reads it."""
    request = prepared_request(case, base_url(client))
    answer = client.send(
        request.method, request.url, headers=dict(request.headers), data=request.body
    )
    headers: dict[str, list[str]] = {}
    for name, value in answer.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return schemathesis.Response(
        status_code=answer.status,
        headers=headers,
        content=answer.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )


def add_property(item: pytest.Item, name: str, value: str) -> None:
    """A user property on the report, once (Hypothesis runs the test body many times).

    Straight onto the item: ``record_property`` warns under JUnit's default xunit2 format.
    """
    if (name, value) not in item.user_properties:
        item.user_properties.append((name, value))


def remember_batch(own: OwnData, case: schemathesis.Case, response: schemathesis.Response) -> None:
    """A batch the target created is the suite's: later controls may act on it."""
    if (
        operation_id(case) in BATCH_OPERATIONS
        and case.method == "POST"
        and response.status_code == 200
    ):
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            own.batch_ids.append(body["id"])


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_batch_contract(
    case: schemathesis.Case,
    engine_client: EngineClient,
    engine_profile: str,
    own_data: OwnData,
    request: pytest.FixtureRequest,
) -> None:
    item = request.node
    add_property(item, "endpoint", f"{case.method} {case.path}")
    own_data.scope(case)
    reason = own_data.refusal(case)
    if reason is not None:
        add_property(item, "refused", reason)
        return
    response = send(engine_client, case)
    remember_batch(own_data, case, response)
    try:
        case.validate_response(
            response, checks=CHECKS, additional_checks=[server_error_check(engine_profile)]
        )
    except FailureGroup:
        item.user_properties[:] = [p for p in item.user_properties if p[0] != "check"]
        for name in dict.fromkeys(failed_checks):
            item.user_properties.append(("check", name))
        raise


# -- stateful: from a new batch through the links to its reads and controls ---------------


def check_created_batch_is_readable(client: EngineClient, batch_id: str) -> None:
    """A batch just created is running (``GET /batch/{id}`` and its statistics) or has ended."""
    counted = read_json(client, "/batch/statistics/count", "status", batchId=batch_id)["count"]
    running = client.get(f"/batch/{batch_id}")
    if running.status == 200:
        # Counted before it was read: a running batch was running a moment ago, too.
        assert counted == 1, f"batch {batch_id} runs, but the statistics count {counted}"
        return
    history = read_json(client, f"/history/batch/{batch_id}", "batch-history")
    assert running.status == 404 and history["endTime"] is not None, (
        f"batch {batch_id} was just created, but GET /batch/{{id}} answers {running.describe()} "
        f"and its history has no endTime"
    )


def test_links_from_a_new_batch(
    engine_client: EngineClient,
    engine_profile: str,
    fresh_own_data: OwnData,
    request: pytest.FixtureRequest,
) -> None:
    add_property(request.node, "endpoint", "stateful: batch operations and their links")
    refused: list[str] = []
    server_errors = server_error_check(engine_profile)

    class BatchLinks(schema.as_state_machine()):  # type: ignore[misc]
        """Random scenarios over the batch calls and the reads and controls they link to."""

        def step(self, input: StepInput) -> StepOutput:
            case = input.case
            fresh_own_data.scope(case)
            reason = fresh_own_data.refusal(case)
            if reason is not None:
                refused.append(reason)
                hypothesis.reject()
            response = send(engine_client, case)
            remember_batch(fresh_own_data, case, response)
            self.after_call(response, case)
            case.validate_response(
                response,
                checks=[*CHECKS, use_after_free, ensure_resource_availability],
                additional_checks=[server_errors],
                recorder=self.recorder,
            )
            if operation_id(case) in BATCH_OPERATIONS and response.status_code == 200:
                check_created_batch_is_readable(engine_client, response.json()["id"])
            return StepOutput(response, case)

    BatchLinks.run(
        settings=hypothesis.settings(
            max_examples=GENERATION.max_examples,
            stateful_step_count=5,
            deadline=None,
            derandomize=True,  # the same scenarios every run
            database=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    for reason in refused:
        add_property(request.node, "refused", reason)
    assert fresh_own_data.batch_ids, "no scenario created a batch"
