"""One mock engine: the store and the services that act on it, built from a config."""

from __future__ import annotations

from pathlib import Path

from .batch_lifecycle import BatchLifecycle
from .batches import BatchSettings, BatchStarter
from .commands import Commands
from .config import MockConfig
from .demo import load_demo_data
from .job_executor import JobExecutor
from .operations import BatchOperations
from .profiles import Profile
from .progression import Progression
from .repository import Repository
from .runtime import ProcessRuntime
from .spec import Spec
from .store import EngineStore


class MockEngine:
    """What a Flask app serves: state plus the domain services, no HTTP."""

    def __init__(self, config: MockConfig, spec: Spec) -> None:
        self.config = config
        self.spec = spec
        self.store = EngineStore(config.seed)
        self.runtime = ProcessRuntime(self.store)
        self.repository = Repository(self.store, self.runtime)
        self.commands = Commands(self.store, self.runtime)
        self.profile = Profile(config.profile, spec.divergences)
        self.batches = BatchStarter(
            self.store,
            BatchSettings(
                batch_jobs_per_seed=config.batch_jobs_per_seed,
                invocations_per_batch_job=config.invocations_per_batch_job,
                invocations_by_type=dict(config.invocations_per_batch_job_by_type),
            ),
            self.profile,
        )
        self.lifecycle = BatchLifecycle(
            self.store,
            self.runtime,
            BatchOperations(self.store, self.runtime),
            poll_seconds=config.batch_poll_time,
        )
        self.executor = JobExecutor(self.store, self.runtime, self.lifecycle)
        self.reset(config.seed)
        self.progression = Progression(
            self.store, self.executor, config.progression, config.jobs_per_second
        )

    def _deploy_user_processes(self) -> None:
        """``--bpmn FILE``: each file becomes a deployment named after it."""
        for path in self.config.bpmn:
            file = Path(path)
            resources = {file.name: file.read_bytes()}
            self.repository.deploy(resources, name=file.stem, source="--bpmn")

    def reset(self, seed: int | None = None) -> None:
        """Back to the start state: empty, or the demo data for ``seed``."""
        with self.store.lock:
            self.store.reset(self.config.seed if seed is None else seed)
            if self.config.demo:
                load_demo_data(self.store, self.runtime)
                # The demo starts where a running job executor would be: nothing left due.
                self.executor.run_due()
            self._deploy_user_processes()
