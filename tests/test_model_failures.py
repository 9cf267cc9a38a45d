"""When the model fails while it runs, as on Camunda 7.24 with no beans registered.

A failing expression, class, listener or flow selection fails the step that reached it:
an ``asyncBefore`` job fails (retries from the activity's ``failedJobRetryTimeCycle``, a due
date one interval away, a ``failedJob`` incident at 0 retries), and a synchronous step (start,
task completion, external task completion) answers the engine's 500 and leaves everything as
it was. The statuses, messages, retries and intervals pinned here are the engine's, checked
against Camunda 7.24.0.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from flask.testing import FlaskClient

from mockserver.engine import MockEngine
from tests.assertions import IRE, PEE, assert_error
from tests.conftest import BASE, make_app
from tests.test_deployments import engine_time, upload

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">\n'
)
UNKNOWN_BEAN = (
    "Unknown property used in expression: ${someBean.run()}. Cause: Cannot resolve "
    "identifier 'someBean'"
)


def process(body: str) -> bytes:
    """Process ``p``: its body on one line (line 3 of the file)."""
    return (
        f'{HEAD}<bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="1">{body}'
        "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def deploy(client: FlaskClient, body: str) -> str:
    """Deploy process ``p``; its definition id."""
    response = upload(client, {"p.bpmn": process(body)})
    assert response.status_code == 200, response.get_json()
    (definition_id,) = response.get_json()["deployedProcessDefinitions"]
    return definition_id


def start(client: FlaskClient, variables: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"{BASE}/process-definition/key/p/start", json={"variables": variables or {}}
    )


def get(client: FlaskClient, path: str, **query: str) -> Any:
    response = client.get(f"{BASE}{path}", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def now(client: FlaskClient) -> Any:
    return engine_time(client.get("/mock-api/clock").get_json()["now"])


def failing_task(attributes: str = 'camunda:asyncBefore="true"', cycle: str | None = None) -> str:
    """Start, a service task calling a bean nobody registered, a user task after it."""
    extension = ""
    if cycle is not None:
        extension = (
            "<bpmn:extensionElements><camunda:failedJobRetryTimeCycle>"
            f"{cycle}</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>"
        )
    return (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>'
        f'<bpmn:serviceTask id="work" {attributes} camunda:expression="${{someBean.run()}}">'
        f"{extension}</bpmn:serviceTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="after"/><bpmn:userTask id="after"/>'
    )


# -- an asyncBefore job that fails ------------------------------------------------------------


def only_job(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    (job,) = get(client, "/job", processInstanceId=instance_id)
    return job


def execute(client: FlaskClient, job_id: str) -> None:
    """``POST /job/{id}/execute`` of the failing job: 404 with the failure's message."""
    response = client.post(f"{BASE}/job/{job_id}/execute")
    assert_error(response, 404, IRE, UNKNOWN_BEAN, None)


def test_a_failing_async_job_counts_down_the_cycles_retries_and_opens_an_incident(
    client: FlaskClient,
) -> None:
    definition_id = deploy(client, failing_task(cycle="R3/PT1H"))
    instance_id = start(client).get_json()["id"]

    job = only_job(client, instance_id)  # the cycle's retries from the start (7.24)
    assert (job["retries"], job["dueDate"], job["exceptionMessage"], job["failedActivityId"]) == (
        3,
        None,
        None,
        None,
    )
    for retries_left in (2, 1, 0):
        before = now(client)
        execute(client, job["id"])
        after = now(client)
        failed = get(client, f"/job/{job['id']}")
        assert failed["retries"] == retries_left
        assert failed["exceptionMessage"] == UNKNOWN_BEAN
        assert failed["failedActivityId"] == "work"
        due = engine_time(failed["dueDate"])  # an interval after the failure
        assert before + timedelta(hours=1) <= due <= after + timedelta(hours=1)
        incidents = get(client, "/incident", processInstanceId=instance_id)
        assert len(incidents) == (1 if retries_left == 0 else 0)

    (incident,) = get(client, "/incident", processInstanceId=instance_id)
    assert {key: incident[key] for key in INCIDENT_KEYS} == {
        "processDefinitionId": definition_id,
        "processInstanceId": instance_id,
        "executionId": instance_id,
        "incidentType": "failedJob",
        "activityId": "work",
        "failedActivityId": "work",
        "causeIncidentId": incident["id"],
        "rootCauseIncidentId": incident["id"],
        "configuration": job["id"],
        "tenantId": None,
        "incidentMessage": UNKNOWN_BEAN,
        "jobDefinitionId": job["jobDefinitionId"],
        "annotation": None,
    }
    execute(client, job["id"])  # at 0 the job still runs when asked to: it fails again
    assert get(client, f"/job/{job['id']}")["retries"] == 0
    assert len(get(client, "/incident", processInstanceId=instance_id)) == 1
    # The token still waits before the task; nothing after it was reached.
    assert get(client, "/task", processInstanceId=instance_id) == []


