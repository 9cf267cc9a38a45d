"""Reads that show what batches did: instances, jobs, external tasks, incidents, tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .. import params, resource_queries
from ..errors import invalid_request, rest_error
from .common import (
    EXTERNAL_TASK_ID,
    HISTORIC_INSTANCE_ID,
    INSTANCE_ID,
    JOB_ID,
    current_engine,
    json_body,
)

blueprint = Blueprint("runtime_reads", __name__)


def _list(select: Callable[[], list], to_json: Callable[[Any], dict]) -> ResponseReturnValue:
    engine = current_engine()
    window = params.paging(request.args)  # JAX-RS converts these before the engine reads a filter
    with engine.store.lock:
        return jsonify([to_json(item) for item in params.page(select(), window)])


def _count(select: Callable[[], list]) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select())})


def _query(schema_name: str) -> dict[str, Any]:
    """The query DTO of a GET (from parameters) or a POST (from the JSON body)."""
    spec = current_engine().spec
    if request.method == "POST":
        operation = {
            "ProcessInstanceQueryDto": "queryProcessInstances",
            "HistoricProcessInstanceQueryDto": "queryHistoricProcessInstances",
            "ExternalTaskQueryDto": "queryExternalTasks",
        }[schema_name]
        return json_body(operation)
    schema = spec.resolve(spec.schema(schema_name))
    return resource_queries.dto_from_args(request.args, schema, spec.resolve)


# -- process instances -------------------------------------------------------------------


def _instances() -> list:
    query = _query("ProcessInstanceQueryDto")
    return resource_queries.process_instances(current_engine().store, query, request.args)


@blueprint.route("/process-instance", methods=["GET", "POST"])
def list_process_instances() -> ResponseReturnValue:
    return _list(_instances, lambda i: i.to_json())


@blueprint.route("/process-instance/count", methods=["GET", "POST"])
def count_process_instances() -> ResponseReturnValue:
    return _count(_instances)


def _running_instance(instance_id: str) -> Any:
    instance = current_engine().store.instances.get(instance_id)
    if instance is None or not instance.is_running:
        raise invalid_request(f"Process instance with id {instance_id} does not exist", 404)
    return instance


@blueprint.get(f"/process-instance/{INSTANCE_ID}")
def get_process_instance(instance_id: str) -> ResponseReturnValue:
    with current_engine().store.lock:
        return jsonify(_running_instance(instance_id).to_json())


@blueprint.get(f"/process-instance/{INSTANCE_ID}/activity-instances")
def get_activity_instances(instance_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        instance = engine.store.instances.get(instance_id)
        if instance is None or not instance.is_running:
            raise invalid_request(f"Process instance with id {instance_id} does not exist", 404)
        return jsonify(resource_queries.activity_instance_tree(engine.store, instance))


def _historic_instances() -> list:
    query = _query("HistoricProcessInstanceQueryDto")
    return resource_queries.historic_process_instances(current_engine().store, query, request.args)


@blueprint.route("/history/process-instance", methods=["GET", "POST"])
def list_historic_process_instances() -> ResponseReturnValue:
    return _list(_historic_instances, lambda i: i.to_historic_json())


@blueprint.route("/history/process-instance/count", methods=["GET", "POST"])
def count_historic_process_instances() -> ResponseReturnValue:
    return _count(_historic_instances)


@blueprint.get(f"/history/process-instance/{HISTORIC_INSTANCE_ID}")
def get_historic_process_instance(instance_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        instance = engine.store.instances.get(instance_id)
        if instance is None:
            raise invalid_request(
                f"Historic process instance with id {instance_id} does not exist", 404
            )
        return jsonify(instance.to_historic_json())


# -- external tasks ----------------------------------------------------------------------


def _external_tasks() -> list:
    query = _query("ExternalTaskQueryDto")
    return resource_queries.external_tasks(current_engine().store, query, request.args)


@blueprint.route("/external-task", methods=["GET", "POST"])
def list_external_tasks() -> ResponseReturnValue:
    return _list(_external_tasks, lambda t: t.to_json())


@blueprint.route("/external-task/count", methods=["GET", "POST"])
def count_external_tasks() -> ResponseReturnValue:
    return _count(_external_tasks)


@blueprint.get(f"/external-task/{EXTERNAL_TASK_ID}")
def get_external_task(task_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        task = engine.store.external_tasks.get(task_id)
        if task is None:
            raise rest_error(404, f"External task with id {task_id} does not exist")
        return jsonify(task.to_json())


# -- jobs, job definitions, incidents, tasks --------------------------------------------


def _find_job(job_id: str) -> Any:
    job = current_engine().store.jobs.get(job_id)
    if job is None:
        raise invalid_request(f"Job with id {job_id} does not exist", 404)
    return job


@blueprint.get("/job")
def list_jobs() -> ResponseReturnValue:
    return _list(
        lambda: resource_queries.jobs(current_engine().store, request.args), lambda j: j.to_json()
    )


@blueprint.get("/job/count")
def count_jobs() -> ResponseReturnValue:
    return _count(lambda: resource_queries.jobs(current_engine().store, request.args))


@blueprint.get(f"/job/{JOB_ID}")
def get_job(job_id: str) -> ResponseReturnValue:
    with current_engine().store.lock:
        return jsonify(_find_job(job_id).to_json())


@blueprint.get("/job-definition")
def list_job_definitions() -> ResponseReturnValue:
    return _list(
        lambda: resource_queries.job_definitions(current_engine().store, request.args),
        lambda d: d.to_json(),
    )


@blueprint.get("/job-definition/count")
def count_job_definitions() -> ResponseReturnValue:
    return _count(lambda: resource_queries.job_definitions(current_engine().store, request.args))


@blueprint.get("/incident")
def list_incidents() -> ResponseReturnValue:
    return _list(
        lambda: resource_queries.incidents(current_engine().store, request.args),
        lambda i: i.to_json(),
    )


@blueprint.get("/incident/count")
def count_incidents() -> ResponseReturnValue:
    return _count(lambda: resource_queries.incidents(current_engine().store, request.args))


@blueprint.get("/task")
def list_tasks() -> ResponseReturnValue:
    return _list(
        lambda: resource_queries.tasks(current_engine().store, request.args), lambda t: t.to_json()
    )


@blueprint.get("/task/count")
def count_tasks() -> ResponseReturnValue:
    return _count(lambda: resource_queries.tasks(current_engine().store, request.args))


@blueprint.post(f"/job/{JOB_ID}/execute")
def execute_job(job_id: str) -> ResponseReturnValue:
    """Run one job now, due or not, suspended or not, as ``managementService.executeJob``.

    The engine answers a failing job (its retries already decremented) with a 404 carrying
    the failure's message, because the resource maps every engine exception to 404.
    """
    engine = current_engine()
    with engine.store.lock:
        job = engine.store.jobs.get(job_id)
        if job is None:
            raise invalid_request(f"ENGINE-14026 No job found with id '{job_id}'", 404)
        failure = engine.executor.execute(job)
    if failure is not None:
        raise invalid_request(str(failure), 404)
    return "", 204
