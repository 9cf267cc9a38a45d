"""python -m contracts.drift: the same cases and flows on two targets, the differences."""

from __future__ import annotations

import json

import pytest

from contracts import test_flows
from contracts.case_run import CaseOutcome
from contracts.casebook import load_cases
from contracts.client import EngineClient, EngineResponse
from contracts.drift import Difference, compare, drift_flows, main, open_target
from contracts.flow_drift import FLOWS
from mockserver.app import default_spec

from .broken_mocks import batch_without_execution_start_time


def test_the_mock_does_not_drift_from_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--left", "mock", "--right", "mock:engine"]) == 0

    output = capsys.readouterr().out
    assert output.splitlines()[-1].startswith("0 of ")


def test_the_docs_profile_drifts_exactly_at_the_documented_divergences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--left", "mock", "--right", "mock:docs", "--format", "json"]) == 1

    report = json.loads(capsys.readouterr().out)
    drifting = {entry["case"]: entry["differences"] for entry in report["drifting"]}
    assert set(drifting) == {
        "job-retries/no-selection",
        "job-retries/empty-instance-list",
        "job-retries/historic-query-only",
        "job-retries/negative-retries",
        "external-task-retries-async/negative-retries",
        "external-task-retries-async/unknown-task-id",
        "restart-async/instructions-missing",
        "restart-async/unknown-definition",
    }
    unknown_definition = {d["aspect"]: d for d in drifting["restart-async/unknown-definition"]}
    assert unknown_definition["status"] == {"aspect": "status", "left": 400, "right": 404}
    assert unknown_definition["type"]["right"] == "RestException"
    created_or_refused = {
        d["aspect"]: d for d in drifting["external-task-retries-async/unknown-task-id"]
    }
    assert "totalJobs" in created_or_refused["fields only on one side"]["left"]
    assert created_or_refused["fields only on one side"]["right"] == ["code", "message"]


def test_markdown_lists_each_difference_as_a_table_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--left", "mock:engine", "--right", "mock:docs", "--format", "markdown"]) == 1

    output = capsys.readouterr().out
    assert "8 of " in output
    assert (
        "| restart-async/instructions-missing | POST /process-definition/{id}/restart-async "
        "| status | 500 | 400 |"
    ) in output


def test_a_url_target_keeps_its_credentials_out_of_its_name() -> None:
    client = open_target("http://demo:secret@127.0.0.1:9/engine-rest", timeout=0.5)

    assert client.name == "http://127.0.0.1:9/engine-rest"
    assert client.mock is False


def test_an_unreachable_target_is_an_error_not_a_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--left", "mock", "--right", "http://127.0.0.1:9/engine-rest", "--timeout", "2"]) == 2
    )

    assert "drift:" in capsys.readouterr().err


def test_an_unknown_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--left", "mock:staging", "--right", "mock"]) == 2

    assert "unknown mock profile 'staging'" in capsys.readouterr().err


def test_every_flow_of_the_suite_is_in_the_flow_drift() -> None:
    flows = {
        name
        for name, value in vars(test_flows).items()
        if name.startswith("test_") and callable(value)
    }
    assert flows == {function.__name__ for function, _ in FLOWS.values()}


def test_a_flow_that_answers_differently_is_drift() -> None:
    other = EngineClient.for_mock("engine", "other", batch_without_execution_start_time)
    report = drift_flows(EngineClient.for_mock(), other)
    drifting = {entry.case for entry in report if entry.differences}
    assert drifting == {f"flow/{name}" for name in FLOWS}


def test_every_divergence_has_a_case_so_its_engine_side_meets_the_engine() -> None:
    """The drift against the reference engine runs every case: a divergence without a case
    would have an engine side nobody checks."""
    divergences = set(default_spec().divergences)
    covered = {case.divergence for case in load_cases() if case.divergence}
    assert divergences and divergences <= covered


def _outcome(status: int, content_type: str, text: str, instance_id: str) -> CaseOutcome:
    (case,) = [c for c in load_cases() if c.id == "job-retries/cut-between-properties"]
    response = EngineResponse(
        status, {"Content-Type": content_type}, text.encode(), "POST", "/process-instance"
    )
    return CaseOutcome(case, response, {"instanceId": instance_id})


def test_a_plain_text_answer_is_compared_whole_after_the_ids() -> None:
    left = _outcome(400, "text/plain", "Unexpected end-of-input at a1 (column 14)", "a1")
    same = _outcome(400, "text/plain", "Unexpected end-of-input at b2 (column 14)", "b2")
    moved = _outcome(400, "text/plain", "Unexpected end-of-input at b2 (column 15)", "b2")

    assert compare(left, same) == []
    assert compare(left, moved) == [
        Difference(
            "body",
            "Unexpected end-of-input at {instanceId} (column 14)",
            "Unexpected end-of-input at {instanceId} (column 15)",
        )
    ]


def test_the_engines_two_answers_to_an_unreadable_body_are_no_drift() -> None:
    """Jersey picks Camunda's or Jackson's mapper at each engine start: either is the engine's."""
    text = _outcome(400, "text/plain", "Unexpected end-of-input", "a1")
    mapped = _outcome(
        400,
        "application/json",
        json.dumps({"type": "InvalidRequestException", "message": "", "code": None}),
        "b2",
    )
    assert compare(text, mapped) == []


def test_two_different_texts_for_an_unreadable_body_are_drift() -> None:
    one = _outcome(400, "text/plain", "Unexpected end-of-input", "a1")
    other = _outcome(400, "text/plain", "Unrecognized token", "b2")
    assert [difference.aspect for difference in compare(one, other)] == ["body"]
