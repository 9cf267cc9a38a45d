"""The mock's process engine: deploy definitions, run tokens to their wait states.

A deliberately small token model: each waiting token is an ``ActivityInstance``; user
tasks, external tasks, timers and async continuations are the wait states. Exclusive
gateways take the first flow whose condition holds (or the first flow without one);
parallel gateways fork, and join when as many tokens arrived as there are incoming flows.
Service tasks run their delegates and listeners are notified on the way (``delegation``).

Each step a command takes (a start, a completion, one job) is a ``transaction``: when the
model fails in it (``EngineFailure``), what the step changed is undone, as the engine's
rolled-back transaction leaves nothing behind, and the failure goes to the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from .bpmn import ParsedProcess, retry_cycle
from .delegation import Delegation
from .engine_versions import DEFAULT_ENGINE_VERSION, at_least
from .models import (
    ACTIVE,
    COMPLETED,
    EXTERNALLY_TERMINATED,
    SUSPENDED,
    Activity,
    ActivityInstance,
    EngineFailure,
    ExternalTask,
    Incident,
    Job,
    JobDefinition,
    ProcessDefinition,
    ProcessInstance,
    TypedValue,
    UserTask,
)
from .store import Deployment, EngineStore
from .transactions import Transaction

ASYNC_CONTINUATION = "async-continuation"
TIMER = "timer-intermediate-transition"
# Job definition configurations: which wait an activity's job stands for.
ASYNC_BEFORE = "async-before"
ASYNC_AFTER = "async-after"
TIMER_CONFIGURATION = "timer"
DEFAULT_JOB_RETRIES = 3  # without a failedJobRetryTimeCycle


def _job_configurations(activity: Activity) -> list[str]:
    """The jobs an activity can create, each with a job definition of its own."""
    configurations = [ASYNC_BEFORE] if activity.async_before else []
    if activity.timer_seconds is not None:
        configurations.append(TIMER_CONFIGURATION)
    if activity.async_after:
        configurations.append(ASYNC_AFTER)
    return configurations


class ProcessRuntime:
    """Moves process instances of one store; every method expects ``store.lock`` held."""

    def __init__(self, store: EngineStore, engine_version: str = DEFAULT_ENGINE_VERSION) -> None:
        self.store = store
        self.engine_version = engine_version  # the release whose job rules apply
        self.delegation = Delegation(store)
        self._transaction: Transaction | None = None
        self._custom_listeners = True  # False while a batch runs with skipCustomListeners

    # -- units of work --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One step: on ``EngineFailure`` every instance it changed is put back, then the
        failure goes on. Nested, the outermost step decides."""
        if self._transaction is not None:
            yield
            return
        self._transaction = Transaction(self.store)
        try:
            yield
        except EngineFailure:
            self._transaction.undo()
            raise
        finally:
            self._transaction = None

    def touch(self, instance: ProcessInstance) -> None:
        """The current step is about to change this instance (so it can be put back)."""
        if self._transaction is not None:
            self._transaction.touch(instance)

    @contextmanager
    def custom_listeners(self, enabled: bool) -> Iterator[None]:
        """Run a step with or without the execution listeners (``skipCustomListeners``)."""
        previous, self._custom_listeners = self._custom_listeners, enabled
        try:
            yield
        finally:
            self._custom_listeners = previous

    def _notify(
        self,
        instance: ProcessInstance,
        listeners: tuple[Any, ...],
        event: str,
        activity_id: str | None,
        token_id: str | None = None,
    ) -> None:
        if listeners and self._custom_listeners:
            self.delegation.execution_listeners(instance, listeners, event, activity_id, token_id)

    # -- deployment ---------------------------------------------------------------------

    def deploy(
        self,
        processes: list[ParsedProcess],
        name: str | None = None,
        tenant_id: str | None = None,
        source: str | None = None,
        resources: dict[str, bytes] | None = None,
    ) -> Deployment:
        """Register new definition versions (one per process key) in a new deployment."""
        store = self.store
        deployment = Deployment(
            id=store.new_id(),
            name=name,
            tenant_id=tenant_id,
            source=source,
            deployment_time=store.clock.now(),
            resources=dict(resources or {}),
        )
        store.deployments[deployment.id] = deployment
        for process in processes:
            previous = store.latest_definition(process.key, tenant_id)
            version = previous.version + 1 if previous else 1
            definition = ProcessDefinition(
                id=f"{process.key}:{version}:{store.new_id()}",
                key=process.key,
                version=version,
                deployment_id=deployment.id,
                name=process.name,
                tenant_id=tenant_id,
                version_tag=process.version_tag,
                history_time_to_live=process.history_time_to_live,
                resource=process.resource,
                category=process.category,
                activities=dict(process.activities),
                flows=dict(process.flows),
                listeners=process.listeners,
            )
            store.definitions[definition.id] = definition
            deployment.definition_ids.append(definition.id)
            for activity in definition.activities.values():
                for configuration in _job_configurations(activity):
                    self._job_definition(definition, activity, configuration)
        return deployment

    def _job_definition(
        self, definition: ProcessDefinition, activity: Activity, configuration: str
    ) -> JobDefinition:
        job_definition = JobDefinition(
            id=self.store.new_id(),
            job_type=TIMER if configuration == TIMER_CONFIGURATION else ASYNC_CONTINUATION,
            configuration=configuration,
            activity_id=activity.id,
            process_definition_id=definition.id,
            process_definition_key=definition.key,
            tenant_id=definition.tenant_id,
            deployment_id=definition.deployment_id,
        )
        self.store.job_definitions[job_definition.id] = job_definition
        return job_definition

    def job_definition_for(
        self, definition: ProcessDefinition, activity: Activity, configuration: str
    ) -> JobDefinition:
        """The job definition of an activity's timer or one of its async continuations."""
        for job_definition in self.store.job_definitions.by("process_definition", definition.id):
            if (
                job_definition.activity_id == activity.id
                and job_definition.configuration == configuration
            ):
                return job_definition
        return self._job_definition(definition, activity, configuration)

    # -- instances ----------------------------------------------------------------------

    def start(
        self,
        definition: ProcessDefinition,
        business_key: str | None = None,
        variables: dict[str, TypedValue] | None = None,
        start_activity_ids: list[str] | None = None,
        restarted_from: str | None = None,
    ) -> ProcessInstance:
        """Create an instance and run it to its wait states (or its end).

        ``EngineFailure`` when the model fails before the first wait state: then there is
        no instance, not even in history, as on the engine.
        """
        store = self.store
        instance = ProcessInstance(
            id=store.new_id(),
            definition=definition,
            business_key=business_key,
            start_time=store.clock.now(),
            tenant_id=definition.tenant_id,
            variables=dict(variables or {}),
            initial_variables=dict(variables or {}),
            restarted_process_instance_id=restarted_from,
        )
        with self.transaction():
            if self._transaction is not None:
                self._transaction.created(instance)
            store.instances[instance.id] = instance
            starts = start_activity_ids or [definition.start_activity().id]
            self._notify(instance, definition.listeners, "start", starts[0])
            for activity_id in starts:
                self.enter(instance, activity_id)
        return instance

    def enter(self, instance: ProcessInstance, activity_id: str) -> None:
        """A token arrives at an activity."""
        self.touch(instance)
        activity = instance.definition.activities[activity_id]
        token = ActivityInstance(f"{activity_id}:{self.store.new_id()}", activity_id)
        instance.activity_instances.append(token)
        if activity.async_before:
            self._create_job(instance, token, activity, ASYNC_BEFORE, due=None)
            return
        self.execute(instance, token)

    def execute(self, instance: ProcessInstance, token: ActivityInstance) -> None:
        """Run an activity: its start listeners, then its behaviour (wait, or pass on)."""
        self.touch(instance)
        activity = instance.definition.activities[token.activity_id]
        self._notify(instance, activity.listeners, "start", activity.id, token.id)
        now = self.store.clock.now()
        if activity.kind == "userTask":
            task = UserTask(
                id=self.store.new_id(),
                name=activity.name,
                task_definition_key=activity.id,
                activity_instance_id=token.id,
                process_instance_id=instance.id,
                definition=instance.definition,
                created=now,
                tenant_id=instance.tenant_id,
                suspended=instance.suspended,
            )
            self.store.user_tasks[task.id] = task
            self.delegation.task_listeners(task, activity, "create")
        elif activity.is_external_task:
            external_task = ExternalTask(
                id=self.store.new_id(),
                topic_name=activity.topic or "",
                activity_id=activity.id,
                activity_instance_id=token.id,
                process_instance_id=instance.id,
                definition=instance.definition,
                create_time=now,
                business_key=instance.business_key,
                tenant_id=instance.tenant_id,
                suspended=instance.suspended,
            )
            self.store.external_tasks[external_task.id] = external_task
        elif activity.kind == "timerEvent":
            due = now + timedelta(seconds=activity.timer_seconds or 0)
            self._create_job(instance, token, activity, TIMER_CONFIGURATION, due=due)
        elif activity.kind == "receiveTask":
            pass  # waits for a message the mock never sends; modification moves it on
        elif activity.kind == "parallelGateway":
            self._join(instance, token, activity)
        else:
            self.delegation.service_task(instance, activity, token.id)
            self.leave(instance, token)

    def _join(self, instance: ProcessInstance, token: ActivityInstance, activity: Activity) -> None:
        arrived = [t for t in instance.activity_instances if t.activity_id == activity.id]
        if len(arrived) < max(1, len(instance.definition.incoming(activity.id))):
            return
        for other in arrived:
            if other is not token:
                instance.activity_instances.remove(other)
        self.leave(instance, token)

    def leave(
        self, instance: ProcessInstance, token: ActivityInstance, after_async: bool = False
    ) -> None:
        """A token completes its activity and takes the outgoing flows.

        The end listeners run first; an ``asyncAfter`` activity then waits in a job, and the
        flows (their take listeners, then their targets) are taken when it runs.
        """
        self.touch(instance)
        activity = instance.definition.activities[token.activity_id]
        if not after_async:
            self._notify(instance, activity.listeners, "end", activity.id, token.id)
            if activity.async_after:
                self._create_job(instance, token, activity, ASYNC_AFTER, due=None)
                return
        if token in instance.activity_instances:
            instance.activity_instances.remove(token)
        for flow in self.delegation.flows_to_take(instance, activity, token.id):
            self._notify(instance, flow.listeners, "take", activity.id, token.id)
            self.enter(instance, flow.target)
        if not instance.activity_instances and instance.is_running:
            self._complete(instance, activity.id)

    def _complete(self, instance: ProcessInstance, last_activity_id: str) -> None:
        """The last token ended: the process's end listeners, then the instance ends."""
        self._notify(instance, instance.definition.listeners, "end", last_activity_id)
        self.finish(instance, COMPLETED)

    def _create_job(
        self,
        instance: ProcessInstance,
        token: ActivityInstance,
        activity: Activity,
        configuration: str,
        due: Any,
    ) -> Job:
        cycle = retry_cycle(activity.retry_cycle)
        if not at_least(self.engine_version, "7.24.0"):
            cycle = None  # before 7.24.0 a job starts with 3; its first failure reads the cycle
        job = Job(
            id=self.store.new_id(),
            job_definition=self.job_definition_for(instance.definition, activity, configuration),
            create_time=self.store.clock.now(),
            due_date=due,
            retries=cycle.retries if cycle else DEFAULT_JOB_RETRIES,
            suspended=instance.suspended,
            process_instance_id=instance.id,
            activity_instance_id=token.id,
        )
        return self.store.add_job(job)

    def finish(self, instance: ProcessInstance, state: str, reason: str | None = None) -> None:
        """End an instance: remove its wait states and record its end in history."""
        self.touch(instance)
        self.remove_wait_states(instance, [t.id for t in instance.activity_instances])
        instance.activity_instances.clear()
        instance.state = state
        instance.end_time = self.store.clock.now()
        instance.delete_reason = reason

    def remove_wait_states(self, instance: ProcessInstance, token_ids: list[str]) -> None:
        """Delete the tasks, external tasks and jobs that belong to the given tokens."""
        self.touch(instance)
        for table, row in self._waiting_on(instance, set(token_ids)):
            del table[row.id]

    def _waiting_on(self, instance: ProcessInstance, token_ids: set[str]) -> list[tuple[Any, Any]]:
        """The (table, row) of each task, external task and job waiting in these tokens."""
        store = self.store
        return [
            (table, row)
            for table in (store.user_tasks, store.external_tasks, store.jobs)
            for row in table.by("instance", instance.id)
            if row.activity_instance_id in token_ids
        ]

    def cancel_tokens(self, instance: ProcessInstance, tokens: list[ActivityInstance]) -> None:
        """Remove tokens with their wait states, without ending the instance."""
        self.touch(instance)
        self.remove_wait_states(instance, [t.id for t in tokens])
        for token in tokens:
            instance.activity_instances.remove(token)

    def forget(self, instance: ProcessInstance) -> None:
        """Drop an ended instance and its incidents from history (cascading deletes)."""
        del self.store.instances[instance.id]
        for incident in self.store.incidents.by("instance", instance.id):
            del self.store.incidents[incident.id]

    def cancel(self, instance: ProcessInstance, reason: str | None = None) -> None:
        """Delete a running instance (``DELETE /process-instance/{id}``)."""
        self.finish(instance, EXTERNALLY_TERMINATED, reason)

    def set_suspended(self, instance: ProcessInstance, suspended: bool) -> None:
        """Suspend or activate an instance with its jobs, external tasks and user tasks."""
        instance.state = SUSPENDED if suspended else ACTIVE
        store = self.store
        for table in (store.user_tasks, store.external_tasks, store.jobs):
            for row in table.by("instance", instance.id):
                row.suspended = suspended
        if not suspended:
            for job in store.jobs_of_instance(instance.id):
                store.schedule(job)

    def execute_job(self, job: Job) -> None:
        """Run a timer or async-continuation job: the token it holds moves on.

        The job goes (and its incidents are resolved) only when the run succeeds; a failure
        leaves it in place for the executor to record (``fail_job``).
        """
        instance = self.store.instances[job.process_instance_id or ""]
        token = next(t for t in instance.activity_instances if t.id == job.activity_instance_id)
        with self.transaction():
            self.touch(instance)
            if job.job_definition.configuration == ASYNC_BEFORE:
                self.execute(instance, token)
            else:  # a due timer, or the continuation after an activity
                self.leave(instance, token, after_async=True)
            self.store.jobs.pop(job.id, None)
            self.resolve_incidents(job.id)

    def fail_job(self, job: Job, message: str) -> None:
        """Record a failed run: the message, one retry less (at 0 a ``failedJob`` incident),
        and with the activity's ``failedJobRetryTimeCycle`` a due date one interval away.

        With a cycle, the first failure counts from the cycle's retries, whatever the job's
        retries were set to before (``DefaultJobRetryCmd``).
        """
        definition = job.job_definition
        process = self.store.definitions.get(definition.process_definition_id or "")
        activity = process.activities.get(definition.activity_id or "") if process else None
        cycle = retry_cycle(activity.retry_cycle) if activity else None
        if cycle is not None:
            if job.exception_message is None:  # its first failure: the cycle's retries again
                job.retries = cycle.retries
            job.due_date = self.store.clock.now() + cycle.wait(job.retries)
        job.exception_message = message
        self.set_job_retries(job, max(job.retries - 1, 0))

    def complete_token(self, instance: ProcessInstance, activity_instance_id: str) -> None:
        """A wait state is done (task completed, job executed): move that token on.

        What waited there is removed once the token has moved on, so a failing step finds
        it still in place (and in its place in the listings).
        """
        token = next(t for t in instance.activity_instances if t.id == activity_instance_id)
        self.touch(instance)
        done = self._waiting_on(instance, {token.id})
        self.leave(instance, token)
        for table, row in done:
            table.pop(row.id, None)

    # -- wait states done or failed -----------------------------------------------------

    def complete_user_task(self, task: UserTask) -> None:
        """``POST /task/{id}/complete``: the task's complete listeners, then the token moves."""
        instance = self.store.instances[task.process_instance_id]
        with self.transaction():
            self.touch(instance)
            activity = instance.definition.activities[task.task_definition_key]
            self.delegation.task_listeners(task, activity, "complete")
            self.complete_token(instance, task.activity_instance_id)

    def complete_external_task(self, task: ExternalTask) -> None:
        """``POST /external-task/{id}/complete``."""
        instance = self.store.instances[task.process_instance_id]
        with self.transaction():
            self.complete_token(instance, task.activity_instance_id)

    def set_external_task_retries(self, task: ExternalTask, retries: int) -> None:
        """Set retries with the engine's incident rules (``setRetriesAndManageIncidents``)."""
        had_retries = task.has_retries_left
        task.retries = retries
        if had_retries and retries <= 0:
            self.create_incident(
                "failedExternalTask",
                task.error_message,
                task.id,
                task.process_instance_id,
                task.definition.id,
                task.activity_id,
                None,
                task.tenant_id,
            )
        elif not had_retries and retries > 0:
            self.resolve_incidents(task.id)

    def fail_external_task(
        self, task: ExternalTask, message: str | None, retries: int, retry_timeout_ms: int = 0
    ) -> None:
        """``POST /external-task/{id}/failure``: record the error and set retries; the task
        stays with its worker, locked until the retry timeout has passed."""
        task.error_message = message
        task.lock_expiration_time = self.store.clock.now() + timedelta(
            milliseconds=retry_timeout_ms
        )
        self.set_external_task_retries(task, retries)

    def set_job_retries(self, job: Job, retries: int) -> None:
        """Set a job's retries: to 0 opens a ``failedJob`` incident, from 0 resolves it."""
        previous = job.retries
        job.retries = retries
        if previous > 0 and retries == 0:
            definition = job.job_definition
            self.create_incident(
                "failedJob",
                job.exception_message,
                job.id,
                job.process_instance_id,
                definition.process_definition_id,
                definition.activity_id,
                definition.id,
                definition.tenant_id,
            )
        elif previous == 0 and retries > 0:
            self.resolve_incidents(job.id)
        if retries > 0:
            self.store.schedule(job)

    def create_incident(
        self,
        incident_type: str,
        message: str | None,
        configuration: str,
        process_instance_id: str | None,
        process_definition_id: str | None,
        activity_id: str | None,
        job_definition_id: str | None,
        tenant_id: str | None,
    ) -> Incident:
        """Open an incident for a failed job or external task."""
        incident = Incident(
            id=self.store.new_id(),
            incident_type=incident_type,
            message=message,
            configuration=configuration,
            timestamp=self.store.clock.now(),
            process_instance_id=process_instance_id,
            process_definition_id=process_definition_id,
            activity_id=activity_id,
            job_definition_id=job_definition_id,
            tenant_id=tenant_id,
        )
        self.store.incidents[incident.id] = incident
        return incident

    def resolve_incidents(self, configuration: str) -> None:
        """Resolve the open incidents of a job or external task (they stay in history)."""
        now = self.store.clock.now()
        for incident in self.store.incidents.by("configuration", configuration):
            if incident.is_open:
                incident.end_time = now

    def throw_bpmn_error(self, instance: ProcessInstance, token_id: str, error_code: str) -> None:
        """A BPMN error at a waiting activity: its error boundary event takes over.

        The boundary event whose error code matches (or one without a code) cancels the
        activity and leaves through its own flows. Without one the error is not caught and
        the token ends there, as the engine ends an execution with an uncaught error.
        """
        token = next(t for t in instance.activity_instances if t.id == token_id)
        boundary = next(
            (
                event
                for event in instance.definition.boundary_events(token.activity_id)
                if event.error_code in (None, error_code)
            ),
            None,
        )
        with self.transaction():
            self.touch(instance)
            done = self._waiting_on(instance, {token.id})
            instance.activity_instances.remove(token)
            if boundary is not None:
                self.enter(instance, boundary.id)
            for table, row in done:
                table.pop(row.id, None)
            if instance.is_running and not instance.activity_instances:
                self._complete(instance, boundary.id if boundary else token.activity_id)
