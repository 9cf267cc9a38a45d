"""The named checks: each one fails on the answer it is about, with its own name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.casebook import BatchExpectation, Expectation
from contracts.checks import BatchSettings, ContractViolation, check_answer, meets
from contracts.client import EngineResponse

BATCH = {
    "id": "b1",
    "type": "set-job-retries",
    "totalJobs": 2,
    "jobsCreated": 0,
    "batchJobsPerSeed": 100,
    "invocationsPerBatchJob": 1,
    "seedJobDefinitionId": "s1",
    "monitorJobDefinitionId": "m1",
    "batchJobDefinitionId": "j1",
    "suspended": False,
    "tenantId": None,
    "createUserId": None,
    "startTime": "2025-01-31T10:15:00.000+0100",
    "executionStartTime": None,
}
CREATED = Expectation(200, batch=BatchExpectation("set-job-retries", 2))
RETRIES_NULL = Expectation(
    400,
    error_type="InvalidRequestException",
    message="retries is null",
    checks_message=True,
    code=None,
    checks_code=True,
)


def answer(status: int, body: Any, content_type: str = "application/json") -> EngineResponse:
    content = json.dumps(body).encode()
    return EngineResponse(status, {"Content-Type": content_type}, content, "POST", "/x")


def failed_check(response: EngineResponse, expected: Expectation, **settings: int) -> str:
    with pytest.raises(ContractViolation) as violation:
        check_answer(response, expected, BatchSettings(**settings))
    return violation.value.check


def test_a_conforming_batch_and_error_pass() -> None:
    check_answer(answer(200, BATCH), CREATED, BatchSettings())
    error = {"type": "InvalidRequestException", "message": "retries is null", "code": None}
    check_answer(answer(400, error), RETRIES_NULL, BatchSettings())


@pytest.mark.parametrize(
    ("response", "check"),
    [
        (answer(201, BATCH), "status"),
        (answer(200, BATCH, "text/html"), "content-type"),
        (answer(200, {k: v for k, v in BATCH.items() if k != "tenantId"}), "batch-schema"),
        (answer(200, {**BATCH, "totalJobs": "2"}), "batch-schema"),
        (answer(200, {**BATCH, "totalJobs": 3}), "batch-numbers"),
        (answer(200, {**BATCH, "jobsCreated": 2}), "batch-numbers"),
        (
            answer(200, {**BATCH, "executionStartTime": "2025-01-31T10:15:00.000+0100"}),
            "batch-numbers",
        ),
    ],
)
def test_a_broken_batch_fails_its_check(response: EngineResponse, check: str) -> None:
    assert failed_check(response, CREATED) == check


def test_total_jobs_follow_the_invocations_setting() -> None:
    halved = answer(200, {**BATCH, "totalJobs": 1, "invocationsPerBatchJob": 2})

    check_answer(halved, CREATED, BatchSettings(invocations_per_batch_job=2))
    assert failed_check(halved, CREATED) == "batch-numbers"
    assert BatchSettings(invocations_per_batch_job=2).total_jobs(3) == 2
    assert BatchSettings(invocations_per_batch_job=0).total_jobs(3) == 0


@pytest.mark.parametrize(
    ("body", "check"),
    [
        (["retries is null"], "error-body"),
        ({"message": "retries is null", "code": None}, "error-body"),
        (
            {"type": "InvalidRequestException", "message": "retries is null", "code": 0},
            "error-body",
        ),
        (
            {"type": "BadUserRequestException", "message": "retries is null", "code": None},
            "error-type",
        ),
        (
            {"type": "InvalidRequestException", "message": "retries null", "code": None},
            "error-message",
        ),
    ],
)
def test_a_broken_error_fails_its_check(body: Any, check: str) -> None:
    assert failed_check(answer(400, body), RETRIES_NULL) == check


def test_a_message_pattern_must_match_the_whole_message() -> None:
    expected = Expectation(400, error_type="X", message_pattern=r"ENGINE-\d+ .*")
    matching = answer(400, {"type": "X", "message": "ENGINE-13051 You must...", "code": 0})
    prefixed = answer(400, {"type": "X", "message": "oops ENGINE-13051 x", "code": 0})

    assert meets(matching, expected, BatchSettings())
    assert not meets(prefixed, expected, BatchSettings())


PARSE_ERROR = "Unexpected character ('}' (code 125)): was expecting double-quote\n at [line: 1]"


def text_answer(status: int, text: str, content_type: str = "text/plain") -> EngineResponse:
    return EngineResponse(status, {"Content-Type": content_type}, text.encode(), "POST", "/x")


def test_a_plain_text_answer_is_checked_as_text() -> None:
    exact = Expectation(400, text=PARSE_ERROR)
    pattern = Expectation(400, text_pattern=r"Unexpected character .*line: 1\]")

    check_answer(text_answer(400, PARSE_ERROR), exact, BatchSettings())
    check_answer(text_answer(400, PARSE_ERROR), pattern, BatchSettings())
    assert failed_check(text_answer(400, PARSE_ERROR + " "), exact) == "error-text"
    assert failed_check(text_answer(400, "x" + PARSE_ERROR), pattern) == "error-text"


def test_json_and_text_answers_must_declare_their_media_type() -> None:
    json_error = answer(400, {"type": "X", "message": "", "code": None})

    assert failed_check(json_error, Expectation(400, text=PARSE_ERROR)) == "content-type"
    as_text = text_answer(400, json.dumps({"type": "InvalidRequestException"}))
    assert failed_check(as_text, RETRIES_NULL) == "content-type"
