"""Starting the servers the bench scripts measure, each in a process of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Server:
    """A started server: its process and where its engine API lives."""

    name: str
    process: subprocess.Popen[str]
    host: str
    port: int
    base_path: str

    def cpu_seconds(self) -> float | None:
        """CPU time the server process used so far (Linux ``/proc``; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        user, system = int(fields[11]), int(fields[12])  # utime, stime in clock ticks
        return (user + system) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers) and close its output pipe."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def read_url(process: subprocess.Popen[str], name: str) -> tuple[str, int, str]:
    """Host, port and base path from a server's first output line."""
    line = process.stdout.readline() if process.stdout else ""
    match = re.search(r"(http://\S+)", line)
    if match is None:
        process.kill()
        raise SystemExit(f"{name} did not print its address; first line: {line!r}")
    url = urlsplit(match.group(1))
    return url.hostname or "127.0.0.1", url.port or 80, url.path


def mock_command() -> list[str]:
    """The installed start command next to this interpreter, else ``python -m mockserver``."""
    installed = Path(sys.executable).parent / "camunda-batch-mock"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "mockserver"]


def start_mock(progression: str, *options: str) -> Server:
    """The mock by its start command on a free port (demo data unless ``--no-demo``)."""
    command = [*mock_command(), "--port", "0", "--progression", progression, *options]
    # waitress warns on stderr whenever requests queue for a thread; that is the load's point.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    return Server("mock", process, *read_url(process, "the mock"))
