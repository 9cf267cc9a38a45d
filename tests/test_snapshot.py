"""Saved states: export, import, a scenario file at start; a bad document changes nothing."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.snapshot import SnapshotError, load_state
from mockserver.store import Deployment, EngineStore
from tests.conftest import BASE, make_app

SUSPEND = f"{BASE}/process-instance/suspended-async"


def _demo_client() -> FlaskClient:
    return make_app(demo=True).test_client()


def _instance_ids(client: FlaskClient, count: int, key: str = "order") -> list[str]:
    query = f"{BASE}/process-instance?processDefinitionKey={key}&active=true&maxResults={count}"
    return [i["id"] for i in client.get(query).get_json()]


def _start_batch(client: FlaskClient, instance_ids: list[str]) -> dict[str, Any]:
    response = client.post(SUSPEND, json={"processInstanceIds": instance_ids, "suspended": True})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _state(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/mock-api/state")
    assert response.status_code == 200
    return response.get_json()


def _reads(client: FlaskClient) -> list[Any]:
    """What a client sees of the state through the engine API."""
    paths = (
        "/batch/statistics",
        "/history/batch",
        "/incident",
        "/job?sortBy=jobId&sortOrder=asc",
        "/process-instance/count?suspended=true",
        "/history/process-instance/count?finished=true",
        "/external-task/count",
        "/task/count",
        "/deployment",
    )
    return [client.get(BASE + path).get_json() for path in paths]


def test_export_mutate_import_gives_the_first_export_back() -> None:
    client = _demo_client()
    _start_batch(client, _instance_ids(client, 2))
    client.post("/mock-api/jobs/run-due")  # one ended batch in history
    _start_batch(client, _instance_ids(client, 3))
    client.post("/mock-api/jobs/step", json={"count": 2})  # and one in flight
    first, first_reads = _state(client), _reads(client)

    _start_batch(client, _instance_ids(client, 4, "invoice"))
    client.post("/mock-api/jobs/run-due")
    client.post("/mock-api/clock/advance", json={"seconds": 3600})
    (task,) = client.get(f"{BASE}/task?active=true&maxResults=1").get_json()
    client.post(f"{BASE}/task/{task['id']}/complete", json={})
    assert _state(client) != first

    assert client.put("/mock-api/state", json=first).status_code == 204
    assert _state(client) == first
    assert _reads(client) == first_reads


def test_ids_continue_as_they_would_have_after_an_import() -> None:
    client = _demo_client()
    saved = _state(client)
    instance_ids = _instance_ids(client, 2)
    batch_id = _start_batch(client, instance_ids)["id"]
    client.put("/mock-api/state", json=saved)
    assert _start_batch(client, instance_ids)["id"] == batch_id


def test_a_batch_in_flight_runs_to_its_end_in_another_mock() -> None:
    source = _demo_client()
    instance_ids = _instance_ids(source, 3)
    batch = _start_batch(source, instance_ids)
    source.post("/mock-api/jobs/step", json={"count": 2})  # seed, then one of three executions
    saved = _state(source)

    target = make_app(seed=7).test_client()  # empty, other seed
    assert target.put("/mock-api/state", json=saved).status_code == 204
    (statistics,) = target.get(f"{BASE}/batch/statistics").get_json()
    assert (statistics["id"], statistics["completedJobs"], statistics["remainingJobs"]) == (
        batch["id"],
        1,
        2,
    )
    target.post("/mock-api/jobs/run-due")
    (historic,) = target.get(f"{BASE}/history/batch?batchId={batch['id']}").get_json()
    assert historic["endTime"] is not None
    assert target.get(f"{BASE}/batch/count").get_json() == {"count": 0}
    for instance_id in instance_ids:
        assert target.get(f"{BASE}/process-instance/{instance_id}").get_json()["suspended"]


def test_instances_of_an_imported_state_move_on() -> None:
    source = _demo_client()
    saved = _state(source)
    target = make_app().test_client()
    target.put("/mock-api/state", json=saved)
    (task,) = target.get(f"{BASE}/task?active=true&maxResults=1").get_json()
    instance_id = task["processInstanceId"]
    before = target.get(f"{BASE}/process-instance/{instance_id}/activity-instances").get_json()

    assert target.post(f"{BASE}/task/{task['id']}/complete", json={}).status_code == 204

    after = target.get(f"{BASE}/process-instance/{instance_id}/activity-instances").get_json()
    assert after != before
    assert target.get(f"{BASE}/task/{task['id']}").status_code == 404


@pytest.fixture(scope="module")
def demo_state() -> dict[str, Any]:
    """The demo data's state, made once for the tests that only read or spoil copies of it."""
    return _state(_demo_client())