INCIDENT_KEYS = (
    "processDefinitionId",
    "processInstanceId",
    "executionId",
    "incidentType",
    "activityId",
    "failedActivityId",
    "causeIncidentId",
    "rootCauseIncidentId",
    "configuration",
    "tenantId",
    "incidentMessage",
    "jobDefinitionId",
    "annotation",
)


def test_the_job_executor_runs_a_failed_job_again_after_the_interval(client: FlaskClient) -> None:
    deploy(client, failing_task(cycle="R3/PT1H"))
    instance_id = start(client).get_json()["id"]

    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 1}
    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 0}  # due in 1 hour
    client.post("/mock-api/clock/advance", json={"seconds": 3600})
    assert client.post("/mock-api/jobs/run-due").get_json() == {"executed": 1}
    assert only_job(client, instance_id)["retries"] == 1


@pytest.mark.parametrize(
    ("cycle", "created", "waits"),
    [
        (None, 3, [None, None, None]),  # no cycle: due again at once
        ("R5/PT10M", 5, [600, 600, 600, 600, 600]),
        ("PT7M", 2, [420, 420]),  # one interval: retries = intervals + 1
        ("PT10M,PT20M", 3, [600, 1200, 1200]),  # one interval per retry, the last one stays
        ("garbage", 3, [None, None, None]),  # text the engine cannot read: its default
        ("", 3, [None, None, None]),
    ],
)
def test_retries_and_waits_follow_the_failed_job_retry_time_cycle(
    client: FlaskClient, cycle: str | None, created: int, waits: list[int | None]
) -> None:
    deploy(client, failing_task(cycle=cycle))
    instance_id = start(client).get_json()["id"]
    job = only_job(client, instance_id)
    assert job["retries"] == created

    for failures, wait in enumerate(waits, start=1):
        before = now(client)
        execute(client, job["id"])
        after = now(client)
        failed = get(client, f"/job/{job['id']}")
        assert failed["retries"] == created - failures
        if wait is None:
            assert failed["dueDate"] is None
        else:
            due = engine_time(failed["dueDate"])
            assert before + timedelta(seconds=wait) <= due <= after + timedelta(seconds=wait)
    assert len(get(client, "/incident", processInstanceId=instance_id)) == 1


def test_the_first_failure_counts_from_the_cycles_retries_whatever_they_were_set_to(
    client: FlaskClient, engine: MockEngine
) -> None:
    deploy(client, failing_task(cycle="R5/PT10M"))
    job = only_job(client, start(client).get_json()["id"])
    with engine.store.lock:  # as PUT /job/{id}/retries would
        engine.runtime.set_job_retries(engine.store.jobs[job["id"]], 10)

    execute(client, job["id"])  # the first failure starts again from R5

    assert get(client, f"/job/{job['id']}")["retries"] == 4
    execute(client, job["id"])
    assert get(client, f"/job/{job['id']}")["retries"] == 3


@pytest.mark.parametrize("cycle", ["P1M", "R/PT1H", "PT1.5S", "${retries}", "R0/PT5M"])
def test_a_cycle_the_mock_cannot_follow_is_refused_at_deployment(
    client: FlaskClient, cycle: str
) -> None:
    response = upload(client, {"p.bpmn": process(failing_task(cycle=cycle))})

    assert response.status_code == 400
    (problem,) = response.get_json()["details"]["p.bpmn"]["errors"]
    assert cycle in problem["message"] and problem["mainElementId"] == "work"


