"""The case files: every one follows the case format, and a broken one stops the load."""

from __future__ import annotations

import pytest

from contracts.case_run import run_case
from contracts.casebook import CaseFileError, load_cases, parse_case_file
from contracts.client import EngineClient

ENDPOINTS = {
    "POST /process-instance/job-retries",
    "POST /external-task/retries-async",
    "POST /process-instance/suspended-async",
    "POST /modification/executeAsync",
    "POST /process-definition/{id}/restart-async",
}
MINIMAL = """
endpoint: POST /process-instance/job-retries
path: /process-instance/job-retries
cases:
  - name: retries-null
    request: {json: {retries: null}}
    expect: {status: 400, type: InvalidRequestException, message: retries is null}
"""


def test_every_endpoint_has_success_and_error_cases() -> None:
    cases = load_cases()

    assert {case.endpoint for case in cases} == ENDPOINTS
    for endpoint in ENDPOINTS:
        statuses = {
            expectation.status
            for case in cases
            if case.endpoint == endpoint
            for expectation in case.expectations.values()
        }
        assert 200 in statuses and 400 in statuses, endpoint


def test_a_divergence_case_holds_both_sides() -> None:
    divergent = [case for case in load_cases() if case.divergence]

    assert {case.divergence for case in divergent} == {
        "job-retries-no-selection",
        "job-retries-negative-retries",
        "retries-async-negative-retries",
        "retries-async-unknown-ids",
        "restart-instructions-missing",
        "restart-unknown-definition",
    }
    for case in divergent:
        assert case.expected("engine") != case.expected("docs"), case.id


def test_a_minimal_file_reads_into_a_case() -> None:
    (case,) = parse_case_file("job-retries.yaml", MINIMAL)

    assert case.id == "job-retries/retries-null"
    assert case.request.method == "POST"
    assert case.expected("engine").describe() == "400 InvalidRequestException 'retries is null'"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("status: 400", "status: four hundred"), "at cases/0/expect"),
        (("name: retries-null", "name: Retries Null"), "at cases/0/name"),
        (("request: {json", "request: {jsn"), "at cases/0/request"),
        (("status: 400, type: InvalidRequestException,", "status: 400,"), "at cases/0/expect"),
        (("endpoint: POST", "endpoint: FETCH"), "at endpoint"),
        (("request: {json: {retries: null}}", "request: {}"), "at cases/0/request"),
    ],
)
def test_a_file_that_breaks_the_format_is_refused_with_the_place(
    change: tuple[str, str], complaint: str
) -> None:
    broken = MINIMAL.replace(*change)

    with pytest.raises(CaseFileError, match=r"job-retries\.yaml breaks the case format") as error:
        parse_case_file("job-retries.yaml", broken)

    assert complaint in str(error.value)


def test_a_success_needs_the_batch_it_expects() -> None:
    broken = MINIMAL.replace(
        "expect: {status: 400, type: InvalidRequestException, message: retries is null}",
        "expect: {status: 200}",
    )

    with pytest.raises(CaseFileError, match="at cases/0/expect"):
        parse_case_file("job-retries.yaml", broken)


def test_a_file_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(CaseFileError, match=r"x\.yaml: not YAML"):
        parse_case_file("x.yaml", "cases: [")


TEXT_CASE = """
endpoint: POST /process-instance/job-retries
path: /process-instance/job-retries
cases:
  - name: cut-short
    request: {raw: '{"retries": 1'}
    expect: {status: 400, textPattern: 'Unexpected end-of-input: .*column: 14\\]'}
"""


def test_a_plain_text_answer_reads_into_a_case() -> None:
    (case,) = parse_case_file("job-retries.yaml", TEXT_CASE)

    expected = case.expected("engine")
    assert expected.media_type == "text/plain"
    assert expected.describe().startswith("400 text/plain matching /Unexpected end-of-input")


@pytest.mark.parametrize(
    "expect",
    [
        "{status: 400, text: x, type: InvalidRequestException}",
        "{status: 400, text: x, textPattern: x}",
        "{status: 400, text: x, code: null}",
        "{status: 200, text: x, batch: {type: set-job-retries, items: 1}}",
    ],
)
def test_a_plain_text_answer_has_no_error_fields(expect: str) -> None:
    broken = TEXT_CASE.replace(
        "{status: 400, textPattern: 'Unexpected end-of-input: .*column: 14\\]'}", expect
    )

    with pytest.raises(CaseFileError, match="at cases/0/expect"):
        parse_case_file("job-retries.yaml", broken)


def test_an_empty_content_type_sends_none() -> None:
    (case,) = parse_case_file(
        "job-retries.yaml",
        MINIMAL.replace("request: {json: {retries: null}}", "request: {raw: '', contentType: ''}"),
    )

    outcome = run_case(EngineClient.for_mock(), case)
    # No Content-Type and no content: the resource gets no request object at all.
    assert outcome.response.json()["message"] == "setJobRetriesDto is null"