def _broken(demo_state: dict[str, Any], change: Any) -> dict[str, Any]:
    document = copy.deepcopy(demo_state)
    change(document)
    return document


def _set(path: list[Any], value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["format"], "something-else"), "state.format: must be 'camunda-batch-mock-state'"),
        (_set(["version"], 99), "state.version: this mock reads version 1, not 99"),
        (
            _set(["instances", 0, "definitionId"], "nope"),
            "state.instances[0].definitionId: no definition with id 'nope'",
        ),
        (
            _set(["instances", 0, "startTime"], "yesterday"),
            "state.instances[0].startTime: 'yesterday' is not an ISO 8601 date",
        ),
        (_set(["instances", 0, "state"], "RUNNING"), "state.instances[0].state: must be one of"),
        (
            _set(["jobs", 0, "retries"], "3"),
            "state.jobs[0].retries: must be a whole number, not '3'",
        ),
        (
            _set(["jobs", 0, "activityInstanceId"], "gone"),
            "state.jobs[0].activityInstanceId: instance",
        ),
        (_set(["random", "state"], [1, 2, 3]), "state.random: not a random generator state"),
        (_set(["userTasks"], None), "state.userTasks: must be a list"),
        (
            _set(["clock", "offsetSeconds"], float("nan")),
            "state.clock.offsetSeconds: must be a number",
        ),
        (_set(["clock", "offsetSeconds"], 1e300), "state.clock.offsetSeconds: too far from now"),
        (_set(["definitions", 0, "flows", 0, "target"], "nowhere"), "no activity 'nowhere'"),
    ],
)
def test_a_bad_document_is_a_400_naming_the_problem_and_changes_nothing(
    demo_state: dict[str, Any], change: Any, message: str
) -> None:
    document = _broken(demo_state, change)
    client = make_app().test_client()
    client.put("/mock-api/state", json=demo_state)
    _start_batch(client, _instance_ids(client, 2))
    before = _state(client)

    response = client.put("/mock-api/state", json=document)

    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "InvalidRequestException"
    assert message in body["message"]
    assert _state(client) == before


def test_a_body_that_is_not_json_is_a_400() -> None:
    client = make_app().test_client()
    response = client.put("/mock-api/state", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "state document in JSON" in response.get_json()["message"]


def test_a_repeated_id_is_refused(demo_state: dict[str, Any]) -> None:
    def repeat_first_job(document: dict[str, Any]) -> None:
        document["jobs"].append(copy.deepcopy(document["jobs"][0]))

    with pytest.raises(ValueError, match=r"state.jobs\[\d+\]: job id '.*' appears twice"):
        load_state(_broken(demo_state, repeat_first_job))


def test_binary_resources_and_date_variables_survive_a_round_trip() -> None:
    client = _demo_client()
    saved = _state(client)
    saved["deployments"][0]["resources"] = [
        {"name": "logo.png", "encoding": "base64", "content": "iVBORw0KGgo="}
    ]
    running = next(i for i in saved["instances"] if i["endTime"] is None)
    running["variables"]["due"] = {"type": "Date", "value": "2025-01-31T10:15:00.123000+01:00"}
    assert client.put("/mock-api/state", json=saved).status_code == 204
    assert _state(client) == saved
    instance_id = running["id"]
    variable = client.get(f"{BASE}/process-instance/{instance_id}/variables/due").get_json()
    assert variable["value"] == "2025-01-31T10:15:00.123+0100"


def test_adopt_keeps_the_stores_lock_and_clock() -> None:
    store = EngineStore(1)
    lock, clock = store.lock, store.clock
    other = EngineStore(2)
    other.deployments["d"] = Deployment("d", None, None, None, other.clock.now())
    store.adopt(other)
    assert (store.lock, store.clock, store.seed, list(store.deployments)) == (lock, clock, 2, ["d"])


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document))
    return path