# -- synchronous steps: the engine's 500, and nothing changed ------------------------------------


def test_a_failing_service_task_fails_the_start(client: FlaskClient) -> None:
    definition_id = deploy(client, failing_task(attributes=""))

    response = start(client)

    assert_error(
        response,
        500,
        "RestException",
        f"Cannot instantiate process definition {definition_id}: {UNKNOWN_BEAN}",
        0,
    )
    assert get(client, "/history/process-instance/count") == {"count": 0}
    assert get(client, "/job/count") == {"count": 0}


WAIT_THEN_FAIL = (
    '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="{wait}"/>'
    "{wait_element}"
    '<bpmn:sequenceFlow id="f2" sourceRef="{wait}" targetRef="work"/>'
    '<bpmn:serviceTask id="work" camunda:expression="${{someBean.run()}}"/>'
    '<bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>'
)


def test_a_task_completion_that_reaches_a_failing_task_changes_nothing(
    client: FlaskClient,
) -> None:
    deploy(client, WAIT_THEN_FAIL.format(wait="ut", wait_element='<bpmn:userTask id="ut"/>'))
    instance_id = start(client).get_json()["id"]
    (task,) = get(client, "/task", processInstanceId=instance_id)

    response = client.post(
        f"{BASE}/task/{task['id']}/complete", json={"variables": {"sent": {"value": 1}}}
    )

    assert_error(
        response, 500, "RestException", f"Cannot complete task {task['id']}: {UNKNOWN_BEAN}", 0
    )
    assert get(client, "/task", processInstanceId=instance_id) == [task]
    missing = client.get(f"{BASE}/process-instance/{instance_id}/variables/sent")
    assert missing.status_code == 404  # the variables sent went back with the rest
    assert get(client, f"/history/process-instance/{instance_id}")["state"] == "ACTIVE"


def external_task(client: FlaskClient, instance_id: str) -> dict[str, Any]:
    response = client.post(
        f"{BASE}/external-task/fetchAndLock",
        json={
            "workerId": "w1",
            "maxTasks": 1,
            "topics": [{"topicName": "work-topic", "lockDuration": 60000}],
        },
    )
    (locked,) = response.get_json()
    assert locked["processInstanceId"] == instance_id
    return locked


EXTERNAL = '<bpmn:serviceTask id="x" camunda:type="external" camunda:topic="work-topic"/>'


def test_an_external_task_completion_that_reaches_a_failing_task_changes_nothing(
    client: FlaskClient,
) -> None:
    deploy(client, WAIT_THEN_FAIL.format(wait="x", wait_element=EXTERNAL))
    instance_id = start(client).get_json()["id"]
    locked = external_task(client, instance_id)

    response = client.post(
        f"{BASE}/external-task/{locked['id']}/complete",
        json={"workerId": "w1", "variables": {"sent": {"value": 1}}},
    )

    assert_error(response, 500, PEE, UNKNOWN_BEAN, 0)  # no resource wraps this one
    still = get(client, f"/external-task/{locked['id']}")
    assert (still["workerId"], still["lockExpirationTime"]) == ("w1", locked["lockExpirationTime"])
    missing = client.get(f"{BASE}/process-instance/{instance_id}/variables/sent")
    assert missing.status_code == 404


def test_a_bpmn_error_whose_boundary_path_fails_is_the_engines_propagation_failure(
    client: FlaskClient,
) -> None:
    deploy(
        client,
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>'
        f"{EXTERNAL}"
        '<bpmn:boundaryEvent id="b" attachedToRef="x"><bpmn:errorEventDefinition/>'
        '</bpmn:boundaryEvent><bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="work"/>'
        '<bpmn:serviceTask id="work" camunda:expression="${someBean.run()}"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="u"/><bpmn:userTask id="u"/>'
        '<bpmn:sequenceFlow id="f4" sourceRef="x" targetRef="e"/><bpmn:endEvent id="e"/>',
    )
    instance_id = start(client).get_json()["id"]
    locked = external_task(client, instance_id)

    response = client.post(
        f"{BASE}/external-task/{locked['id']}/bpmnError",
        json={"workerId": "w1", "errorCode": "E1", "variables": {"sent": {"value": 1}}},
    )

    assert_error(response, 500, PEE, "ENGINE-13033 Propagation of bpmn error E1 failed. ", 0)
    assert len(get(client, "/external-task", processInstanceId=instance_id)) == 1
    missing = client.get(f"{BASE}/process-instance/{instance_id}/variables/sent")
    assert missing.status_code == 404


