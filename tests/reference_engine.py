"""The reference engine in the test run: one Camunda engine per run, also under ``-n auto``.

The first test that asks for :func:`reference_engine` (or the engine without a job executor,
for differential fuzzing) starts ``python -m engines.camunda7``
(which builds the jar when needed) under a file lock in the run's shared temporary folder;
every other xdist worker finds its URL in the state file there. The launcher watches the
process that runs the whole session (xdist's controller) and stops the engine when it ends,
and the controller stops it explicitly at the end of the session; the JVM itself dies with
the launcher. So neither a finished nor an interrupted run leaves a JVM behind.

Without Java or Maven the engine tests are skipped with the reason, and fail when ``CI`` is
set, so a CI machine cannot skip them silently.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from engines.camunda7.launcher import DEFAULT_VERSION, pid_alive, tools_available

REPOSITORY = Path(__file__).resolve().parent.parent
# The engines a run may start, by name: launcher options beyond port and version.
ENGINE_KINDS: dict[str, tuple[str, ...]] = {
    "reference-engine": (),
    # For differential fuzzing: state changes only by requests, as on the mock.
    "reference-engine-no-job-executor": ("--no-job-executor",),
    # HTTP Basic through the engine's own filter, user demo/demo.
    "reference-engine-auth": ("--auth",),
}
# A first build downloads about 100 MB of Maven artifacts; then the engine takes ~12 s.
START_TIMEOUT = 900.0
STOP_TIMEOUT = 30.0
# The launcher this process started, kept so it is not reported as an unwaited child.
_LAUNCHERS: list[subprocess.Popen[bytes]] = []


@dataclass(frozen=True)
class ReferenceEngine:
    """A running reference engine: its REST URL and version, and what its start cost."""

    url: str
    version: str
    started_in: float
    rss_mb: float | None


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: shared by all xdist workers."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _session_pid() -> int:
    """The process that runs the session: xdist's controller is a worker's parent."""
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def _launch(folder: Path, kind: str) -> dict[str, object]:
    state = folder / f"{kind}.json"
    log_file = folder / f"{kind}.log"
    with open(log_file, "ab") as log:
        launcher = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "engines.camunda7",
                "--port",
                "0",
                "--camunda-version",
                DEFAULT_VERSION,
                "--state-file",
                str(state),
                "--watch-pid",
                str(_session_pid()),
                *ENGINE_KINDS[kind],
            ],
            cwd=REPOSITORY,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    _LAUNCHERS.append(launcher)
    deadline = time.monotonic() + START_TIMEOUT
    while not state.exists():
        if launcher.poll() is not None and not state.exists():
            log_text = log_file.read_text(errors="replace")
            return {"error": f"the launcher exited with {launcher.returncode}:\n{log_text}"}
        if time.monotonic() > deadline:
            launcher.terminate()
            return {"error": f"no engine after {START_TIMEOUT:g} s; see {log_file}"}
        time.sleep(0.2)
    return json.loads(state.read_text(encoding="utf-8"))


def shared_engine(factory: pytest.TempPathFactory, kind: str) -> ReferenceEngine:
    """The run's engine of ``kind``: started by the first worker that asks, under a lock."""
    missing = tools_available()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the reference engine, but {missing}")
        pytest.skip(missing)
    folder = _run_folder(factory)
    with FileLock(folder / f"{kind}.lock"):
        state_file = folder / f"{kind}.json"
        if state_file.exists():
            state = json.loads(state_file.read_text(encoding="utf-8"))
        else:
            state = _launch(folder, kind)
    if "error" in state:
        pytest.fail(f"the {kind} did not start: {state['error']}", pytrace=False)
    return ReferenceEngine(
        str(state["url"]),
        str(state["version"]),
        float(state["started_in"]),  # type: ignore[arg-type]
        state.get("rss_mb"),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def reference_engine(tmp_path_factory: pytest.TempPathFactory) -> ReferenceEngine:
    """The run's Camunda engine, job executor on (started by the first test that needs it)."""
    return shared_engine(tmp_path_factory, "reference-engine")


@pytest.fixture(scope="session")
def reference_engine_without_job_executor(
    tmp_path_factory: pytest.TempPathFactory,
) -> ReferenceEngine:
    """A second engine whose jobs never run by themselves, for differential fuzzing."""
    return shared_engine(tmp_path_factory, "reference-engine-no-job-executor")


@pytest.fixture(scope="session")
def reference_engine_with_auth(tmp_path_factory: pytest.TempPathFactory) -> ReferenceEngine:
    """An engine behind its HTTP Basic filter (user ``demo``, password ``demo``)."""
    return shared_engine(tmp_path_factory, "reference-engine-auth")


def stop_reference_engines(config: pytest.Config) -> None:
    """At the end of the session (on the controller): stop the engines the run started."""
    if hasattr(config, "workerinput"):
        return  # a worker: the controller outlives it and stops the engines
    factory: pytest.TempPathFactory | None = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    launchers = []
    for kind in ENGINE_KINDS:
        state_file = factory.getbasetemp() / f"{kind}.json"
        if state_file.exists():
            pid = json.loads(state_file.read_text(encoding="utf-8")).get("launcher_pid")
            if isinstance(pid, int) and pid_alive(pid):
                os.kill(pid, signal.SIGTERM)
                launchers.append(pid)
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(pid_alive(pid) for pid in launchers) and time.monotonic() < deadline:
        time.sleep(0.1)
    for launcher in _LAUNCHERS:  # without xdist this process started them: reap them
        launcher.wait(STOP_TIMEOUT)
