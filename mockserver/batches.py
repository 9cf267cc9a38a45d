"""Starting the five batches: the engine's rules, in the engine's order, and the numbers.

Each ``start_*`` function mirrors one REST resource plus the engine command behind it:
its checks raise the engine's errors in the order the engine evaluates them, it collects
the batch's items as the engine counts them, and ``create_batch`` stores the batch with its
three job definitions and its first seed job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .clock import parse_engine_date
from .engine_versions import DEFAULT_ENGINE_VERSION, at_least
from .errors import CamundaError, invalid_request, rest_error
from .models import (
    BATCH_MONITOR_JOB,
    BATCH_SEED_JOB,
    INSTANCE_MODIFICATION,
    INSTANCE_RESTART,
    SET_EXTERNAL_TASK_RETRIES,
    SET_JOB_RETRIES,
    UPDATE_SUSPENSION_STATE,
    Batch,
    Job,
    JobDefinition,
    ProcessDefinition,
)
from .profiles import Profile
from .queries import (
    select_external_tasks,
    select_historic_process_instances,
    select_process_instances,
)
from .store import EngineStore

# Which id an instruction type needs (the instruction DTOs' own checks).
INSTRUCTION_ID = {
    "cancel": "activityId",
    "startBeforeActivity": "activityId",
    "startAfterActivity": "activityId",
    "startTransition": "transitionId",
}


@dataclass
class BatchSettings:
    """The engine's batch configuration (``batchJobsPerSeed``, invocations per job)."""

    batch_jobs_per_seed: int = 100
    invocations_per_batch_job: int = 1
    invocations_by_type: dict[str, int] = field(default_factory=dict)
    engine_version: str = DEFAULT_ENGINE_VERSION  # the release whose DTOs the bodies map onto

    def invocations_for(self, batch_type: str) -> int:
        """The per-type override if there is one, else the engine-wide setting."""
        return self.invocations_by_type.get(batch_type, self.invocations_per_batch_job)


def _unique(ids: Iterable[str | None]) -> list[str | None]:
    """De-duplicate while keeping the first-seen order (the engine uses sets per deployment)."""
    return list(dict.fromkeys(ids))


