"""What clients do to move instances on: start them, complete tasks, work external tasks,
set variables, delete instances. Each method checks like the engine and raises its errors
(messages and statuses as the engine's REST layer answers); callers hold ``store.lock``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .errors import CamundaError, invalid_request
from .models import EngineFailure, ExternalTask, ProcessDefinition, ProcessInstance
from .runtime import ProcessRuntime
from .store import EngineStore
from .variables import VariableError, to_json, typed_values

# How the engine words a refusal to a worker that does not hold the lock, per command.
REFUSAL_PREFIX = {"complete": "", "failure": "Failure of ", "bpmnError": "Bpmn error of "}
REFUSAL_VERB = {"complete": "completed", "failure": "reported", "bpmnError": "reported"}
MAX_ASYNC_RESPONSE_TIMEOUT = 1_800_000


def _engine_500(type_: str, message: str) -> CamundaError:
    """An engine check the REST layer does not catch: 500 with ``code`` 0."""
    return CamundaError(500, type_, message, code=0)


def _rest_500(message: str) -> CamundaError:
    """A resource's ``RestException`` around an engine failure: 500 with ``code`` 0."""
    return CamundaError(500, "RestException", message, code=0)


class Commands:
    """Client commands against one store."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime) -> None:
        self.store = store
        self.runtime = runtime

    # -- instances ----------------------------------------------------------------------

    def start(self, definition: ProcessDefinition, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /process-definition/{id}/start``: the instance, with variables if asked."""
        prefix = f"Cannot instantiate process definition {definition.id}"
        try:
            variables = typed_values(body.get("variables"))
        except VariableError as error:
            raise invalid_request(f"{prefix}: {error}") from None
        if definition.suspended:
            raise _rest_500(f"{prefix}: Process definition with id '{definition.id}' is suspended")
        try:
            instance = self.runtime.start(definition, body.get("businessKey"), variables)
        except EngineFailure as failure:  # nothing of the instance stays, not even history
            raise _rest_500(f"{prefix}: {failure}") from None
        answer = instance.to_json()
        if body.get("withVariablesInReturn"):
            answer["variables"] = _variables_json(instance)
        return answer

    def delete_instance(self, instance_id: str) -> None:
        """``DELETE /process-instance/{id}``: history records ``EXTERNALLY_TERMINATED``."""
        instance = self.store.instances.get(instance_id)
        if instance is None or not instance.is_running:
            raise CamundaError(
                404,
                "InvalidRequestException",
                f"No process instance found for id '{instance_id}': processInstance is null",
                code=0,
            )
        self.runtime.cancel(instance)

    def set_instance_suspended(self, instance_id: str, suspended: bool) -> None:
        """``PUT /process-instance/{id}/suspended``: an id of no running instance changes
        nothing and is no error (the engine's update finds no instance and stops there)."""
        instance = self.store.instances.get(instance_id)
        if instance is not None and instance.is_running:
            self.runtime.set_suspended(instance, suspended)

    def _execution(self, instance_id: str, action: str, name: str) -> ProcessInstance:
        instance = self.store.instances.get(instance_id)
        if instance is None or not instance.is_running:
            raise _rest_500(
                f"Cannot {action} process instance variable {name}: execution {instance_id} "
                "doesn't exist: execution is null"
            )
        return instance

    def get_variable(self, instance_id: str, name: str) -> dict[str, Any]:
        """``GET /process-instance/{id}/variables/{name}``."""
        instance = self._execution(instance_id, "get", name)
        if name not in instance.variables:
            raise invalid_request(f"process instance variable with name {name} does not exist", 404)
        return to_json(instance.variables[name])

    def set_variable(self, instance_id: str, name: str, body: dict[str, Any]) -> None:
        """``PUT /process-instance/{id}/variables/{name}``."""
        try:  # the engine converts the value before it looks the instance up
            (variable,) = typed_values({name: body}).values()
        except VariableError as error:
            raise invalid_request(f"Cannot put process instance variable {name}: {error}") from None
        self._execution(instance_id, "put", name).variables[name] = variable

    # -- user tasks ---------------------------------------------------------------------

    def complete_task(self, task_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """``POST /task/{id}/complete``; the instance's variables when asked for them."""
        prefix = f"Cannot complete task {task_id}"
        task = self.store.user_tasks.get(task_id)
        if task is None:
            raise _rest_500(f"{prefix}: Cannot find task with id {task_id}: task is null")
        if task.suspended:
            raise _rest_500(f"{prefix}: ENGINE-03043 task with id '{task_id}' is suspended.")
        instance = self.store.instances[task.process_instance_id]
        try:
            with self.runtime.transaction():  # the variables sent go back too when it fails
                self.runtime.touch(instance)
                self._merge_variables(instance, body.get("variables"), prefix)
                self.runtime.complete_user_task(task)
        except EngineFailure as failure:
            raise _rest_500(f"{prefix}: {failure}") from None
        return _variables_json(instance) if body.get("withVariablesInReturn") else None

    # -- external tasks -----------------------------------------------------------------

    def fetch_and_lock(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """``POST /external-task/fetchAndLock``: lock up to ``maxTasks`` tasks of the topics."""
        timeout = body.get("asyncResponseTimeout")
        if timeout is not None and timeout > MAX_ASYNC_RESPONSE_TIMEOUT:
            raise invalid_request(
                "The asynchronous response timeout cannot be set to a value greater than "
                f"{MAX_ASYNC_RESPONSE_TIMEOUT} milliseconds"
            )
        worker = body.get("workerId")
        if worker is None:
            raise _engine_500("NullValueException", "workerId is null")
        limit = body.get("maxTasks") or 0
        if limit < 0:
            raise _engine_500(
                "ProcessEngineException", "maxResults is not greater than or equal to 0"
            )
        topics = body.get("topics") or []
        for topic in topics:
            if topic.get("topicName") is None:
                raise _engine_500("NullValueException", "topicName is null")
            if (topic.get("lockDuration") or 0) <= 0:
                raise _engine_500("ProcessEngineException", "lockTime is not greater than 0")
        now = self.store.clock.now()
        candidates = sorted(
            self.store.external_tasks.values(),
            key=lambda t: (-t.priority if body.get("usePriority") else 0, t.create_time),
        )
        locked: list[dict[str, Any]] = []
        for topic in topics:
            for task in candidates:
                if len(locked) >= limit:
                    return locked
                if self._fetchable(task, topic, now):
                    task.worker_id = worker
                    task.lock_expiration_time = now + timedelta(milliseconds=topic["lockDuration"])
                    locked.append(self._locked_json(task, topic.get("variables")))
        return locked

    def _fetchable(self, task: ExternalTask, topic: dict[str, Any], now: datetime) -> bool:
        instance = self.store.instances[task.process_instance_id]
        locked = task.lock_expiration_time is not None and task.lock_expiration_time > now
        tenants = topic.get("tenantIdIn")
        return (
            task.topic_name == topic["topicName"]
            and not locked
            and not task.suspended
            and task.has_retries_left
            and topic.get("businessKey") in (None, instance.business_key)
            and topic.get("processDefinitionId") in (None, task.definition.id)
            and topic.get("processDefinitionKey") in (None, task.definition.key)
            and (tenants is None or task.tenant_id in tenants)
            and (not topic.get("withoutTenantId") or task.tenant_id is None)
        )

    def _locked_json(self, task: ExternalTask, names: list[str] | None) -> dict[str, Any]:
        variables = self.store.instances[task.process_instance_id].variables
        wanted = variables if names is None else {n: variables[n] for n in names if n in variables}
        return {
            **task.to_json(),
            "errorDetails": None,
            "variables": {name: to_json(value) for name, value in wanted.items()},
            "extensionProperties": {},
        }

    def _locked_task(self, task_id: str, worker: str | None, command: str) -> ExternalTask:
        """The task, if it exists and ``worker`` holds its lock."""
        task = self.store.external_tasks.get(task_id)
        if task is None:
            raise CamundaError(
                404, "RestException", f"External task with id {task_id} does not exist", code=0
            )
        if worker is None:
            raise _engine_500("NullValueException", "workerId is null")
        if task.worker_id != worker:
            raise CamundaError(
                400,
                "RestException",
                f"{REFUSAL_PREFIX[command]}External Task {task_id} cannot be "
                f"{REFUSAL_VERB[command]} by worker '{worker}'. It is locked by worker "
                f"'{task.worker_id}'.",
                code=0,
            )
        return task

    def complete_external_task(self, task_id: str, body: dict[str, Any]) -> None:
        """``POST /external-task/{id}/complete``."""
        task = self._locked_task(task_id, body.get("workerId"), "complete")
        instance = self.store.instances[task.process_instance_id]
        try:
            with self.runtime.transaction():
                self.runtime.touch(instance)
                self._merge_variables(instance, body.get("variables"), None)
                self.runtime.complete_external_task(task)
        except EngineFailure as failure:  # the engine's exception, passed on as it is
            raise _engine_500("ProcessEngineException", str(failure)) from None

    def fail_external_task(self, task_id: str, body: dict[str, Any]) -> None:
        """``POST /external-task/{id}/failure``: 0 retries opens an incident."""
        task = self._locked_task(task_id, body.get("workerId"), "failure")
        retries = body.get("retries") or 0
        if retries < 0:
            raise _engine_500("ProcessEngineException", "retries is not greater than or equal to 0")
        timeout = body.get("retryTimeout") or 0
        if timeout < 0:
            raise _engine_500(
                "ProcessEngineException", "retryDuration is not greater than or equal to 0"
            )
        self.runtime.fail_external_task(task, body.get("errorMessage"), retries, timeout)

    def bpmn_error(self, task_id: str, body: dict[str, Any]) -> None:
        """``POST /external-task/{id}/bpmnError``: an error boundary event may catch it."""
        task = self._locked_task(task_id, body.get("workerId"), "bpmnError")
        if body.get("errorCode") is None:
            raise _engine_500("NullValueException", "errorCode is null")
        instance = self.store.instances[task.process_instance_id]
        try:
            with self.runtime.transaction():
                self.runtime.touch(instance)
                self._merge_variables(instance, body.get("variables"), None)
                self.runtime.throw_bpmn_error(
                    instance, task.activity_instance_id, body["errorCode"]
                )
        except EngineFailure:  # the engine's own wording, whatever failed on the way
            raise _engine_500(
                "ProcessEngineException",
                f"ENGINE-13033 Propagation of bpmn error {body['errorCode']} failed. ",
            ) from None

    # -- shared -------------------------------------------------------------------------

    @staticmethod
    def _merge_variables(instance: ProcessInstance, payload: Any, prefix: str | None) -> None:
        try:
            instance.variables.update(typed_values(payload))
        except VariableError as error:
            message = f"{prefix}: {error}" if prefix else str(error)
            raise invalid_request(message) from None


def _variables_json(instance: ProcessInstance) -> dict[str, Any]:
    return {name: to_json(value) for name, value in instance.variables.items()}
