"""The whole engine state as a JSON document, and back: scenario files a team can share.

``export_state`` writes every table of a store, the clock's offset and the seeded random
source, so an imported state answers as the exported one did and hands out the same ids
next. ``load_state`` checks a document completely (types, unknown or duplicate ids, links
between objects) and builds a new store from it; nothing is changed when it raises
``SnapshotError``. Objects refer to each other by id in the document.

Dates are ISO 8601 with their offset, as Python writes them (microseconds kept). The clock is
stored as its offset from wall-clock time, so a round trip gives the same document back.
An ended batch's job definitions are gone from the engine (only their ids live on in
history), so the document keeps their ids and the import rebuilds them.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from .bpmn import retry_cycle
from .delegation import compiled
from .expressions import ExpressionParseError, UnsupportedExpression
from .models import (
    ACTIVE,
    BATCH_MONITOR_JOB,
    BATCH_SEED_JOB,
    BATCH_TYPES,
    CLASS,
    COMPLETED,
    DELEGATE_EXPRESSION,
    EXPRESSION,
    EXTERNALLY_TERMINATED,
    INSTANCE_MODIFICATION,
    INSTANCE_RESTART,
    INTERNALLY_TERMINATED,
    SET_EXTERNAL_TASK_RETRIES,
    SET_JOB_RETRIES,
    SUSPENDED,
    UPDATE_SUSPENSION_STATE,
    Activity,
    ActivityInstance,
    Batch,
    Delegate,
    ExternalTask,
    Incident,
    Job,
    JobDefinition,
    Listener,
    ProcessDefinition,
    ProcessInstance,
    SequenceFlow,
    TypedValue,
    UserTask,
)
from .store import Deployment, EngineStore

FORMAT = "camunda-batch-mock-state"
VERSION = 1

INSTANCE_STATES = (ACTIVE, SUSPENDED, COMPLETED, EXTERNALLY_TERMINATED, INTERNALLY_TERMINATED)
VARIABLE_TYPES = ("String", "Integer", "Short", "Long", "Double", "Boolean", "Json", "Date", "Null")
# What an execution job of each batch type reads from the batch's parameters.
REQUIRED_PARAMETERS = {
    SET_JOB_RETRIES: ("retries",),
    SET_EXTERNAL_TASK_RETRIES: ("retries",),
    UPDATE_SUSPENSION_STATE: ("suspended",),
    INSTANCE_MODIFICATION: ("processDefinitionId", "instructions"),
    INSTANCE_RESTART: (
        "processDefinitionId",
        "instructions",
        "initialVariables",
        "withoutBusinessKey",
    ),
}

T = TypeVar("T")


class SnapshotError(ValueError):
    """The document is not a state the mock can load; the message says where and why."""


# -- export ---------------------------------------------------------------------------------


def _date(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _variables(variables: dict[str, TypedValue]) -> dict[str, Any]:
    return {
        name: {
            "type": typed.type,
            "value": _date(typed.value) if isinstance(typed.value, datetime) else typed.value,
        }
        for name, typed in variables.items()
    }


def _resource(name: str, content: bytes) -> dict[str, str]:
    try:
        return {"name": name, "encoding": "utf-8", "content": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"name": name, "encoding": "base64", "content": base64.b64encode(content).decode()}


def _export_deployment(deployment: Deployment) -> dict[str, Any]:
    return {
        "id": deployment.id,
        "name": deployment.name,
        "tenantId": deployment.tenant_id,
        "source": deployment.source,
        "deploymentTime": _date(deployment.deployment_time),
        "resources": [_resource(name, data) for name, data in deployment.resources.items()],
        "definitionIds": list(deployment.definition_ids),
    }


def _export_delegate(delegate: Delegate | None) -> dict[str, str] | None:
    return None if delegate is None else {"kind": delegate.kind, "value": delegate.value}


def _export_listeners(listeners: tuple[Listener, ...]) -> list[dict[str, Any]]:
    return [{"event": x.event, "delegate": _export_delegate(x.delegate)} for x in listeners]


def _export_activity(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "kind": activity.kind,
        "name": activity.name,
        "topic": activity.topic,
        "asyncBefore": activity.async_before,
        "asyncAfter": activity.async_after,
        "timerSeconds": activity.timer_seconds,
        "defaultFlow": activity.default_flow,
        "attachedTo": activity.attached_to,
        "errorCode": activity.error_code,
        "delegate": _export_delegate(activity.delegate),
        "resultVariable": activity.result_variable,
        "listeners": _export_listeners(activity.listeners),
        "taskListeners": _export_listeners(activity.task_listeners),
        "retryCycle": activity.retry_cycle,
    }


def _export_definition(definition: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "key": definition.key,
        "version": definition.version,
        "deploymentId": definition.deployment_id,
        "name": definition.name,
        "tenantId": definition.tenant_id,
        "versionTag": definition.version_tag,
        "historyTimeToLive": definition.history_time_to_live,
        "resource": definition.resource,
        "category": definition.category,
        "suspended": definition.suspended,
        "activities": [_export_activity(a) for a in definition.activities.values()],
        "flows": [
            {
                "id": f.id,
                "source": f.source,
                "target": f.target,
                "condition": f.condition,
                "listeners": _export_listeners(f.listeners),
            }
            for f in definition.flows.values()
        ],
        "listeners": _export_listeners(definition.listeners),
    }


def _export_job_definition(definition: JobDefinition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "jobType": definition.job_type,
        "configuration": definition.configuration,
        "activityId": definition.activity_id,
        "processDefinitionId": definition.process_definition_id,
        "processDefinitionKey": definition.process_definition_key,
        "tenantId": definition.tenant_id,
        "deploymentId": definition.deployment_id,
        "suspended": definition.suspended,
    }


def _export_instance(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "id": instance.id,
        "definitionId": instance.definition.id,
        "businessKey": instance.business_key,
        "startTime": _date(instance.start_time),
        "state": instance.state,
        "endTime": _date(instance.end_time),
        "tenantId": instance.tenant_id,
        "tokens": [{"id": t.id, "activityId": t.activity_id} for t in instance.activity_instances],
        "variables": _variables(instance.variables),
        "initialVariables": _variables(instance.initial_variables),
        "restartedProcessInstanceId": instance.restarted_process_instance_id,
        "deleteReason": instance.delete_reason,
    }


def _export_job(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "jobDefinitionId": job.job_definition.id,
        "createTime": _date(job.create_time),
        "dueDate": _date(job.due_date),
        "retries": job.retries,
        "suspended": job.suspended,
        "exceptionMessage": job.exception_message,
        "processInstanceId": job.process_instance_id,
        "activityInstanceId": job.activity_instance_id,
        "batchId": job.batch_id,
        "items": list(job.items),
        "priority": job.priority,
        "sequence": job.sequence,
    }


def _export_external_task(task: ExternalTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "topicName": task.topic_name,
        "activityId": task.activity_id,
        "activityInstanceId": task.activity_instance_id,
        "processInstanceId": task.process_instance_id,
        "definitionId": task.definition.id,
        "createTime": _date(task.create_time),
        "businessKey": task.business_key,
        "tenantId": task.tenant_id,
        "retries": task.retries,
        "workerId": task.worker_id,
        "lockExpirationTime": _date(task.lock_expiration_time),
        "errorMessage": task.error_message,
        "suspended": task.suspended,
        "priority": task.priority,
    }


def _export_user_task(task: UserTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "name": task.name,
        "taskDefinitionKey": task.task_definition_key,
        "activityInstanceId": task.activity_instance_id,
        "processInstanceId": task.process_instance_id,
        "definitionId": task.definition.id,
        "created": _date(task.created),
        "tenantId": task.tenant_id,
        "assignee": task.assignee,
        "suspended": task.suspended,
    }


def _export_incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "incidentType": incident.incident_type,
        "message": incident.message,
        "configuration": incident.configuration,
        "timestamp": _date(incident.timestamp),
        "processInstanceId": incident.process_instance_id,
        "processDefinitionId": incident.process_definition_id,
        "activityId": incident.activity_id,
        "jobDefinitionId": incident.job_definition_id,
        "tenantId": incident.tenant_id,
        "endTime": _date(incident.end_time),
    }


def _export_batch(batch: Batch) -> dict[str, Any]:
    parameters = dict(batch.parameters)
    if isinstance(parameters.get("dueDate"), datetime):
        parameters["dueDate"] = _date(parameters["dueDate"])
    return {
        "id": batch.id,
        "type": batch.type,
        "totalJobs": batch.total_jobs,
        "batchJobsPerSeed": batch.batch_jobs_per_seed,
        "invocationsPerBatchJob": batch.invocations_per_batch_job,
        "seedJobDefinitionId": batch.seed_job_definition.id,
        "monitorJobDefinitionId": batch.monitor_job_definition.id,
        "batchJobDefinitionId": batch.batch_job_definition.id,
        "startTime": _date(batch.start_time),
        "itemGroups": [list(group) for group in batch.item_groups],
        "parameters": parameters,
        "tenantId": batch.tenant_id,
        "createUserId": batch.create_user_id,
        "jobsCreated": batch.jobs_created,
        "suspended": batch.suspended,
        "executionStartTime": _date(batch.execution_start_time),
        "endTime": _date(batch.end_time),
        "seedGroup": batch.seed_group,
        "seedOffset": batch.seed_offset,
        "historyDeleted": batch.history_deleted,
    }


def export_state(store: EngineStore) -> dict[str, Any]:
    """The store as a JSON-ready document (callers hold ``store.lock``)."""
    version, internal, gauss = store.random.getstate()
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": store.seed,
        "random": {"version": version, "state": list(internal), "gauss": gauss},
        "jobSequence": store.job_sequence,
        "clock": {"offsetSeconds": store.clock.offset.total_seconds()},
        "deployments": [_export_deployment(d) for d in store.deployments.values()],
        "definitions": [_export_definition(d) for d in store.definitions.values()],
        "jobDefinitions": [_export_job_definition(d) for d in store.job_definitions.values()],
        "instances": [_export_instance(i) for i in store.instances.values()],
        "jobs": [_export_job(j) for j in store.jobs.values()],
        "externalTasks": [_export_external_task(t) for t in store.external_tasks.values()],
        "userTasks": [_export_user_task(t) for t in store.user_tasks.values()],
        "incidents": [_export_incident(i) for i in store.incidents.values()],
        "batches": [_export_batch(b) for b in store.batches.values()],
    }


# -- import: typed reading with the place of every problem ----------------------------------


class _Reader:
    """One JSON object of the document, read key by key with its path for messages."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise SnapshotError(f"{path}: must be an object")
        self.data = value
        self.path = path

    def value(self, key: str) -> Any:
        """The key's JSON value, whatever it is; only a missing key is an error."""
        if key not in self.data:
            raise SnapshotError(f"{self.path}: '{key}' is missing")
        return self.data[key]

    def _typed(self, key: str, check: Callable[[Any], bool], what: str, optional: bool) -> Any:
        value = self.value(key)
        if value is None and optional:
            return None
        if not check(value):
            raise SnapshotError(f"{self.path}.{key}: must be {what}, not {value!r}")
        return value

    def string(self, key: str) -> str:
        return self._typed(key, lambda v: isinstance(v, str), "a string", False)

    def opt_string(self, key: str) -> str | None:
        return self._typed(key, lambda v: isinstance(v, str), "a string or null", True)

    def boolean(self, key: str) -> bool:
        return self._typed(key, lambda v: isinstance(v, bool), "true or false", False)

    def integer(self, key: str) -> int:
        return self._typed(key, _is_int, "a whole number", False)

    def opt_integer(self, key: str) -> int | None:
        return self._typed(key, _is_int, "a whole number or null", True)

    def opt_number(self, key: str) -> float | None:
        return self._typed(key, _is_number, "a number or null", True)

    def date(self, key: str) -> datetime:
        moment = self.opt_date(key)
        if moment is None:
            raise SnapshotError(f"{self.path}.{key}: must be a date, not null")
        return moment

    def opt_date(self, key: str) -> datetime | None:
        text = self.opt_string(key)
        return None if text is None else _parse_date(text, f"{self.path}.{key}")

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key)
        if value not in allowed:
            raise SnapshotError(f"{self.path}.{key}: must be one of {', '.join(allowed)}")
        return value

    def array(self, key: str) -> list[Any]:
        return self._typed(key, lambda v: isinstance(v, list), "a list", False)

    def objects(self, key: str) -> list[_Reader]:
        return [_Reader(item, f"{self.path}.{key}[{n}]") for n, item in enumerate(self.array(key))]

    def strings(self, key: str) -> list[str]:
        values = self.array(key)
        if not all(isinstance(v, str) for v in values):
            raise SnapshotError(f"{self.path}.{key}: must be a list of strings")
        return values

    def ids(self, key: str) -> list[str | None]:
        values = self.array(key)
        if not all(v is None or isinstance(v, str) for v in values):
            raise SnapshotError(f"{self.path}.{key}: must be a list of ids (strings or null)")
        return values


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """A finite JSON number (Python's JSON reader also takes NaN and Infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _parse_date(text: str, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SnapshotError(f"{path}: '{text}' is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        raise SnapshotError(f"{path}: '{text}' has no UTC offset")
    return moment


def _table(readers: list[_Reader], build: Callable[[_Reader], T], kind: str) -> dict[str, T]:
    """Objects by id, in document order; a repeated id is an error."""
    table: dict[str, T] = {}
    _fill(table, readers, build, kind)
    return table


def _fill(
    table: dict[str, T], readers: list[_Reader], build: Callable[[_Reader], T], kind: str
) -> None:
    """Put the objects into the store's (empty) table by id, in document order; a repeated id
    is an error. The store's own tables are filled, not replaced, so their indexes stay."""
    for reader in readers:
        item = build(reader)
        item_id = reader.data["id"]
        if item_id in table:
            raise SnapshotError(f"{reader.path}: {kind} id '{item_id}' appears twice")
        table[item_id] = item