# -- delegates and listeners ---------------------------------------------------------------------


def listener(kind: str, event: str | None, attributes: str) -> str:
    """An ``executionListener`` or ``taskListener`` inside ``extensionElements``."""
    event_attribute = "" if event is None else f'event="{event}" '
    return (
        f"<bpmn:extensionElements><camunda:{kind} {event_attribute}{attributes}/>"
        "</bpmn:extensionElements>"
    )


def expression(text: str) -> str:
    """An ``expression`` attribute, quoted for XML."""
    return f"expression={quoteattr(text)}"


RECORD_EVENT = expression(
    "${execution.setVariable('ev', execution.eventName)}"
    "${execution.setVariable('act', execution.currentActivityId)}"
)
ON_START = listener("executionListener", "start", RECORD_EVENT)


def user_task(extension: str = "") -> str:
    return (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ut"/>'
        f'<bpmn:userTask id="ut" name="Check">{extension}</bpmn:userTask>'
        '<bpmn:sequenceFlow id="f2" sourceRef="ut" targetRef="e"/><bpmn:endEvent id="e"/>'
    )


def service(attributes: str, extension: str = "") -> str:
    return (
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
        f'<bpmn:serviceTask id="w" {attributes}>{extension}</bpmn:serviceTask>'
        '<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="ut"/><bpmn:userTask id="ut"/>'
    )


TASK_LISTENER_FAILED = "ENGINE-03051 There was an exception while invoking the TaskListener. "
FAILING = 'expression="${someBean.run()}"'
START_FAILURES = [
    ("service task class", service('camunda:class="com.example.Missing"'),
     "ENGINE-09008 Exception while instantiating class 'com.example.Missing': ENGINE-09017 "
     "Cannot load class 'com.example.Missing': com.example.Missing"),
    ("class before expression", service('camunda:class="a.B" camunda:expression="${true}"'),
     "ENGINE-09008 Exception while instantiating class 'a.B': ENGINE-09017 Cannot load class "
     "'a.B': a.B"),
    ("unknown delegate", service('camunda:delegateExpression="${myDelegate}"'),
     "Unknown property used in expression: ${myDelegate}. Cause: Cannot resolve identifier "
     "'myDelegate'"),
    ("delegate that is a variable", service('camunda:delegateExpression="${x}"'),
     "ENGINE-02033 Delegate Expression '${x}' did neither resolve to an implementation of "
     "'interface org.camunda.bpm.engine.impl.pvm.delegate.ActivityBehavior' nor 'interface "
     "org.camunda.bpm.engine.delegate.JavaDelegate'."),
    ("start listener", user_task(listener("executionListener", "start", FAILING)),
     UNKNOWN_BEAN),
    ("process start listener", listener("executionListener", "start", FAILING) + user_task(),
     UNKNOWN_BEAN),
    ("take listener", '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" '
     f'targetRef="ut">{listener("executionListener", "take", FAILING)}</bpmn:sequenceFlow>'
     '<bpmn:userTask id="ut"/>', UNKNOWN_BEAN),
    ("end listener before asyncAfter", service(
        'camunda:asyncAfter="true" camunda:expression="${true}"',
        listener("executionListener", "end", FAILING)), UNKNOWN_BEAN),
    ("process end listener", listener("executionListener", "end", FAILING)
     + '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>'
     '<bpmn:endEvent id="e"/>', UNKNOWN_BEAN),
    ("listener class", user_task(listener("executionListener", "start", 'class="com.x.Y"')),
     "ENGINE-09008 Exception while instantiating class 'com.x.Y': ENGINE-09017 Cannot load "
     "class 'com.x.Y': com.x.Y"),
    ("listener delegate", user_task(listener("executionListener", "start",
                                             'delegateExpression="${x}"')),
     "ENGINE-02033 Delegate Expression '${x}' did neither resolve to an implementation of "
     "'interface org.camunda.bpm.engine.delegate.ExecutionListener' nor 'interface "
     "org.camunda.bpm.engine.delegate.JavaDelegate'."),
    ("create listener", user_task(listener("taskListener", "create", FAILING)),
     f"{TASK_LISTENER_FAILED}Message: '{UNKNOWN_BEAN}'"),
    ("create listener class", user_task(listener("taskListener", "create", 'class="com.x.Y"')),
     f"{TASK_LISTENER_FAILED}Message: 'ENGINE-09008 Exception while instantiating class "
     "'com.x.Y': ENGINE-09017 Cannot load class 'com.x.Y': com.x.Y'"),
    ("create listener delegate", user_task(listener("taskListener", "create",
                                                    'delegateExpression="${x}"')),
     f"{TASK_LISTENER_FAILED}Message: 'Delegate expression ${{x}} did not resolve to an "
     "implementation of interface org.camunda.bpm.engine.delegate.TaskListener'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"), [pytest.param(b, m, id=i) for i, b, m in START_FAILURES]
)
def test_a_failing_delegate_or_listener_fails_the_start(
    client: FlaskClient, body: str, message: str
) -> None:
    definition_id = deploy(client, body)

    response = start(client, {"x": {"value": "a"}})

    prefix = f"Cannot instantiate process definition {definition_id}: "
    assert_error(response, 500, "RestException", prefix + message, 0)
    assert get(client, "/history/process-instance/count") == {"count": 0}


