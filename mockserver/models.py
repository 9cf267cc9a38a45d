"""The engine's domain objects as plain dataclasses: no HTTP, no storage.

Each object that the REST API shows has ``to_json()`` producing the engine's DTO with
every key present (``null`` where the engine has no value), dates in the engine format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .clock import format_engine_date

# The engine's batch type strings (org.camunda.bpm.engine.batch.Batch constants).
SET_JOB_RETRIES = "set-job-retries"
SET_EXTERNAL_TASK_RETRIES = "set-external-task-retries"
UPDATE_SUSPENSION_STATE = "instance-update-suspension-state"
INSTANCE_MODIFICATION = "instance-modification"
INSTANCE_RESTART = "instance-restart"
BATCH_TYPES = (
    SET_JOB_RETRIES,
    SET_EXTERNAL_TASK_RETRIES,
    UPDATE_SUSPENSION_STATE,
    INSTANCE_MODIFICATION,
    INSTANCE_RESTART,
)

# Job types of the batch's own job definitions.
BATCH_SEED_JOB = "batch-seed-job"
BATCH_MONITOR_JOB = "batch-monitor-job"


class EngineFailure(Exception):
    """A ProcessEngineException the running model throws: an expression, a listener, a
    gateway with no way out. The message is the engine's; what the step changed is undone."""


# Historic process instance states.
ACTIVE = "ACTIVE"
SUSPENDED = "SUSPENDED"
COMPLETED = "COMPLETED"
EXTERNALLY_TERMINATED = "EXTERNALLY_TERMINATED"
INTERNALLY_TERMINATED = "INTERNALLY_TERMINATED"


# What a delegate is: a Java class, an expression, or an expression naming the delegate.
CLASS = "class"
EXPRESSION = "expression"
DELEGATE_EXPRESSION = "delegateExpression"


@dataclass(frozen=True)
class Delegate:
    """What a service task or listener runs: a class name or an expression's text."""

    kind: str  # CLASS, EXPRESSION or DELEGATE_EXPRESSION
    value: str


@dataclass(frozen=True)
class Listener:
    """An execution listener (start, end, take) or a task listener (create, complete...)."""

    event: str
    delegate: Delegate


@dataclass
class Activity:
    """A flow node of a process definition."""

    id: str
    kind: str  # startEvent, endEvent, userTask, serviceTask, receiveTask, timerEvent, ...
    name: str | None = None
    topic: str | None = None  # external service tasks only
    async_before: bool = False
    async_after: bool = False
    timer_seconds: float | None = None  # timer events: duration until due
    default_flow: str | None = None  # exclusive gateways: taken when no condition holds
    attached_to: str | None = None  # boundary events: the activity they interrupt
    error_code: str | None = None  # error boundary events: None catches every error
    delegate: Delegate | None = None  # service-like tasks that are not external tasks
    result_variable: str | None = None  # where an expression task puts its result
    listeners: tuple[Listener, ...] = ()  # execution listeners, in document order
    task_listeners: tuple[Listener, ...] = ()  # user tasks only
    retry_cycle: str | None = None  # camunda:failedJobRetryTimeCycle of its jobs

    @property
    def is_external_task(self) -> bool:
        """A service task served by an external worker (``camunda:type="external"``)."""
        return self.kind == "serviceTask" and self.topic is not None


@dataclass
class SequenceFlow:
    """A directed edge between two activities."""

    id: str
    source: str
    target: str
    condition: str | None = None
    listeners: tuple[Listener, ...] = ()  # execution listeners of the take event


