"""What clients do to move instances on: start them, complete tasks, work external tasks,
set variables, delete instances. Each function checks like the engine and raises its errors;
callers hold ``store.lock``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .errors import CamundaError, invalid_request, rest_error
from .models import ExternalTask, ProcessDefinition, ProcessInstance
from .runtime import ProcessRuntime
from .store import EngineStore
from .variables import VariableError, to_json, typed_values


class Commands:
    """Client commands against one store."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime) -> None:
        self.store = store
        self.runtime = runtime

    # -- instances ----------------------------------------------------------------------

    def start(self, definition: ProcessDefinition, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /process-definition/{id}/start``: the instance, with variables if asked."""
        try:
            variables = typed_values(body.get("variables"))
        except VariableError as error:
            raise invalid_request(
                f"Cannot instantiate process definition {definition.id}: {error}"
            ) from None
        if definition.suspended:
            raise invalid_request(
                f"Cannot instantiate process definition {definition.id}: Process definition "
                f"with id '{definition.id}' is suspended"
            )
        instance = self.runtime.start(definition, body.get("businessKey"), variables)
        return {
            **instance.to_json(),
            "variables": _variables_json(instance) if body.get("withVariablesInReturn") else None,
        }

    def running_instance(self, instance_id: str) -> ProcessInstance:
        instance = self.store.instances.get(instance_id)
        if instance is None or not instance.is_running:
            raise invalid_request(f"Process instance with id {instance_id} does not exist", 404)
        return instance

    def delete_instance(self, instance_id: str) -> None:
        """``DELETE /process-instance/{id}``: history records ``EXTERNALLY_TERMINATED``."""
        self.runtime.cancel(self.running_instance(instance_id))

    def get_variable(self, instance_id: str, name: str) -> dict[str, Any]:
        instance = self.running_instance(instance_id)
        if name not in instance.variables:
            raise invalid_request(f"process instance variable with name {name} does not exist", 404)
        return to_json(instance.variables[name])

    def set_variable(self, instance_id: str, name: str, body: dict[str, Any]) -> None:
        instance = self.running_instance(instance_id)
        try:
            (variable,) = typed_values({name: body}).values()
        except VariableError as error:
            raise invalid_request(f"Cannot put process instance variable {name}: {error}") from None
        instance.variables[name] = variable

    # -- user tasks ---------------------------------------------------------------------

    def complete_task(self, task_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """``POST /task/{id}/complete``; the instance's variables when asked for them."""
        task = self.store.user_tasks.get(task_id)
        if task is None:
            raise rest_error(
                404,
                f"Cannot complete task {task_id}: Cannot find task with id {task_id}: task is null",
            )
        instance = self.store.instances[task.process_instance_id]
        if task.suspended:
            raise rest_error(
                500, f"Cannot complete task {task_id}: Cannot complete a suspended task."
            )
        self._merge_variables(instance, body.get("variables"), f"Cannot complete task {task_id}")
        self.runtime.complete_user_task(task)
        return _variables_json(instance) if body.get("withVariablesInReturn") else None

    # -- external tasks -----------------------------------------------------------------

    def fetch_and_lock(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """``POST /external-task/fetchAndLock``: lock up to ``maxTasks`` tasks of the topics."""
        worker = body.get("workerId")
        if worker is None:
            raise invalid_request("workerId is null")
        limit = body.get("maxTasks") or 0
        now = self.store.clock.now()
        locked: list[dict[str, Any]] = []
        candidates = sorted(
            self.store.external_tasks.values(),
            key=lambda t: (-t.priority if body.get("usePriority") else 0, t.create_time),
        )
        for topic in body.get("topics") or []:
            for task in candidates:
                if len(locked) >= limit:
                    return locked
                if not self._fetchable(task, topic, now):
                    continue
                task.worker_id = worker
                task.lock_expiration_time = now + timedelta(milliseconds=topic["lockDuration"])
                locked.append(self._locked_json(task, topic.get("variables")))
        return locked

    def _fetchable(self, task: ExternalTask, topic: dict[str, Any], now: Any) -> bool:
        instance = self.store.instances[task.process_instance_id]
        locked = task.lock_expiration_time is not None and task.lock_expiration_time > now
        checks = (
            task.topic_name == topic.get("topicName"),
            not locked,
            not task.suspended,
            task.has_retries_left,
            topic.get("businessKey") in (None, instance.business_key),
            topic.get("processDefinitionId") in (None, task.definition.id),
            topic.get("processDefinitionKey") in (None, task.definition.key),
            topic.get("tenantIdIn") is None or task.tenant_id in topic["tenantIdIn"],
            not topic.get("withoutTenantId") or task.tenant_id is None,
        )
        return all(checks)

    def _locked_json(self, task: ExternalTask, names: list[str] | None) -> dict[str, Any]:
        variables = self.store.instances[task.process_instance_id].variables
        wanted = variables if names is None else {n: variables[n] for n in names if n in variables}
        return {
            **task.to_json(),
            "errorDetails": None,
            "variables": {name: to_json(value) for name, value in wanted.items()},
            "extensionProperties": {},
        }

    def _locked_task(self, task_id: str, worker: str | None, action: str) -> ExternalTask:
        task = self.store.external_tasks.get(task_id)
        if task is None:
            raise invalid_request(f"External task with id {task_id} does not exist", 404)
        if task.worker_id != worker:
            raise invalid_request(
                f"External Task {task_id} cannot be {action} by worker '{worker}'. "
                f"It is locked by worker '{task.worker_id}'."
            )
        return task

    def complete_external_task(self, task_id: str, body: dict[str, Any]) -> None:
        task = self._locked_task(task_id, body.get("workerId"), "completed")
        instance = self.store.instances[task.process_instance_id]
        self._merge_variables(instance, body.get("variables"), f"Cannot complete {task_id}")
        self.runtime.complete_external_task(task)

    def fail_external_task(self, task_id: str, body: dict[str, Any]) -> None:
        task = self._locked_task(task_id, body.get("workerId"), "failed")
        retries = body.get("retries")
        if retries is None or retries < 0:
            raise invalid_request(
                "The number of retries cannot be negative: "
                "retries is not greater than or equal to 0"
            )
        self.runtime.fail_external_task(task, body.get("errorMessage"), retries)
        timeout = body.get("retryTimeout")
        if timeout and retries > 0:  # the task stays locked, unfetchable, until the timeout
            task.worker_id = body.get("workerId")
            task.lock_expiration_time = self.store.clock.now() + timedelta(milliseconds=timeout)

    def bpmn_error(self, task_id: str, body: dict[str, Any]) -> None:
        task = self._locked_task(task_id, body.get("workerId"), "reported a BPMN error")
        instance = self.store.instances[task.process_instance_id]
        self._merge_variables(instance, body.get("variables"), f"Cannot report error {task_id}")
        self.runtime.throw_bpmn_error(
            instance, task.activity_instance_id, body.get("errorCode") or ""
        )

    # -- shared -------------------------------------------------------------------------

    @staticmethod
    def _merge_variables(instance: ProcessInstance, payload: Any, context: str) -> None:
        try:
            instance.variables.update(typed_values(payload))
        except VariableError as error:
            raise CamundaError(400, "InvalidRequestException", f"{context}: {error}") from None


def _variables_json(instance: ProcessInstance) -> dict[str, Any]:
    return {name: to_json(value) for name, value in instance.variables.items()}
