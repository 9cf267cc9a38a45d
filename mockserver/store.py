"""The engine's state: every domain object by id, one lock, one seeded source of ids.

The store belongs to one app (``app.extensions``), never to the module, so tests and
xdist workers never share state. All mutation happens under ``store.lock``.
"""

from __future__ import annotations

import heapq
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import MockClock, format_engine_date
from .models import (
    Batch,
    ExternalTask,
    Incident,
    Job,
    JobDefinition,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)


@dataclass
class Deployment:
    """A deployment: a name, a time, its resources and the definitions it brought."""

    id: str
    name: str | None
    tenant_id: str | None
    source: str | None
    deployment_time: datetime
    resources: dict[str, bytes] = field(default_factory=dict)
    definition_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``DeploymentDto``."""
        return {
            "links": [],
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "deploymentTime": format_engine_date(self.deployment_time),
            "tenantId": self.tenant_id,
        }


class EngineStore:
    """In-memory tables of the engine, resettable to an empty state with a new seed."""

    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.clock = MockClock()
        self.reset(seed)

    def reset(self, seed: int) -> None:
        """Forget everything; ids restart from ``seed``."""
        with self.lock:
            self.seed = seed
            self.random = random.Random(seed)
            self.deployments: dict[str, Deployment] = {}
            self.definitions: dict[str, ProcessDefinition] = {}
            self.instances: dict[str, ProcessInstance] = {}
            self.job_definitions: dict[str, JobDefinition] = {}
            self.jobs: dict[str, Job] = {}
            self.external_tasks: dict[str, ExternalTask] = {}
            self.user_tasks: dict[str, UserTask] = {}
            self.incidents: dict[str, Incident] = {}
            self.batches: dict[str, Batch] = {}
            self.job_sequence = 0  # the last creation number handed to a job
            # (due moment, sequence, job id): a job may sit here more than once or after it
            # is gone; the executor checks each entry against the job table when it pops it.
            self._due_queue: list[tuple[datetime, int, str]] = []

    def new_id(self) -> str:
        """A UUID drawn from the seeded random source, so the same seed gives the same ids."""
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    # -- jobs and the executor's queue --------------------------------------------------

    def add_job(self, job: Job) -> Job:
        """Store a new job and queue it for the job executor."""
        self.job_sequence += 1
        job.sequence = self.job_sequence
        self.jobs[job.id] = job
        self.schedule(job)
        return job

    def schedule(self, job: Job) -> None:
        """(Re)queue a job whose due date, retries or suspension changed."""
        heapq.heappush(self._due_queue, (job.due_key(), job.sequence, job.id))

    def adopt(self, other: EngineStore) -> None:
        """Take over another store's whole state (a loaded snapshot) in one step.

        The executor's queue is rebuilt from the jobs, and the clock takes the other
        clock's offset; the lock and the clock object stay, as services hold them.
        """
        with self.lock:
            for name, value in vars(other).items():
                if name not in ("lock", "clock"):
                    setattr(self, name, value)
            self.clock.restore(other.clock.offset)
            self._due_queue = []
            for job in self.jobs.values():
                self.schedule(job)

    def pop_due_job(self, now: datetime) -> Job | None:
        """The job executor's next job: executable, due by ``now``, oldest first."""
        queue = self._due_queue
        while queue and queue[0][0] <= now:
            due, _, job_id = heapq.heappop(queue)
            job = self.jobs.get(job_id)
            if job is None or job.retries <= 0 or job.suspended or job.due_key() != due:
                continue  # stale entry: gone, failed, suspended or re-queued with a new date
            return job
        return None

    # -- lookups used across the domain -------------------------------------------------

    def running_instances(self) -> list[ProcessInstance]:
        """Runtime process instances (the engine's ``ACT_RU_EXECUTION`` view)."""
        return [i for i in self.instances.values() if i.is_running]

    def jobs_of_instance(self, instance_id: str) -> list[Job]:
        return [j for j in self.jobs.values() if j.process_instance_id == instance_id]

    def external_tasks_of_instance(self, instance_id: str) -> list[ExternalTask]:
        return [t for t in self.external_tasks.values() if t.process_instance_id == instance_id]

    def latest_definition(self, key: str, tenant_id: str | None = None) -> ProcessDefinition | None:
        """The latest version of a key within one tenant (None: without tenant)."""
        candidates = [
            d for d in self.definitions.values() if d.key == key and d.tenant_id == tenant_id
        ]
        return max(candidates, key=lambda d: d.version, default=None)
