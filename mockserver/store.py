"""The engine's state: every domain object by id, one lock, one seeded source of ids.

The store belongs to one app (``app.extensions``), never to the module, so tests and
xdist workers never share state. All mutation happens under ``store.lock``.
"""

from __future__ import annotations

import heapq
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

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

V = TypeVar("V")

# A random UUID's fixed bits: version 4 and the RFC 4122 variant; the other 122 are drawn.
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)
_UUID_FREE_BITS = ~((0xF000 << 64) | (0xC000 << 48))


class IndexedTable(dict[str, V]):
    """A table by id that also keeps its rows grouped by some of their attributes.

    The grouped attributes must never change once a row is stored (an instance id, a job
    definition, a failed job's id), so keeping the groups in step needs only the table's
    own writes: ``table[id] = row``, ``del table[id]`` and ``table.pop(id)``. Each group
    keeps the table's insertion order, so reading a group gives the rows in the order a
    scan of the whole table would.
    """

    def __init__(self, **keys: Callable[[V], Any]) -> None:
        super().__init__()
        self._groups: dict[str, dict[Any, dict[str, V]]] = {name: {} for name in keys}
        # (groups, key of a row) per index: what every write walks, bound once.
        self._indexes = tuple((self._groups[name], key_of) for name, key_of in keys.items())

    def by(self, index: str, key: Any) -> list[V]:
        """The rows whose ``index`` attribute is ``key``, in insertion order."""
        return list(self._groups[index].get(key, {}).values())

    def __setitem__(self, row_id: str, row: V) -> None:
        if row_id in self:
            self._ungroup(row_id, self[row_id])
        dict.__setitem__(self, row_id, row)
        for groups, key_of in self._indexes:
            key = key_of(row)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {}
            group[row_id] = row

    def __delitem__(self, row_id: str) -> None:
        self._ungroup(row_id, self[row_id])
        dict.__delitem__(self, row_id)

    def pop(self, row_id: str, *default: Any) -> Any:  # type: ignore[override]
        """``dict.pop``, keeping the groups in step."""
        if row_id not in self:
            return super().pop(row_id, *default)
        row = self[row_id]
        del self[row_id]
        return row

    def _ungroup(self, row_id: str, row: V) -> None:
        for groups, key_of in self._indexes:
            key = key_of(row)
            group = groups[key]
            del group[row_id]
            if not group:
                del groups[key]

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("IndexedTable changes only through [id] = row, del and pop")

    # Writes that would bypass the groups.
    update = setdefault = popitem = clear = __ior__ = _refuse  # type: ignore[assignment]


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
            # Grouped by what runtime, batches and queries look rows up by, so no step
            # scans a whole table per instance or per job (100,000 instances stay linear).
            self.job_definitions: IndexedTable[JobDefinition] = IndexedTable(
                process_definition=lambda d: d.process_definition_id
            )
            self.jobs: IndexedTable[Job] = IndexedTable(
                instance=lambda j: j.process_instance_id,
                job_definition=lambda j: j.job_definition.id,
            )
            self.external_tasks: IndexedTable[ExternalTask] = IndexedTable(
                instance=lambda t: t.process_instance_id
            )
            self.user_tasks: IndexedTable[UserTask] = IndexedTable(
                instance=lambda t: t.process_instance_id
            )
            self.incidents: IndexedTable[Incident] = IndexedTable(
                instance=lambda i: i.process_instance_id,
                configuration=lambda i: i.configuration,
                job_definition=lambda i: i.job_definition_id,
            )
            self.batches: dict[str, Batch] = {}
            self.job_sequence = 0  # the last creation number handed to a job
            # (due moment, sequence, job id): a job may sit here more than once or after it
            # is gone; the executor checks each entry against the job table when it pops it.
            self._due_queue: list[tuple[datetime, int, str]] = []

    def new_id(self) -> str:
        """A UUID drawn from the seeded random source, so the same seed gives the same ids.

        The text ``str(uuid.UUID(int=bits, version=4))`` gives, built directly: it is made
        several times per request and per job, and the UUID object costs three times more.
        """
        text = f"{self.random.getrandbits(128) & _UUID_FREE_BITS | _UUID4_BITS:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

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
        """An instance's jobs, oldest first."""
        return self.jobs.by("instance", instance_id)

    def external_tasks_of_instance(self, instance_id: str) -> list[ExternalTask]:
        """An instance's external tasks, oldest first."""
        return self.external_tasks.by("instance", instance_id)

    def jobs_of_instances(self, instance_ids: set[str]) -> list[Job]:
        """The jobs of several instances, oldest first (the job table's order)."""
        if len(instance_ids) * 4 >= len(self.jobs):
            # Most of the table: one scan is cheaper than gathering groups and sorting them.
            return [job for job in self.jobs.values() if job.process_instance_id in instance_ids]
        jobs = [job for instance_id in instance_ids for job in self.jobs_of_instance(instance_id)]
        jobs.sort(key=lambda job: job.sequence)  # a job's sequence is its place in the table
        return jobs

    def jobs_of_definition(self, job_definition_id: str) -> list[Job]:
        """The jobs of one job definition (a batch's seed, monitor or execution jobs)."""
        return self.jobs.by("job_definition", job_definition_id)

    def latest_definition(self, key: str, tenant_id: str | None = None) -> ProcessDefinition | None:
        """The latest version of a key within one tenant (None: without tenant)."""
        candidates = [
            d for d in self.definitions.values() if d.key == key and d.tenant_id == tenant_id
        ]
        return max(candidates, key=lambda d: d.version, default=None)
