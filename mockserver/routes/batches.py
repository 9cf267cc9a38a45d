"""Reading batches: ``/batch`` and ``/history/batch``."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .. import params
from ..batch_queries import find_batch, find_historic_batch, select_batches
from .common import current_engine

blueprint = Blueprint("batches", __name__)


@blueprint.get("/batch")
def list_batches() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        batches = params.page(select_batches(engine.store, request.args), request.args)
        return jsonify([b.to_json() for b in batches])


@blueprint.get("/batch/count")
def count_batches() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select_batches(engine.store, request.args))})


@blueprint.get("/batch/<batch_id>")
def get_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(find_batch(engine.store, batch_id).to_json())


@blueprint.get("/history/batch/<batch_id>")
def get_historic_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(find_historic_batch(engine.store, batch_id).to_historic_json())
