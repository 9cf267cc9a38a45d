"""Variants of the mock that each break the contract in one known way.

Each factory takes a ``MockConfig`` like ``create_app`` and is given to the conformance suite
with ``--engine-app tests.broken_mocks:NAME``; ``test_suite_catches_hangs_and_500s.py`` checks
that the suite fails on each and names the check that caught it.
"""

from __future__ import annotations

import json
import traceback

from flask import Flask, Response

from mockserver import MockConfig, create_app
from mockserver.routes.common import EXTENSION_KEY


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
        if response.status_code == 400 and body == mapping_error:
            try:
                json.loads("{not json")
            except ValueError:
                trace = traceback.format_exc()
            return Response(trace, status=500, mimetype="text/plain")
        return response

    app.after_request(crash)
    return app