@pytest.mark.parametrize(
    "extension",
    [
        listener("executionListener", "end", FAILING),
        listener("taskListener", "complete", FAILING),
    ],
    ids=["end listener", "complete listener"],
)
def test_a_failing_listener_of_the_completion_fails_it(client: FlaskClient, extension: str) -> None:
    deploy(client, user_task(extension))
    instance_id = start(client).get_json()["id"]
    (task,) = get(client, "/task", processInstanceId=instance_id)

    response = client.post(f"{BASE}/task/{task['id']}/complete", json={})

    message = (
        UNKNOWN_BEAN
        if "executionListener" in extension
        else (f"{TASK_LISTENER_FAILED}Message: '{UNKNOWN_BEAN}'")
    )
    prefix = f"Cannot complete task {task['id']}: "
    assert_error(response, 500, "RestException", prefix + message, 0)
    assert get(client, "/task", processInstanceId=instance_id) == [task]


def test_a_take_listener_after_async_after_fails_the_job_not_the_start(client: FlaskClient) -> None:
    deploy(
        client,
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
        '<bpmn:serviceTask id="w" camunda:asyncAfter="true" camunda:expression="${true}"/>'
        f'<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="ut">'
        f"{listener('executionListener', 'take', FAILING)}</bpmn:sequenceFlow>"
        '<bpmn:userTask id="ut"/>',
    )
    instance_id = start(client).get_json()["id"]
    job = only_job(client, instance_id)

    execute(client, job["id"])

    assert get(client, f"/job/{job['id']}")["retries"] == 2


def variable(client: FlaskClient, instance_id: str, name: str) -> Any:
    response = client.get(f"{BASE}/process-instance/{instance_id}/variables/{name}")
    assert response.status_code == 200, (name, response.get_json())
    return response.get_json()["value"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (user_task(ON_START), {"ev": "start", "act": "ut"}),
        (ON_START + user_task(), {"ev": "start", "act": "s"}),  # the process's: at its start event
        # taking a flow: at the flow's source
        (
            '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ut">'
            f'{listener("executionListener", "take", RECORD_EVENT)}</bpmn:sequenceFlow>'
            '<bpmn:userTask id="ut"/>',
            {"ev": "take", "act": "s"},
        ),
        (
            user_task(listener("taskListener", "create", expression(
                "${task.setVariable('n', task.name)}"
                "${execution.setVariable('k', task.taskDefinitionKey)}"
                "${task.setVariable('ev', task.eventName)}"
                "${task.setVariable('a', task.assignee)}"
            ))),
            {"n": "Check", "k": "ut", "ev": "create", "a": None},
        ),
    ],
    ids=["activity start", "process start", "take", "task create"],
)  # fmt: skip
def test_listeners_see_their_event_and_activity(
    client: FlaskClient, body: str, expected: dict[str, Any]
) -> None:
    deploy(client, body)
    instance_id = start(client).get_json()["id"]

    assert {name: variable(client, instance_id, name) for name in expected} == expected


