"""Every ``x-divergences`` entry of openapi.yaml, answered once per profile.

The entries are read from the contract; each needs a request builder below that arranges
data and returns ``(path, body)`` for a request meeting the entry's condition. An entry
without a builder fails, so a new divergence cannot go untested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from mockserver.engine import MockEngine
from mockserver.models import ProcessDefinition, ProcessInstance
from tests.assertions import BATCH_KEYS
from tests.conftest import BASE, make_app

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
DIVERGENCES: list[dict[str, Any]] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))[
    "x-divergences"
]
UNKNOWN_ID = "no-such-id"  # what ``<id>`` stands for in every builder below
BATCH_TYPE_OF_OPERATION = {
    "setJobRetriesAsyncOperation": "set-job-retries",
    "setExternalTaskRetriesAsyncOperation": "set-external-task-retries",
    "updateSuspensionStateAsyncOperation": "instance-update-suspension-state",
    "executeModificationAsync": "instance-modification",
    "restartProcessInstanceAsyncOperation": "instance-restart",
}
RESTART_START = {"type": "startBeforeActivity", "activityId": "approveInvoice"}


@dataclass
class Fixtures:
    """What a builder may use to arrange data in the app under test."""

    engine: MockEngine
    deploy: Callable[..., ProcessDefinition]
    start: Callable[..., list[ProcessInstance]]


Request = tuple[str, dict[str, Any]]


def reserve_stock_tasks(f: Fixtures, count: int) -> list[str]:
    """External task ids of ``count`` new order instances."""
    instances = f.start(f.deploy("order.bpmn"), count)
    return [t.id for i in instances for t in f.engine.store.external_tasks_of_instance(i.id)]


def ended_invoice(f: Fixtures) -> tuple[ProcessDefinition, str]:
    """An invoice definition and the id of one of its ended instances."""
    definition = f.deploy("invoice.bpmn")
    (instance,) = f.start(definition)
    with f.engine.store.lock:
        f.engine.runtime.cancel(instance)
    return definition, instance.id


def job_retries_no_selection(f: Fixtures) -> Request:
    return "/process-instance/job-retries", {"retries": 2, "processInstances": []}


def job_retries_negative_retries(f: Fixtures) -> Request:
    (reminder,) = f.start(f.deploy("reminder.bpmn"))  # waits at its timer job
    return "/process-instance/job-retries", {"retries": -1, "processInstances": [reminder.id]}


def retries_async_negative_retries(f: Fixtures) -> Request:
    return "/external-task/retries-async", {
        "retries": -2,
        "externalTaskIds": reserve_stock_tasks(f, 2),
    }


def retries_async_unknown_ids(f: Fixtures) -> Request:
    (task,) = reserve_stock_tasks(f, 1)
    body = {"retries": 1, "externalTaskIds": [task, UNKNOWN_ID, "another-unknown-id"]}
    return "/external-task/retries-async", body


def restart_instructions_missing(f: Fixtures) -> Request:
    definition, ended = ended_invoice(f)
    return f"/process-definition/{definition.id}/restart-async", {"processInstanceIds": [ended]}


def restart_unknown_definition(f: Fixtures) -> Request:
    _, ended = ended_invoice(f)
    body = {"instructions": [RESTART_START], "processInstanceIds": [ended]}
    return f"/process-definition/{UNKNOWN_ID}/restart-async", body


BUILDERS: dict[str, Callable[[Fixtures], Request]] = {
    "job-retries-no-selection": job_retries_no_selection,
    "job-retries-negative-retries": job_retries_negative_retries,
    "retries-async-negative-retries": retries_async_negative_retries,
    "retries-async-unknown-ids": retries_async_unknown_ids,
    "restart-instructions-missing": restart_instructions_missing,
    "restart-unknown-definition": restart_unknown_definition,
}


@pytest.fixture(params=["engine", "docs"])
def app(request: pytest.FixtureRequest) -> Flask:
    """The default app (engine profile), or one answering like the reference pages."""
    return make_app() if request.param == "engine" else make_app(profile="docs")


def test_the_contract_lists_divergences() -> None:
    assert DIVERGENCES, "openapi.yaml has no x-divergences entries"
    assert len({entry["id"] for entry in DIVERGENCES}) == len(DIVERGENCES)


def test_no_builder_outlives_its_divergence() -> None:
    assert set(BUILDERS) <= {entry["id"] for entry in DIVERGENCES}


@pytest.mark.parametrize("entry", DIVERGENCES, ids=[entry["id"] for entry in DIVERGENCES])
def test_divergence_answer_follows_the_profile(
    client: FlaskClient,
    engine: MockEngine,
    deploy: Callable[..., ProcessDefinition],
    start: Callable[..., list[ProcessInstance]],
    entry: dict[str, Any],
) -> None:
    builder = BUILDERS.get(entry["id"])
    if builder is None:
        pytest.fail(f"x-divergences entry '{entry['id']}' has no request builder in BUILDERS")
    path, body = builder(Fixtures(engine, deploy, start))
    expected = entry[engine.config.profile]
    response = client.post(f"{BASE}{path}", json=body)
    assert response.status_code == expected["status"], response.get_json()
    if expected["status"] < 300:
        batch = response.get_json()
        assert set(batch) == BATCH_KEYS
        assert batch["type"] == BATCH_TYPE_OF_OPERATION[entry["operation"]]
        assert batch["jobsCreated"] == 0
        return
    message = expected["message"]
    assert response.get_json() == {
        "type": expected["type"],
        "message": None if message is None else message.replace("<id>", UNKNOWN_ID),
        "code": expected["code"],
    }
