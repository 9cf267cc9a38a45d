"""The five endpoints that start a batch (and the restart-by-key variant)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth import request_user
from .common import DEFINITION_ID, current_engine, json_body

blueprint = Blueprint("batch_operations", __name__)


@blueprint.post("/process-instance/job-retries")
def set_job_retries() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("setJobRetriesAsyncOperation")
    user = request_user(request)
    with engine.store.lock:
        batch = engine.batches.set_job_retries(body, user).to_json()
    return jsonify(batch)  # serialized after the lock is released


@blueprint.post("/external-task/retries-async")
def set_external_task_retries() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("setExternalTaskRetriesAsyncOperation")
    user = request_user(request)
    with engine.store.lock:
        batch = engine.batches.set_external_task_retries(body, user).to_json()
    return jsonify(batch)  # serialized after the lock is released


@blueprint.post("/process-instance/suspended-async")
def update_suspension_state() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("updateSuspensionStateAsyncOperation")
    user = request_user(request)
    with engine.store.lock:
        batch = engine.batches.update_suspension_state(body, user).to_json()
    return jsonify(batch)  # serialized after the lock is released


@blueprint.post("/modification/executeAsync")
def execute_modification() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("executeModificationAsync")
    user = request_user(request)
    with engine.store.lock:
        batch = engine.batches.execute_modification(body, user).to_json()
    return jsonify(batch)  # serialized after the lock is released


@blueprint.post(f"/process-definition/{DEFINITION_ID}/restart-async")
def restart(definition_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("restartProcessInstanceAsyncOperation")
    user = request_user(request)
    with engine.store.lock:
        batch = engine.batches.restart(definition_id, body, user).to_json()
    return jsonify(batch)  # serialized after the lock is released


@blueprint.post("/process-definition/key/<key>/restart-async")
def restart_by_key(key: str) -> ResponseReturnValue:
    engine = current_engine()
    user = request_user(request)
    with engine.store.lock:  # one hold: the definition cannot go between lookup and batch
        definition_id = engine.batches.definition_by_key(key).id
        body = json_body("restartProcessInstanceAsyncByKey")
        batch = engine.batches.restart(definition_id, body, user).to_json()
    return jsonify(batch)
