"""Variants of the mock that each break the contract in one known way.

Each factory takes a ``MockConfig`` like ``create_app`` and is given to the conformance suite
with ``--engine-app tests.broken_mocks:NAME``; ``test_suite_catches_broken_mocks.py`` and
``test_suite_catches_hangs_and_500s.py`` check that the suite fails on each and names the check
that caught it.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Flask, Response, request

from mockserver import MockConfig, create_app
from mockserver.routes.common import EXTENSION_KEY

BodyChange = Callable[[Any, Response], Any]


def _rewriting_bodies(config: MockConfig, change: BodyChange) -> Flask:
    """The mock, with every JSON answer to a POST passed through ``change`` (body, response)."""
    app = create_app(config)

    def rewrite(response: Response) -> Response:
        if request.method == "POST" and response.is_json:
            body = change(response.get_json(), response)
            response.set_data(json.dumps(body))
        return response

    app.after_request(rewrite)
    return app


def _is_new_batch(body: Any) -> bool:
    return isinstance(body, dict) and "totalJobs" in body and "jobsCreated" in body


def batch_without_execution_start_time(config: MockConfig) -> Flask:
    """New Batch answers lack ``executionStartTime`` (caught by check ``batch-schema``)."""

    def drop(body: Any, _response: Response) -> Any:
        if _is_new_batch(body):
            body.pop("executionStartTime", None)
        return body

    return _rewriting_bodies(config, drop)


def batch_with_one_job_too_many(config: MockConfig) -> Flask:
    """New Batch answers count one execution job too many (check ``batch-numbers``)."""

    def miscount(body: Any, _response: Response) -> Any:
        if _is_new_batch(body):
            body["totalJobs"] += 1
        return body

    return _rewriting_bodies(config, miscount)


def retries_null_reworded(config: MockConfig) -> Flask:
    """The 400 for missing job retries says it in its own words (check ``error-message``)."""

    def reword(body: Any, response: Response) -> Any:
        if response.status_code == 400 and body.get("message") == "retries is null":
            body["message"] = "retries must be given"
        return body

    return _rewriting_bodies(config, reword)


def engine_answers_only(config: MockConfig) -> Flask:
    """Always the engine's side of every divergence, whatever profile is asked for."""
    return create_app(replace(config, profile="engine"))


def batch_never_ends(config: MockConfig) -> Flask:
    """The monitor job never ends a batch: it always finds an execution job left, so it only
    ever polls again (caught by the flows' check ``batch-ends``)."""
    app = create_app(config)
    lifecycle = app.extensions[EXTENSION_KEY].lifecycle
    # The monitor asks this, and only the monitor: a job that is never there is always "left".
    lifecycle.execution_jobs = lambda batch: [batch]
    return app


def server_error_on_bad_input(config: MockConfig) -> Flask:
    """A body the engine cannot map (malformed JSON, a wrongly typed field) crashes with a 500
    and a stack trace, instead of the engine's 400 (caught by the property tests' check
    ``server_errors_are_engine_answers``)."""
    app = create_app(config)

    def crash(response: Response) -> Response:
        body = response.get_json(silent=True) if response.is_json else None
        mapping_error = {"type": "InvalidRequestException", "message": "", "code": None}
        unreadable = body == mapping_error or response.mimetype == "text/plain"
        if response.status_code == 400 and unreadable:
            try:
                json.loads("{not json")
            except ValueError:
                trace = traceback.format_exc()
            return Response(trace, status=500, mimetype="text/plain")
        return response

    app.after_request(crash)
    return app
