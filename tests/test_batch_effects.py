"""What each batch type does to the engine's data, seen only through the engine's read endpoints.

Every test arranges instances, POSTs a batch, lets the job executor run everything due
(``POST /mock-api/jobs/run-due``) and then reads instances, jobs, external tasks, user tasks,
incidents and the batch's statistics (camunda-facts §3-§5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.bpmn import parse_bpmn
from mockserver.demo import shipped_process
from mockserver.engine import MockEngine
from mockserver.models import ProcessDefinition, ProcessInstance, TypedValue
from mockserver.routes.common import EXTENSION_KEY
from tests.conftest import BASE, make_app

JOB_RETRIES = "/process-instance/job-retries"
EXTERNAL_TASK_RETRIES = "/external-task/retries-async"
SUSPENSION = "/process-instance/suspended-async"
MODIFICATION = "/modification/executeAsync"
DUE_DATE = "2099-01-31T10:15:00.000+0100"
NEGATIVE_RETRIES = (
    "The number of retries cannot be negative: retries is not greater than or equal to 0"
)

Start = Callable[..., list[ProcessInstance]]

# -- requests ---------------------------------------------------------------------------


def get(client: FlaskClient, path: str, **params: str) -> Any:
    """A successful read of the engine API."""
    response = client.get(f"{BASE}{path}", query_string=params)
    assert response.status_code == 200, (path, response.get_json())
    return response.get_json()


def post_batch(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{BASE}{path}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def run_due(client: FlaskClient) -> None:
    assert client.post("/mock-api/jobs/run-due").status_code == 200


def step(client: FlaskClient, count: int) -> None:
    response = client.post("/mock-api/jobs/step", json={"count": count})
    assert response.get_json() == {"executed": count}


def run_batch(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create a batch and run every job that is due (seed, executions, monitor)."""
    batch = post_batch(client, path, body)
    run_due(client)
    return batch


def restart_path(definition: ProcessDefinition) -> str:
    return f"/process-definition/{definition.id}/restart-async"


# -- reads ------------------------------------------------------------------------------


def activities(client: FlaskClient, instance_id: str) -> list[str]:
    """The activity ids of the instance's activity and transition instances, sorted."""
    tree = get(client, f"/process-instance/{instance_id}/activity-instances")
    children = tree["childActivityInstances"] + tree["childTransitionInstances"]
    return sorted(child["activityId"] for child in children)


