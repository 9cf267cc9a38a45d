"""Differential fuzzing on two mocks: no difference from itself, each difference found and
replayable, the counts printed. The mock against the real engine is in test_reference_engine."""

from __future__ import annotations

import pytest

from contracts.client import EngineClient
from contracts.differential import FUZZED_OPERATIONS, SERVED_MOCK, fuzz, main
from mockserver import MockConfig

from .broken_mocks import _rewriting_bodies


def test_the_mock_answers_every_generated_request_as_itself() -> None:
    report = fuzz(EngineClient.for_mock(), EngineClient.for_mock(), requests_per_operation=8)
    assert report.differences == []
    assert set(report.sent) == set(FUZZED_OPERATIONS)
    assert all(report.sent[op] + report.refused[op] >= 1 for op in FUZZED_OPERATIONS)


def _other_messages(config: MockConfig) -> object:
    """A mock whose error messages to POSTs differ from the engine's."""

    def change(body: object, _response: object) -> object:
        if isinstance(body, dict) and body.get("message"):
            body["message"] = "something else"
        return body

    return _rewriting_bodies(config, change)


def test_a_different_message_is_a_difference_with_a_curl_for_each_side() -> None:
    other = EngineClient.for_mock("engine", "other", _other_messages)  # type: ignore[arg-type]
    report = fuzz(
        EngineClient.for_mock(),
        other,
        requests_per_operation=15,
        operations=["setJobRetriesAsyncOperation"],
    )
    assert report.differences, "a changed message is found"
    difference = report.differences[0]
    assert difference.right.message == "something else"
    assert difference.left.message != "something else"
    assert difference.left_request.curl().startswith("curl -i -X POST")
    assert difference.left_request.url == f"{SERVED_MOCK}/engine-rest/process-instance/job-retries"
    text = report.render("mock", "other")
    assert "setJobRetriesAsyncOperation" in text
    assert f"{len(report.differences)} differences in" in text


def test_the_command_prints_the_counts_and_exits_0_without_differences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(
        ["--left", "mock", "--right", "mock", "--requests", "3", "--operation", "getBatch"]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "getBatch" in out
    assert "0 differences in 3 requests sent to both" in out


def test_an_unreachable_target_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--right", "http://127.0.0.1:9/engine-rest", "--requests", "1"])
    assert status == 2
    assert capsys.readouterr().err.startswith("differential: ")
