"""A batch's life: seed jobs hand out execution jobs, a monitor job ends the batch.

The engine's rules (BatchSeedJobHandler, BatchMonitorJobHandler, AbstractBatchJobHandler):
each seed run creates up to ``batchJobsPerSeed`` execution jobs of ``invocationsPerBatchJob``
items each, from one deployment's items, and adds them to ``jobsCreated``; while items remain
it leaves a new seed job, else a monitor job. The first execution job sets
``executionStartTime``. The monitor ends the batch once no execution job is left, and
otherwise polls again after ``batchPollTime`` seconds. Failed jobs (no retries) keep a batch
from ending.
"""

from __future__ import annotations

from datetime import timedelta

from .models import Batch, Job
from .operations import BatchOperations
from .runtime import ProcessRuntime
from .store import EngineStore


class BatchLifecycle:
    """Runs a batch's seed, execution and monitor jobs (callers hold ``store.lock``)."""

    def __init__(
        self,
        store: EngineStore,
        runtime: ProcessRuntime,
        operations: BatchOperations,
        poll_seconds: float,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.operations = operations
        self.poll_seconds = poll_seconds

    def _new_job(
        self,
        batch: Batch,
        kind: str,
        items: list[str | None] | None = None,
        due_in: float | None = None,
    ) -> Job:
        definition = {
            "seed": batch.seed_job_definition,
            "monitor": batch.monitor_job_definition,
            "execution": batch.batch_job_definition,
        }[kind]
        now = self.store.clock.now()
        return self.store.add_job(
            Job(
                id=self.store.new_id(),
                job_definition=definition,
                create_time=now,
                due_date=None if due_in is None else now + timedelta(seconds=due_in),
                suspended=definition.suspended,  # jobs of a suspended batch start suspended
                batch_id=batch.id,
                items=list(items or []),
            )
        )

    def run_seed(self, job: Job) -> None:
        """Create the next execution jobs from one deployment's remaining items."""
        batch = self.store.batches[job.batch_id or ""]
        del self.store.jobs[job.id]
        group = batch.item_groups[batch.seed_group]
        size = batch.invocations_per_batch_job
        chunk = group[batch.seed_offset : batch.seed_offset + batch.batch_jobs_per_seed * size]
        for start in range(0, len(chunk), size):
            self._new_job(batch, "execution", chunk[start : start + size])
            batch.jobs_created += 1
        batch.seed_offset += len(chunk)
        if batch.seed_offset >= len(group):
            batch.seed_group += 1
            batch.seed_offset = 0
        if batch.seed_group < len(batch.item_groups):
            self._new_job(batch, "seed")
        else:
            self._new_job(batch, "monitor")

    def run_execution(self, job: Job) -> None:
        """Apply the job's items; a failure (``EngineFailure``) goes to the executor to record."""
        batch = self.store.batches[job.batch_id or ""]
        if batch.execution_start_time is None:
            batch.execution_start_time = self.store.clock.now()
        self.operations.execute(batch, job.items)
        del self.store.jobs[job.id]

    def run_monitor(self, job: Job) -> None:
        """End the batch if no execution job is left, else look again after the poll time."""
        batch = self.store.batches[job.batch_id or ""]
        del self.store.jobs[job.id]
        if self.execution_jobs(batch):
            self._new_job(batch, "monitor", due_in=self.poll_seconds)
        else:
            self.end(batch)

    def execution_jobs(self, batch: Batch) -> list[Job]:
        """The batch's execution jobs still in the job table (failed ones included)."""
        return self.store.jobs_of_definition(batch.batch_job_definition.id)

    def end(self, batch: Batch) -> None:
        """Remove the runtime batch, its job definitions and jobs; history keeps an end time."""
        store = self.store
        definitions = [d.id for d in batch.job_definitions()]
        for definition_id in definitions:
            for job in store.jobs_of_definition(definition_id):
                del store.jobs[job.id]
            store.job_definitions.pop(definition_id, None)
        batch.end_time = store.clock.now()
        if batch.history_deleted:
            del store.batches[batch.id]

    def delete(self, batch: Batch, cascade: bool) -> None:
        """``DELETE /batch/{id}``: end it now; ``cascade`` also drops its history and incidents."""
        self.end(batch)
        if cascade:
            for definition in batch.job_definitions():
                for incident in self.store.incidents.by("job_definition", definition.id):
                    del self.store.incidents[incident.id]
            self.store.batches.pop(batch.id, None)

    def set_suspended(self, batch: Batch, suspended: bool) -> None:
        """Suspend or activate a batch with its three job definitions and all their jobs."""
        batch.suspended = suspended
        for definition in batch.job_definitions():
            definition.suspended = suspended
            for job in self.store.jobs_of_definition(definition.id):
                job.suspended = suspended
                if not suspended:
                    self.store.schedule(job)