def test_skip_custom_listeners_leaves_out_the_execution_listeners_of_a_restart(
    client: FlaskClient,
) -> None:
    """A restarted instance's execution listeners run, the process's start listener at the
    first activity it starts; with ``skipCustomListeners`` none of them."""
    record = expression("${execution.setVariable(execution.currentActivityId, true)}")
    definition_id = deploy(
        client,
        listener("executionListener", "start", record)
        + '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
        '<bpmn:userTask id="a"/><bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>'
        f'<bpmn:userTask id="b">{listener("executionListener", "start", RECORD_EVENT)}'
        "</bpmn:userTask>",
    )
    first = start(client).get_json()["id"]
    assert client.delete(f"{BASE}/process-instance/{first}").status_code == 204

    for skip, names in ((True, {"s"}), (False, {"s", "b", "ev", "act"})):
        response = client.post(
            f"{BASE}/process-definition/{definition_id}/restart-async",
            json={
                "processInstanceIds": [first],
                "instructions": [{"type": "startBeforeActivity", "activityId": "b"}],
                "skipCustomListeners": skip,
            },
        )
        assert response.status_code == 200, response.get_json()
        client.post("/mock-api/jobs/run-due")
        (restarted,) = get(client, "/process-instance", processDefinitionId=definition_id)
        # "s" comes from the first instance's variables, which the restart takes over.
        found = {n for n in ("s", "b", "ev", "act") if has_variable(client, restarted["id"], n)}
        assert found == names
        assert client.delete(f"{BASE}/process-instance/{restarted['id']}").status_code == 204


def has_variable(client: FlaskClient, instance_id: str, name: str) -> bool:
    response = client.get(f"{BASE}/process-instance/{instance_id}/variables/{name}")
    return response.status_code == 200


def test_a_modification_batch_that_reaches_a_failing_task_fails_its_job_and_changes_nothing(
    client: FlaskClient,
) -> None:
    definition_id = deploy(
        client, WAIT_THEN_FAIL.format(wait="ut", wait_element='<bpmn:userTask id="ut"/>')
    )
    instance_id = start(client).get_json()["id"]
    response = client.post(
        f"{BASE}/modification/executeAsync",
        json={
            "processDefinitionId": definition_id,
            "processInstanceIds": [instance_id],
            "instructions": [{"type": "startBeforeActivity", "activityId": "work"}],
        },
    )
    batch = response.get_json()
    client.post("/mock-api/jobs/step", json={"count": 1})  # the seed job makes the item's job
    (job,) = get(client, "/job", jobDefinitionId=batch["batchJobDefinitionId"])

    execute(client, job["id"])

    failed = get(client, f"/job/{job['id']}")
    assert (failed["exceptionMessage"], failed["retries"]) == (UNKNOWN_BEAN, 2)
    tree = get(client, f"/process-instance/{instance_id}/activity-instances")
    assert [child["activityId"] for child in tree["childActivityInstances"]] == ["ut"]


# -- which flows a token takes -------------------------------------------------------------------


def flows_from(source: str, *conditions: str | None, default: str | None = None) -> str:
    """``source`` with one flow per condition (None: no condition) to tasks u1, u2..."""
    attribute = f' default="{default}"' if default else ""
    element = (
        f'<bpmn:exclusiveGateway id="{source}"{attribute}/>'
        if source == "gw"
        else f'<bpmn:task id="{source}"{attribute}/>'
    )
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{source}" targetRef="u{n}">'
        + (f"<bpmn:conditionExpression>{c}</bpmn:conditionExpression>" if c else "")
        + f'</bpmn:sequenceFlow><bpmn:userTask id="u{n}"/>'
        for n, c in enumerate(conditions, start=1)
    )
    return (
        f'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="{source}"/>'
        f"{element}{flows}"
    )