def test_a_state_file_is_the_start_and_the_reset_state(tmp_path: Path) -> None:
    source = _demo_client()
    _start_batch(source, _instance_ids(source, 3))
    saved = _state(source)
    client = make_app(state=str(_write(tmp_path, saved))).test_client()
    assert _state(client) == saved

    client.post("/mock-api/jobs/run-due")
    client.post("/mock-api/reset", json={})
    assert _state(client) == saved

    client.post("/mock-api/reset", json={"seed": 5})  # an explicit seed: the usual start
    assert client.get(f"{BASE}/batch/count").get_json() == {"count": 0}


def test_state_and_bpmn_cannot_be_combined(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="state and bpmn cannot be combined"):
        make_app(state=str(tmp_path / "s.json"), bpmn=[str(tmp_path / "p.bpmn")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read: No such file or directory"),
        ("{not json", "is not a JSON file"),
        (json.dumps({"format": "camunda-batch-mock-state", "version": 1}), "'seed' is missing"),
    ],
)
def test_a_bad_state_file_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "scenario.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SnapshotError, match=re.escape(f"{path}")) as raised:
        make_app(state=str(path))
    assert message in str(raised.value)


def test_a_bad_state_file_stops_the_start_with_exit_code_2(tmp_path: Path) -> None:
    path = _write(tmp_path, {"format": "camunda-batch-mock-state", "version": 2})
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--port", "0", "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"camunda-batch-mock: --state {path}: state.version: this mock reads version 1, not 2"
    )


LISTENED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">'
    b'<bpmn:process id="listened" isExecutable="true" camunda:historyTimeToLive="1">'
    b'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
    b'<bpmn:serviceTask id="w" camunda:asyncBefore="true" camunda:expression="${x + 1}" '
    b'camunda:resultVariable="y"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>'
    b"R5/PT10M</camunda:failedJobRetryTimeCycle></bpmn:extensionElements></bpmn:serviceTask>"
    b'<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="ut">'
    b"<bpmn:conditionExpression>${y > 1}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    b'<bpmn:userTask id="ut" name="Pack"><bpmn:extensionElements>'
    b'<camunda:taskListener event="complete" '
    b"expression=\"${task.setVariable('done', task.name)}\"/>"
    b'<camunda:executionListener event="end" '
    b"expression=\"${execution.setVariable('left', execution.eventName)}\"/>"
    b"</bpmn:extensionElements></bpmn:userTask>"
    b'<bpmn:sequenceFlow id="f3" sourceRef="ut" targetRef="next"/><bpmn:userTask id="next"/>'
    b"</bpmn:process></bpmn:definitions>"
)


def _deploy_listened(client: FlaskClient) -> None:
    deployed = client.post(
        f"{BASE}/deployment/create",
        data={"listened.bpmn": (io.BytesIO(LISTENED), "listened.bpmn")},
        content_type="multipart/form-data",
    )
    assert deployed.status_code == 200, deployed.get_json()


def test_delegates_listeners_and_retry_cycles_survive_a_round_trip() -> None:
    """An imported definition runs its expression, condition, listeners and retry cycle."""
    client = make_app().test_client()
    _deploy_listened(client)
    state = _state(client)
    other = make_app().test_client()
    assert other.put("/mock-api/state", json=state).status_code == 204
    assert _state(other) == state

    start = f"{BASE}/process-definition/key/listened/start"
    instance = other.post(start, json={"variables": {"x": {"value": 1}}}).get_json()["id"]
    (job,) = other.get(f"{BASE}/job?processInstanceId={instance}").get_json()
    assert job["retries"] == 5  # the cycle's retries
    assert other.post("/mock-api/jobs/run-due").get_json() == {"executed": 1}
    (task,) = other.get(f"{BASE}/task?processInstanceId={instance}").get_json()
    assert task["taskDefinitionKey"] == "ut"  # the condition held
    assert other.post(f"{BASE}/task/{task['id']}/complete", json={}).status_code == 204

    def value(name: str) -> Any:
        url = f"{BASE}/process-instance/{instance}/variables/{name}"
        return other.get(url).get_json()["value"]

    assert (value("y"), value("done"), value("left")) == (2, "Pack", "end")


def test_an_expression_the_mock_cannot_parse_is_refused_at_import() -> None:
    client = make_app().test_client()
    _deploy_listened(client)
    state = _state(client)
    (definition,) = state["definitions"]
    (flow,) = [f for f in definition["flows"] if f["condition"]]
    flow["condition"] = "${y >}"

    with pytest.raises(SnapshotError, match="condition: Error parsing"):
        load_state(state)