def _lookup(table: dict[str, T], item_id: str | None, reader: _Reader, key: str, kind: str) -> T:
    if item_id not in table:
        raise SnapshotError(f"{reader.path}.{key}: no {kind} with id '{item_id}'")
    return table[item_id]  # type: ignore[index]


class _StateReader:
    """Builds a new store from a document, checking it on the way."""

    def __init__(self, document: Any) -> None:
        self.root = _Reader(document, "state")
        self.store = EngineStore()

    def read(self) -> EngineStore:
        root, store = self.root, self.store
        if root.data.get("format") != FORMAT:
            raise SnapshotError(f"state.format: must be '{FORMAT}'")
        if root.data.get("version") != VERSION:
            raise SnapshotError(
                f"state.version: this mock reads version {VERSION}, "
                f"not {root.data.get('version')!r}"
            )
        store.reset(root.integer("seed"))
        self._random(_Reader(root.value("random"), "state.random"))
        store.job_sequence = root.integer("jobSequence")
        offset = _Reader(root.value("clock"), "state.clock").opt_number("offsetSeconds")
        try:
            store.clock.restore(timedelta(seconds=offset or 0))
        except OverflowError:
            raise SnapshotError("state.clock.offsetSeconds: too far from now") from None
        _fill(store.deployments, root.objects("deployments"), self._deployment, "deployment")
        _fill(store.definitions, root.objects("definitions"), self._definition, "definition")
        self._check_deployment_links()
        _fill(
            store.job_definitions,
            root.objects("jobDefinitions"),
            self._job_definition,
            "job definition",
        )
        _fill(store.instances, root.objects("instances"), self._instance, "instance")
        _fill(store.batches, root.objects("batches"), self._batch, "batch")
        _fill(store.jobs, root.objects("jobs"), self._job, "job")
        _fill(
            store.external_tasks,
            root.objects("externalTasks"),
            self._external_task,
            "external task",
        )
        _fill(store.user_tasks, root.objects("userTasks"), self._user_task, "user task")
        _fill(store.incidents, root.objects("incidents"), self._incident, "incident")
        return store

    def _random(self, reader: _Reader) -> None:
        state = reader.array("state")
        gauss = reader.opt_number("gauss")
        try:
            self.store.random.setstate((reader.integer("version"), tuple(state), gauss))
        except (TypeError, ValueError, OverflowError) as exc:
            raise SnapshotError(f"state.random: not a random generator state ({exc})") from None

    def _deployment(self, r: _Reader) -> Deployment:
        resources: dict[str, bytes] = {}
        for resource in r.objects("resources"):
            encoding = resource.choice("encoding", ("utf-8", "base64"))
            content = resource.string("content")
            try:
                data = (
                    content.encode("utf-8")
                    if encoding == "utf-8"
                    else base64.b64decode(content, validate=True)
                )
            except binascii.Error:
                raise SnapshotError(f"{resource.path}.content: not valid base64") from None
            resources[resource.string("name")] = data
        return Deployment(
            id=r.string("id"),
            name=r.opt_string("name"),
            tenant_id=r.opt_string("tenantId"),
            source=r.opt_string("source"),
            deployment_time=r.date("deploymentTime"),
            resources=resources,
            definition_ids=r.strings("definitionIds"),
        )

    def _definition(self, r: _Reader) -> ProcessDefinition:
        _lookup(self.store.deployments, r.string("deploymentId"), r, "deploymentId", "deployment")
        activities = _table(r.objects("activities"), self._activity, "activity")
        flows = _table(r.objects("flows"), self._flow, "sequence flow")
        for flow_reader, flow in zip(r.objects("flows"), flows.values(), strict=True):
            for end in (flow.source, flow.target):
                if end not in activities:
                    raise SnapshotError(f"{flow_reader.path}: no activity '{end}'")
        if not any(a.kind == "startEvent" for a in activities.values()):
            raise SnapshotError(f"{r.path}.activities: the process has no start event")
        return ProcessDefinition(
            id=r.string("id"),
            key=r.string("key"),
            version=r.integer("version"),
            deployment_id=r.string("deploymentId"),
            name=r.opt_string("name"),
            tenant_id=r.opt_string("tenantId"),
            version_tag=r.opt_string("versionTag"),
            history_time_to_live=r.opt_integer("historyTimeToLive"),
            resource=r.opt_string("resource"),
            # snapshots written before the category was kept have none
            category=r.opt_string("category") if "category" in r.data else None,
            suspended=r.boolean("suspended"),
            activities=activities,
            flows=flows,
            listeners=self._listeners(r, "listeners"),
        )

    # Keys added after the first snapshots: a document without them has none of these.

    def _delegate(self, r: _Reader, key: str, in_task: bool = False) -> Delegate | None:
        if r.data.get(key) is None:
            return None
        reader = _Reader(r.data[key], f"{r.path}.{key}")
        kind = reader.choice("kind", (CLASS, EXPRESSION, DELEGATE_EXPRESSION))
        value = reader.string("value")
        if kind != CLASS:
            try:
                compiled(value, in_task)
            except (ExpressionParseError, UnsupportedExpression) as error:
                raise SnapshotError(f"{reader.path}.value: {error}") from None
        return Delegate(kind, value)

    def _listeners(self, r: _Reader, key: str, in_task: bool = False) -> tuple[Listener, ...]:
        if key not in r.data:
            return ()
        found = []
        for reader in r.objects(key):
            delegate = self._delegate(reader, "delegate", in_task)
            if delegate is None:
                raise SnapshotError(f"{reader.path}.delegate: must be an object, not null")
            found.append(Listener(reader.string("event"), delegate))
        return tuple(found)

    def _activity(self, r: _Reader) -> Activity:
        retry_text = r.opt_string("retryCycle") if "retryCycle" in r.data else None
        try:
            retry_cycle(retry_text)
        except ValueError as error:
            raise SnapshotError(f"{r.path}.retryCycle: {error}") from None
        return Activity(
            id=r.string("id"),
            kind=r.string("kind"),
            name=r.opt_string("name"),
            topic=r.opt_string("topic"),
            async_before=r.boolean("asyncBefore"),
            async_after=r.boolean("asyncAfter"),
            timer_seconds=r.opt_number("timerSeconds"),
            default_flow=r.opt_string("defaultFlow"),
            attached_to=r.opt_string("attachedTo"),
            error_code=r.opt_string("errorCode"),
            delegate=self._delegate(r, "delegate"),
            result_variable=r.opt_string("resultVariable") if "resultVariable" in r.data else None,
            listeners=self._listeners(r, "listeners"),
            task_listeners=self._listeners(r, "taskListeners", in_task=True),
            retry_cycle=retry_text,
        )

    def _flow(self, r: _Reader) -> SequenceFlow:
        condition = r.opt_string("condition")
        if condition is not None:
            try:
                compiled(condition)
            except (ExpressionParseError, UnsupportedExpression) as error:
                raise SnapshotError(f"{r.path}.condition: {error}") from None
        return SequenceFlow(
            id=r.string("id"),
            source=r.string("source"),
            target=r.string("target"),
            condition=condition,
            listeners=self._listeners(r, "listeners"),
        )

    def _check_deployment_links(self) -> None:
        for n, deployment in enumerate(self.store.deployments.values()):
            for definition_id in deployment.definition_ids:
                definition = self.store.definitions.get(definition_id)
                if definition is None or definition.deployment_id != deployment.id:
                    raise SnapshotError(
                        f"state.deployments[{n}].definitionIds: '{definition_id}' is not a "
                        "definition of this deployment"
                    )

    def _job_definition(self, r: _Reader) -> JobDefinition:
        definition_id = r.opt_string("processDefinitionId")
        if definition_id is not None:
            _lookup(self.store.definitions, definition_id, r, "processDefinitionId", "definition")
        return JobDefinition(
            id=r.string("id"),
            job_type=r.string("jobType"),
            configuration=r.string("configuration"),
            activity_id=r.opt_string("activityId"),
            process_definition_id=definition_id,
            process_definition_key=r.opt_string("processDefinitionKey"),
            tenant_id=r.opt_string("tenantId"),
            deployment_id=r.opt_string("deploymentId"),
            suspended=r.boolean("suspended"),
        )

    def _variables(self, r: _Reader, key: str) -> dict[str, TypedValue]:
        variables = _Reader(r.value(key), f"{r.path}.{key}")
        result = {}
        for name in variables.data:
            variable = _Reader(variables.data[name], f"{variables.path}.{name}")
            type_name = variable.choice("type", VARIABLE_TYPES)
            value = variable.value("value")
            if type_name == "Date" and value is not None:
                value = variable.date("value")
            result[name] = TypedValue(type_name, value)
        return result

    def _instance(self, r: _Reader) -> ProcessInstance:
        definition = _lookup(
            self.store.definitions, r.string("definitionId"), r, "definitionId", "definition"
        )
        tokens = []
        for token in r.objects("tokens"):
            activity_id = token.string("activityId")
            if activity_id not in definition.activities:
                raise SnapshotError(f"{token.path}.activityId: no activity '{activity_id}'")
            tokens.append(ActivityInstance(token.string("id"), activity_id))
        return ProcessInstance(
            id=r.string("id"),
            definition=definition,
            business_key=r.opt_string("businessKey"),
            start_time=r.date("startTime"),
            state=r.choice("state", INSTANCE_STATES),
            end_time=r.opt_date("endTime"),
            tenant_id=r.opt_string("tenantId"),
            activity_instances=tokens,
            variables=self._variables(r, "variables"),
            initial_variables=self._variables(r, "initialVariables"),
            restarted_process_instance_id=r.opt_string("restartedProcessInstanceId"),
            delete_reason=r.opt_string("deleteReason"),
        )

    def _batch_job_definitions(self, r: _Reader, batch_type: str) -> list[JobDefinition]:
        """A running batch's three job definitions are in the table; an ended one's are rebuilt."""
        running = r.opt_date("endTime") is None
        definitions = []
        for key, job_type in (
            ("seedJobDefinitionId", BATCH_SEED_JOB),
            ("monitorJobDefinitionId", BATCH_MONITOR_JOB),
            ("batchJobDefinitionId", batch_type),
        ):
            definition_id = r.string(key)
            if running or definition_id in self.store.job_definitions:
                definitions.append(
                    _lookup(self.store.job_definitions, definition_id, r, key, "job definition")
                )
            else:
                definitions.append(
                    JobDefinition(
                        id=definition_id,
                        job_type=job_type,
                        configuration=r.string("id"),
                        tenant_id=r.opt_string("tenantId"),
                        suspended=r.boolean("suspended"),
                    )
                )
        return definitions

    def _batch(self, r: _Reader) -> Batch:
        batch_type = r.choice("type", BATCH_TYPES)
        seed, monitor, execution = self._batch_job_definitions(r, batch_type)
        groups = r.array("itemGroups")
        item_groups = [
            _Reader({"items": group}, f"{r.path}.itemGroups[{n}]").ids("items")
            for n, group in enumerate(groups)
        ]
        parameters = _Reader(r.value("parameters"), f"{r.path}.parameters")
        for name in REQUIRED_PARAMETERS[batch_type]:
            parameters.value(name)
        values = dict(parameters.data)
        if "dueDate" in values:
            values["dueDate"] = parameters.opt_date("dueDate")
        seed_group, seed_offset = r.integer("seedGroup"), r.integer("seedOffset")
        if not 0 <= seed_group <= len(item_groups) or seed_offset < 0:
            raise SnapshotError(f"{r.path}: seedGroup/seedOffset point outside itemGroups")
        return Batch(
            id=r.string("id"),
            type=batch_type,
            total_jobs=r.integer("totalJobs"),
            batch_jobs_per_seed=r.integer("batchJobsPerSeed"),
            invocations_per_batch_job=r.integer("invocationsPerBatchJob"),
            seed_job_definition=seed,
            monitor_job_definition=monitor,
            batch_job_definition=execution,
            start_time=r.date("startTime"),
            item_groups=item_groups,
            parameters=values,
            tenant_id=r.opt_string("tenantId"),
            create_user_id=r.opt_string("createUserId"),
            jobs_created=r.integer("jobsCreated"),
            suspended=r.boolean("suspended"),
            execution_start_time=r.opt_date("executionStartTime"),
            end_time=r.opt_date("endTime"),
            seed_group=seed_group,
            seed_offset=seed_offset,
            history_deleted=r.boolean("historyDeleted"),
        )

    def _running_instance(self, r: _Reader) -> ProcessInstance:
        instance = _lookup(
            self.store.instances, r.string("processInstanceId"), r, "processInstanceId", "instance"
        )
        if not instance.is_running:
            raise SnapshotError(f"{r.path}.processInstanceId: instance '{instance.id}' has ended")
        return instance

    def _token_of(self, r: _Reader, instance: ProcessInstance) -> str:
        token_id = r.string("activityInstanceId")
        if all(t.id != token_id for t in instance.activity_instances):
            raise SnapshotError(
                f"{r.path}.activityInstanceId: instance '{instance.id}' has no token '{token_id}'"
            )
        return token_id

    def _job(self, r: _Reader) -> Job:
        definition_id = r.string("jobDefinitionId")
        definition = _lookup(
            self.store.job_definitions, definition_id, r, "jobDefinitionId", "job definition"
        )
        batch_id = r.opt_string("batchId")
        instance_id = token_id = None
        if batch_id is not None:
            batch = _lookup(self.store.batches, batch_id, r, "batchId", "batch")
            if not batch.is_running or definition not in batch.job_definitions():
                raise SnapshotError(f"{r.path}: not a job of the running batch '{batch_id}'")
        else:
            instance = self._running_instance(r)
            instance_id, token_id = instance.id, self._token_of(r, instance)
        return Job(
            id=r.string("id"),
            job_definition=definition,
            create_time=r.date("createTime"),
            due_date=r.opt_date("dueDate"),
            retries=r.integer("retries"),
            suspended=r.boolean("suspended"),
            exception_message=r.opt_string("exceptionMessage"),
            process_instance_id=instance_id,
            activity_instance_id=token_id,
            batch_id=batch_id,
            items=r.ids("items"),
            priority=r.integer("priority"),
            sequence=r.integer("sequence"),
        )

    def _external_task(self, r: _Reader) -> ExternalTask:
        instance = self._running_instance(r)
        return ExternalTask(
            id=r.string("id"),
            topic_name=r.string("topicName"),
            activity_id=r.string("activityId"),
            activity_instance_id=self._token_of(r, instance),
            process_instance_id=instance.id,
            definition=instance.definition,
            create_time=r.date("createTime"),
            business_key=r.opt_string("businessKey"),
            tenant_id=r.opt_string("tenantId"),
            retries=r.opt_integer("retries"),
            worker_id=r.opt_string("workerId"),
            lock_expiration_time=r.opt_date("lockExpirationTime"),
            error_message=r.opt_string("errorMessage"),
            suspended=r.boolean("suspended"),
            priority=r.integer("priority"),
        )

    def _user_task(self, r: _Reader) -> UserTask:
        instance = self._running_instance(r)
        return UserTask(
            id=r.string("id"),
            name=r.opt_string("name"),
            task_definition_key=r.string("taskDefinitionKey"),
            activity_instance_id=self._token_of(r, instance),
            process_instance_id=instance.id,
            definition=instance.definition,
            created=r.date("created"),
            tenant_id=r.opt_string("tenantId"),
            assignee=r.opt_string("assignee"),
            suspended=r.boolean("suspended"),
        )

    def _incident(self, r: _Reader) -> Incident:
        return Incident(
            id=r.string("id"),
            incident_type=r.string("incidentType"),
            message=r.opt_string("message"),
            configuration=r.string("configuration"),
            timestamp=r.date("timestamp"),
            process_instance_id=r.opt_string("processInstanceId"),
            process_definition_id=r.opt_string("processDefinitionId"),
            activity_id=r.opt_string("activityId"),
            job_definition_id=r.opt_string("jobDefinitionId"),
            tenant_id=r.opt_string("tenantId"),
            end_time=r.opt_date("endTime"),
        )


def load_state(document: Any) -> EngineStore:
    """A new store holding the document's state, or ``SnapshotError`` naming the problem."""
    return _StateReader(document).read()
