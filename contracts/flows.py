"""Batch flows: start a batch on the suite's own data and follow it to its end, on any target.

A flow reads a batch the way an operator does: ``GET /batch/{id}``, ``GET /batch/statistics``
and ``GET /history/batch/{id}``, until the batch is gone from the runtime and its history has an
``endTime``. What makes the jobs run depends on the target:

- this project's mock: manual progression. The flow runs the due jobs through the mock's admin
  API and moves the mock clock on by the monitor's poll time, so no wall-clock time passes;
- a live engine: its job executor, within a bounded wait (``--batch-wait``). A batch job that
  stays in the job table (job executor off, or the monitor waiting for its next poll) is run by
  the flow itself with ``POST /job/{id}/execute``.

Named checks: ``batch-ends`` (the batch ends within the wait), ``batch-statistics`` (the
statistics add up while it runs), ``batch-history`` (the historic batch matches and gets its end
time), ``batch-read`` (``GET /batch/{id}`` shows the batch created) and ``batch-effect`` (what
the batch did, checked by the tests through the read endpoints).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .checks import ContractViolation, check_status
from .client import EngineClient

DEFAULT_BATCH_WAIT = 60.0
# The engine's default batchPollTime: how long the monitor job waits before looking again.
MONITOR_POLL_SECONDS = 30
# On a live engine: how often the flow looks, and how long a batch job may sit in the job table
# before the flow runs it itself (the job executor is off or the monitor waits for its poll).
LIVE_POLL_SECONDS = 0.5
LIVE_STUCK_SECONDS = 2.0
# The three job definitions of a batch, in the order their jobs run.
JOB_DEFINITION_KEYS = ("seedJobDefinitionId", "batchJobDefinitionId", "monitorJobDefinitionId")


def engine_time(text: str) -> datetime:
    """A date as the engine writes it: ``2025-01-31T10:15:00.000+0100``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def read_json(client: EngineClient, path: str, check: str, **params: Any) -> Any:
    """``GET path`` that must answer 200; its body. A failure is a violation of ``check``."""
    answer = client.get(path, params=params or None)
    if answer.status != 200:
        raise ContractViolation(check, f"expected 200\n  received: {answer.describe()}")
    return answer.json()


def count_of(client: EngineClient, path: str, check: str, **params: Any) -> int:
    """The ``count`` a ``GET .../count`` answers."""
    return read_json(client, path, check, **params)["count"]


def start_batch(
    client: EngineClient, path: str, body: dict[str, Any], batch_type: str
) -> dict[str, Any]:
    """``POST`` a batch operation; the created batch, which must be of ``batch_type``."""
    answer = client.post(path, json=body)
    check_status(answer, 200)
    batch = answer.json()
    if batch.get("type") != batch_type:
        raise ContractViolation(
            "batch-read",
            f"POST {path} created a batch of type {batch.get('type')!r}, "
            f"expected {batch_type!r}: {answer.describe()}",
        )
    return batch


def discard_batch(client: EngineClient, batch_id: str) -> None:
    """Remove a batch the suite created, running or ended, with its history (best effort)."""
    client.delete(f"/batch/{batch_id}", params={"cascade": "true"})
    client.delete(f"/history/batch/{batch_id}")


@dataclass
class BatchStarter:
    """Starts a flow's batches (``"POST /path"``) and discards them all afterwards."""

    client: EngineClient
    started: list[str] = field(default_factory=list)

    def __call__(self, endpoint: str, body: dict[str, Any], batch_type: str) -> dict[str, Any]:
        method, _, path = endpoint.partition(" ")
        assert method == "POST", endpoint
        batch = start_batch(self.client, path, body, batch_type)
        self.started.append(batch["id"])
        return batch

    def discard_all(self) -> None:
        for batch_id in self.started:
            discard_batch(self.client, batch_id)


@dataclass
class BatchProgress:
    """What the flow saw of one batch while following it."""

    batch: dict[str, Any]
    polls: int = 0
    executed_jobs: int = 0
    completed_jobs: int = 0
    last_statistics: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def batch_id(self) -> str:
        return self.batch["id"]


