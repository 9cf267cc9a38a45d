"""List and count reads of the engine's resources, driven by query-string parameters.

Process instances, historic process instances and external tasks reuse the request-body
query filters of ``queries.py`` (a GET parameter is the same filter, lists comma-separated).
Jobs, job definitions, incidents and tasks have filter tables of their own here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import params
from .clock import format_engine_date
from .errors import invalid_request
from .models import ExternalTask, Incident, Job, JobDefinition, ProcessInstance, UserTask
from .queries import (
    select_external_tasks,
    select_historic_process_instances,
    select_process_instances,
)
from .store import EngineStore

PAGING_AND_SORTING = ("sortBy", "sortOrder", "firstResult", "maxResults")


@dataclass(frozen=True)
class Param:
    """How to read one query parameter and which objects it keeps."""

    kind: str  # "string", "list" (comma-separated) or "boolean"
    keep: Callable[[Any, Any], bool]  # (object, parsed value) -> kept?


def _read(args: Mapping[str, str], name: str, kind: str) -> Any:
    if kind == "boolean":
        return params.boolean(args, name)
    if kind == "list":
        return params.string_list(args, name)
    return args.get(name)


def dto_from_args(
    args: Mapping[str, str],
    schema: dict[str, Any],
    resolve: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """A query DTO from GET parameters, typed by the DTO's schema (unknown names ignored).

    The parameters are converted in the engine's order (:func:`params.hash_map_order`); a date
    is read as the engine's ``DateConverter`` reads it and handed on in the engine's format.
    """
    query: dict[str, Any] = {}
    properties = schema["properties"]
    for name in params.hash_map_order(args):
        if name in PAGING_AND_SORTING or name not in properties:
            continue
        if name == "variables":
            query[name] = variable_conditions(args[name])
            continue
        declared = resolve(properties[name])
        types = declared.get("type", [])
        types = [types] if isinstance(types, str) else types
        if "pattern" in declared:  # the only patterned properties are dates
            moment = params.date(args, name)
            if moment is not None:  # empty or null: no filter
                query[name] = format_engine_date(moment)
        elif "array" in types:
            query[name] = params.string_list(args, name)
        elif "boolean" in types:
            query[name] = params.boolean(args, name)
        elif "integer" in types:
            query[name] = params.integer(args, name)
        else:
            query[name] = args[name]
    return query


VARIABLE_OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")


def variable_conditions(text: str) -> list[dict[str, Any]]:
    """``variables=name_op_value,...`` (the engine's GET syntax) as body-style conditions."""
    conditions = []
    for part in text.split(","):
        pieces = part.split("_")
        operator_at = next(
            (i for i, piece in enumerate(pieces) if i > 0 and piece in VARIABLE_OPERATORS), None
        )
        if operator_at is None or operator_at == len(pieces) - 1:
            raise invalid_request(
                f"Cannot set query parameter 'variables' to value '{text}': "
                "variable query parameter has to have format KEY_OPERATOR_VALUE"
            )
        value = "_".join(pieces[operator_at + 1 :])
        conditions.append(
            {
                "name": "_".join(pieces[:operator_at]),
                "operator": pieces[operator_at],
                "value": _query_value(value),
            }
        )
    return conditions


def _query_value(text: str) -> Any:
    """A GET variable value: a boolean or a number where it reads as one, else the text."""
    if text in ("true", "false"):
        return text == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _sorted(items: list, args: Mapping[str, str], keys: dict[str, Callable[[Any], Any]]) -> list:
    return params.sort(items, params.sorting(args, tuple(keys)), keys)


def _sorted_by_body(
    items: list, query: dict[str, Any], args: Mapping[str, str], keys: dict[str, Callable]
) -> list:
    """Sort by GET parameters, or by a POST body's ``sorting`` list (first entry first).

    The engine ignores a ``sorting`` entry whose ``sortBy`` it does not know.
    """
    sortings = [s for s in query.get("sorting") or [] if s.get("sortBy") in keys]
    if not sortings:
        return _sorted(items, args, keys)
    for sorting in reversed(sortings):  # stable sorts: the last applied is the primary key
        params.sort(items, (sorting["sortBy"], sorting.get("sortOrder") == "desc"), keys)
    return items


def _filtered(items: list, args: Mapping[str, str], table: dict[str, Param]) -> list:
    tests = []
    for name, param in table.items():
        value = _read(args, name, param.kind)
        if value is None or (param.kind == "boolean" and value is False):
            continue
        tests.append((param.keep, value))
    return [item for item in items if all(keep(item, value) for keep, value in tests)]


# -- resources filtered by request-body query DTOs ---------------------------------------

INSTANCE_SORT = {
    "instanceId": lambda i: i.id,
    "definitionKey": lambda i: i.definition.key,
    "definitionId": lambda i: i.definition.id,
    "tenantId": lambda i: i.tenant_id,
    "businessKey": lambda i: i.business_key,
}
HISTORIC_INSTANCE_SORT = {
    "instanceId": lambda i: i.id,
    "definitionId": lambda i: i.definition.id,
    "definitionKey": lambda i: i.definition.key,
    "definitionName": lambda i: i.definition.name,
    "definitionVersion": lambda i: i.definition.version,
    "businessKey": lambda i: i.business_key,
    "startTime": lambda i: i.start_time,
    "endTime": lambda i: i.end_time,
    "duration": lambda i: (i.end_time - i.start_time) if i.end_time else None,
    "tenantId": lambda i: i.tenant_id,
}
EXTERNAL_TASK_SORT = {
    "id": lambda t: t.id,
    "lockExpirationTime": lambda t: t.lock_expiration_time,
    "processInstanceId": lambda t: t.process_instance_id,
    "processDefinitionId": lambda t: t.definition.id,
    "processDefinitionKey": lambda t: t.definition.key,
    "tenantId": lambda t: t.tenant_id,
    "taskPriority": lambda t: t.priority,
    "createTime": lambda t: t.create_time,
}


def process_instances(
    store: EngineStore, query: dict[str, Any], args: Mapping[str, str]
) -> list[ProcessInstance]:
    """Runtime instances for ``GET``/``POST /process-instance``, sorted."""
    return _sorted_by_body(select_process_instances(store, query), query, args, INSTANCE_SORT)


def historic_process_instances(
    store: EngineStore, query: dict[str, Any], args: Mapping[str, str]
) -> list[ProcessInstance]:
    """All instances for ``GET``/``POST /history/process-instance``, sorted."""
    selected = select_historic_process_instances(store, query)
    return _sorted_by_body(selected, query, args, HISTORIC_INSTANCE_SORT)


def external_tasks(
    store: EngineStore, query: dict[str, Any], args: Mapping[str, str]
) -> list[ExternalTask]:
    """External tasks for ``GET``/``POST /external-task``, sorted."""
    return _sorted_by_body(select_external_tasks(store, query), query, args, EXTERNAL_TASK_SORT)


# -- resources with filter tables of their own -------------------------------------------


def _equals(get: Callable[[Any], Any]) -> Param:
    return Param("string", lambda obj, value: get(obj) == value)


def _member(get: Callable[[Any], Any]) -> Param:
    return Param("list", lambda obj, values: get(obj) in values)


def _flag(test: Callable[[Any], bool]) -> Param:
    return Param("boolean", lambda obj, value: test(obj))


def _job_instance(job: Job) -> str | None:
    return job.process_instance_id


def _job_params(now: datetime) -> dict[str, Param]:
    return {**_JOB_PARAMS, "executable": _flag(lambda j: j.retries > 0 and j.due_key() <= now)}


_JOB_PARAMS: dict[str, Param] = {
    "jobId": _equals(lambda j: j.id),
    "jobIds": _member(lambda j: j.id),
    "jobDefinitionId": _equals(lambda j: j.job_definition.id),
    "processInstanceId": _equals(_job_instance),
    "processInstanceIds": _member(_job_instance),
    "executionId": _equals(_job_instance),
    "processDefinitionId": _equals(lambda j: j.job_definition.process_definition_id),
    "processDefinitionKey": _equals(lambda j: j.job_definition.process_definition_key),
    "activityId": _equals(lambda j: j.job_definition.activity_id),
    "withRetriesLeft": _flag(lambda j: j.retries > 0),
    "noRetriesLeft": _flag(lambda j: j.retries == 0),
    "timers": _flag(lambda j: j.job_definition.job_type.startswith("timer")),
    "messages": _flag(lambda j: not j.job_definition.job_type.startswith("timer")),
    "withException": _flag(lambda j: j.exception_message is not None),
    "exceptionMessage": _equals(lambda j: j.exception_message),
    "active": _flag(lambda j: not j.suspended),
    "suspended": _flag(lambda j: j.suspended),
    "tenantIdIn": _member(lambda j: j.job_definition.tenant_id),
    "withoutTenantId": _flag(lambda j: j.job_definition.tenant_id is None),
}
JOB_SORT = {
    "jobId": lambda j: j.id,
    "executionId": _job_instance,
    "processInstanceId": _job_instance,
    "processDefinitionId": lambda j: j.job_definition.process_definition_id,
    "processDefinitionKey": lambda j: j.job_definition.process_definition_key,
    "jobPriority": lambda j: j.priority,
    "jobRetries": lambda j: j.retries,
    "jobDueDate": lambda j: j.due_date,
    "tenantId": lambda j: j.job_definition.tenant_id,
}

JOB_DEFINITION_PARAMS: dict[str, Param] = {
    "jobDefinitionId": _equals(lambda d: d.id),
    "activityIdIn": _member(lambda d: d.activity_id),
    "processDefinitionId": _equals(lambda d: d.process_definition_id),
    "processDefinitionKey": _equals(lambda d: d.process_definition_key),
    "jobType": _equals(lambda d: d.job_type),
    "jobConfiguration": _equals(lambda d: d.configuration),
    "active": _flag(lambda d: not d.suspended),
    "suspended": _flag(lambda d: d.suspended),
    "tenantIdIn": _member(lambda d: d.tenant_id),
    "withoutTenantId": _flag(lambda d: d.tenant_id is None),
}
JOB_DEFINITION_SORT = {
    "jobDefinitionId": lambda d: d.id,
    "activityId": lambda d: d.activity_id,
    "processDefinitionId": lambda d: d.process_definition_id,
    "processDefinitionKey": lambda d: d.process_definition_key,
    "jobType": lambda d: d.job_type,
    "jobConfiguration": lambda d: d.configuration,
    "tenantId": lambda d: d.tenant_id,
}

INCIDENT_PARAMS: dict[str, Param] = {
    "incidentId": _equals(lambda i: i.id),
    "incidentType": _equals(lambda i: i.incident_type),
    "incidentMessage": _equals(lambda i: i.message),
    "processDefinitionId": _equals(lambda i: i.process_definition_id),
    "processInstanceId": _equals(lambda i: i.process_instance_id),
    "executionId": _equals(lambda i: i.process_instance_id),
    "activityId": _equals(lambda i: i.activity_id),
    "causeIncidentId": _equals(lambda i: i.id),
    "rootCauseIncidentId": _equals(lambda i: i.id),
    "configuration": _equals(lambda i: i.configuration),
    "tenantIdIn": _member(lambda i: i.tenant_id),
    "jobDefinitionIdIn": _member(lambda i: i.job_definition_id),
}
INCIDENT_SORT = {
    "incidentId": lambda i: i.id,
    "incidentMessage": lambda i: i.message,
    "incidentTimestamp": lambda i: i.timestamp,
    "incidentType": lambda i: i.incident_type,
    "executionId": lambda i: i.process_instance_id,
    "activityId": lambda i: i.activity_id,
    "processInstanceId": lambda i: i.process_instance_id,
    "processDefinitionId": lambda i: i.process_definition_id,
    "causeIncidentId": lambda i: i.id,
    "rootCauseIncidentId": lambda i: i.id,
    "configuration": lambda i: i.configuration,
    "tenantId": lambda i: i.tenant_id,
}


def _task_business_key(store: EngineStore) -> Callable[[UserTask], str | None]:
    return lambda t: store.instances[t.process_instance_id].business_key


TASK_SORT = {
    "id": lambda t: t.id,
    "name": lambda t: t.name,
    "created": lambda t: t.created,
    "assignee": lambda t: t.assignee,
    "instanceId": lambda t: t.process_instance_id,
    "priority": lambda t: 50,
}


def _task_params(store: EngineStore) -> dict[str, Param]:
    return {
        "taskId": _equals(lambda t: t.id),
        "processInstanceId": _equals(lambda t: t.process_instance_id),
        "processInstanceIdIn": _member(lambda t: t.process_instance_id),
        "processInstanceBusinessKey": _equals(_task_business_key(store)),
        "processDefinitionId": _equals(lambda t: t.definition.id),
        "processDefinitionKey": _equals(lambda t: t.definition.key),
        "taskDefinitionKey": _equals(lambda t: t.task_definition_key),
        "taskDefinitionKeyIn": _member(lambda t: t.task_definition_key),
        "name": _equals(lambda t: t.name),
        "assignee": _equals(lambda t: t.assignee),
        "unassigned": _flag(lambda t: t.assignee is None),
        "active": _flag(lambda t: not t.suspended),
        "suspended": _flag(lambda t: t.suspended),
        "tenantIdIn": _member(lambda t: t.tenant_id),
        "withoutTenantId": _flag(lambda t: t.tenant_id is None),
    }


def jobs(store: EngineStore, args: Mapping[str, str]) -> list[Job]:
    """``GET /job``: filtered and sorted."""
    table = _job_params(store.clock.now())
    return _sorted(_filtered(list(store.jobs.values()), args, table), args, JOB_SORT)


def job_definitions(store: EngineStore, args: Mapping[str, str]) -> list[JobDefinition]:
    """``GET /job-definition``: filtered and sorted."""
    selected = _filtered(list(store.job_definitions.values()), args, JOB_DEFINITION_PARAMS)
    return _sorted(selected, args, JOB_DEFINITION_SORT)


def incidents(store: EngineStore, args: Mapping[str, str]) -> list[Incident]:
    """``GET /incident``: open incidents, filtered and sorted."""
    open_incidents = [i for i in store.incidents.values() if i.is_open]
    return _sorted(_filtered(open_incidents, args, INCIDENT_PARAMS), args, INCIDENT_SORT)


def tasks(store: EngineStore, args: Mapping[str, str]) -> list[UserTask]:
    """``GET /task``: filtered and sorted."""
    selected = _filtered(list(store.user_tasks.values()), args, _task_params(store))
    return _sorted(selected, args, TASK_SORT)


# The engine's activity type of each kind a token can wait in, where the names differ.
ACTIVITY_TYPES = {"timerEvent": "intermediateTimer"}


def activity_instance_tree(store: EngineStore, instance: ProcessInstance) -> dict[str, Any]:
    """``GET /process-instance/{id}/activity-instances``: the instance and its tokens.

    A token held by an async-before job has not entered its activity yet: the engine shows
    it as a transition instance; every other token is an activity instance.
    """
    definition = instance.definition
    waiting_before = {
        job.activity_instance_id
        for job in store.jobs_of_instance(instance.id)
        if job.job_definition.configuration == "async-before"
    }
    open_incidents: dict[str | None, list[Incident]] = {}
    for incident in store.incidents.by("instance", instance.id):
        if incident.is_open:
            open_incidents.setdefault(incident.activity_id, []).append(incident)

    def common(token_id: str, activity_id: str) -> dict[str, Any]:
        activity = definition.activities[activity_id]
        incidents_here = open_incidents.get(activity_id, [])
        return {
            "id": token_id,
            "parentActivityInstanceId": instance.id,
            "activityId": activity_id,
            "activityType": ACTIVITY_TYPES.get(activity.kind, activity.kind),
            "processInstanceId": instance.id,
            "processDefinitionId": definition.id,
            "activityName": activity.name,
            "incidentIds": [i.id for i in incidents_here],
            "incidents": [{"id": i.id, "activityId": i.activity_id} for i in incidents_here],
            "name": activity.name,
        }

    activities, transitions = [], []
    for token in instance.activity_instances:
        if token.id in waiting_before:
            transitions.append(
                {
                    **common(token.id, token.activity_id),
                    "executionId": instance.id,
                    "targetActivityId": token.activity_id,
                }
            )
        else:
            activities.append(
                {
                    **common(token.id, token.activity_id),
                    "childActivityInstances": [],
                    "childTransitionInstances": [],
                    "executionIds": [instance.id],
                }
            )
    return {
        "id": instance.id,
        "parentActivityInstanceId": None,
        "activityId": definition.id,
        "activityType": "processDefinition",
        "processInstanceId": instance.id,
        "processDefinitionId": definition.id,
        "childActivityInstances": activities,
        "childTransitionInstances": transitions,
        "executionIds": [instance.id],
        "activityName": definition.name,
        "incidentIds": [],
        "incidents": [],
        "name": definition.name,
    }
