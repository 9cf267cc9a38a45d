"""Batch flows: each batch endpoint, from the suite's own data to the batch's end and its effect.

Every flow arranges its data through the engine's standard calls (a :class:`Scenario`), counts
its selection before it starts the batch (a selection reaching further is refused, nothing is
sent), follows the batch through its reads to its end (:class:`BatchFollower`), checks the
effect through the read endpoints, and removes its batch and deployment again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .arrange import (
    EXTERNAL_TASK_ACTIVITY,
    TIMER_ACTIVITY,
    USER_TASK_ACTIVITY,
    Scenario,
    require_selection,
)
from .checks import ContractViolation
from .client import EngineClient
from .flows import BatchFollower, BatchStarter, count_of, read_json

INSTANCES = 2
StartBatch = Callable[[str, dict[str, Any], str], dict[str, Any]]


@pytest.fixture
def scenario(engine_client: EngineClient) -> Iterator[Scenario]:
    """The suite's process deployed under a key of this test, with instances started."""
    with Scenario(engine_client) as arranged:
        arranged.start(INSTANCES)
        yield arranged


@pytest.fixture
def record_endpoint(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Name the batch endpoint a flow exercises (``"POST /batch-path"``) for the summary.

    Straight onto the test item: ``record_property`` warns under JUnit's default xunit2 format.
    """
    return lambda endpoint: request.node.user_properties.append(("endpoint", endpoint))


@pytest.fixture
def follower(engine_client: EngineClient, batch_wait: float) -> BatchFollower:
    return BatchFollower(engine_client, batch_wait)


@pytest.fixture
def batch_started(engine_client: EngineClient) -> Iterator[StartBatch]:
    """Start a batch (``"POST /path"``); it is removed, with its history, after the test."""
    starter = BatchStarter(engine_client)
    yield starter
    starter.discard_all()


def arranged(condition: bool, message: str) -> None:
    """``arrange``: the data the flow set up through the standard calls is as it should be."""
    if not condition:
        raise ContractViolation("arrange", message)


def effect(condition: bool, message: str) -> None:
    """``batch-effect``: what the batch should have done shows in the read endpoints."""
    if not condition:
        raise ContractViolation("batch-effect", message)


def test_job_retries_batch_sets_the_retries_of_every_job(
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    record_endpoint("POST /process-instance/job-retries")
    query = scenario.instance_query()
    require_selection(engine_client, "/process-instance/count", query, INSTANCES)
    jobs = read_json(engine_client, "/job", "arrange", processDefinitionId=scenario.definition_id)
    arranged(
        len(jobs) == INSTANCES,
        f"each instance should own one job (its timer at {TIMER_ACTIVITY!r}): {jobs}",
    )

    batch = batch_started(
        "POST /process-instance/job-retries",
        {"retries": 7, "processInstanceQuery": query},
        "set-job-retries",
    )
    follower.follow(batch)

    jobs = read_json(
        engine_client, "/job", "batch-effect", processDefinitionId=scenario.definition_id
    )
    effect(
        len(jobs) == INSTANCES and all(j["retries"] == 7 for j in jobs),
        f"every job of the selected instances should have 7 retries: {jobs}",
    )


def test_external_task_retries_batch_resolves_the_incidents(
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    record_endpoint("POST /external-task/retries-async")
    failed = scenario.fail_external_tasks(retries=0)
    incidents = {
        "processDefinitionId": scenario.definition_id,
        "incidentType": "failedExternalTask",
    }
    opened = read_json(engine_client, "/incident", "arrange", **incidents)
    arranged(
        len(failed) == INSTANCES and len(opened) == INSTANCES,
        f"failing {failed} with 0 retries should open one incident each: {opened}",
    )
    query = scenario.external_task_query()
    require_selection(engine_client, "/external-task/count", query, INSTANCES)

    batch = batch_started(
        "POST /external-task/retries-async",
        {"retries": 2, "externalTaskQuery": query},
        "set-external-task-retries",
    )
    follower.follow(batch)

    tasks = read_json(
        engine_client, "/external-task", "batch-effect", processDefinitionId=scenario.definition_id
    )
    effect(
        sorted(t["id"] for t in tasks) == sorted(failed) and all(t["retries"] == 2 for t in tasks),
        f"the external tasks {failed} should have 2 retries: {tasks}",
    )
    still_open = read_json(engine_client, "/incident", "batch-effect", **incidents)
    effect(not still_open, f"retries above 0 should resolve the incidents: {still_open}")


def test_suspension_batch_suspends_the_instances(
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    record_endpoint("POST /process-instance/suspended-async")
    query = scenario.instance_query()
    require_selection(engine_client, "/process-instance/count", query, INSTANCES)

    batch = batch_started(
        "POST /process-instance/suspended-async",
        {"suspended": True, "processInstanceQuery": query},
        "instance-update-suspension-state",
    )
    follower.follow(batch)

    suspended = read_json(
        engine_client,
        "/process-instance",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
        suspended="true",
    )
    effect(
        sorted(i["id"] for i in suspended) == sorted(scenario.instance_ids),
        f"GET /process-instance?suspended=true should list {scenario.instance_ids}: {suspended}",
    )
    active = count_of(
        engine_client,
        "/process-instance/count",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
        active="true",
    )
    effect(active == 0, f"{active} instances of the selection are still active")


def test_modification_batch_cancels_the_activity(
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    record_endpoint("POST /modification/executeAsync")
    query = scenario.instance_query()
    require_selection(engine_client, "/process-instance/count", query, INSTANCES)

    batch = batch_started(
        "POST /modification/executeAsync",
        {
            "processDefinitionId": scenario.definition_id,
            "processInstanceQuery": query,
            "instructions": [{"type": "cancel", "activityId": USER_TASK_ACTIVITY}],
        },
        "instance-modification",
    )
    follower.follow(batch)

    for instance_id in scenario.instance_ids:
        tree = read_json(
            engine_client, f"/process-instance/{instance_id}/activity-instances", "batch-effect"
        )
        activities = sorted(child["activityId"] for child in tree["childActivityInstances"])
        effect(
            activities == sorted([EXTERNAL_TASK_ACTIVITY, TIMER_ACTIVITY]),
            f"instance {instance_id} should wait at {EXTERNAL_TASK_ACTIVITY!r} and "
            f"{TIMER_ACTIVITY!r} only, not at {USER_TASK_ACTIVITY!r}: {activities}",
        )
    tasks = read_json(
        engine_client,
        "/task",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
        taskDefinitionKey=USER_TASK_ACTIVITY,
    )
    effect(not tasks, f"the cancelled user tasks are still listed: {tasks}")


def test_modification_batch_cancelling_every_activity_ends_the_instances(
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    record_endpoint("POST /modification/executeAsync")
    waiting = (USER_TASK_ACTIVITY, EXTERNAL_TASK_ACTIVITY, TIMER_ACTIVITY)
    batch = batch_started(
        "POST /modification/executeAsync",
        {
            "processDefinitionId": scenario.definition_id,
            "processInstanceIds": scenario.instance_ids,
            "instructions": [{"type": "cancel", "activityId": a} for a in waiting],
        },
        "instance-modification",
    )
    follower.follow(batch)

    running = count_of(
        engine_client,
        "/process-instance/count",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
    )
    effect(running == 0, f"{running} instances still run with nothing left to wait in")
    history = read_json(
        engine_client,
        "/history/process-instance",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
    )
    # The engine ends an instance whose last activity a modification cancels as terminated
    # from inside, and history cleanup may remove it after the definition's time to live.
    effect(
        len(history) == INSTANCES
        and all(h["state"] == "INTERNALLY_TERMINATED" for h in history)
        and all(h["endTime"] and h["removalTime"] for h in history),
        f"each instance should be INTERNALLY_TERMINATED with an end and removal time: {history}",
    )


@pytest.mark.parametrize("by", ["id", "key"])
def test_restart_batch_restarts_the_ended_instances(
    by: str,
    engine_client: EngineClient,
    scenario: Scenario,
    follower: BatchFollower,
    batch_started: StartBatch,
    record_endpoint: Callable[[str], None],
) -> None:
    endpoint = "/process-definition/{id}" if by == "id" else "/process-definition/key/{key}"
    record_endpoint(f"POST {endpoint}/restart-async")
    ended = scenario.terminate()
    running = count_of(
        engine_client,
        "/process-instance/count",
        "arrange",
        processDefinitionId=scenario.definition_id,
    )
    arranged(running == 0, f"{running} instances still run after deleting {ended}")
    query = {"processDefinitionId": scenario.definition_id, "finished": True}
    require_selection(engine_client, "/history/process-instance/count", query, INSTANCES)

    target = scenario.definition_id if by == "id" else f"key/{scenario.key}"
    batch = batch_started(
        f"POST /process-definition/{target}/restart-async",
        {
            "historicProcessInstanceQuery": query,
            "instructions": [{"type": "startBeforeActivity", "activityId": USER_TASK_ACTIVITY}],
        },
        "instance-restart",
    )
    follower.follow(batch)

    restarted = read_json(
        engine_client,
        "/process-instance",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
    )
    effect(
        len(restarted) == INSTANCES
        and not {i["id"] for i in restarted} & set(ended)
        and all(i["businessKey"] == scenario.key for i in restarted),
        f"{INSTANCES} new instances with business key {scenario.key!r} should run: {restarted}",
    )
    history = read_json(
        engine_client,
        "/history/process-instance",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
        unfinished="true",
    )
    # restartedProcessInstanceId is in the REST answer from 7.22 on; older engines omit it.
    told = [h for h in history if "restartedProcessInstanceId" in h]
    effect(
        not told or sorted(str(h["restartedProcessInstanceId"]) for h in told) == sorted(ended),
        f"the restarted instances should name {sorted(ended)} as their origin: {history}",
    )
    tasks = count_of(
        engine_client,
        "/task/count",
        "batch-effect",
        processDefinitionId=scenario.definition_id,
        taskDefinitionKey=USER_TASK_ACTIVITY,
    )
    effect(tasks == INSTANCES, f"each restarted instance should wait at {USER_TASK_ACTIVITY!r}")
