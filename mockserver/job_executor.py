"""The job executor: picks due jobs, runs them, records failures as the engine does."""

from __future__ import annotations

from .batch_lifecycle import BatchLifecycle
from .models import BATCH_MONITOR_JOB, BATCH_SEED_JOB, EngineFailure, Job
from .runtime import ProcessRuntime
from .store import EngineStore


class JobExecutor:
    """Runs jobs of one store (callers hold ``store.lock``)."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime, lifecycle: BatchLifecycle):
        self.store = store
        self.runtime = runtime
        self.lifecycle = lifecycle

    def execute(self, job: Job) -> EngineFailure | None:
        """Run one job in a transaction of its own. A failure undoes what the job did, costs
        a retry (at 0: a ``failedJob`` incident) and is returned."""
        job_type = job.job_definition.job_type
        try:
            with self.runtime.transaction():
                if job_type == BATCH_SEED_JOB:
                    self.lifecycle.run_seed(job)
                elif job_type == BATCH_MONITOR_JOB:
                    self.lifecycle.run_monitor(job)
                elif job.batch_id is not None:
                    self.lifecycle.run_execution(job)
                else:
                    self.runtime.execute_job(job)
        except EngineFailure as failure:
            self.runtime.fail_job(job, str(failure))
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