@dataclass
class ProcessDefinition:
    """A deployed version of a process."""

    id: str
    key: str
    version: int
    deployment_id: str
    name: str | None = None
    tenant_id: str | None = None
    version_tag: str | None = None
    history_time_to_live: int | None = None
    resource: str | None = None
    category: str | None = None  # the BPMN file's targetNamespace
    suspended: bool = False
    activities: dict[str, Activity] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    listeners: tuple[Listener, ...] = ()  # the process's own start and end listeners

    def outgoing(self, activity_id: str) -> list[SequenceFlow]:
        """The sequence flows leaving an activity, in document order."""
        return [flow for flow in self.flows.values() if flow.source == activity_id]

    def incoming(self, activity_id: str) -> list[SequenceFlow]:
        """The sequence flows entering an activity."""
        return [flow for flow in self.flows.values() if flow.target == activity_id]

    def start_activity(self) -> Activity:
        """The process's (single, none) start event."""
        return next(a for a in self.activities.values() if a.kind == "startEvent")

    def boundary_events(self, activity_id: str) -> list[Activity]:
        """The (error) boundary events attached to an activity."""
        return [a for a in self.activities.values() if a.attached_to == activity_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "category": self.category,
            "description": None,
            "name": self.name,
            "version": self.version,
            "resource": self.resource,
            "deploymentId": self.deployment_id,
            "diagram": None,
            "suspended": self.suspended,
            "tenantId": self.tenant_id,
            "versionTag": self.version_tag,
            "historyTimeToLive": self.history_time_to_live,
            "startableInTasklist": True,
        }


@dataclass
class TypedValue:
    """A process variable with its Camunda type name (``String``, ``Integer``, ...)."""

    type: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value, "valueInfo": {}}


@dataclass
class ActivityInstance:
    """One token waiting in (or executing) an activity."""

    id: str
    activity_id: str


@dataclass
class ProcessInstance:
    """A process instance; runtime while ``end_time`` is None, historic always."""

    id: str
    definition: ProcessDefinition
    business_key: str | None
    start_time: datetime
    state: str = ACTIVE
    end_time: datetime | None = None
    tenant_id: str | None = None
    activity_instances: list[ActivityInstance] = field(default_factory=list)
    variables: dict[str, TypedValue] = field(default_factory=dict)
    initial_variables: dict[str, TypedValue] = field(default_factory=dict)
    restarted_process_instance_id: str | None = None
    delete_reason: str | None = None

    @property
    def is_running(self) -> bool:
        return self.end_time is None

    @property
    def suspended(self) -> bool:
        return self.state == SUSPENDED

    def to_json(self) -> dict[str, Any]:
        """The runtime ``ProcessInstanceDto``."""
        return {
            "links": [],
            "id": self.id,
            "definitionId": self.definition.id,
            "definitionKey": self.definition.key,
            "businessKey": self.business_key,
            "caseInstanceId": None,
            "ended": not self.is_running,
            "suspended": self.suspended,
            "tenantId": self.tenant_id,
        }

    def removal_time(self) -> datetime | None:
        """When history cleanup may remove the ended instance: its end plus the definition's
        history time to live in days (the engine's default removal-time strategy)."""
        ttl = self.definition.history_time_to_live
        if self.end_time is None or ttl is None:
            return None
        return self.end_time + timedelta(days=ttl)

    def to_historic_json(self) -> dict[str, Any]:
        """The ``HistoricProcessInstanceDto``."""
        duration = None
        if self.end_time is not None:
            duration = int((self.end_time - self.start_time).total_seconds() * 1000)
        return {
            "id": self.id,
            "rootProcessInstanceId": self.id,
            "superProcessInstanceId": None,
            "superCaseInstanceId": None,
            "caseInstanceId": None,
            "processDefinitionName": self.definition.name,
            "processDefinitionKey": self.definition.key,
            "processDefinitionVersion": self.definition.version,
            "processDefinitionId": self.definition.id,
            "businessKey": self.business_key,
            "startTime": format_engine_date(self.start_time),
            "endTime": format_engine_date(self.end_time),
            "removalTime": format_engine_date(self.removal_time()),
            "durationInMillis": duration,
            "startUserId": None,
            "startActivityId": self.definition.start_activity().id,
            "deleteReason": self.delete_reason,
            "tenantId": self.tenant_id,
            "state": self.state,
            "restartedProcessInstanceId": self.restarted_process_instance_id,
        }