@dataclass
class BatchFollower:
    """Follows a batch to its end and checks its reads on the way.

    ``wait_seconds`` bounds the wait: wall-clock seconds on a live engine, mock-clock seconds
    on this project's mock (where the flow advances the clock itself).
    """

    client: EngineClient
    wait_seconds: float = DEFAULT_BATCH_WAIT

    def follow(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Drive ``batch`` to its end; return its historic batch (with ``endTime``)."""
        progress = BatchProgress(batch)
        if self.client.mock:
            self._follow_on_mock(progress)
        else:
            self._follow_on_engine(progress)
        return self._check_ended(progress)

    # -- driving -----------------------------------------------------------------------

    def _follow_on_mock(self, progress: BatchProgress) -> None:
        waited = 0.0
        while True:
            if not self._observe(progress):
                return
            if waited >= self.wait_seconds:
                break
            ran = self.client.mock_admin("POST", "/jobs/run-due")
            progress.executed_jobs += ran.json()["executed"] if ran.status == 200 else 0
            if not self._observe(progress):
                return
            # Jobs left but none due: the monitor waits for its next poll on the mock clock.
            self.client.mock_admin("POST", "/clock/advance", json={"seconds": MONITOR_POLL_SECONDS})
            waited += MONITOR_POLL_SECONDS
        self._never_ended(progress, f"{self.wait_seconds:g} s on the mock clock")

    def _follow_on_engine(self, progress: BatchProgress) -> None:
        deadline = time.monotonic() + self.wait_seconds
        first_seen: dict[str, float] = {}
        while self._observe(progress):
            now = time.monotonic()
            if now >= deadline:
                self._never_ended(progress, f"{self.wait_seconds:g} s")
            for job in self._runnable_jobs(progress.batch):
                seen = first_seen.setdefault(job["id"], now)
                if now - seen >= LIVE_STUCK_SECONDS:
                    self._execute(progress, job["id"])
            time.sleep(LIVE_POLL_SECONDS)

    def _runnable_jobs(self, batch: dict[str, Any]) -> list[dict[str, Any]]:
        """The batch's jobs with retries left that are not suspended: seed, execution, monitor."""
        jobs = []
        for key in JOB_DEFINITION_KEYS:
            definition_id = batch.get(key)
            if not definition_id:
                continue
            answer = self.client.get("/job", params={"jobDefinitionId": definition_id})
            if answer.status == 200:
                jobs += [j for j in answer.json() if j["retries"] > 0 and not j["suspended"]]
        return jobs

    def _execute(self, progress: BatchProgress, job_id: str) -> None:
        answer = self.client.post(f"/job/{job_id}/execute")
        if answer.status == 204:
            progress.executed_jobs += 1
        else:  # the job executor took it first, or it failed: the next poll shows which
            progress.notes.append(answer.describe())

    # -- reading and checking -----------------------------------------------------------

    def _observe(self, progress: BatchProgress) -> bool:
        """Read the batch, its statistics and its history; whether it is still running."""
        progress.polls += 1
        batch_id = progress.batch_id
        answer = self.client.get(f"/batch/{batch_id}")
        if answer.status == 404:
            return False
        if answer.status != 200:
            raise ContractViolation("batch-read", f"expected 200 or 404: {answer.describe()}")
        self._check_same_batch("batch-read", progress.batch, answer.json(), "GET /batch/{id}")
        statistics = read_json(
            self.client, "/batch/statistics", "batch-statistics", batchId=batch_id
        )
        if not statistics and self.client.get(f"/batch/{batch_id}").status == 404:
            return False  # it ended between the two reads
        self._check_statistics(progress, statistics)
        history = read_json(self.client, f"/history/batch/{batch_id}", "batch-history")
        self._check_same_batch("batch-history", progress.batch, history, "GET /history/batch/{id}")
        if (
            history.get("endTime") is not None
            and self.client.get(f"/batch/{batch_id}").status == 200
        ):
            raise ContractViolation(
                "batch-history",
                f"the batch {batch_id} still runs but its history has endTime {history['endTime']}",
            )
        return True

    @staticmethod
    def _check_same_batch(
        check: str, created: dict[str, Any], read: dict[str, Any], where: str
    ) -> None:
        for key in ("id", "type", "totalJobs", *JOB_DEFINITION_KEYS):
            if read.get(key) != created.get(key):
                raise ContractViolation(
                    check,
                    f"{where} shows {key}={read.get(key)!r}, "
                    f"the batch was created with {created.get(key)!r}",
                )

    @staticmethod
    def _check_statistics(progress: BatchProgress, statistics: list[dict[str, Any]]) -> None:
        batch = progress.batch
        if len(statistics) != 1 or statistics[0].get("id") != batch["id"]:
            raise ContractViolation(
                "batch-statistics",
                f"GET /batch/statistics?batchId={batch['id']} lists {statistics}, "
                "expected exactly the running batch",
            )
        entry = statistics[0]
        total, remaining = entry["totalJobs"], entry["remainingJobs"]
        completed, failed = entry["completedJobs"], entry["failedJobs"]
        problems = []
        if total != batch["totalJobs"]:
            problems.append(f"totalJobs {total} != {batch['totalJobs']} at creation")
        if remaining + completed != total:
            problems.append(f"remainingJobs {remaining} + completedJobs {completed} != {total}")
        if not 0 <= failed <= remaining:
            problems.append(f"failedJobs {failed} outside 0..remainingJobs {remaining}")
        if completed < progress.completed_jobs:
            problems.append(f"completedJobs went down from {progress.completed_jobs}")
        if problems:
            raise ContractViolation("batch-statistics", f"{'; '.join(problems)}: {entry}")
        progress.completed_jobs = completed
        progress.last_statistics = entry

    def _never_ended(self, progress: BatchProgress, waited: str) -> None:
        batch_id = progress.batch_id
        failed = []
        for key in ("batchJobDefinitionId", "seedJobDefinitionId", "monitorJobDefinitionId"):
            answer = self.client.get(
                "/job", params={"jobDefinitionId": progress.batch.get(key), "noRetriesLeft": "true"}
            )
            if answer.status == 200:
                failed += [j.get("exceptionMessage") for j in answer.json()]
        raise ContractViolation(
            "batch-ends",
            f"batch {batch_id} ({progress.batch['type']}) did not end within {waited}: "
            f"{progress.polls} reads, {progress.executed_jobs} jobs run, "
            f"last statistics {progress.last_statistics}, failed jobs {failed}"
            + (f", answers to job runs: {progress.notes[-3:]}" if progress.notes else ""),
        )

    def _check_ended(self, progress: BatchProgress) -> dict[str, Any]:
        batch_id = progress.batch_id
        statistics = read_json(
            self.client, "/batch/statistics", "batch-statistics", batchId=batch_id
        )
        if statistics:
            raise ContractViolation(
                "batch-statistics",
                f"GET /batch/{batch_id} answers 404, yet the statistics list it: {statistics}",
            )
        history = read_json(self.client, f"/history/batch/{batch_id}", "batch-history")
        self._check_same_batch("batch-history", progress.batch, history, "GET /history/batch/{id}")
        if history.get("endTime") is None:
            raise ContractViolation(
                "batch-history",
                f"batch {batch_id} is gone from GET /batch/{{id}}, but its history has no "
                f"endTime: {history}",
            )
        if engine_time(history["endTime"]) < engine_time(history["startTime"]):
            raise ContractViolation("batch-history", f"endTime before startTime: {history}")
        ended = read_json(
            self.client, "/history/batch", "batch-history", batchId=batch_id, completed="true"
        )
        if [h.get("id") for h in ended] != [batch_id]:
            raise ContractViolation(
                "batch-history",
                f"GET /history/batch?batchId={batch_id}&completed=true lists {ended}",
            )
        return history