class BatchStarter:
    """Creates batches in one store under one profile; callers hold ``store.lock``."""

    def __init__(self, store: EngineStore, settings: BatchSettings, profile: Profile) -> None:
        self.store = store
        self.settings = settings
        self.profile = profile

    # -- the five operations ------------------------------------------------------------

    def set_job_retries(self, body: dict[str, Any], user: str | None) -> Batch:
        """``POST /process-instance/job-retries``: items are the jobs of the instances."""
        retries = body.get("retries")
        if retries is None:
            raise invalid_request("retries is null")
        ids = body.get("processInstances") or []
        query = body.get("processInstanceQuery")
        if not ids and query is None:
            raise self.profile.error("job-retries-no-selection")
        # A null id names no instance; it must not reach the batches' own jobs, which have none.
        instance_ids = {i for i in ids if i is not None}
        if query is not None:
            instance_ids.update(i.id for i in select_process_instances(self.store, query))
        jobs = self.store.jobs_of_instances(instance_ids)
        if not jobs:
            raise invalid_request("jobIds is empty")
        if retries < 0:
            raise self.profile.error("job-retries-negative-retries")
        parameters: dict[str, Any] = {"retries": retries}
        if "dueDate" in body:  # present, even as null, means "set the due date"
            due = body["dueDate"]
            parameters["dueDate"] = parse_engine_date(due) if due is not None else None
        groups = self._group((job.id, job.job_definition.deployment_id) for job in jobs)
        return self.create_batch(SET_JOB_RETRIES, groups, parameters, None, user)

    def set_external_task_retries(self, body: dict[str, Any], user: str | None) -> Batch:
        """``POST /external-task/retries-async``: items are external task ids."""
        retries = body.get("retries")
        if retries is None:
            raise invalid_request("The number of retries cannot be null.")
        explicit = body.get("externalTaskIds") or []
        if None in explicit:
            raise invalid_request(
                "External task id cannot be null: externalTaskIds contains null value"
            )
        instance_ids = body.get("processInstanceIds") or []
        if None in instance_ids:
            # The engine hands the ids to an external task query, which refuses a null.
            raise CamundaError(
                500, "NullValueException", "processInstanceIdIn contains null value", code=0
            )
        task_ids: list[str | None] = list(explicit)
        task_ids += self._external_tasks_of(instance_ids)
        if body.get("externalTaskQuery") is not None:
            task_ids += [t.id for t in select_external_tasks(self.store, body["externalTaskQuery"])]
        if body.get("processInstanceQuery") is not None:
            selected = select_process_instances(self.store, body["processInstanceQuery"])
            task_ids += self._external_tasks_of(i.id for i in selected)
        if body.get("historicProcessInstanceQuery") is not None:
            selected = select_historic_process_instances(
                self.store, body["historicProcessInstanceQuery"]
            )
            task_ids += self._external_tasks_of(i.id for i in selected)
        items = _unique(task_ids)
        if not items:
            raise invalid_request("externalTaskIds is empty")
        if retries < 0:
            self.profile.decide("retries-async-negative-retries")
        for task_id in explicit:
            if task_id not in self.store.external_tasks:
                self.profile.decide("retries-async-unknown-ids", id=task_id)
        groups = self._group((i, self._external_task_deployment(i)) for i in items)
        return self.create_batch(
            SET_EXTERNAL_TASK_RETRIES, groups, {"retries": retries}, None, user
        )

    def update_suspension_state(self, body: dict[str, Any], user: str | None) -> Batch:
        """``POST /process-instance/suspended-async``: items are instance ids."""
        selections = ("processInstanceIds", "processInstanceQuery", "historicProcessInstanceQuery")
        if all(body.get(name) is None for name in selections):
            raise invalid_request(
                "Either processInstanceIds, processInstanceQuery or historicProcessInstanceQuery "
                "should be set to update the suspension state."
            )
        if None in (body.get("processInstanceIds") or []):
            raise invalid_request("Cannot be null.: Process Instance ids contains null value")
        items = self._collect_instances(body)
        if not items:
            raise invalid_request("No process instance ids given: process Instance Ids is empty")
        # A primitive boolean in the DTO: missing or null means false, i.e. activate.
        parameters = {"suspended": bool(body.get("suspended"))}
        groups = self._group((i, self._instance_deployment(i)) for i in items)
        return self.create_batch(UPDATE_SUSPENSION_STATE, groups, parameters, None, user)

    def execute_modification(self, body: dict[str, Any], user: str | None) -> Batch:
        """``POST /modification/executeAsync``: items are instance ids."""
        definition_id = body.get("processDefinitionId")
        if definition_id is None:
            raise invalid_request("processDefinitionId is null")
        instructions = body.get("instructions") or []
        self._check_instruction_ids(instructions)
        if not instructions:
            raise invalid_request("Modification instructions cannot be empty is empty")
        if not at_least(self.settings.engine_version, "7.22.0"):
            # The modification DTO has read historicProcessInstanceQuery since 7.22.0; before,
            # Jackson drops it as an unknown field, so it selects nothing.
            body = {k: v for k, v in body.items() if k != "historicProcessInstanceQuery"}
        items = self._collect_instances(body)
        if not items:
            raise invalid_request(
                "Process instance ids cannot be empty: Process instance ids is empty"
            )
        if None in items:
            raise invalid_request(
                "Process instance ids cannot be null: Process instance ids contains null value"
            )
        definition = self.store.definitions.get(definition_id)
        if definition is None:
            raise invalid_request(
                f"no deployed process definition found with id '{definition_id}': "
                "processDefinition is null"
            )
        parameters = {
            "processDefinitionId": definition_id,
            "instructions": instructions,
            "skipCustomListeners": bool(body.get("skipCustomListeners")),
            "skipIoMappings": bool(body.get("skipIoMappings")),
            "annotation": body.get("annotation"),
        }
        return self.create_batch(
            INSTANCE_MODIFICATION,
            self._group((i, self._instance_deployment(i)) for i in items),
            parameters,
            definition.tenant_id,
            user,
        )

    def restart(self, definition_id: str, body: dict[str, Any], user: str | None) -> Batch:
        """``POST /process-definition/{id}/restart-async``: items are historic instance ids."""
        instructions = body.get("instructions")
        # The restart DTO silently drops cancel instructions.
        effective = [i for i in instructions or [] if i["type"] != "cancel"]
        self._check_instruction_ids(effective)
        if instructions is None:
            raise self.profile.error("restart-instructions-missing")
        ids: list[str | None] = list(body.get("processInstanceIds") or [])
        if body.get("historicProcessInstanceQuery") is not None:
            selected = select_historic_process_instances(
                self.store, body["historicProcessInstanceQuery"]
            )
            ids += [i.id for i in selected]
        items = _unique(ids)
        if not items:
            raise invalid_request("processInstanceIds is empty")
        if not effective:
            raise invalid_request("Restart instructions cannot be empty: instructions is empty")
        if None in items:
            raise invalid_request(
                "Process instance ids cannot be null: processInstanceIds contains null value"
            )
        definition = self.store.definitions.get(definition_id)
        if definition is None:
            raise self.profile.error("restart-unknown-definition", id=definition_id)
        parameters = {
            "processDefinitionId": definition_id,
            "instructions": effective,
            "initialVariables": bool(body.get("initialVariables")),
            "skipCustomListeners": bool(body.get("skipCustomListeners")),
            "skipIoMappings": bool(body.get("skipIoMappings")),
            "withoutBusinessKey": bool(body.get("withoutBusinessKey")),
        }
        groups = self._group((i, self._instance_deployment(i)) for i in items)
        return self.create_batch(INSTANCE_RESTART, groups, parameters, definition.tenant_id, user)

    def definition_by_key(self, key: str) -> ProcessDefinition:
        """The latest version of a key without tenant, as ``/process-definition/key/{key}``
        resolves it (before the body is read), or the engine's 404."""
        definition = self.store.latest_definition(key)
        if definition is None:
            raise rest_error(
                404, f"No matching process definition with key: {key} and no tenant-id"
            )
        return definition

    # -- shared steps -------------------------------------------------------------------

    @staticmethod
    def _check_instruction_ids(instructions: list[dict[str, Any]]) -> None:
        for instruction in instructions:
            kind = instruction["type"]
            needed = INSTRUCTION_ID[kind]
            if instruction.get(needed) is None:
                raise invalid_request(f"For instruction type '{kind}': '{needed}' must be set")

    def _collect_instances(self, body: dict[str, Any]) -> list[str | None]:
        """Explicit ids (unknown ones kept) plus both queries' results, de-duplicated."""
        ids: list[str | None] = list(body.get("processInstanceIds") or [])
        if body.get("processInstanceQuery") is not None:
            ids += [
                i.id for i in select_process_instances(self.store, body["processInstanceQuery"])
            ]
        if body.get("historicProcessInstanceQuery") is not None:
            selected = select_historic_process_instances(
                self.store, body["historicProcessInstanceQuery"]
            )
            ids += [i.id for i in selected]
        return _unique(ids)

    def _external_tasks_of(self, instance_ids: Iterable[str | None]) -> list[str]:
        wanted = set(instance_ids)
        if not wanted:
            return []
        return [t.id for t in self.store.external_tasks.values() if t.process_instance_id in wanted]

    # The engine keeps batch items per deployment so no execution job mixes deployments;
    # unknown ids form a group of their own (deployment None).

    @staticmethod
    def _group(items: Iterable[tuple[str | None, str | None]]) -> list[list[str | None]]:
        """Items, given with their deployment, in one list per deployment (first-seen order)."""
        groups: dict[str | None, list[str | None]] = {}
        for item, deployment in items:
            groups.setdefault(deployment, []).append(item)
        return list(groups.values())

    def _external_task_deployment(self, task_id: str | None) -> str | None:
        task = self.store.external_tasks.get(task_id or "")
        return task.definition.deployment_id if task else None

    def _instance_deployment(self, instance_id: str | None) -> str | None:
        instance = self.store.instances.get(instance_id or "")
        return instance.definition.deployment_id if instance else None

    def create_batch(
        self,
        batch_type: str,
        item_groups: list[list[str | None]],
        parameters: dict[str, Any],
        tenant_id: str | None,
        user: str | None,
    ) -> Batch:
        """Store a batch with its seed, monitor and execution job definitions and a seed job."""
        store = self.store
        invocations = self.settings.invocations_for(batch_type)
        item_count = sum(len(group) for group in item_groups)
        total_jobs = math.ceil(item_count / invocations) if item_count and invocations else 0
        batch_id = store.new_id()

        def job_definition(job_type: str) -> JobDefinition:
            definition = JobDefinition(
                id=store.new_id(), job_type=job_type, configuration=batch_id, tenant_id=tenant_id
            )
            store.job_definitions[definition.id] = definition
            return definition

        now = store.clock.now()
        batch = Batch(
            id=batch_id,
            type=batch_type,
            total_jobs=total_jobs,
            batch_jobs_per_seed=self.settings.batch_jobs_per_seed,
            invocations_per_batch_job=invocations,
            seed_job_definition=job_definition(BATCH_SEED_JOB),
            monitor_job_definition=job_definition(BATCH_MONITOR_JOB),
            batch_job_definition=job_definition(batch_type),
            start_time=now,
            item_groups=item_groups,
            parameters=parameters,
            tenant_id=tenant_id,
            create_user_id=user,
        )
        store.batches[batch.id] = batch
        store.add_job(
            Job(
                id=store.new_id(),
                job_definition=batch.seed_job_definition,
                create_time=now,
                due_date=now,
                batch_id=batch.id,
            )
        )
        return batch
