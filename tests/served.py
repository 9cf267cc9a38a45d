"""The mock started by its start command, as a user starts it, for tests that need real HTTP."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class ServedMock:
    """A running ``python -m mockserver``; ``stderr`` is filled in once it has stopped."""

    banner: str  # the first line it prints: "Camunda batch mock listening on URL (...)"
    process: subprocess.Popen[str]
    stderr: str = ""

    @property
    def url(self) -> str:
        """The engine API's address, e.g. ``http://127.0.0.1:PORT/engine-rest``."""
        return self.banner.split()[5]

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80


@contextmanager
def served_mock(*flags: str) -> Iterator[ServedMock]:
    """Start the mock on a free port with ``flags``; stop it with SIGTERM on exit.

    Its console goes to a file, not a pipe: a line per request on a pipe nobody reads
    would fill it and stall the server.
    """
    with tempfile.TemporaryFile("w+") as console:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "--port", "0", *flags],
            stdout=subprocess.PIPE,
            stderr=console,
            text=True,
        )
        served = ServedMock(process.stdout.readline() if process.stdout else "", process)
        try:
            yield served
        finally:
            process.terminate()
            process.communicate(timeout=30)  # waits, and closes stdout
            console.seek(0)
            served.stderr = console.read()
