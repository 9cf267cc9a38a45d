"""The conformance suite fails on a batch that never ends and on a 500 for bad input.

Each run is a separate ``python -m pytest --pyargs contracts.<module>`` against a variant of the
mock from ``tests/broken_mocks.py`` (and once against the healthy mock), limited with ``-k`` to
the suspension flow and the property tests of the suspension batch. Only the modules a variant
matters for are collected: collecting the property tests alone takes seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOWS = "contracts.test_flows"
PROPERTIES = "contracts.test_properties"
SELECTION = "test_suspension_batch or suspended-async"


def run_suite(junit: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The conformance suite (modules and options in ``args``) in its own process."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAMUNDA_")}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", SELECTION]
    return subprocess.run(
        [*command, f"--junitxml={junit}", "--pyargs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def failed_checks(junit: Path) -> dict[str, set[str]]:
    """Failed test name -> the names of the checks its report carries."""
    failed: dict[str, set[str]] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed[case.get("name", "")] = {
                prop.get("value", "")
                for prop in case.iter("property")
                if prop.get("name") == "check"
            }
    return failed


@pytest.mark.parametrize(
    ("variant", "module", "test_name", "check"),
    [
        ("batch_never_ends", FLOWS, "test_suspension_batch_suspends_the_instances", "batch-ends"),
        (
            "server_error_on_bad_input",
            PROPERTIES,
            "test_batch_contract[POST /process-instance/suspended-async]",
            "server_errors_are_engine_answers",
        ),
    ],
)
def test_a_broken_variant_fails_the_suite_on_the_named_check(
    variant: str, module: str, test_name: str, check: str, tmp_path: Path
) -> None:
    junit = tmp_path / "conformance.xml"

    result = run_suite(junit, module, "--engine-app", f"tests.broken_mocks:{variant}")

    assert result.returncode == 1, result.stdout + result.stderr
    failed = failed_checks(junit)
    assert list(failed) == [test_name], result.stdout
    assert check in failed[test_name], result.stdout


def test_the_healthy_mock_passes_the_same_selection(tmp_path: Path) -> None:
    junit = tmp_path / "conformance.xml"

    result = run_suite(junit, FLOWS, PROPERTIES)

    assert result.returncode == 0, result.stdout + result.stderr
    assert failed_checks(junit) == {}
    ran = {case.get("name") for case in ElementTree.parse(junit).iter("testcase")}
    assert ran == {
        "test_suspension_batch_suspends_the_instances",
        "test_batch_contract[POST /process-instance/suspended-async]",
    }
