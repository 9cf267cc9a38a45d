"""How batches (and every other job) move: ``manual``, ``timed`` or ``instant``.

- ``manual``: nothing runs until the admin API steps jobs (or ``POST /job/{id}/execute``).
- ``timed``: a background job executor runs one due job at a time, ``jobs_per_second``.
- ``instant``: every due job runs before the next request is answered.

The mode can change at any time; the executor thread exists only while ``timed`` is on.
"""

from __future__ import annotations

import threading

from .job_executor import JobExecutor
from .store import EngineStore

MODES = ("manual", "timed", "instant")


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
        self._thread: threading.Thread | None = None
        self.set(mode, jobs_per_second)

    def set(self, mode: str | None = None, jobs_per_second: float | None = None) -> None:
        """Switch mode and/or pace; starts or stops the background executor as needed."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"progression must be one of {', '.join(MODES)}, not '{mode}'")
        if jobs_per_second is not None:
            if not 0 < jobs_per_second <= 10_000:
                raise ValueError("jobs per second must be greater than 0 and at most 10000")
            self.jobs_per_second = jobs_per_second
        if mode is not None:
            self.mode = mode
        if self.mode == "timed" and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mock-job-executor", daemon=True)
            self._thread.start()
        self._wake.set()  # let a sleeping thread notice the change at once

    def before_request(self) -> None:
        """In ``instant`` mode, run everything due before a request sees the state."""
        if self.mode == "instant":
            with self.store.lock:
                self.executor.run_due()

    def close(self) -> None:
        """Stop the background executor (used when an app is thrown away)."""
        self.mode = "manual"
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while self.mode == "timed":
            with self.store.lock:
                self.executor.run_next()
            self._wake.wait(1 / self.jobs_per_second)
            self._wake.clear()
        self._thread = None
