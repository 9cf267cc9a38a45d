"""The reference engine's launcher: each way it cannot start says so in one line, exit non-zero.

These run the launcher as a user does (``python -m engines.camunda7``), with no engine
started, except the readiness timeout, which starts a JVM and gives it too little time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from engines.camunda7 import launcher
from engines.camunda7.launcher import EngineStartError, tools_available
from engines.camunda7.matrix import table

REPOSITORY = Path(__file__).resolve().parent.parent
needs_tools = pytest.mark.skipif(tools_available() is not None, reason=str(tools_available()))


def run_launcher(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engines.camunda7", *args],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


def test_without_java_on_path_it_says_so_and_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no java, no mvn
    result = run_launcher("--port", "0", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "reference engine: java is not on PATH: the reference engine needs Java 17+ and Maven"
    )
    assert "Traceback" not in result.stderr


def test_without_maven_on_path_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = launcher.shutil.which("java")
    if java is not None:  # java alone on PATH: the build asks for Maven next
        (tmp_path / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(tmp_path))
    expected = "mvn is not on PATH" if java is not None else "java is not on PATH"
    with pytest.raises(EngineStartError, match=expected):
        launcher.build("7.24.0", force=True)


@needs_tools
def test_a_busy_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_launcher("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.startswith(f"reference engine: port {port} is busy: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unknown_version_is_refused_before_maven_runs() -> None:
    with pytest.raises(EngineStartError, match=r"Camunda 7\.19\.0 is not a known CE release"):
        launcher.build("7.19.0")


@needs_tools
def test_a_dependency_that_does_not_resolve_shows_mavens_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A Camunda release that does not exist: the camunda-bom import cannot resolve.
    monkeypatch.setitem(launcher.SPRING_BOOT_FOR, "7.99.0", "3.5.5")
    with pytest.raises(EngineStartError) as raised:
        launcher.build("7.99.0")
    assert raised.value.summary.startswith("the Maven build of Camunda 7.99.0 failed (exit 1)")
    assert raised.value.details, "Maven's error lines are kept"
    assert all(line.startswith("[ERROR]") for line in raised.value.details)
    assert any("camunda-bom" in line and "7.99.0" in line for line in raised.value.details)


@needs_tools
def test_an_engine_not_ready_in_time_is_stopped_and_shows_its_log() -> None:
    # 9 s: long enough for Spring Boot to log its start even on a busy machine, far short of
    # the 11-12 s the engine needs to answer.
    result = run_launcher("--port", "0", "--timeout", "9")
    assert result.returncode == 1
    first, *tail = result.stderr.splitlines()
    assert first.startswith("reference engine: Camunda 7.24.0 was not ready within 9 s;")
    assert any("Starting" in line for line in tail), "the end of the engine's log follows"
    port = None
    for line in result.stderr.splitlines():
        if "engine-" in line and ".log" in line:
            port = line.rsplit("engine-", 1)[1].split(".log", 1)[0]
    assert port is not None
    probe = subprocess.run(["pgrep", "-f", "--", f"--server.port={port}"], capture_output=True)
    assert probe.returncode == 1, "no JVM is left behind"


def test_the_version_matrix_shows_each_endpoint_per_version() -> None:
    def summary(passed: int, failed: int, exit_code: int) -> dict[str, object]:
        row = {"endpoint": "POST /x", "passed": passed, "failed": failed, "divergences_seen": 1}
        return {"endpoints": [row], "exit": exit_code}

    text = table({"7.23.0": summary(3, 1, 1), "7.24.0": summary(4, 0, 0)})
    assert text.splitlines() == [
        "| endpoint | 7.23.0 | 7.24.0 |",
        "| --- | --- | --- |",
        "| POST /x | 3 / 1 / 1 | 4 / 0 / 1 |",
        "| **suite** | FAILED | passed |",
    ]
