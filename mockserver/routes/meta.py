"""What the mock says of itself: the contract, the engine's version and its engine names."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .common import current_engine

blueprint = Blueprint("meta", __name__)


@blueprint.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    engine = current_engine()
    return jsonify(engine.spec.served_document(engine.config.base_path))


@blueprint.get("/version")
def engine_version() -> ResponseReturnValue:
    """The Camunda release the mock answers as (``--engine-version``)."""
    return jsonify({"version": current_engine().config.engine_version})


@blueprint.get("/engine")
def engine_names() -> ResponseReturnValue:
    """The process engines behind the REST API: the mock has the default one."""
    return jsonify([{"name": "default"}])