@pytest.mark.parametrize(
    ("body", "tasks"),
    [
        (flows_from("t", "${true}", "${true}"), ["u1", "u2"]),  # a task takes every flow that holds
        (flows_from("t", "${false}", None), ["u2"]),
        (flows_from("t", "${false}", "${false}", default="f2"), ["u2"]),
        (flows_from("gw", None, "${nope}"), ["u1"]),  # the first flow without condition wins
        (flows_from("gw", "${true}", "${true}"), ["u1"]),
        (
            '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="p"/>'
            '<bpmn:parallelGateway id="p"/><bpmn:sequenceFlow id="f1" sourceRef="p" targetRef="u1">'
            "<bpmn:conditionExpression>${false}</bpmn:conditionExpression></bpmn:sequenceFlow>"
            '<bpmn:userTask id="u1"/><bpmn:sequenceFlow id="f2" sourceRef="p" targetRef="u2"/>'
            '<bpmn:userTask id="u2"/>',
            ["u1", "u2"],  # a parallel gateway has no conditions to hold
        ),
    ],
)
def test_the_flows_taken(client: FlaskClient, body: str, tasks: list[str]) -> None:
    deploy(client, body)
    instance_id = start(client).get_json()["id"]

    waiting = get(client, "/task", processInstanceId=instance_id)
    assert sorted(t["taskDefinitionKey"] for t in waiting) == tasks


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            flows_from("gw", "${false}", "${false}"),
            "ENGINE-02004 No outgoing sequence flow for the element with id 'gw' could be "
            "selected for continuing the process.",
        ),
        (
            flows_from("t", "${false}", "${false}"),
            "ENGINE-02006 No conditional sequence flow leaving the Flow Node 't' could be "
            "selected for continuing the process.",
        ),
    ],
)
def test_no_flow_to_take_fails_the_start(client: FlaskClient, body: str, message: str) -> None:
    definition_id = deploy(client, body)

    response = start(client)

    prefix = f"Cannot instantiate process definition {definition_id}: "
    assert_error(response, 500, "RestException", prefix + message, 0)


# -- what the engine refuses at deployment --------------------------------------------------------


def problems(client: FlaskClient, body: str) -> list[tuple[str, int, int, str | None, list]]:
    """The problems of a refused deployment; the message must list them in the same order."""
    response = upload(client, {"p.bpmn": process(body)})
    assert response.status_code == 400, response.get_json()
    listed = [
        (p["message"], p["line"], p["column"], p["mainElementId"], p["\u0435lementIds"])
        for p in response.get_json()["details"]["p.bpmn"]["errors"]
    ]
    places = "".join(
        f"\n* {text} | resource p.bpmn" + (f" | line {line} | column {column}" if line else "")
        for text, line, column, _, _ in listed
    )
    assert (
        response.get_json()["message"]
        == f"ENGINE-09005 Could not parse BPMN process. Errors: {places}"
    )
    return listed


def end_of(body: str, marker: str) -> int:
    """The column just after the start tag at ``marker`` (the process is on line 3)."""
    text = '<bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="1">' + body
    return text.index(">", text.index(marker)) + 2


MANDATORY = (
    "One of the attributes 'class', 'delegateExpression', 'type', or 'expression' is mandatory "
    "on {}."
)
CONNECTOR = (
    " If you are using a connector, make sure the connect process engine plugin is registered "
    "with the process engine."
)


