"""Deployments, process definitions and starting instances."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .. import params
from ..errors import CamundaError, invalid_request
from ..queries import like
from ..repository import select_definitions
from ..spec import unsupported_media_type
from .common import DEFINITION_ID, DEPLOYMENT_ID, current_engine, json_body, self_link

blueprint = Blueprint("repository", __name__)

TEXT_PARTS = ("deployment-name", "deployment-source", "tenant-id", "deployment-activation-time")
FLAG_PARTS = ("enable-duplicate-filtering", "deploy-changed-only")


@blueprint.post("/deployment/create")
def create_deployment() -> ResponseReturnValue:
    """Multipart: the text parts below; every other part must be a named resource file."""
    if request.mimetype != "multipart/form-data":
        raise unsupported_media_type()
    form = request.form
    for field in form:
        if field not in TEXT_PARTS + FLAG_PARTS:
            # The engine puts the part's file name here, which a text part does not have.
            raise invalid_request(
                "No file name found in the deployment resource described by form parameter 'null'."
            )
    files = {
        upload.filename or field: upload.read() for field, upload in request.files.items(multi=True)
    }
    engine = current_engine()
    with engine.store.lock:
        result = engine.repository.deploy(
            files,
            name=form.get("deployment-name"),
            source=form.get("deployment-source"),
            tenant_id=form.get("tenant-id"),
            duplicate_filtering=form.get("enable-duplicate-filtering") == "true",
            changed_only=form.get("deploy-changed-only") == "true",
        )
        answer = result.to_json()
        answer["links"] = [self_link(f"deployment/{result.deployment.id}")]
        return jsonify(answer)


DEPLOYMENT_SORT = {
    "id": lambda d: d.id,
    "name": lambda d: d.name or "",
    "deploymentTime": lambda d: d.deployment_time,
    "tenantId": lambda d: d.tenant_id or "",
}


def _deployments() -> list:
    """``GET /deployment``: every parameter is read (and checked) before any filtering."""
    args = request.args
    without_source = params.boolean(args, "withoutSource")
    if without_source and args.get("source") is not None:
        raise invalid_request(
            'The query parameters "withoutSource" and "source" cannot be used in combination.'
        )
    tenants = params.string_list(args, "tenantIdIn")
    without_tenant = params.boolean(args, "withoutTenantId")
    name_like = like(args["nameLike"]) if "nameLike" in args else None
    sorting = params.sorting(args, tuple(DEPLOYMENT_SORT))
    selected = [
        d
        for d in current_engine().store.deployments.values()
        if args.get("id") in (None, d.id)
        and args.get("name") in (None, d.name)
        and args.get("source") in (None, d.source)
        and (name_like is None or (d.name is not None and name_like.match(d.name)))
        and (tenants is None or d.tenant_id in tenants)
        and (not without_tenant or d.tenant_id is None)
        and (not without_source or d.source is None)
    ]
    return params.sort(selected, sorting, DEPLOYMENT_SORT)


@blueprint.get("/deployment")
def list_deployments() -> ResponseReturnValue:
    window = params.paging(request.args)
    with current_engine().store.lock:
        return jsonify([d.to_json() for d in params.page(_deployments(), window)])


@blueprint.get("/deployment/count")
def count_deployments() -> ResponseReturnValue:
    with current_engine().store.lock:
        return jsonify({"count": len(_deployments())})


@blueprint.get(f"/deployment/{DEPLOYMENT_ID}")
def get_deployment(deployment_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(engine.repository.find_deployment(deployment_id).to_json())


@blueprint.delete(f"/deployment/{DEPLOYMENT_ID}")
def delete_deployment(deployment_id: str) -> ResponseReturnValue:
    engine = current_engine()
    cascade = params.exact_true(request.args, "cascade")
    with engine.store.lock:
        engine.repository.delete_deployment(deployment_id, cascade)
    return "", 204


@blueprint.get("/process-definition")
def list_definitions() -> ResponseReturnValue:
    engine = current_engine()
    window = params.paging(request.args)
    with engine.store.lock:
        selected = params.page(select_definitions(engine.store, request.args), window)
        return jsonify([d.to_json() for d in selected])


@blueprint.get("/process-definition/count")
def count_definitions() -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify({"count": len(select_definitions(engine.store, request.args))})


@blueprint.get(f"/process-definition/{DEFINITION_ID}")
def get_definition(definition_id: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(engine.repository.find_definition(definition_id).to_json())


@blueprint.get("/process-definition/key/<key>")
def get_definition_by_key(key: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:
        return jsonify(engine.repository.definition_by_key(key).to_json())


@blueprint.post(f"/process-definition/{DEFINITION_ID}/start")
def start_instance(definition_id: str) -> ResponseReturnValue:
    engine = current_engine()
    body = json_body("startProcessInstance")
    with engine.store.lock:
        definition = engine.store.definitions.get(definition_id)
        if definition is None:  # the resource wraps the engine's failure in a 500
            raise CamundaError(
                500,
                "RestException",
                f"Cannot instantiate process definition {definition_id}: no deployed process "
                f"definition found with id '{definition_id}': processDefinition is null",
                code=0,
            )
        return jsonify(_with_self_link(engine.commands.start(definition, body)))


@blueprint.post("/process-definition/key/<key>/start")
def start_instance_by_key(key: str) -> ResponseReturnValue:
    engine = current_engine()
    with engine.store.lock:  # one hold: the definition cannot go between lookup and start
        definition = engine.repository.definition_by_key(key)
        body = json_body("startProcessInstanceByKey")
        return jsonify(_with_self_link(engine.commands.start(definition, body)))


def _with_self_link(instance: dict) -> dict:
    """The start answer links to the new instance, as the engine's does."""
    return {**instance, "links": [self_link(f"process-instance/{instance['id']}")]}