@dataclass
class JobDefinition:
    """What kind of job an activity (or a batch) creates."""

    id: str
    job_type: str
    configuration: str
    activity_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    tenant_id: str | None = None
    deployment_id: str | None = None
    suspended: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "processDefinitionId": self.process_definition_id,
            "processDefinitionKey": self.process_definition_key,
            "activityId": self.activity_id,
            "jobType": self.job_type,
            "jobConfiguration": self.configuration,
            "overridingJobPriority": None,
            "suspended": self.suspended,
            "tenantId": self.tenant_id,
            "deploymentId": self.deployment_id,
        }


@dataclass
class Job:
    """An executable job: a timer, an async continuation or a batch job."""

    id: str
    job_definition: JobDefinition
    create_time: datetime
    due_date: datetime | None = None
    retries: int = 3
    suspended: bool = False
    exception_message: str | None = None
    process_instance_id: str | None = None
    activity_instance_id: str | None = None
    batch_id: str | None = None
    items: list[str | None] = field(default_factory=list)  # batch execution jobs only
    priority: int = 0
    sequence: int = 0  # creation order, so jobs due at the same moment run first-come

    def due_key(self) -> datetime:
        """When the job executor may pick this job up."""
        return self.due_date or self.create_time

    def to_json(self) -> dict[str, Any]:
        definition = self.job_definition
        return {
            "id": self.id,
            "jobDefinitionId": definition.id,
            "processInstanceId": self.process_instance_id,
            "processDefinitionId": definition.process_definition_id,
            "processDefinitionKey": definition.process_definition_key,
            "executionId": self.process_instance_id,
            "exceptionMessage": self.exception_message,
            "failedActivityId": definition.activity_id if self.exception_message else None,
            "retries": self.retries,
            "dueDate": format_engine_date(self.due_date),
            "suspended": self.suspended,
            "priority": self.priority,
            "tenantId": definition.tenant_id,
            "createTime": format_engine_date(self.create_time),
            "batchId": self.batch_id,
        }


@dataclass
class ExternalTask:
    """Work for an external worker, created when a token reaches an external service task."""

    id: str
    topic_name: str
    activity_id: str
    activity_instance_id: str
    process_instance_id: str
    definition: ProcessDefinition
    create_time: datetime
    business_key: str | None = None
    tenant_id: str | None = None
    retries: int | None = None  # None: never set, counts as "retries left"
    worker_id: str | None = None
    lock_expiration_time: datetime | None = None
    error_message: str | None = None
    suspended: bool = False
    priority: int = 0

    @property
    def has_retries_left(self) -> bool:
        return self.retries is None or self.retries > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "activityId": self.activity_id,
            "activityInstanceId": self.activity_instance_id,
            "errorMessage": self.error_message,
            "executionId": self.process_instance_id,
            "id": self.id,
            "lockExpirationTime": format_engine_date(self.lock_expiration_time),
            "createTime": format_engine_date(self.create_time),
            "processDefinitionId": self.definition.id,
            "processDefinitionKey": self.definition.key,
            "processDefinitionVersionTag": self.definition.version_tag,
            "processInstanceId": self.process_instance_id,
            "retries": self.retries,
            "suspended": self.suspended,
            "workerId": self.worker_id,
            "topicName": self.topic_name,
            "tenantId": self.tenant_id,
            "priority": self.priority,
            "businessKey": self.business_key,
        }


@dataclass
class UserTask:
    """A human task created when a token reaches a user task."""

    id: str
    name: str | None
    task_definition_key: str
    activity_instance_id: str
    process_instance_id: str
    definition: ProcessDefinition
    created: datetime
    tenant_id: str | None = None
    assignee: str | None = None
    suspended: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "assignee": self.assignee,
            "owner": None,
            "created": format_engine_date(self.created),
            "lastUpdated": None,
            "due": None,
            "followUp": None,
            "delegationState": None,
            "description": None,
            "executionId": self.process_instance_id,
            "parentTaskId": None,
            "priority": 50,
            "processDefinitionId": self.definition.id,
            "processInstanceId": self.process_instance_id,
            "caseExecutionId": None,
            "caseDefinitionId": None,
            "caseInstanceId": None,
            "taskDefinitionKey": self.task_definition_key,
            "suspended": self.suspended,
            "formKey": None,
            "camundaFormRef": None,
            "tenantId": self.tenant_id,
        }


