"""What a batch execution job does to each of its items, per batch type.

Each item is first *prepared*: every check runs and any failure raises ``ItemFailure``
with the engine's message before anything changes. Only when all items of a job are
prepared are they applied, so a failing job leaves no half-done work behind, as the
engine's rolled-back transaction does. Applying can still fail where the model runs (a
started activity's expression): the job's transaction then undoes the items applied before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import (
    INSTANCE_MODIFICATION,
    INSTANCE_RESTART,
    INTERNALLY_TERMINATED,
    SET_EXTERNAL_TASK_RETRIES,
    SET_JOB_RETRIES,
    UPDATE_SUSPENSION_STATE,
    Batch,
    EngineFailure,
    ProcessDefinition,
    ProcessInstance,
)
from .runtime import ProcessRuntime
from .store import EngineStore

Apply = Callable[[], None]


class ItemFailure(EngineFailure):
    """An item the execution job cannot process; the message is the job's exception message."""


class BatchOperations:
    """Prepares and applies batch items against the store (callers hold ``store.lock``)."""

    def __init__(self, store: EngineStore, runtime: ProcessRuntime) -> None:
        self.store = store
        self.runtime = runtime
        self._preparers: dict[str, Callable[[Batch, Any], Apply]] = {
            SET_JOB_RETRIES: self._job_retries,
            SET_EXTERNAL_TASK_RETRIES: self._external_task_retries,
            UPDATE_SUSPENSION_STATE: self._suspension,
            INSTANCE_MODIFICATION: self._modification,
            INSTANCE_RESTART: self._restart,
        }

    def execute(self, batch: Batch, items: list[str | None]) -> None:
        """Run one execution job's items: all of them, or (on ``ItemFailure``) none."""
        prepare = self._preparers[batch.type]
        for apply in [prepare(batch, item) for item in items]:
            apply()

    # -- per type ---------------------------------------------------------------------

    def _job_retries(self, batch: Batch, job_id: str | None) -> Apply:
        job = self.store.jobs.get(job_id or "")
        if job is None:
            # The engine's own text, stray quote included.
            raise ItemFailure(f"ENGINE-13053 No job found with id '{job_id}'.'")
        parameters = batch.parameters

        def apply() -> None:
            if "dueDate" in parameters:
                job.due_date = parameters["dueDate"]
            self.runtime.set_job_retries(job, parameters["retries"])
            self.store.schedule(job)

        return apply

    def _external_task_retries(self, batch: Batch, task_id: str | None) -> Apply:
        task = self.store.external_tasks.get(task_id or "")
        if task is None:
            raise ItemFailure(f"Cannot find external task with id {task_id}: externalTask is null")
        retries = batch.parameters["retries"]
        if retries < 0:
            raise ItemFailure(
                "The number of retries cannot be negative: "
                "retries is not greater than or equal to 0"
            )
        return lambda: self.runtime.set_external_task_retries(task, retries)

    def _suspension(self, batch: Batch, instance_id: str | None) -> Apply:
        instance = self.store.instances.get(instance_id or "")
        if instance is None or not instance.is_running:
            return lambda: None  # the engine silently skips ids it cannot find
        suspended = batch.parameters["suspended"]
        return lambda: self.runtime.set_suspended(instance, suspended)

    def _modification(self, batch: Batch, instance_id: str | None) -> Apply:
        parameters = batch.parameters
        instance = self.store.instances.get(instance_id or "")
        if instance is None or not instance.is_running:
            raise ItemFailure(
                f"ENGINE-13036 Process instance '{instance_id}' cannot be modified. "
                "The process instance does not exist"
            )
        if instance.definition.id != parameters["processDefinitionId"]:
            raise ItemFailure(
                f"ENGINE-13037 Process instance '{instance_id}' cannot be modified. Its process "
                f"definition '{instance.definition.id}' does not match given process definition "
                f"'{parameters['processDefinitionId']}'"
            )
        for instruction in parameters["instructions"]:
            if instruction["type"] != "cancel":  # cancelling an unknown activity does nothing
                _target_activity(instance.definition, instruction)
        listeners = not parameters.get("skipCustomListeners")

        def apply() -> None:
            with self.runtime.custom_listeners(listeners):
                self._modify(instance, parameters["instructions"])

        return apply

    def _modify(self, instance: ProcessInstance, instructions: list[dict[str, Any]]) -> None:
        active_before = {token.id for token in instance.activity_instances}
        for instruction in instructions:
            if instruction["type"] == "cancel":
                only_previous = bool(instruction.get("cancelCurrentActiveActivityInstances"))
                tokens = [
                    token
                    for token in instance.activity_instances
                    if token.activity_id == instruction["activityId"]
                    and (not only_previous or token.id in active_before)
                ]
                self.runtime.cancel_tokens(instance, tokens)
            else:
                self.runtime.enter(instance, _target_activity(instance.definition, instruction))
        if instance.is_running and not instance.activity_instances:
            # The batch's modification builder does not mark the cancellation as external.
            self.runtime.finish(instance, INTERNALLY_TERMINATED)

    def _restart(self, batch: Batch, instance_id: str | None) -> Apply:
        parameters = batch.parameters
        historic = self.store.instances.get(instance_id or "")
        if historic is None:
            raise ItemFailure(
                "Historic process instance cannot be found: historicProcessInstanceId is null"
            )
        if historic.is_running:
            raise ItemFailure(
                f"ENGINE-13040 Historic process instance '{instance_id}' cannot be restarted. "
                "It is not completed or terminated."
            )
        definition = self.store.definitions[parameters["processDefinitionId"]]
        if historic.definition.id != definition.id:
            raise ItemFailure(
                f"ENGINE-13039 Historic process instance '{instance_id}' cannot be restarted. Its "
                f"process definition '{historic.definition.id}' does not match given process "
                f"definition '{definition.id}'"
            )
        starts = _restart_targets(definition, parameters["instructions"])
        variables = (
            historic.initial_variables if parameters["initialVariables"] else historic.variables
        )

        def apply() -> None:
            with self.runtime.custom_listeners(not parameters.get("skipCustomListeners")):
                self.runtime.start(
                    definition,
                    business_key=None
                    if parameters["withoutBusinessKey"]
                    else historic.business_key,
                    variables=variables,
                    start_activity_ids=starts,
                    restarted_from=historic.id,
                )

        return apply


