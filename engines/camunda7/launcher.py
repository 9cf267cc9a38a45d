"""Build and run the reference engine: Camunda 7 CE on Spring Boot, from Maven Central.

The Maven project next to this file is a plain Spring Boot application with Camunda's REST
starter (H2 in memory, history full, job executor on). This module builds its jar for one
Camunda version when the jar is missing or older than the project, starts it on a port, waits
until ``GET /engine-rest/engine`` answers, and stops it again. Every failure is an
:class:`EngineStartError` with one line saying what went wrong, and the lines that show why
(Maven's error lines, the tail of the engine's log).

The JVM is tied to the process that started it: on Linux it gets SIGTERM when that process
dies, however it dies, so an interrupted test run leaves no engine behind.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
# The Spring Boot version each Camunda CE release was built and tested with (the
# `version.spring-boot` property of its camunda-parent POM).
SPRING_BOOT_FOR = {
    "7.20.0": "3.1.1",
    "7.21.0": "3.2.2",
    "7.22.0": "3.3.3",
    "7.23.0": "3.4.4",
    "7.24.0": "3.5.5",
}
DEFAULT_VERSION = "7.24.0"
DEFAULT_READY_TIMEOUT = 180.0
BASE_PATH = "/engine-rest"
# Heap for one small test engine; the official images give 768m, one H2 engine needs less.
JVM_OPTIONS = ("-Xmx512m", "-XX:+UseSerialGC")
STOP_GRACE_SECONDS = 20.0
LOG_TAIL_LINES = 30
_PR_SET_PDEATHSIG = 1


class EngineStartError(Exception):
    """The engine could not be built or started: ``summary`` says what, ``details`` why."""

    def __init__(self, summary: str, details: Sequence[str] = ()) -> None:
        super().__init__(summary)
        self.summary = summary
        self.details = list(details)

    def report(self) -> str:
        """The summary, then the detail lines indented."""
        return "\n".join([self.summary, *("  " + line for line in self.details)])


def tool(name: str) -> str:
    """The path of ``java`` or ``mvn`` on PATH, or an :class:`EngineStartError`."""
    found = shutil.which(name)
    if found is None:
        raise EngineStartError(
            f"{name} is not on PATH: the reference engine needs Java 17+ and Maven"
        )
    return found


def tools_available() -> str | None:
    """``None`` when Java and Maven are there, else why the engine cannot run."""
    try:
        tool("java")
        tool("mvn")
    except EngineStartError as error:
        return error.summary
    return None


def jar_path(version: str) -> Path:
    """Where the build of ``version`` puts its runnable jar."""
    return PROJECT_DIR / "target" / version / f"reference-engine-{version}.jar"


def _sources() -> Iterator[Path]:
    yield PROJECT_DIR / "pom.xml"
    yield from (path for path in (PROJECT_DIR / "src").rglob("*") if path.is_file())


def is_built(version: str) -> bool:
    """The jar of ``version`` exists and is newer than every file of the Maven project."""
    jar = jar_path(version)
    if not jar.is_file():
        return False
    built = jar.stat().st_mtime
    return all(source.stat().st_mtime <= built for source in _sources())


def build(version: str = DEFAULT_VERSION, *, force: bool = False) -> Path:
    """Build the jar of ``version`` unless it is up to date; its path."""
    if version not in SPRING_BOOT_FOR:
        known = ", ".join(SPRING_BOOT_FOR)
        raise EngineStartError(f"Camunda {version} is not a known CE release (known: {known})")
    if not force and is_built(version):
        return jar_path(version)
    tool("java")
    command = [
        tool("mvn"),
        "--batch-mode",
        "--quiet",
        "package",
        "-DskipTests",
        f"-Dcamunda.version={version}",
        f"-Dspring-boot.version={SPRING_BOOT_FOR[version]}",
    ]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not jar_path(version).is_file():
        output = (result.stdout + result.stderr).splitlines()
        errors = [line for line in output if line.startswith("[ERROR]")] or output
        raise EngineStartError(
            f"the Maven build of Camunda {version} failed (exit {result.returncode})",
            errors[:LOG_TAIL_LINES],
        )
    return jar_path(version)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_port_free(port: int) -> None:
    """An :class:`EngineStartError` when something already listens on ``port``."""
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            raise EngineStartError(f"port {port} is busy: {error.strerror}") from None


def _die_with_parent() -> None:
    """In the JVM's child process, before exec: SIGTERM when the starting process dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class RunningEngine:
    """One started engine: its process, port and log file."""

    version: str
    port: int
    auth: bool
    process: subprocess.Popen[bytes] = field(repr=False)
    log_file: Path
    started_in: float = 0.0

    @property
    def url(self) -> str:
        """The REST API's base URL, e.g. ``http://localhost:8080/engine-rest``."""
        return f"http://localhost:{self.port}{BASE_PATH}"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> list[str]:
        """The last lines the engine wrote."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return text.splitlines()[-lines:] or ["(the log is empty so far)"]

    def rss_megabytes(self) -> float | None:
        """The JVM's resident memory now (Linux only)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None

    def wait_ready(self, timeout: float = DEFAULT_READY_TIMEOUT) -> None:
        """Poll ``GET /engine-rest/engine`` (exempt from auth) until it answers 200."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise EngineStartError(
                    f"Camunda {self.version} exited with {self.process.returncode} "
                    f"before it was ready; the end of its log ({self.log_file}):",
                    self.log_tail(),
                )
            try:
                with urllib.request.urlopen(self.url + "/engine", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise EngineStartError(
                    f"Camunda {self.version} was not ready within {timeout:g} s; "
                    f"the end of its log ({self.log_file}):",
                    tail,
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM (Spring Boot shuts down cleanly), then SIGKILL after a grace period."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    version: str = DEFAULT_VERSION,
    port: int = 8080,
    *,
    auth: bool = False,
    job_executor: bool = True,
    log_file: Path | None = None,
    timeout: float = DEFAULT_READY_TIMEOUT,
) -> RunningEngine:
    """Build if needed, start on ``port`` (0: any free port) and wait until it is ready.

    ``job_executor=False`` starts an engine whose jobs run only through ``POST
    /job/{id}/execute``: its state changes only by requests, as the mock's in manual
    progression, so the two can be compared request by request.
    """
    java = tool("java")
    port = port or free_port()
    check_port_free(port)  # before the build: a busy port is known at once
    jar = build(version)
    log_file = log_file or PROJECT_DIR / "target" / version / f"engine-{port}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [
                java,
                *JVM_OPTIONS,
                "-jar",
                str(jar),
                f"--server.port={port}",
                f"--reference-engine.auth={str(auth).lower()}",
                f"--camunda.bpm.job-execution.enabled={str(job_executor).lower()}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # runs between fork and exec: no locks taken there
        )
    engine = RunningEngine(version, port, auth, process, log_file)
    try:
        engine.wait_ready(timeout)
    except BaseException:
        engine.stop()
        raise
    engine.started_in = time.monotonic() - began
    return engine


@contextmanager
def running(
    version: str = DEFAULT_VERSION, port: int = 0, *, auth: bool = False
) -> Iterator[RunningEngine]:
    """A started engine for the ``with`` block, stopped at its end."""
    engine = start(version, port, auth=auth)
    try:
        yield engine
    finally:
        engine.stop()


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` still runs (an exited one nobody reaped does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # Linux: a zombie still answers kill(0) but has ended
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] != "Z"
