"""How batches (and every other job) move: ``manual``, ``timed`` or ``instant``.

- ``manual``: nothing runs until the admin API steps jobs (or ``POST /job/{id}/execute``).
- ``timed``: a background job executor runs one due job at a time, ``jobs_per_second``.
- ``instant``: every due job runs before the next request is answered.

The mode can change at any time; the executor thread exists only while ``timed`` is on.
Every job runs under ``store.lock``, so a request never sees a job half done.
"""

from __future__ import annotations

import logging
import threading

from .job_executor import JobExecutor
from .store import EngineStore

MODES = ("manual", "timed", "instant")

log = logging.getLogger("mockserver")


class Progression:
    """The active progression mode and, in ``timed`` mode, the executor thread."""

    def __init__(
        self, store: EngineStore, executor: JobExecutor, mode: str, jobs_per_second: float
    ) -> None:
        self.store = store
        self.executor = executor
        self.mode = "manual"
        self.jobs_per_second = jobs_per_second
        self._wake = threading.Event()
        # Guards the mode and the thread handle together: a thread that is leaving because
        # the mode changed must never be taken for a running one by a concurrent ``set``.
        self._control = threading.Lock()
        self._thread: threading.Thread | None = None
        self.set(mode, jobs_per_second)

    def set(self, mode: str | None = None, jobs_per_second: float | None = None) -> None:
        """Switch mode and/or pace; starts or stops the background executor as needed."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"progression must be one of {', '.join(MODES)}, not '{mode}'")
        if jobs_per_second is not None and not 0 < jobs_per_second <= 10_000:
            raise ValueError("jobs per second must be greater than 0 and at most 10000")
        with self._control:
            if jobs_per_second is not None:
                self.jobs_per_second = jobs_per_second
            if mode is not None:
                self.mode = mode
            if self.mode == "timed" and self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="mock-job-executor", daemon=True
                )
                self._thread.start()
        self._wake.set()  # let a sleeping thread notice the change at once

    def before_request(self) -> None:
        """In ``instant`` mode, run everything due before a request sees the state."""
        if self.mode == "instant":
            with self.store.lock:
                self.executor.run_due()

    def close(self) -> None:
        """Stop the background executor (used when an app is thrown away)."""
        with self._control:
            self.mode = "manual"
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._control:
                if self.mode != "timed":
                    self._thread = None
                    return
                pause = 1 / self.jobs_per_second
            try:
                with self.store.lock:
                    self.executor.run_next()
            except Exception:
                # A bug in the mock must not stop every batch from moving: log it, go on.
                log.exception("the background job executor failed on a job")
            self._wake.wait(pause)
            self._wake.clear()