@pytest.mark.parametrize(
    ("body", "marker", "texts"),
    [
        (service(""), "<bpmn:serviceTask", [MANDATORY.format("serviceTask") + CONNECTOR]),
        (
            service('camunda:expression=""'),
            "<bpmn:serviceTask",
            [MANDATORY.format("serviceTask") + CONNECTOR],
        ),
        (
            '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
            '<bpmn:sendTask id="w"/>',
            "<bpmn:sendTask",
            [MANDATORY.format("sendTask")],
        ),
        (
            service('camunda:type="foo"'),
            "<bpmn:serviceTask",
            [
                "Invalid usage of type attribute on serviceTask: 'foo'",
                MANDATORY.format("serviceTask") + CONNECTOR,
            ],
        ),
        (
            service('camunda:class="a.B" camunda:resultVariable="r"'),
            "<bpmn:serviceTask",
            ["'resultVariableName' not supported for serviceTask elements using 'class'"],
        ),
    ],
    ids=["no implementation", "empty expression", "send task", "other type", "class and result"],
)
def test_a_service_task_needs_an_implementation(
    client: FlaskClient, body: str, marker: str, texts: list[str]
) -> None:
    column = end_of(body, marker)

    assert problems(client, body) == [(text, 3, column, "w", ["w"]) for text in texts]


@pytest.mark.parametrize(
    ("extension", "marker", "text"),
    [
        (listener("executionListener", None, 'expression="${true}"'),
         "<camunda:executionListener", "Attribute 'event' is mandatory on listener"),
        (listener("executionListener", "bogus", 'expression="${true}"'),
         "<camunda:executionListener", "Attribute 'event' must be one of {start|end}"),
        (listener("executionListener", "start", ""), "<camunda:executionListener",
         "Element 'class', 'expression', 'delegateExpression' or 'script' is mandatory on "
         "executionListener"),
        # a task listener's event problem is placed at the task, not at the listener
        (listener("taskListener", None, 'expression="${true}"'),
         "<bpmn:userTask", "Attribute 'event' is mandatory on taskListener"),
        (listener("taskListener", "bogus", 'expression="${true}"'), "<bpmn:userTask",
         "Attribute 'event' must be one of {create|assignment|complete|update|delete|timeout}"),
        (listener("taskListener", "create", ""), "<camunda:taskListener",
         "Element 'class', 'expression', 'delegateExpression' or 'script' is mandatory on "
         "taskListener"),
    ],
)  # fmt: skip
def test_a_listener_needs_an_event_and_an_implementation(
    client: FlaskClient, extension: str, marker: str, text: str
) -> None:
    body = user_task(extension)

    assert problems(client, body) == [(text, 3, end_of(body, marker), "ut", ["ut"])]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (
            flows_from("gw", "${true}", "${true}", default="f2"),
            [("Exclusive Gateway 'gw' has outgoing sequence flow 'f2' which is the default flow "
              "but has a condition too.", ["gw", "f2"])],
        ),
        (
            flows_from("gw", None, None),
            [("Exclusive Gateway 'gw' has outgoing sequence flow 'f1' without condition which is "
              "not the default flow.", ["gw", "f1"]),
             ("Exclusive Gateway 'gw' has outgoing sequence flow 'f2' without condition which is "
              "not the default flow.", ["gw", "f2"])],
        ),
        (
            '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>'
            '<bpmn:exclusiveGateway id="gw"/>',
            [("Exclusive Gateway 'gw' has no outgoing sequence flows.", ["gw"])],
        ),
    ],
    ids=["default with condition", "two without condition", "no outgoing flow"],
)  # fmt: skip
def test_an_exclusive_gateways_flows_follow_the_engines_rules(
    client: FlaskClient, body: str, found: list[tuple[str, list[str]]]
) -> None:
    """Problems of the process as a whole: no line, no column."""
    assert problems(client, body) == [(text, 0, 0, "gw", ids) for text, ids in found]


@pytest.mark.parametrize(("version", "first"), [("7.23.0", 3), ("7.24.0", 5)])
def test_a_job_starts_with_its_cycles_retries_from_7_24_on(version: str, first: int) -> None:
    # Before 7.24.0 a new job has the default 3; the first failure reads the cycle on both.
    client = make_app(engine_version=version).test_client()
    deploy(client, failing_task(cycle="R5/PT1H"))
    instance_id = start(client).get_json()["id"]
    assert only_job(client, instance_id)["retries"] == first
    execute(client, only_job(client, instance_id)["id"])
    assert only_job(client, instance_id)["retries"] == 4
