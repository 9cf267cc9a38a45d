"""The conformance suite fails on a mock that breaks the contract, and names the broken check.

Each run is a separate ``python -m pytest --pyargs contracts`` against a variant of the mock from
``tests/broken_mocks.py``, limited with ``-k`` to the cases the variant matters for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_suite(*args: str) -> subprocess.CompletedProcess[str]:
    """The conformance suite in its own process, from the repository top."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAMUNDA_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contracts", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def summary_row(output: str, endpoint: str) -> list[str]:
    """The cells of the summary table's row for ``endpoint``."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if cells[0] == endpoint:
            return cells
    raise AssertionError(f"no summary row for {endpoint} in:\n{output}")


VARIANTS = [
    (
        "batch_without_execution_start_time",
        "suspend-by-ids",
        "POST /process-instance/suspended-async",
        "batch-schema",
    ),
    (
        "batch_with_one_job_too_many",
        "job-retries and by-instance-ids",
        "POST /process-instance/job-retries",
        "batch-numbers",
    ),
    (
        "retries_null_reworded",
        "job-retries and retries-null",
        "POST /process-instance/job-retries",
        "error-message",
    ),
]
SELECTIONS = [selection for _, selection, _, _ in VARIANTS]


@pytest.mark.parametrize(("variant", "selection", "endpoint", "check"), VARIANTS)
def test_a_broken_variant_fails_the_suite_on_the_named_check(
    variant: str, selection: str, endpoint: str, check: str, tmp_path: Path
) -> None:
    junit = tmp_path / "conformance.xml"

    result = run_suite(
        "--engine-app", f"tests.broken_mocks:{variant}", "-k", selection, f"--junitxml={junit}"
    )

    assert result.returncode == 1, result.stdout + result.stderr
    row = summary_row(result.stdout, endpoint)
    assert row[1:3] == ["0", "1"], row  # passed, failed
    assert check in row[5], row
    testcase = ElementTree.parse(junit).find(".//testcase[failure]")
    properties = {(p.get("name"), p.get("value")) for p in testcase.iter("property")}
    assert {("endpoint", endpoint), ("check", check)} <= properties


def test_an_answer_from_the_other_side_of_a_divergence_is_reported_as_seen() -> None:
    result = run_suite(
        "--engine-app",
        "tests.broken_mocks:engine_answers_only",
        "--engine-profile",
        "docs",
        "-k",
        "restart-async and unknown-definition",
    )

    assert result.returncode == 1, result.stdout + result.stderr
    row = summary_row(result.stdout, "POST /process-definition/{id}/restart-async")
    assert row[1:6] == ["0", "1", "1", "0", "divergence (1)"], row


def test_the_mock_passes_the_same_cases_and_the_summary_is_written_as_markdown(
    tmp_path: Path,
) -> None:
    """The cases the variants fail pass on the mock itself: the variants' breakage is the cause."""
    summary_file = tmp_path / "summary.md"
    selection = " or ".join(f"({selection})" for selection in SELECTIONS)

    json_file = tmp_path / "summary.json"
    result = run_suite(
        "-k",
        selection,
        "--conformance-summary",
        str(summary_file),
        "--conformance-json",
        str(json_file),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    row = summary_row(result.stdout, "POST /process-instance/job-retries")
    assert row[1:6] == ["2", "0", "0", "0", "-"], row
    markdown = summary_file.read_text(encoding="utf-8")
    assert "| POST /process-instance/job-retries | 2 | 0 | 0 | 0 | - |" in markdown
    assert "| POST /process-instance/suspended-async | 1 | 0 | 0 | 0 | - |" in markdown
    rows = {row["endpoint"]: row for row in json.loads(json_file.read_text())["endpoints"]}
    assert rows["POST /process-instance/job-retries"] == {
        "endpoint": "POST /process-instance/job-retries",
        "passed": 2,
        "failed": 0,
        "divergences_seen": 0,
        "refused": 0,
        "failed_checks": {},
    }
