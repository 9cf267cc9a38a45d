"""The mock's own control API, outside the engine's base path: ``/mock-api/...``."""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..clock import format_engine_date
from ..errors import invalid_request
from ..request_log import EXTENSION_KEY as REQUEST_LOG_KEY
from ..request_log import RequestLog
from ..snapshot import SnapshotError
from .common import current_engine

# Where the dashboard page expects the engine API's base path (replaced when served).
BASE_PATH_PLACEHOLDER = "__ENGINE_BASE_PATH__"

blueprint = Blueprint("admin", __name__, url_prefix="/mock-api")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        raise invalid_request("the body must be a JSON object")
    return body


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float | None:
    value = body.get(name, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise invalid_request(f"'{name}' must be a number")
    return value


def _progression_json() -> dict[str, Any]:
    progression = current_engine().progression
    return {"mode": progression.mode, "jobsPerSecond": progression.jobs_per_second}


@blueprint.get("/progression")
def get_progression() -> ResponseReturnValue:
    return jsonify(_progression_json())


@blueprint.put("/progression")
def set_progression() -> ResponseReturnValue:
    body = _body()
    mode = body.get("mode")
    if mode is not None and not isinstance(mode, str):
        raise invalid_request("'mode' must be a string")
    try:
        current_engine().progression.set(mode, _number(body, "jobsPerSecond"))
    except ValueError as exc:
        raise invalid_request(str(exc)) from None
    return jsonify(_progression_json())


@blueprint.post("/jobs/step")
def step_jobs() -> ResponseReturnValue:
    """Run up to ``count`` due jobs (default 1), oldest first."""
    count = _number(_body(), "count", 1)
    if count is None or count < 1 or count != int(count):
        raise invalid_request("'count' must be a whole number >= 1")
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"executed": engine.executor.run_due(limit=int(count))})


@blueprint.post("/jobs/run-due")
def run_due_jobs() -> ResponseReturnValue:
    """Run every due job, and the ones they make due, until none is left."""
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"executed": engine.executor.run_due()})


@blueprint.get("/clock")
def get_clock() -> ResponseReturnValue:
    return jsonify({"now": format_engine_date(current_engine().store.clock.now())})


@blueprint.post("/clock/advance")
def advance_clock() -> ResponseReturnValue:
    """Move the mock clock forward by ``seconds`` (timers and the batch monitor count on it)."""
    seconds = _number(_body(), "seconds")
    if seconds is None or seconds < 0:
        raise invalid_request("'seconds' must be a number >= 0")
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"now": format_engine_date(engine.store.clock.advance(seconds))})


@blueprint.post("/reset")
def reset() -> ResponseReturnValue:
    """Back to the start state; ``seed`` picks other demo data."""
    seed = _number(_body(), "seed")
    if seed is not None and seed != int(seed):
        raise invalid_request("'seed' must be a whole number")
    engine = current_engine()
    engine.reset(None if seed is None else int(seed))
    return jsonify({"seed": engine.store.seed})


# -- request log, saved states and the dashboard ---------------------------------------------


def _request_log() -> RequestLog:
    return current_app.extensions[REQUEST_LOG_KEY]


@blueprint.get("/requests")
def list_requests() -> ResponseReturnValue:
    """The recorded requests, newest first; ``?limit=n`` keeps the first ``n``."""
    limit = request.args.get("limit")
    if limit is not None and not (limit.isdigit() and int(limit) >= 1):
        raise invalid_request("'limit' must be a whole number >= 1")
    records = _request_log().newest(None if limit is None else int(limit))
    return jsonify([record.to_json() for record in records])


@blueprint.delete("/requests")
def clear_requests() -> ResponseReturnValue:
    _request_log().clear()
    return "", 204


@blueprint.get("/state")
def export_state() -> ResponseReturnValue:
    """The whole engine state as one JSON document (a scenario file)."""
    return jsonify(current_engine().export_state())


@blueprint.put("/state")
def import_state() -> ResponseReturnValue:
    """Replace the whole engine state with an exported document; a bad one changes nothing."""
    document = request.get_json(force=True, silent=True)
    if document is None:
        raise invalid_request("the body must be a state document in JSON (GET /mock-api/state)")
    try:
        current_engine().load_state(document)
    except SnapshotError as exc:
        raise invalid_request(str(exc)) from None
    return "", 204


@blueprint.get("/dashboard")
def dashboard() -> ResponseReturnValue:
    """The dashboard page; it reads the engine API under this mock's base path."""
    page = (resources.files("mockserver") / "static" / "dashboard.html").read_text("utf-8")
    base_path = html.escape(current_engine().config.base_path, quote=True)
    return Response(page.replace(BASE_PATH_PLACEHOLDER, base_path), mimetype="text/html")