def _restart_targets(
    definition: ProcessDefinition, instructions: list[dict[str, Any]]
) -> list[str]:
    """Where a restarted instance starts; the first instruction has a message of its own."""
    first = instructions[0]
    if first["type"] == "startBeforeActivity" and first["activityId"] not in definition.activities:
        raise ItemFailure(
            f"Element '{first['activityId']}' does not exist in process {definition.id}: "
            "targetElement is null"
        )
    if first["type"] == "startTransition" and first["transitionId"] not in definition.flows:
        raise ItemFailure(
            f"Element '{first['transitionId']}' does not exist in process {definition.id}: "
            "targetElement is null"
        )
    return [_target_activity(definition, instruction) for instruction in instructions]


def _target_activity(definition: ProcessDefinition, instruction: dict[str, Any]) -> str:
    """The activity a start instruction enters, or the engine's failure for a bad id."""
    kind = instruction["type"]
    if kind == "startTransition":
        transition_id = instruction["transitionId"]
        flow = definition.flows.get(transition_id)
        if flow is None:
            raise ItemFailure(
                f"Cannot perform instruction: Start transition '{transition_id}'; Element "
                f"'{transition_id}' does not exist in process '{definition.id}': element is null"
            )
        return flow.target
    activity_id = instruction["activityId"]
    if kind == "startBeforeActivity":
        if activity_id not in definition.activities:
            raise ItemFailure(
                f"Cannot perform instruction: Start before activity '{activity_id}'; Element "
                f"'{activity_id}' does not exist in process '{definition.id}': element is null"
            )
        return activity_id
    if activity_id not in definition.activities:
        raise ItemFailure(
            f"Cannot perform instruction: Start after activity '{activity_id}'; Activity "
            f"'{activity_id}' does not exist: activity is null"
        )
    outgoing = definition.outgoing(activity_id)
    if not outgoing:
        raise ItemFailure(
            f"Cannot start after activity {activity_id}; activity has no outgoing sequence "
            "flow to take"
        )
    if len(outgoing) > 1:
        raise ItemFailure(
            f"Cannot start after activity {activity_id}; activity has more than one outgoing "
            "sequence flow"
        )
    return outgoing[0].target
