"""One mock engine: the store and the services that act on it, built from a config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import snapshot
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
        self.runtime = ProcessRuntime(self.store, config.engine_version)
        self.repository = Repository(self.store, self.runtime)
        self.commands = Commands(self.store, self.runtime)
        self.profile = Profile(config.profile, spec.divergences)
        self.batches = BatchStarter(
            self.store,
            BatchSettings(
                batch_jobs_per_seed=config.batch_jobs_per_seed,
                invocations_per_batch_job=config.invocations_per_batch_job,
                invocations_by_type=dict(config.invocations_per_batch_job_by_type),
                engine_version=config.engine_version,
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
        self.start_state = _read_state_file(config.state) if config.state else None
        self.reset()
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
        """Back to the start state: the ``--state`` file if there is one and no ``seed`` is
        given, else empty or the demo data for ``seed``."""
        if seed is None and self.start_state is not None:
            self.load_state(self.start_state)
            return
        with self.store.lock:
            self.store.reset(self.config.seed if seed is None else seed)
            if self.config.demo:
                load_demo_data(self.store, self.runtime)
                # The demo starts where a running job executor would be: nothing left due.
                self.executor.run_due()
            self._deploy_user_processes()

    # -- saved states ---------------------------------------------------------------------

    def export_state(self) -> dict[str, Any]:
        """The whole engine state as a JSON-ready document (see ``snapshot``)."""
        with self.store.lock:
            return snapshot.export_state(self.store)

    def load_state(self, document: Any) -> None:
        """Replace the state with a document's; ``snapshot.SnapshotError`` leaves it unchanged."""
        self.store.adopt(snapshot.load_state(document))


def _read_state_file(path: str) -> dict[str, Any]:
    """A ``--state`` file, checked once at start (``snapshot.SnapshotError`` names the problem)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise snapshot.SnapshotError(f"{path} cannot be read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise snapshot.SnapshotError(f"{path} is not a JSON file: {exc}") from None
    try:
        snapshot.load_state(document)
    except snapshot.SnapshotError as exc:
        raise snapshot.SnapshotError(f"{path}: {exc}") from None
    return document
