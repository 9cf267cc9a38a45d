"""Many clients at once against one app while the background executor runs the batches.

Each worker thread has its own test client and its own process instances, so the effect
of its batch can be told apart from the others'. While the batch runs, a worker reads the
batch's statistics, then the effect through the read endpoints, then the statistics
again: with one execution job per item, the effect seen must lie between the two
``completedJobs`` readings. A torn read or a lost update breaks that bound. Other threads
step jobs through the admin API and read the batch lists at the same time. Nothing here
measures speed.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.models import ProcessDefinition, ProcessInstance
from mockserver.routes.common import EXTENSION_KEY
from tests.conftest import BASE, make_app

WORKERS_PER_KIND = 2
INSTANCES_PER_WORKER = 20
# Only a guard against a hang; the figures of speed live in bench/.
HANG_GUARD_SECONDS = 300


@dataclass
class Outcome:
    """What every thread saw, gathered under a lock of its own."""

    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def checked(self, response: TestResponse, what: str) -> TestResponse:
        if response.status_code >= 500:
            with self.lock:
                self.server_errors.append(f"{what}: {response.status_code} {response.get_data()}")
        return response


@dataclass
class BatchKind:
    """One batch operation, the effect it has on one instance, and how to read that effect."""

    path: str
    body: Callable[[list[str]], dict[str, Any]]
    count_effect: Callable[[FlaskClient, Outcome, list[str]], int]


def _suspended_instances(client: FlaskClient, outcome: Outcome, ids: list[str]) -> int:
    response = client.post(
        f"{BASE}/process-instance/count", json={"processInstanceIds": ids, "suspended": True}
    )
    return outcome.checked(response, "instance count").get_json()["count"]


def _jobs_with_new_retries(client: FlaskClient, outcome: Outcome, ids: list[str]) -> int:
    response = client.get(f"{BASE}/job", query_string={"processInstanceIds": ",".join(ids)})
    return sum(job["retries"] == 7 for job in outcome.checked(response, "jobs").get_json())


def _external_tasks_with_new_retries(client: FlaskClient, outcome: Outcome, ids: list[str]) -> int:
    response = client.post(f"{BASE}/external-task", json={"processInstanceIdIn": ids})
    return sum(task["retries"] == 4 for task in outcome.checked(response, "tasks").get_json())


KINDS = {
    "invoice.bpmn": BatchKind(
        "/process-instance/suspended-async",
        lambda ids: {"processInstanceIds": ids, "suspended": True},
        _suspended_instances,
    ),
    "reminder.bpmn": BatchKind(  # each instance waits on a timer job
        "/process-instance/job-retries",
        lambda ids: {"processInstances": ids, "retries": 7},
        _jobs_with_new_retries,
    ),
    "order.bpmn": BatchKind(  # each instance waits on an external task
        "/external-task/retries-async",
        lambda ids: {"processInstanceIds": ids, "retries": 4},
        _external_tasks_with_new_retries,
    ),
}


@pytest.fixture
def app() -> Iterator[Flask]:
    """Timed progression, slow enough that the batches are still running while read."""
    app = make_app(progression="timed", jobs_per_second=200, batch_poll_time=0)
    yield app
    app.extensions[EXTENSION_KEY].progression.close()


def _start_instances(deploy: Callable, start: Callable) -> dict[str, list[list[str]]]:
    """Per process, one group of fresh instances for each worker."""
    owned: dict[str, list[list[str]]] = {}
    for process in KINDS:
        definition: ProcessDefinition = deploy(process)
        owned[process] = []
        for _ in range(WORKERS_PER_KIND):
            instances: list[ProcessInstance] = start(definition, INSTANCES_PER_WORKER)
            owned[process].append([i.id for i in instances])
    return owned


def _completed(client: FlaskClient, outcome: Outcome, batch_id: str) -> int | None:
    """``completedJobs`` of a running batch, or None once it has ended."""
    response = client.get(f"{BASE}/batch/statistics", query_string={"batchId": batch_id})
    rows = outcome.checked(response, "statistics").get_json()
    return rows[0]["completedJobs"] if rows else None


def _run_batch_and_watch(app: Flask, outcome: Outcome, kind: BatchKind, ids: list[str]) -> None:
    """Start a batch over ``ids`` and check, while it runs, that its numbers match its effect."""
    client = app.test_client()
    created = outcome.checked(client.post(BASE + kind.path, json=kind.body(ids)), kind.path)
    assert created.status_code == 200, created.get_data()
    batch_id = created.get_json()["id"]
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while True:
        before = _completed(client, outcome, batch_id)
        effect = kind.count_effect(client, outcome, ids)
        after = _completed(client, outcome, batch_id)
        if before is None or after is None:
            break
        assert before <= effect <= after, (kind.path, before, effect, after)
        assert time.monotonic() < deadline, f"batch {batch_id} never ended"
    assert kind.count_effect(client, outcome, ids) == len(ids)


def _step_and_read(app: Flask, outcome: Outcome) -> None:
    """Admin steps and list reads, beside the background executor, until the batches end."""
    client = app.test_client()
    while not outcome.done.is_set():
        outcome.checked(client.post("/mock-api/jobs/step", json={"count": 1}), "step")
        outcome.checked(client.get("/mock-api/clock"), "clock")
        outcome.checked(client.get(f"{BASE}/batch"), "batches")
        outcome.checked(client.get(f"{BASE}/history/batch"), "history")
        rows = outcome.checked(client.get(f"{BASE}/batch/statistics"), "statistics").get_json()
        for row in rows:
            assert row["remainingJobs"] + row["completedJobs"] == row["totalJobs"], row
            assert 0 <= row["completedJobs"] <= row["totalJobs"], row
            assert row["failedJobs"] == 0, row


def test_concurrent_batches_reads_and_admin_steps_stay_consistent(
    app: Flask, deploy: Callable, start: Callable
) -> None:
    owned = _start_instances(deploy, start)
    outcome = Outcome()
    watchers = [(KINDS[process], ids) for process, groups in owned.items() for ids in groups]
    with ThreadPoolExecutor(max_workers=len(watchers) + 2) as pool:
        admins = [pool.submit(_step_and_read, app, outcome) for _ in range(2)]
        runs = [
            pool.submit(_run_batch_and_watch, app, outcome, kind, ids) for kind, ids in watchers
        ]
        try:
            for run in runs:
                run.result()
        finally:
            outcome.done.set()
        for admin in admins:
            admin.result()

    assert outcome.server_errors == []
    client = app.test_client()
    assert client.get(f"{BASE}/batch/count").get_json() == {"count": 0}
    history = client.get(f"{BASE}/history/batch").get_json()
    assert len(history) == len(watchers)
    assert all(b["endTime"] is not None for b in history)
    assert all(b["totalJobs"] == INSTANCES_PER_WORKER for b in history)
    # Every batch job ran and went: only the reminders' timer jobs are left, none failed.
    timers = WORKERS_PER_KIND * INSTANCES_PER_WORKER
    assert client.get(f"{BASE}/job/count").get_json() == {"count": timers}
    assert client.get(f"{BASE}/incident/count").get_json() == {"count": 0}
    batch_ids = {b["id"] for b in history}
    definitions = client.get(f"{BASE}/job-definition").get_json()
    assert [d for d in definitions if d["jobConfiguration"] in batch_ids] == []


def test_timed_executor_survives_quick_mode_switches(app: Flask, deploy: Callable, start: Callable):
    """An executor that is leaving after ``manual`` must not be taken for a running one."""
    ids = [i.id for i in start(deploy("invoice.bpmn"), 3)]
    progression = app.extensions[EXTENSION_KEY].progression
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the two sides interleave
    try:
        for _ in range(300):
            progression.set("manual")
            progression.set("timed")
    finally:
        sys.setswitchinterval(interval)
    client = app.test_client()
    body = {"processInstanceIds": ids, "suspended": True}
    batch_id = client.post(f"{BASE}/process-instance/suspended-async", json=body).get_json()["id"]
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while client.get(f"{BASE}/batch/{batch_id}").status_code == 200:
        assert time.monotonic() < deadline, "the timed executor stopped running jobs"
        time.sleep(0.01)
    count = client.post(f"{BASE}/process-instance/count", json=body).get_json()
    assert count == {"count": 3}
