"""The suite and the drift report over HTTP: the served mock, with demo data, stands in for a
shared engine that holds other people's instances and batches."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.drift import main as drift_main
from tests.served import served_mock as start_mock

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def served_mock() -> Iterator[str]:
    """The mock's URL, served by its start command with demo data and running jobs."""
    with start_mock("--quiet") as served:
        assert served.banner.startswith("Camunda batch mock listening on http://"), served.banner
        yield served.url


def test_the_cases_pass_on_an_engine_url_with_basic_auth(served_mock: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAMUNDA_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "contracts",
            "-p",
            "no:cacheprovider",
            "-k",
            "test_case",
            "--engine-url",
            served_mock,
            "--engine-user",
            "demo",
            "--engine-password",
            "demo",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"engine target: {served_mock} (profile engine)" in result.stdout
    assert f"conformance summary: {served_mock} (profile engine)" in result.stdout


def test_no_drift_between_the_mock_in_process_and_served(
    served_mock: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with_login = served_mock.replace("http://", "http://demo:demo@")

    assert drift_main(["--left", "mock", "--right", with_login]) == 0

    output = capsys.readouterr().out
    assert f"right: {served_mock}" in output
    assert "demo:demo" not in output
