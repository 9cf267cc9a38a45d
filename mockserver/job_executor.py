"""The job executor: picks due jobs, runs them, records failures as the engine does."""

from __future__ import annotations

from .batch_lifecycle import BatchLifecycle
from .models import BATCH_MONITOR_JOB, BATCH_SEED_JOB, Job
from .operations import ItemFailure
from .runtime import ProcessRuntime
from .store import EngineStore


class JobExecutor:
    """Runs jobs of one store (callers hold ``store.lock``)."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime, lifecycle: BatchLifecycle):
        self.store = store
        self.runtime = runtime
        self.lifecycle = lifecycle

    def execute(self, job: Job) -> ItemFailure | None:
        """Run one job. A failure costs a retry (at 0: a ``failedJob`` incident) and is returned."""
        job_type = job.job_definition.job_type
        try:
            if job_type == BATCH_SEED_JOB:
                self.lifecycle.run_seed(job)
            elif job_type == BATCH_MONITOR_JOB:
                self.lifecycle.run_monitor(job)
            elif job.batch_id is not None:
                self.lifecycle.run_execution(job)
            else:
                self.runtime.execute_job(job)
        except ItemFailure as failure:
            # No retry time cycle is configured: the job is due again at once, one retry less.
            job.exception_message = str(failure)
            self.runtime.set_job_retries(job, max(job.retries - 1, 0))
            return failure
        return None

    def run_next(self) -> Job | None:
        """Run the oldest due job, if any, and return it."""
        job = self.store.pop_due_job(self.store.clock.now())
        if job is not None:
            self.execute(job)
        return job

    def run_due(self, limit: int | None = None) -> int:
        """Run due jobs (including the ones they create) until none is due or ``limit`` ran."""
        executed = 0
        while limit is None or executed < limit:
            if self.run_next() is None:
                break
            executed += 1
        return executed
