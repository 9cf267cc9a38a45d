"""Moving instances on: user tasks, the external task worker API, variables, suspension,
deletion."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from ..errors import invalid_request
from .common import EXTERNAL_TASK_ID, INSTANCE_ID, TASK_ID, current_engine, json_body

blueprint = Blueprint("work", __name__)


@blueprint.get(f"/task/{TASK_ID}")
def get_task(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        task = engine.store.user_tasks.get(task_id)
        if task is None:
            raise invalid_request(f"No matching task with id {task_id}", 404)
        return jsonify(task.to_json())


@blueprint.post(f"/task/{TASK_ID}/complete")
def complete_task(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("completeTask")
    with engine.store.lock:
        variables = engine.commands.complete_task(task_id, body)
    return (jsonify(variables), 200) if variables is not None else ("", 204)


@blueprint.post("/external-task/fetchAndLock")
def fetch_and_lock() -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("fetchAndLock")
    with engine.store.lock:
        return jsonify(engine.commands.fetch_and_lock(body))


@blueprint.post(f"/external-task/{EXTERNAL_TASK_ID}/complete")
def complete_external_task(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("completeExternalTask")
    with engine.store.lock:
        engine.commands.complete_external_task(task_id, body)
    return "", 204


@blueprint.post(f"/external-task/{EXTERNAL_TASK_ID}/failure")
def fail_external_task(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("handleExternalTaskFailure")
    with engine.store.lock:
        engine.commands.fail_external_task(task_id, body)
    return "", 204


@blueprint.post(f"/external-task/{EXTERNAL_TASK_ID}/bpmnError")
def external_task_bpmn_error(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("handleExternalTaskBpmnError")
    with engine.store.lock:
        engine.commands.bpmn_error(task_id, body)
    return "", 204


@blueprint.delete(f"/process-instance/{INSTANCE_ID}")
def delete_process_instance(instance_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        engine.commands.delete_instance(instance_id)
    return "", 204


@blueprint.put(f"/process-instance/{INSTANCE_ID}/suspended")
def set_process_instance_suspended(instance_id: str) -> ResponseReturnValue:
    """Suspend (``suspended: true``) or activate the instance; missing or null activates."""
    engine = current_engine()
    suspended = bool(json_body("updateProcessInstanceSuspensionState").get("suspended"))
    with engine.store.lock:
        engine.commands.set_instance_suspended(instance_id, suspended)
    return "", 204


@blueprint.get(f"/process-instance/{INSTANCE_ID}/variables/<name>")
def get_variable(instance_id: str, name: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(engine.commands.get_variable(instance_id, name))


@blueprint.put(f"/process-instance/{INSTANCE_ID}/variables/<name>")
def set_variable(instance_id: str, name: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("setProcessInstanceVariable")
    with engine.store.lock:
        engine.commands.set_variable(instance_id, name, body)
    return "", 204