def wait_states(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    """Activity tree, job count, external task activities and user task keys of an instance."""
    return {
        "activities": activities(client, instance_id),
        "jobs": len(get(client, "/job", processInstanceId=instance_id)),
        "externalTasks": sorted(
            t["activityId"] for t in get(client, "/external-task", processInstanceId=instance_id)
        ),
        "tasks": sorted(
            t["taskDefinitionKey"] for t in get(client, "/task", processInstanceId=instance_id)
        ),
    }


def job_retries(client: FlaskClient, instance_id: str) -> list[int]:
    return sorted(job["retries"] for job in get(client, "/job", processInstanceId=instance_id))


def external_task_of(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    (task,) = get(client, "/external-task", processInstanceId=instance_id)
    return task


def statistics(client: FlaskClient, batch_id: str) -> dict[str, Any]:
    (entry,) = get(client, "/batch/statistics", batchId=batch_id)
    return entry


def running_ids(client: FlaskClient, key: str) -> list[str]:
    return [i["id"] for i in get(client, "/process-instance", processDefinitionKey=key)]


def assert_completed(client: FlaskClient, batch: dict[str, Any]) -> None:
    """The monitor ended the batch: no runtime batch, history has an end, nothing failed."""
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404
    assert get(client, f"/history/batch/{batch['id']}")["endTime"] is not None
    assert get(client, "/incident", jobDefinitionIdIn=batch["batchJobDefinitionId"]) == []


def assert_stuck(client: FlaskClient, batch: dict[str, Any], message: str) -> None:
    """One execution job used up its retries on ``message``; the batch cannot end."""
    failed = get(
        client, "/job", jobDefinitionId=batch["batchJobDefinitionId"], noRetriesLeft="true"
    )
    assert [(j["retries"], j["exceptionMessage"]) for j in failed] == [(0, message)]
    incidents = get(client, "/incident", incidentType="failedJob")
    assert [
        (i["incidentMessage"], i["configuration"], i["jobDefinitionId"]) for i in incidents
    ] == [(message, failed[0]["id"], batch["batchJobDefinitionId"])]
    entry = statistics(client, batch["id"])
    assert (entry["failedJobs"], entry["remainingJobs"]) == (1, 1)
    assert entry["completedJobs"] == batch["totalJobs"] - 1
    # the monitor polls again after batchPollTime (30 s) and still finds the failed job
    client.post("/mock-api/clock/advance", json={"seconds": 31})
    run_due(client)
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 200
    assert get(client, f"/history/batch/{batch['id']}")["endTime"] is None
    assert statistics(client, batch["id"])["failedJobs"] == 1


# -- arrangements (under the store lock, as the engine's own services would) -------------


def add_tokens(engine: MockEngine, instance: ProcessInstance, *activity_ids: str) -> None:
    """Extra tokens arriving at activities (more jobs, tasks or external tasks)."""
    with engine.store.lock:
        for activity_id in activity_ids:
            engine.runtime.enter(instance, activity_id)


def end(engine: MockEngine, *instances: ProcessInstance) -> None:
    with engine.store.lock:
        for instance in instances:
            engine.runtime.cancel(instance)


def start_with(
    engine: MockEngine, definition: ProcessDefinition, business_key: str | None, **variables: Any
) -> ProcessInstance:
    with engine.store.lock:
        return engine.runtime.start(
            definition,
            business_key=business_key,
            variables={name: TypedValue("Integer", value) for name, value in variables.items()},
        )


@pytest.fixture
def reminder(deploy: Callable[..., ProcessDefinition]) -> ProcessDefinition:
    return deploy("reminder.bpmn")


@pytest.fixture
def order(deploy: Callable[..., ProcessDefinition]) -> ProcessDefinition:
    return deploy("order.bpmn")


@pytest.fixture
def invoice(deploy: Callable[..., ProcessDefinition]) -> ProcessDefinition:
    return deploy("invoice.bpmn")


# == set-job-retries ====================================================================


def test_job_retries_are_set_on_every_job_of_the_selected_instances(
    client: FlaskClient, engine: MockEngine, reminder: ProcessDefinition, start: Start
) -> None:
    selected, other = start(reminder, 2)
    add_tokens(engine, selected, "waitThreeDays", "waitThreeDays")
    batch = run_batch(client, JOB_RETRIES, {"retries": 5, "processInstances": [selected.id]})
    assert batch["totalJobs"] == 3
    assert job_retries(client, selected.id) == [5, 5, 5]
    assert job_retries(client, other.id) == [3]
    assert get(client, "/incident") == []
    assert_completed(client, batch)


def test_job_retries_zero_opens_a_failed_job_incident_and_positive_retries_resolve_it(
    client: FlaskClient, reminder: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(reminder)
    (job,) = get(client, "/job", processInstanceId=instance.id)
    run_batch(client, JOB_RETRIES, {"retries": 0, "processInstances": [instance.id]})
    assert get(client, f"/job/{job['id']}")["retries"] == 0
    (incident,) = get(client, "/incident", incidentType="failedJob")
    assert incident == {
        "id": incident["id"],
        "processDefinitionId": reminder.id,
        "processInstanceId": instance.id,
        "executionId": instance.id,
        "incidentTimestamp": incident["incidentTimestamp"],
        "incidentType": "failedJob",
        "activityId": "waitThreeDays",
        "failedActivityId": "waitThreeDays",
        "causeIncidentId": incident["id"],
        "rootCauseIncidentId": incident["id"],
        "configuration": job["id"],
        "tenantId": None,
        "incidentMessage": None,
        "jobDefinitionId": job["jobDefinitionId"],
        "annotation": None,
    }
    assert get(client, "/job", noRetriesLeft="true") == [get(client, f"/job/{job['id']}")]

    run_batch(client, JOB_RETRIES, {"retries": 2, "processInstances": [instance.id]})
    assert get(client, f"/job/{job['id']}")["retries"] == 2
    assert get(client, "/incident") == []
    assert get(client, "/incident/count") == {"count": 0}


@pytest.mark.parametrize(
    ("extra", "expected_due"),
    [({}, "unchanged"), ({"dueDate": DUE_DATE}, DUE_DATE)],
    ids=["due-date-absent-keeps-it", "due-date-applied"],
)
def test_job_retries_due_date(
    client: FlaskClient,
    reminder: ProcessDefinition,
    start: Start,
    extra: dict[str, Any],
    expected_due: str,
) -> None:
    (instance,) = start(reminder)
    (job,) = get(client, "/job", processInstanceId=instance.id)
    body = {"retries": 1, "processInstances": [instance.id], **extra}
    run_batch(client, JOB_RETRIES, body)
    after = get(client, f"/job/{job['id']}")
    assert after["retries"] == 1
    assert after["dueDate"] == (job["dueDate"] if expected_due == "unchanged" else expected_due)


def test_job_retries_explicit_null_due_date_clears_it_and_the_timer_fires_at_once(
    client: FlaskClient, reminder: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(reminder)
    (job,) = get(client, "/job", processInstanceId=instance.id)
    assert job["dueDate"] is not None
    post_batch(
        client, JOB_RETRIES, {"retries": 1, "processInstances": [instance.id], "dueDate": None}
    )
    step(client, 2)  # the seed job and the one execution job
    assert get(client, f"/job/{job['id']}")["dueDate"] is None
    run_due(client)  # a job without due date is executable now: the timer fires
    assert client.get(f"{BASE}/job/{job['id']}").status_code == 404
    assert wait_states(client, instance.id) == {
        "activities": ["sendReminder"],
        "jobs": 0,
        "externalTasks": ["sendReminder"],
        "tasks": [],
    }


# == set-external-task-retries ==========================================================


def test_external_task_retries_are_set_on_the_selected_tasks(
    client: FlaskClient, order: ProcessDefinition, start: Start
) -> None:
    selected, other = start(order, 2)
    batch = run_batch(
        client, EXTERNAL_TASK_RETRIES, {"retries": 4, "processInstanceIds": [selected.id]}
    )
    assert external_task_of(client, selected.id)["retries"] == 4
    assert external_task_of(client, other.id)["retries"] is None
    assert get(client, "/incident") == []
    assert_completed(client, batch)


def test_external_task_retries_zero_opens_an_incident_and_positive_retries_resolve_it(
    client: FlaskClient, order: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(order)
    task = external_task_of(client, instance.id)
    run_batch(client, EXTERNAL_TASK_RETRIES, {"retries": 0, "externalTaskIds": [task["id"]]})
    (incident,) = get(client, "/incident", incidentType="failedExternalTask")
    assert {k: incident[k] for k in ("configuration", "processInstanceId", "activityId")} == {
        "configuration": task["id"],
        "processInstanceId": instance.id,
        "activityId": "reserveStock",
    }
    assert (incident["incidentMessage"], incident["jobDefinitionId"]) == (None, None)
    no_retries = get(client, "/external-task", noRetriesLeft="true")
    assert [(t["id"], t["retries"]) for t in no_retries] == [(task["id"], 0)]
    assert get(client, "/external-task", withRetriesLeft="true") == []

    run_batch(client, EXTERNAL_TASK_RETRIES, {"retries": 3, "externalTaskIds": [task["id"]]})
    assert get(client, "/incident") == []
    assert get(client, "/external-task", noRetriesLeft="true") == []
    assert external_task_of(client, instance.id)["retries"] == 3


@pytest.mark.parametrize(
    ("retries", "task_id", "message"),
    [
        (-1, "known", NEGATIVE_RETRIES),
        (1, "nope", "Cannot find external task with id nope: externalTask is null"),
    ],
    ids=["negative-retries", "unknown-task-id"],
)
def test_external_task_retries_failing_execution_job(
    client: FlaskClient,
    order: ProcessDefinition,
    start: Start,
    retries: int,
    task_id: str,
    message: str,
) -> None:
    (instance,) = start(order)
    task = external_task_of(client, instance.id)
    ids = [task["id"] if task_id == "known" else task_id]
    batch = post_batch(client, EXTERNAL_TASK_RETRIES, {"retries": retries, "externalTaskIds": ids})
    step(client, 1)  # the seed job hands out the execution job with the default 3 retries
    (job,) = get(client, "/job", jobDefinitionId=batch["batchJobDefinitionId"])
    assert (job["retries"], job["exceptionMessage"]) == (3, None)
    run_due(client)  # it fails three times: 3 -> 2 -> 1 -> 0
    assert_stuck(client, batch, message)
    assert external_task_of(client, instance.id)["retries"] is None  # nothing changed
    assert get(client, "/incident", incidentType="failedExternalTask") == []


# == instance-update-suspension-state ===================================================

SUSPENDED_READS = {
    "instance": True,
    "history": "SUSPENDED",
    "jobs": (1, 0),  # (suspended, active)
    "externalTasks": (1, 0),
    "tasks": (1, 0),
}
ACTIVE_READS = {
    "instance": False,
    "history": "ACTIVE",
    "jobs": (0, 1),
    "externalTasks": (0, 1),
    "tasks": (0, 1),
}


def suspension_reads(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    def split(path: str) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            len(get(client, path, processInstanceId=instance_id, **{flag: "true"}))
            for flag in ("suspended", "active")
        )

    return {
        "instance": get(client, f"/process-instance/{instance_id}")["suspended"],
        "history": get(client, f"/history/process-instance/{instance_id}")["state"],
        "jobs": split("/job"),
        "externalTasks": split("/external-task"),
        "tasks": split("/task"),
    }


@pytest.fixture
def waiting_everywhere(
    engine: MockEngine, reminder: ProcessDefinition, start: Start
) -> tuple[ProcessInstance, ProcessInstance]:
    """A reminder instance with a timer job, an external task and a user task; a bystander."""
    target, bystander = start(reminder, 2)
    add_tokens(engine, target, "sendReminder", "callCustomer")
    add_tokens(engine, bystander, "sendReminder", "callCustomer")
    return target, bystander


def test_suspension_suspends_instances_with_their_jobs_and_tasks_and_activation_reverses_it(
    client: FlaskClient, waiting_everywhere: tuple[ProcessInstance, ProcessInstance]
) -> None:
    target, bystander = waiting_everywhere
    assert suspension_reads(client, target.id) == ACTIVE_READS
    batch = run_batch(client, SUSPENSION, {"suspended": True, "processInstanceIds": [target.id]})
    assert suspension_reads(client, target.id) == SUSPENDED_READS
    assert suspension_reads(client, bystander.id) == ACTIVE_READS
    assert [i["id"] for i in get(client, "/process-instance", suspended="true")] == [target.id]
    assert_completed(client, batch)

    batch = run_batch(client, SUSPENSION, {"suspended": False, "processInstanceIds": [target.id]})
    assert suspension_reads(client, target.id) == ACTIVE_READS
    assert get(client, "/process-instance", suspended="true") == []
    assert_completed(client, batch)


def test_suspension_of_an_unknown_id_is_a_silent_no_op(
    client: FlaskClient, waiting_everywhere: tuple[ProcessInstance, ProcessInstance]
) -> None:
    target, _ = waiting_everywhere
    body = {"suspended": True, "processInstanceIds": ["nope", target.id]}
    batch = run_batch(client, SUSPENSION, body)
    assert batch["totalJobs"] == 2
    assert suspension_reads(client, target.id) == SUSPENDED_READS
    assert get(client, "/incident") == []
    assert_completed(client, batch)


# == instance-modification ==============================================================


def modify(
    client: FlaskClient,
    definition: ProcessDefinition,
    instance_ids: list[str],
    *instructions: dict[str, Any],
) -> dict[str, Any]:
    body = {
        "processDefinitionId": definition.id,
        "processInstanceIds": instance_ids,
        "instructions": list(instructions),
    }
    return run_batch(client, MODIFICATION, body)


def cancel(activity_id: str, **flags: bool) -> dict[str, Any]:
    return {"type": "cancel", "activityId": activity_id, **flags}


def start_before(activity_id: str) -> dict[str, Any]:
    return {"type": "startBeforeActivity", "activityId": activity_id}


def start_after(activity_id: str) -> dict[str, Any]:
    return {"type": "startAfterActivity", "activityId": activity_id}


def start_transition(transition_id: str) -> dict[str, Any]:
    return {"type": "startTransition", "transitionId": transition_id}


def states(activities: list[str], jobs: int, external: list[str], tasks: list[str]) -> dict:
    return {"activities": activities, "jobs": jobs, "externalTasks": external, "tasks": tasks}


# A reminder instance waits at its timer (one job); each row modifies it.
MODIFICATION_ROWS = [
    ("start-before-activity", [start_before("sendReminder")],
     states(["sendReminder", "waitThreeDays"], 1, ["sendReminder"], [])),
    ("start-after-activity", [start_after("sendReminder")],
     states(["callCustomer", "waitThreeDays"], 1, [], ["callCustomer"])),
    ("start-transition", [start_transition("toSend")],
     states(["sendReminder", "waitThreeDays"], 1, ["sendReminder"], [])),
    ("cancel-then-start-before", [cancel("waitThreeDays"), start_before("callCustomer")],
     states(["callCustomer"], 0, [], ["callCustomer"])),
    ("start-before-then-cancel-current", [start_before("waitThreeDays"),
                                          cancel("waitThreeDays",
                                                 cancelCurrentActiveActivityInstances=True)],
     states(["waitThreeDays"], 1, [], [])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("instructions", "expected"),
    [row[1:] for row in MODIFICATION_ROWS],
    ids=[row[0] for row in MODIFICATION_ROWS],
)
def test_modification_instructions_change_the_activity_tree(
    client: FlaskClient,
    reminder: ProcessDefinition,
    start: Start,
    instructions: list[dict[str, Any]],
    expected: dict[str, Any],
) -> None:
    instance, bystander = start(reminder, 2)
    batch = modify(client, reminder, [instance.id], *instructions)
    assert wait_states(client, instance.id) == expected
    assert wait_states(client, bystander.id) == states(["waitThreeDays"], 1, [], [])
    assert_completed(client, batch)


def test_modification_cancel_removes_every_instance_of_the_activity(
    client: FlaskClient, engine: MockEngine, reminder: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(reminder)
    add_tokens(engine, instance, "waitThreeDays", "waitThreeDays", "callCustomer")
    assert activities(client, instance.id) == ["callCustomer"] + ["waitThreeDays"] * 3
    modify(client, reminder, [instance.id], cancel("waitThreeDays"))
    assert wait_states(client, instance.id) == states(["callCustomer"], 0, [], ["callCustomer"])


def test_modification_cancel_current_keeps_the_instance_started_by_the_same_batch(
    client: FlaskClient, invoice: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(invoice)
    (old_task,) = get(client, "/task", processInstanceId=instance.id)
    old_tree = get(client, f"/process-instance/{instance.id}/activity-instances")
    (old_activity,) = old_tree["childActivityInstances"]
    modify(
        client,
        invoice,
        [instance.id],
        start_before("approveInvoice"),
        cancel("approveInvoice", cancelCurrentActiveActivityInstances=True),
    )
    tree = get(client, f"/process-instance/{instance.id}/activity-instances")
    (new_activity,) = tree["childActivityInstances"]
    assert new_activity["activityId"] == "approveInvoice"
    assert new_activity["id"] != old_activity["id"]
    (new_task,) = get(client, "/task", processInstanceId=instance.id)
    assert new_task["id"] != old_task["id"]


def test_modification_cancelling_every_activity_ends_the_instance(
    client: FlaskClient, reminder: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(reminder)
    batch = modify(client, reminder, [instance.id], cancel("waitThreeDays"))
    response = client.get(f"{BASE}/process-instance/{instance.id}")
    assert response.status_code == 404
    assert (
        response.get_json()["message"] == f"Process instance with id {instance.id} does not exist"
    )
    historic = get(client, f"/history/process-instance/{instance.id}")
    # The batch's modification builder does not flag the cancellation as external.
    assert historic["state"] == "INTERNALLY_TERMINATED"
    assert historic["endTime"] is not None
    assert get(client, "/job", processInstanceId=instance.id) == []
    assert_completed(client, batch)


@pytest.mark.parametrize("case", ["unknown-id", "ended-instance"])
def test_modification_of_a_missing_instance_fails_the_job(
    client: FlaskClient, engine: MockEngine, reminder: ProcessDefinition, start: Start, case: str
) -> None:
    (instance,) = start(reminder)
    end(engine, instance)
    instance_id = "nope" if case == "unknown-id" else instance.id
    batch = modify(client, reminder, [instance_id], start_before("callCustomer"))
    assert_stuck(
        client,
        batch,
        f"ENGINE-13036 Process instance '{instance_id}' cannot be modified. "
        "The process instance does not exist",
    )
    assert get(client, f"/history/process-instance/{instance.id}")["state"] == (
        "EXTERNALLY_TERMINATED"
    )


def test_modification_of_an_instance_of_another_definition_fails_the_job(
    client: FlaskClient, reminder: ProcessDefinition, invoice: ProcessDefinition, start: Start
) -> None:
    (instance,) = start(invoice)
    batch = modify(client, reminder, [instance.id], start_before("callCustomer"))
    assert_stuck(
        client,
        batch,
        f"ENGINE-13037 Process instance '{instance.id}' cannot be modified. Its process "
        f"definition '{invoice.id}' does not match given process definition '{reminder.id}'",
    )
    assert activities(client, instance.id) == ["approveInvoice"]


# Engine messages: AbstractInstantiationCmd ("Element ... does not exist in process ...") for
# startBeforeActivity / startTransition, ActivityAfterInstantiationCmd for startAfterActivity;
# ProcessInstanceModificationAsyncTest asserts the startTransition text.
UNKNOWN_ACTIVITY_ROWS = [
    ("start-before-activity", start_before("nope"),
     "Cannot perform instruction: Start before activity 'nope'; "
     "Element 'nope' does not exist in process '{definition}': element is null"),
    ("start-after-activity", start_after("nope"),
     "Cannot perform instruction: Start after activity 'nope'; "
     "Activity 'nope' does not exist: activity is null"),
    ("start-transition", start_transition("nope"),
     "Cannot perform instruction: Start transition 'nope'; "
     "Element 'nope' does not exist in process '{definition}': element is null"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("instruction", "message"),
    [row[1:] for row in UNKNOWN_ACTIVITY_ROWS],
    ids=[row[0] for row in UNKNOWN_ACTIVITY_ROWS],
)
def test_modification_with_an_unknown_element_fails_the_job(
    client: FlaskClient,
    reminder: ProcessDefinition,
    start: Start,
    instruction: dict[str, Any],
    message: str,
) -> None:
    (instance,) = start(reminder)
    batch = modify(client, reminder, [instance.id], instruction)
    (job,) = get(client, "/job", jobDefinitionId=batch["batchJobDefinitionId"])
    assert job["exceptionMessage"].startswith("Cannot perform instruction")
    assert_stuck(client, batch, message.format(definition=reminder.id))
    assert wait_states(client, instance.id) == states(["waitThreeDays"], 1, [], [])


# == instance-restart ===================================================================


@pytest.fixture
def ended_invoice(engine: MockEngine, invoice: ProcessDefinition) -> ProcessInstance:
    """An ended invoice instance started with x=1 whose last value of x was 2."""
    instance = start_with(engine, invoice, "inv-1", x=1)
    with engine.store.lock:
        instance.variables["x"] = TypedValue("Integer", 2)
    end(engine, instance)
    return instance


def instances_with_x(client: FlaskClient, value: int) -> list[str]:
    body = {"variables": [{"name": "x", "operator": "eq", "value": value}]}
    response = client.post(f"{BASE}/process-instance", json=body)
    assert response.status_code == 200, response.get_json()
    return [i["id"] for i in response.get_json()]


def restart(
    client: FlaskClient, definition: ProcessDefinition, instance_ids: list[str], **flags: Any
) -> dict[str, Any]:
    body = {
        "processInstanceIds": instance_ids,
        "instructions": [start_before("approveInvoice")],
        **flags,
    }
    return run_batch(client, restart_path(definition), body)


@pytest.mark.parametrize(
    ("flags", "business_key"),
    [({}, "inv-1"), ({"withoutBusinessKey": False}, "inv-1"), ({"withoutBusinessKey": True}, None)],
    ids=["default-copies-key", "key-copied", "without-business-key"],
)
def test_restart_creates_a_new_instance_from_the_ended_one(
    client: FlaskClient,
    invoice: ProcessDefinition,
    ended_invoice: ProcessInstance,
    flags: dict[str, bool],
    business_key: str | None,
) -> None:
    batch = restart(client, invoice, [ended_invoice.id], **flags)
    (new_id,) = running_ids(client, "invoice")
    assert new_id != ended_invoice.id
    historic = get(client, f"/history/process-instance/{new_id}")
    assert historic["restartedProcessInstanceId"] == ended_invoice.id
    assert (historic["businessKey"], historic["state"]) == (business_key, "ACTIVE")
    assert get(client, f"/process-instance/{new_id}")["businessKey"] == business_key
    old = get(client, f"/history/process-instance/{ended_invoice.id}")
    assert (old["state"], old["restartedProcessInstanceId"]) == ("EXTERNALLY_TERMINATED", None)
    assert_completed(client, batch)


@pytest.mark.parametrize(
    ("flags", "x"),
    [({}, 2), ({"initialVariables": False}, 2), ({"initialVariables": True}, 1)],
    ids=["default-last-values", "last-values", "initial-values"],
)
def test_restart_carries_the_last_or_the_initial_variables(
    client: FlaskClient,
    invoice: ProcessDefinition,
    ended_invoice: ProcessInstance,
    flags: dict[str, bool],
    x: int,
) -> None:
    restart(client, invoice, [ended_invoice.id], **flags)
    (new_id,) = running_ids(client, "invoice")
    # The runtime query's variable filter is the engine's read for variable values.
    assert instances_with_x(client, x) == [new_id]
    assert instances_with_x(client, 3 - x) == []


RESTART_START_ROWS = [
    ("start-before-user-task", start_before("approveInvoice"), ["approveInvoice"], [], 1),
    ("start-before-external-task", start_before("archiveInvoice"), ["archiveInvoice"],
     ["archiveInvoice"], 0),
    ("start-after-start-event", start_after("invoiceReceived"), ["approveInvoice"], [], 1),
    ("start-transition", start_transition("toArchive"), ["archiveInvoice"], ["archiveInvoice"], 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("instruction", "tree", "external_tasks", "tasks"),
    [row[1:] for row in RESTART_START_ROWS],
    ids=[row[0] for row in RESTART_START_ROWS],
)
def test_restart_starts_at_the_instruction(
    client: FlaskClient,
    invoice: ProcessDefinition,
    ended_invoice: ProcessInstance,
    instruction: dict[str, Any],
    tree: list[str],
    external_tasks: list[str],
    tasks: int,
) -> None:
    body = {"processInstanceIds": [ended_invoice.id], "instructions": [instruction]}
    run_batch(client, restart_path(invoice), body)
    (new_id,) = running_ids(client, "invoice")
    assert activities(client, new_id) == tree
    assert [t["activityId"] for t in get(client, "/external-task")] == external_tasks
    assert len(get(client, "/task", processInstanceId=new_id)) == tasks


@pytest.mark.parametrize("case", ["running-instance", "unknown-instance", "other-definition"])
def test_restart_of_an_unsuitable_instance_fails_the_job(
    client: FlaskClient,
    engine: MockEngine,
    invoice: ProcessDefinition,
    reminder: ProcessDefinition,
    start: Start,
    case: str,
) -> None:
    (running,) = start(invoice)
    (other,) = start(reminder)
    end(engine, other)
    instance_id, message = {
        "running-instance": (
            running.id,
            f"ENGINE-13040 Historic process instance '{running.id}' cannot be restarted. "
            "It is not completed or terminated.",
        ),
        "unknown-instance": (
            "nope",
            "Historic process instance cannot be found: historicProcessInstanceId is null",
        ),
        "other-definition": (
            other.id,
            f"ENGINE-13039 Historic process instance '{other.id}' cannot be restarted. Its "
            f"process definition '{reminder.id}' does not match given process definition "
            f"'{invoice.id}'",
        ),
    }[case]
    body = {"processInstanceIds": [instance_id], "instructions": [start_before("approveInvoice")]}
    batch = run_batch(client, restart_path(invoice), body)
    assert_stuck(client, batch, message)
    assert running_ids(client, "invoice") == [running.id]  # no new instance
    assert running_ids(client, "paymentReminder") == []


# == invocationsPerBatchJob > 1: a job is all or nothing ==================================


@pytest.fixture
def pair_client() -> FlaskClient:
    return make_app(invocations_per_batch_job=2).test_client()


def pair_engine(client: FlaskClient) -> MockEngine:
    return client.application.extensions[EXTENSION_KEY]


def deploy_and_start(engine: MockEngine, name: str, count: int) -> list[ProcessInstance]:
    with engine.store.lock:
        deployment = engine.runtime.deploy(parse_bpmn(shipped_process(name)), name=name)
        definition = engine.store.definitions[deployment.definition_ids[0]]
        return [engine.runtime.start(definition) for _ in range(count)]


def test_modification_job_with_a_failing_item_changes_none_of_its_items(
    pair_client: FlaskClient,
) -> None:
    client, engine = pair_client, pair_engine(pair_client)
    first, ended, third, fourth = deploy_and_start(engine, "reminder.bpmn", 4)
    end(engine, ended)
    definition = first.definition
    # jobs: [first, ended] fails as a whole; [third, fourth] takes effect
    batch = modify(
        client, definition, [first.id, ended.id, third.id, fourth.id], start_before("callCustomer")
    )
    assert batch["totalJobs"] == 2
    assert activities(client, first.id) == ["waitThreeDays"]
    assert get(client, "/task", processInstanceId=first.id) == []
    for instance in (third, fourth):
        assert activities(client, instance.id) == ["callCustomer", "waitThreeDays"]
    assert_stuck(
        client,
        batch,
        f"ENGINE-13036 Process instance '{ended.id}' cannot be modified. "
        "The process instance does not exist",
    )


def test_restart_job_with_a_failing_item_restarts_none_of_its_items(
    pair_client: FlaskClient,
) -> None:
    client, engine = pair_client, pair_engine(pair_client)
    ended_a, running, ended_b = deploy_and_start(engine, "invoice.bpmn", 3)
    end(engine, ended_a, ended_b)
    body = {
        "processInstanceIds": [ended_a.id, running.id, ended_b.id],
        "instructions": [start_before("approveInvoice")],
    }
    batch = run_batch(client, restart_path(running.definition), body)
    assert batch["totalJobs"] == 2
    restarted = [
        i["restartedProcessInstanceId"]
        for i in get(client, "/history/process-instance", unfinished="true")
    ]
    assert len(restarted) == 2
    assert set(restarted) == {None, ended_b.id}  # the running one, and ended_b's new instance
    assert_stuck(
        client,
        batch,
        f"ENGINE-13040 Historic process instance '{running.id}' cannot be restarted. "
        "It is not completed or terminated.",
    )
