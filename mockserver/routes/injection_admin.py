"""Latency and fault rules at run time: ``/mock-api/latency`` and ``/mock-api/faults``.

``GET`` shows the active rules, ``PUT`` replaces them (and restarts the seeded random source,
optionally from a new ``seed``), ``DELETE`` removes them all.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..errors import invalid_request
from ..faults import FaultRule, current_faults
from ..latency import LatencyRule, current_latency

blueprint = Blueprint("injection_admin", __name__, url_prefix="/mock-api")


def _rules_and_seed(key: str) -> tuple[list[Any], int | None]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise invalid_request(f"the body must be a JSON object with a list '{key}'")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise invalid_request("'seed' must be a whole number")
    return body[key], seed


def _latency_json() -> dict[str, Any]:
    injector = current_latency()
    return {"latency": [str(rule) for rule in injector.rules], "seed": injector.seed}


def _faults_json() -> dict[str, Any]:
    injector = current_faults()
    return {"faults": [rule.to_json() for rule in injector.rules], "seed": injector.seed}


@blueprint.get("/latency")
def get_latency() -> ResponseReturnValue:
    return jsonify(_latency_json())


@blueprint.put("/latency")
def set_latency() -> ResponseReturnValue:
    """``{"latency": ["100..300", "POST /process-instance/job-retries=2000"], "seed": 7}``."""
    texts, seed = _rules_and_seed("latency")
    try:
        rules = [LatencyRule.parse(text) for text in texts]
    except ValueError as exc:
        raise invalid_request(str(exc)) from None
    current_latency().replace(rules, seed)
    return jsonify(_latency_json())


@blueprint.delete("/latency")
def clear_latency() -> ResponseReturnValue:
    current_latency().replace([])
    return jsonify(_latency_json())


@blueprint.get("/faults")
def get_faults() -> ResponseReturnValue:
    return jsonify(_faults_json())


@blueprint.put("/faults")
def set_faults() -> ResponseReturnValue:
    """``{"faults": ["POST /batch*=500@0.5", {"route": "...", "status": 503}], "seed": 7}``."""
    values, seed = _rules_and_seed("faults")
    try:
        rules = [FaultRule.parse(value) for value in values]
    except ValueError as exc:
        raise invalid_request(str(exc)) from None
    current_faults().replace(rules, seed)
    return jsonify(_faults_json())


@blueprint.delete("/faults")
def clear_faults() -> ResponseReturnValue:
    current_faults().replace([])
    return jsonify(_faults_json())
