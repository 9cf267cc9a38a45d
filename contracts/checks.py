"""Named checks: each failure says which rule of the contract the target broke.

A check raises :class:`ContractViolation`, an ``AssertionError`` that carries the check's name.
The plugin records that name on the test report, so the summary table and the JUnit report say
*which* check failed (``status``, ``error-message``, ``batch-numbers``...), not only that
something did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.app import default_spec
from mockserver.spec import SPEC_URI

from .casebook import JSON_MEDIA_TYPE, TEXT_MEDIA_TYPE, BatchExpectation, Expectation
from .client import EngineResponse


class ContractViolation(AssertionError):
    """The target's answer breaks the contract; ``check`` names the rule."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"[{check}] {message}")
        self.check = check


def violation(check: str, expected: str, response: EngineResponse) -> ContractViolation:
    """A violation that shows what was expected and what the target answered."""
    return ContractViolation(check, f"expected {expected}\n  received: {response.describe()}")


def check_status(response: EngineResponse, expected: int) -> None:
    """``status``: the HTTP status is the one the contract gives."""
    if response.status != expected:
        raise violation("status", f"status {expected}", response)


# -- checks of a case's answer --------------------------------------------------------------

# What every Batch shows right after its creation: the seed job has not run yet.
BATCH_STATE_AT_CREATION = {"jobsCreated": 0, "suspended": False, "executionStartTime": None}


@dataclass(frozen=True)
class BatchSettings:
    """The engine settings that shape a new Batch's numbers (the engine's defaults: 100, 1)."""

    batch_jobs_per_seed: int = 100
    invocations_per_batch_job: int = 1

    def total_jobs(self, items: int) -> int:
        """``ceil(items / invocationsPerBatchJob)``; 0 when either is 0, as the engine counts."""
        if items == 0 or self.invocations_per_batch_job == 0:
            return 0
        return math.ceil(items / self.invocations_per_batch_job)


# Jackson could not read the body: Camunda's own exception mapper answers this JSON, Jackson's
# answers its message as text/plain. The engine registers both and Jersey picks one of them at
# each start of the engine (seen on one 7.24.0 jar: either form, from one start to the next).
UNREADABLE_BODY_JSON = {"type": "InvalidRequestException", "message": "", "code": None}


def unreadable_body(response: EngineResponse) -> bool:
    """A 400 in either of the two forms the engine answers a body Jackson cannot read."""
    if response.status != 400:
        return False
    if media_type_of(response) == TEXT_MEDIA_TYPE:
        return True
    try:
        return response.json() == UNREADABLE_BODY_JSON
    except ValueError:
        return False


def other_unreadable_form(one: EngineResponse, other: EngineResponse) -> bool:
    """Both answer an unreadable body, in the engine's two different forms."""
    return (
        unreadable_body(one)
        and unreadable_body(other)
        and (media_type_of(one) == TEXT_MEDIA_TYPE) != (media_type_of(other) == TEXT_MEDIA_TYPE)
    )


def expects_unreadable_body(expected: Expectation) -> bool:
    """The case expects one of the two forms of the unreadable-body 400."""
    json_form = (expected.error_type, expected.message) == ("InvalidRequestException", "")
    return expected.status == 400 and (expected.is_text or json_form)


def check_answer(response: EngineResponse, expected: Expectation, settings: BatchSettings) -> None:
    """Every check of one expected answer, in order: the first failing one raises."""
    check_status(response, expected.status)
    if expects_unreadable_body(expected) and unreadable_body(response):
        expects_text = expected.is_text
        if expects_text != (media_type_of(response) == TEXT_MEDIA_TYPE):
            return  # the engine's other mapper answered: its form is as right as this one
    check_content_type(response, expected.media_type)
    if expected.batch is not None:
        check_batch_schema(response)
        check_batch_numbers(response, expected.batch, settings)
    elif expected.is_text:
        check_error_text(response, expected)
    else:
        check_error_body(response, expected)
        check_error_type(response, expected)
        check_error_message(response, expected)


def meets(response: EngineResponse, expected: Expectation, settings: BatchSettings) -> bool:
    """Whether the answer passes every check of ``expected``."""
    try:
        check_answer(response, expected, settings)
    except ContractViolation:
        return False
    return True


def check_content_type(response: EngineResponse, media_type: str = JSON_MEDIA_TYPE) -> None:
    """``content-type``: the answer is declared as ``media_type`` (``application/json``, or
    ``text/plain`` for a body Jackson's parser could not read)."""
    if media_type_of(response) != media_type:
        raise violation("content-type", f"Content-Type {media_type}", response)


def media_type_of(response: EngineResponse) -> str:
    """The media type an answer declares, without parameters (``""`` if it declares none)."""
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def check_error_text(response: EngineResponse, expected: Expectation) -> None:
    """``error-text``: a plain-text answer is exactly the engine's text (or matches its pattern)."""
    if not expected.text_matches(response.text):
        raise violation("error-text", expected.describe(), response)


def check_error_body(response: EngineResponse, expected: Expectation) -> None:
    """``error-body``: Camunda's error object, ``type`` a string, ``message`` a string or null,
    ``code`` an integer or null (and the expected one, where the case gives it)."""
    body = _json_or_none(response)
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise violation("error-body", "a JSON object with a string 'type'", response)
    if not (body.get("message") is None or isinstance(body["message"], str)):
        raise violation("error-body", "'message' a string or null", response)
    code = body.get("code")
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise violation("error-body", "'code' an integer or null", response)
    if expected.checks_code and code != expected.code:
        raise violation("error-body", f"code {expected.code!r}", response)


def check_error_type(response: EngineResponse, expected: Expectation) -> None:
    """``error-type``: the exception's simple class name is the expected one."""
    if response.json().get("type") != expected.error_type:
        raise violation("error-type", f"type {expected.error_type}", response)


def check_error_message(response: EngineResponse, expected: Expectation) -> None:
    """``error-message``: the message is exactly the engine's text (or matches its pattern)."""
    if not expected.message_matches(response.json().get("message")):
        raise violation("error-message", expected.describe(), response)


def check_batch_schema(response: EngineResponse) -> None:
    """``batch-schema``: the body is a Batch as ``openapi.yaml`` defines it, every field present."""
    body = _json_or_none(response)
    problems = sorted(_batch_validator().iter_errors(body), key=lambda error: list(error.path))
    if problems:
        first = problems[0]
        where = "/".join(str(part) for part in first.path) or "(body)"
        raise violation("batch-schema", f"a Batch ({where}: {first.message})", response)


def check_batch_numbers(
    response: EngineResponse, expected: BatchExpectation, settings: BatchSettings
) -> None:
    """``batch-numbers``: type, totalJobs from the items, the settings, and the state a batch
    has right after creation (no job created yet, not suspended, not started)."""
    body = response.json()
    wanted: dict[str, Any] = {
        "type": expected.type,
        "totalJobs": settings.total_jobs(expected.items),
        "batchJobsPerSeed": settings.batch_jobs_per_seed,
        "invocationsPerBatchJob": settings.invocations_per_batch_job,
        **BATCH_STATE_AT_CREATION,
    }
    wrong = [key for key, value in wanted.items() if body.get(key) != value]
    if wrong:
        expected_text = ", ".join(f"{key}={wanted[key]!r}" for key in wrong)
        raise violation(
            "batch-numbers", f"{expected_text} ({expected.items} items collected)", response
        )


@cache
def _batch_validator() -> Draft202012Validator:
    document = default_spec().document  # the contract the mock serves, parsed once
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#/components/schemas/BatchDto"}, registry=registry
    )


def _json_or_none(response: EngineResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
