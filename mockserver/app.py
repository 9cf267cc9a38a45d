"""The Flask app factory: one engine per app, JSON errors in Camunda's shape everywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from flask import Flask, Request, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import auth, cors, faults, latency, limits, serving_hooks
from .config import MockConfig
from .engine import MockEngine
from .error_responses import error_response
from .errors import CamundaError
from .request_log import RequestLog
from .request_log import install as install_request_log
from .routes import admin, batch_operations, batches, meta, repository, runtime_reads, work
from .routes.common import EXTENSION_KEY, ResourceIdConverter
from .routes.injection_admin import blueprint as injection_admin_blueprint
from .spec import Spec, load_document

log = logging.getLogger("mockserver")

# What JAX-RS (Jersey) names the exceptions behind routing errors.
_ROUTING_ERRORS = {
    404: ("NotFoundException", "HTTP 404 Not Found"),
    405: ("NotAllowedException", "HTTP 405 Method Not Allowed"),
}


class EngineJSONProvider(DefaultJSONProvider):
    """Flask's JSON answers in the engine's key order, written by one prepared encoder.

    ``jsonify`` would build a new encoder for every answer (about half its cost); the text
    is the same: compact separators, ASCII escapes, one trailing newline.
    """

    sort_keys = False  # the engine's DTOs keep their field order

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._encoder = json.JSONEncoder(
            separators=(",", ":"),
            ensure_ascii=self.ensure_ascii,
            sort_keys=self.sort_keys,
            default=self.default,
        )

    def response(self, *args: Any, **kwargs: Any) -> Response:
        text = self._encoder.encode(self._prepare_response_obj(args, kwargs))
        response = self._app.response_class(f"{text}\n", mimetype=self.mimetype)
        return cast(Response, response)  # the app's response class is Flask's


class MockFlask(Flask):
    """Flask, minus a check the mock never needs, with the engine's JSON answers."""

    json_provider_class = EngineJSONProvider

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Every view and hook of the mock is a plain function. Flask would ask
        # ``inspect.iscoroutinefunction`` about each of them on every request (about a tenth
        # of the mock's own time per request in bench/throughput.py); there is no coroutine.
        return func


@lru_cache(maxsize=1)
def default_spec() -> Spec:
    """The packaged contract, loaded and compiled once per process."""
    return Spec(load_document())


def create_app(config: MockConfig | None = None, spec: Spec | None = None) -> Flask:
    """Build a mock app with its own engine state."""
    config = config or MockConfig()
    app = MockFlask("mockserver")
    app.url_map.converters["id"] = ResourceIdConverter
    engine = MockEngine(config, spec or default_spec())
    app.extensions[EXTENSION_KEY] = engine
    for module in (batch_operations, batches, runtime_reads, repository, work, meta):
        app.register_blueprint(module.blueprint, url_prefix=config.base_path)
    app.register_blueprint(admin.blueprint)
    _install_serving_hooks(app, config, engine)
    app.register_blueprint(injection_admin_blueprint)
    _register_error_handlers(app)
    return app


def _install_serving_hooks(app: Flask, config: MockConfig, engine: MockEngine) -> None:
    """The request log, CORS, limits, latency, auth, faults and progression, in the order a
    request meets them.

    The request log's timer starts first, so durations cover everything. A preflight is
    answered before anything else; a faulted request is answered before the progression runs
    due jobs or any view touches the state.
    """
    progression = engine.progression

    def run_due_jobs(request: Request) -> None:
        progression.before_request()

    concerns = [
        install_request_log(app, RequestLog(config.request_log_size)),
        cors.hooks(config.cors_origins),
        limits.install(app, config.max_body_bytes),
        latency.install(app, config.latency_rules(), config.seed, config.base_path),
        auth.hooks(config.auth_users, config.base_path),
        faults.install(app, config.fault_rules(), config.seed, config.base_path),
        serving_hooks.Hooks(before=run_due_jobs),
    ]
    serving_hooks.install(app, concerns)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CamundaError)
    def camunda_error(error: CamundaError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def routing_error(error: HTTPException) -> Response:
        status = error.code or 500
        type_, message = _ROUTING_ERRORS.get(status, ("WebApplicationException", f"HTTP {status}"))
        headers = {}
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return error_response(CamundaError(status, type_, message, headers=headers))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        # A bug in the mock, not an engine answer: say so plainly, never show a traceback.
        log.exception("unexpected error in the mock")
        return error_response(
            CamundaError(500, "MockServerError", f"the mock failed: {type(error).__name__}")
        )