@dataclass
class Incident:
    """An open (or, once resolved, historic) incident."""

    id: str
    incident_type: str  # failedJob, failedExternalTask
    message: str | None
    configuration: str  # the failed job's or external task's id
    timestamp: datetime
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    activity_id: str | None = None
    job_definition_id: str | None = None
    tenant_id: str | None = None
    end_time: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.end_time is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "processDefinitionId": self.process_definition_id,
            "processInstanceId": self.process_instance_id,
            "executionId": self.process_instance_id,
            "incidentTimestamp": format_engine_date(self.timestamp),
            "incidentType": self.incident_type,
            "activityId": self.activity_id,
            "failedActivityId": self.activity_id,
            "causeIncidentId": self.id,
            "rootCauseIncidentId": self.id,
            "configuration": self.configuration,
            "tenantId": self.tenant_id,
            "incidentMessage": self.message,
            "jobDefinitionId": self.job_definition_id,
            "annotation": None,
        }


@dataclass
class Batch:
    """A batch: the runtime row while it runs, its historic row for ever after."""

    id: str
    type: str
    total_jobs: int
    batch_jobs_per_seed: int
    invocations_per_batch_job: int
    seed_job_definition: JobDefinition
    monitor_job_definition: JobDefinition
    batch_job_definition: JobDefinition
    start_time: datetime
    item_groups: list[list[str | None]]  # the items, one list per deployment, seeded in order
    parameters: dict[str, Any]
    tenant_id: str | None = None
    create_user_id: str | None = None
    jobs_created: int = 0
    suspended: bool = False
    execution_start_time: datetime | None = None
    end_time: datetime | None = None
    seed_group: int = 0  # the deployment group the next seed job takes items from
    seed_offset: int = 0  # how many items of that group were handed out already
    history_deleted: bool = False  # DELETE /history/batch/{id} ran while the batch ran

    def job_definitions(self) -> tuple[JobDefinition, JobDefinition, JobDefinition]:
        """The seed, monitor and execution job definitions."""
        return (self.seed_job_definition, self.monitor_job_definition, self.batch_job_definition)

    @property
    def is_running(self) -> bool:
        return self.end_time is None

    def to_json(self) -> dict[str, Any]:
        """The runtime ``BatchDto``: all 14 keys, always."""
        return {
            "id": self.id,
            "type": self.type,
            "totalJobs": self.total_jobs,
            "jobsCreated": self.jobs_created,
            "batchJobsPerSeed": self.batch_jobs_per_seed,
            "invocationsPerBatchJob": self.invocations_per_batch_job,
            "seedJobDefinitionId": self.seed_job_definition.id,
            "monitorJobDefinitionId": self.monitor_job_definition.id,
            "batchJobDefinitionId": self.batch_job_definition.id,
            "suspended": self.suspended,
            "tenantId": self.tenant_id,
            "createUserId": self.create_user_id,
            "startTime": format_engine_date(self.start_time),
            "executionStartTime": format_engine_date(self.execution_start_time),
        }

    def to_historic_json(self) -> dict[str, Any]:
        """The ``HistoricBatchDto``: no ``jobsCreated``, no ``suspended``, plus end and removal."""
        return {
            "id": self.id,
            "type": self.type,
            "totalJobs": self.total_jobs,
            "batchJobsPerSeed": self.batch_jobs_per_seed,
            "invocationsPerBatchJob": self.invocations_per_batch_job,
            "seedJobDefinitionId": self.seed_job_definition.id,
            "monitorJobDefinitionId": self.monitor_job_definition.id,
            "batchJobDefinitionId": self.batch_job_definition.id,
            "tenantId": self.tenant_id,
            "createUserId": self.create_user_id,
            "startTime": format_engine_date(self.start_time),
            "executionStartTime": format_engine_date(self.execution_start_time),
            "endTime": format_engine_date(self.end_time),
            "removalTime": None,
        }
