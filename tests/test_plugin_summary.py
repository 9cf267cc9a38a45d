"""The conformance summary: one row per endpoint, from the reports of contract tests."""

from __future__ import annotations

from contracts.summary import ConformanceSummary

RETRIES = "POST /process-instance/job-retries"
RESTART = "POST /process-definition/{id}/restart-async"


def reports(summary: ConformanceSummary, nodeid: str, endpoint: str, *phases: tuple) -> None:
    for when, outcome, extra in phases:
        summary.add(nodeid, when, outcome, [("endpoint", endpoint), *extra])


def test_rows_count_tests_not_reports_and_name_failed_checks() -> None:
    summary = ConformanceSummary()
    passing = (("setup", "passed", []), ("call", "passed", []), ("teardown", "passed", []))
    reports(summary, "t1", RETRIES, *passing)
    reports(summary, "t2", RETRIES, ("call", "failed", [("check", "error-message")]))
    reports(summary, "t3", RETRIES, ("call", "failed", [("check", "error-message")]))
    reports(
        summary,
        "t4",
        RESTART,
        ("call", "failed", [("check", "divergence"), ("divergence-seen", "restart-x")]),
    )
    summary.add("t5", "call", "failed", [])  # not a contract test: no endpoint

    rows = {row.endpoint: row.cells() for row in summary.rows()}

    assert rows == {
        RETRIES: (RETRIES, "1", "2", "0", "0", "error-message (2)"),
        RESTART: (RESTART, "0", "1", "1", "0", "divergence (1)"),
    }


def test_refused_requests_are_counted_once_per_request() -> None:
    summary = ConformanceSummary()
    refusals = [
        ("refused", "counts 5, the suite made 3"),
        ("refused", "counts 9, the suite made 3"),
    ]
    # every report of a test carries the item's properties so far: count the call's only
    reports(
        summary,
        "t1",
        RETRIES,
        ("setup", "passed", []),
        ("call", "passed", refusals),
        ("teardown", "passed", refusals),
    )

    assert summary.rows()[0].cells()[1:5] == ("1", "0", "0", "2")


def test_a_failed_setup_or_teardown_fails_the_test() -> None:
    summary = ConformanceSummary()
    reports(summary, "t1", RETRIES, ("call", "passed", []), ("teardown", "failed", []))

    assert summary.rows()[0].cells()[1:3] == ("0", "1")


def test_text_and_markdown_show_the_same_rows() -> None:
    summary = ConformanceSummary()
    reports(summary, "t1", RETRIES, ("call", "failed", [("check", "status")]))

    text = summary.text().splitlines()
    markdown = summary.markdown("embedded mock").splitlines()

    assert text[0].split(" | ")[0].strip() == "endpoint"
    assert [cell.strip() for cell in text[2].split("|")] == [
        RETRIES,
        "0",
        "1",
        "0",
        "0",
        "status (1)",
    ]
    assert markdown[0] == "### Conformance: embedded mock"
    assert markdown[-1] == f"| {RETRIES} | 0 | 1 | 0 | 0 | status (1) |"
