"""The five endpoints that start a batch (and the restart-by-key variant)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .common import DEFINITION_ID, current_engine, json_body, request_user

blueprint = Blueprint("batch_operations", __name__)


@blueprint.post("/process-instance/job-retries")
def set_job_retries() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("setJobRetriesAsyncOperation")
    with engine.store.lock:
        return jsonify(engine.batches.set_job_retries(body, request_user()).to_json())


@blueprint.post("/external-task/retries-async")
def set_external_task_retries() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("setExternalTaskRetriesAsyncOperation")
    with engine.store.lock:
        return jsonify(engine.batches.set_external_task_retries(body, request_user()).to_json())


@blueprint.post("/process-instance/suspended-async")
def update_suspension_state() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("updateSuspensionStateAsyncOperation")
    with engine.store.lock:
        return jsonify(engine.batches.update_suspension_state(body, request_user()).to_json())


@blueprint.post("/modification/executeAsync")
def execute_modification() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("executeModificationAsync")
    with engine.store.lock:
        return jsonify(engine.batches.execute_modification(body, request_user()).to_json())


@blueprint.post(f"/process-definition/{DEFINITION_ID}/restart-async")
def restart(definition_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("restartProcessInstanceAsyncOperation")
    with engine.store.lock:
        return jsonify(engine.batches.restart(definition_id, body, request_user()).to_json())


@blueprint.post("/process-definition/key/<key>/restart-async")
def restart_by_key(key: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:  # one hold: the definition cannot go between lookup and batch
        definition_id = engine.batches.definition_by_key(key).id
        body = json_body("restartProcessInstanceAsyncByKey")
        return jsonify(engine.batches.restart(definition_id, body, request_user()).to_json())
