"""Settings from file, environment and flags; the start command serves and says where."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mockserver.config import MockConfig, load_config
from tests.conftest import BASE, make_app
from tests.served import served_mock


def test_precedence_file_then_environment_then_flags(tmp_path: Path, monkeypatch) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text('port = 9000\nseed = 1\nprofile = "docs"\n')
    monkeypatch.setenv("CAMUNDA_MOCK_SEED", "2")
    config = load_config(config_file, {"port": 9100, "host": None})
    assert (config.port, config.seed, config.profile, config.host) == (9100, 2, "docs", "127.0.0.1")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('colour = "blue"\n', "unknown keys colour"),
        ('profile = "strict"\n', "profile must be one of engine, docs"),
        ('base_path = "engine-rest"\n', "base path must start with '/'"),
        ("[invocations_per_batch_job_by_type]\nmigrate = 2\n", "unknown batch type 'migrate'"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(tmp_path: Path, content: str, problem: str) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text(content)
    with pytest.raises(ValueError, match=problem):
        load_config(config_file)


def test_batch_settings_reach_the_batches() -> None:
    app = make_app(
        batch_jobs_per_seed=7,
        invocations_per_batch_job_by_type={"instance-update-suspension-state": 4},
    )
    client = app.test_client()
    response = client.post(
        f"{BASE}/process-instance/suspended-async",
        json={"processInstanceIds": ["a", "b", "c", "d", "e"]},
    )
    batch = response.get_json()
    assert (batch["batchJobsPerSeed"], batch["invocationsPerBatchJob"], batch["totalJobs"]) == (
        7,
        4,
        2,
    )


def test_base_path_is_configurable() -> None:
    client = make_app(base_path="/camunda/api/").test_client()
    assert client.get("/camunda/api/batch/count").get_json() == {"count": 0}
    assert client.get(f"{BASE}/batch/count").status_code == 404


def test_start_command_serves_on_a_free_port(tmp_path: Path) -> None:
    with served_mock("--no-demo", "--profile", "docs") as served:
        line = served.banner
        assert line.startswith("Camunda batch mock listening on http://127.0.0.1:"), line
        assert "profile docs" in line
        url = served.url
        request = urllib.request.Request(
            f"{url}/process-instance/suspended-async",
            data=json.dumps({"processInstanceIds": ["x"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["type"] == "instance-update-suspension-state"


def test_bad_flag_exits_2_with_a_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--base-path", "nope", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "base path must start with '/'" in result.stderr


def test_defaults_match_the_quick_start() -> None:
    config = MockConfig()
    assert (config.host, config.port, config.base_path, config.demo) == (
        "127.0.0.1",
        8080,
        "/engine-rest",
        True,
    )


def test_bpmn_option_deploys_the_users_processes_and_again_after_reset() -> None:
    order = Path(__file__).resolve().parent.parent / "mockserver" / "processes" / "order.bpmn"
    client = make_app(bpmn=[str(order)]).test_client()
    (definition,) = client.get(f"{BASE}/process-definition?key=order").get_json()
    assert definition["resource"] == "order.bpmn"
    client.post("/mock-api/reset", json={})
    assert client.get(f"{BASE}/process-definition/count?key=order").get_json() == {"count": 1}


def test_a_bpmn_file_the_mock_cannot_run_stops_the_start_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<not-bpmn/>")
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--bpmn", str(broken), "--port", "0", "--no-demo"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Could not parse BPMN process" in result.stderr and "broken.bpmn" in result.stderr


# -- what stops the start: one line on stderr, exit code 2, no traceback --------------------


def start_command(*flags: str, env: dict[str, str] | None = None) -> list[str]:
    """Run the start command as a user types it, for a start that must fail: its stderr lines
    (a traceback would show as more than one)."""
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--no-demo", *flags],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_a_port_in_use_stops_the_start_with_one_line() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        lines = start_command("--port", str(port))
    assert lines == [
        f"camunda-batch-mock: port {port} is in use (another process is listening there)"
    ]


@pytest.mark.parametrize("flag", ["--state", "--bpmn", "--config"])
def test_a_missing_file_stops_the_start_naming_the_option_and_the_file(
    tmp_path: Path, flag: str
) -> None:
    missing = tmp_path / "missing.file"
    lines = start_command("--port", "0", flag, str(missing))
    assert lines == [
        f"camunda-batch-mock: {flag} {missing} cannot be read: No such file or directory"
    ]


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ('port = "8080"', "port must be an integer, not '8080'"),
        ("port = 70000", "port must be from 0 to 65535, not 70000"),
        ('bpmn = "order.bpmn"', "bpmn must be a list of strings, not 'order.bpmn'"),
        ('quiet = "no"', "quiet must be true or false, not 'no'"),
        ('jobs_per_second = "fast"', "jobs_per_second must be a number, not 'fast'"),
        ("port = [", "is not a TOML file: Invalid value (at end of document)"),
    ],
)
def test_a_bad_value_in_the_config_file_stops_the_start(
    tmp_path: Path, setting: str, problem: str
) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text(setting + "\n")
    (line,) = start_command("--config", str(config_file))
    assert line.startswith("camunda-batch-mock: ") and line.endswith(problem), line


def test_a_port_out_of_range_on_the_command_line_stops_the_start() -> None:
    lines = start_command("--port", "70000")
    assert lines == ["camunda-batch-mock: port must be from 0 to 65535, not 70000"]


def test_a_bad_value_in_the_environment_names_the_variable() -> None:
    lines = start_command(env={"CAMUNDA_MOCK_PORT": "eighty"})
    assert lines == ["camunda-batch-mock: CAMUNDA_MOCK_PORT must be an integer, not 'eighty'"]
