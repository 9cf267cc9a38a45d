"""The contract itself, served by the mock."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .common import current_engine

blueprint = Blueprint("meta", __name__)


@blueprint.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    engine = current_engine()
    return jsonify(engine.spec.served_document(engine.config.base_path))
