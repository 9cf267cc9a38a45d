"""Following and controlling batches: ``/batch`` and ``/history/batch``."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .. import params
from ..batch_queries import (
    find_batch,
    find_historic_batch,
    select_batch_statistics,
    select_batches,
    select_historic_batches,
)
from ..errors import CamundaError
from .common import BATCH_ID, HISTORIC_BATCH_ID, current_engine, json_body

blueprint = Blueprint("batches", __name__)


def _unable(action: str, batch_id: str, historic: bool = False) -> CamundaError:
    """The engine's 400 for control calls on an unknown batch (its cause sets ``code`` 0)."""
    what = "historic batch" if historic else "batch"
    return CamundaError(
        400, "InvalidRequestException", f"Unable to {action} {what} with id '{batch_id}'", code=0
    )


@blueprint.get("/batch")
def list_batches() -> ResponseReturnValue:
    engine = current_engine()
    window = params.paging(request.args)
    with engine.store.lock:
        batches = params.page(select_batches(engine.store, request.args), window)
        return jsonify([b.to_json() for b in batches])


@blueprint.get("/batch/count")
def count_batches() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select_batches(engine.store, request.args))})


@blueprint.get("/batch/statistics")
def batch_statistics() -> ResponseReturnValue:
    engine = current_engine()
    window = params.paging(request.args)
    with engine.store.lock:
        return jsonify(params.page(select_batch_statistics(engine.store, request.args), window))


@blueprint.get("/batch/statistics/count")
def count_batch_statistics() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select_batch_statistics(engine.store, request.args))})


@blueprint.get(f"/batch/{BATCH_ID}")
def get_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(find_batch(engine.store, batch_id).to_json())


@blueprint.put(f"/batch/{BATCH_ID}/suspended")
def set_batch_suspended(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    suspended = bool(json_body("updateBatchSuspensionState").get("suspended"))
    with engine.store.lock:
        batch = engine.store.batches.get(batch_id)
        if batch is None or not batch.is_running:
            raise _unable("suspend" if suspended else "activate", batch_id)
        engine.lifecycle.set_suspended(batch, suspended)
    return "", 204


@blueprint.delete(f"/batch/{BATCH_ID}")
def delete_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    cascade = params.jaxrs_flag(request.args, "cascade")
    with engine.store.lock:
        batch = engine.store.batches.get(batch_id)
        if batch is None or not batch.is_running:
            raise _unable("delete", batch_id)
        engine.lifecycle.delete(batch, cascade)
    return "", 204


@blueprint.get("/history/batch")
def list_historic_batches() -> ResponseReturnValue:
    engine = current_engine()
    window = params.paging(request.args)
    with engine.store.lock:
        batches = params.page(select_historic_batches(engine.store, request.args), window)
        return jsonify([b.to_historic_json() for b in batches])


@blueprint.get("/history/batch/count")
def count_historic_batches() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select_historic_batches(engine.store, request.args))})


@blueprint.get(f"/history/batch/{HISTORIC_BATCH_ID}")
def get_historic_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(find_historic_batch(engine.store, batch_id).to_historic_json())


@blueprint.delete(f"/history/batch/{HISTORIC_BATCH_ID}")
def delete_historic_batch(batch_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        batch = engine.store.batches.get(batch_id)
        if batch is None or batch.history_deleted:
            raise _unable("delete", batch_id, historic=True)
        if batch.is_running:
            batch.history_deleted = True
        else:
            del engine.store.batches[batch_id]
    return "", 204
