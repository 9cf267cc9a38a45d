"""A batch's life through the API: seeding, execution, monitoring, its end, and control."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from mockserver.engine import MockEngine
from mockserver.routes.common import EXTENSION_KEY
from tests.conftest import BASE, make_app

SUSPEND = f"{BASE}/process-instance/suspended-async"


def start_suspension(client: FlaskClient, count: int) -> dict:
    """A suspension batch over ``count`` (unknown, so harmless) instance ids."""
    response = client.post(SUSPEND, json={"processInstanceIds": [f"pi-{n}" for n in range(count)]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def step(client: FlaskClient, count: int = 1) -> int:
    return client.post("/mock-api/jobs/step", json={"count": count}).get_json()["executed"]


def run_due(client: FlaskClient) -> int:
    return client.post("/mock-api/jobs/run-due").get_json()["executed"]


def stats(client: FlaskClient, batch_id: str) -> dict:
    (entry,) = client.get(f"{BASE}/batch/statistics?batchId={batch_id}").get_json()
    return entry


def numbers(entry: dict) -> tuple[int, int, int, int]:
    return (
        entry["jobsCreated"],
        entry["remainingJobs"],
        entry["completedJobs"],
        entry["failedJobs"],
    )


def jobs_of(client: FlaskClient, job_definition_id: str) -> list[dict]:
    return client.get(f"{BASE}/job?jobDefinitionId={job_definition_id}").get_json()


@pytest.fixture
def small_seed_client() -> FlaskClient:
    """Seeds of 2 jobs, so one batch shows several seed runs."""
    return make_app(batch_jobs_per_seed=2).test_client()


def test_creation_makes_three_job_definitions_and_a_seed_job(client: FlaskClient) -> None:
    batch = start_suspension(client, 3)
    definitions = client.get(f"{BASE}/job-definition").get_json()
    by_id = {d["id"]: d for d in definitions}
    assert by_id[batch["seedJobDefinitionId"]]["jobType"] == "batch-seed-job"
    assert by_id[batch["monitorJobDefinitionId"]]["jobType"] == "batch-monitor-job"
    assert by_id[batch["batchJobDefinitionId"]]["jobType"] == "instance-update-suspension-state"
    (seed,) = jobs_of(client, batch["seedJobDefinitionId"])
    assert seed["retries"] == 3 and seed["processInstanceId"] is None
    assert jobs_of(client, batch["batchJobDefinitionId"]) == []


def test_seed_runs_hand_out_jobs_then_leave_a_monitor(small_seed_client: FlaskClient) -> None:
    client = small_seed_client
    batch = start_suspension(client, 5)
    assert numbers(stats(client, batch["id"])) == (0, 5, 0, 0)
    assert step(client) == 1  # first seed run: 2 execution jobs and the next seed job
    assert numbers(stats(client, batch["id"])) == (2, 5, 0, 0)
    assert len(jobs_of(client, batch["batchJobDefinitionId"])) == 2
    assert len(jobs_of(client, batch["seedJobDefinitionId"])) == 1
    assert step(client, 2) == 2  # the two execution jobs
    entry = stats(client, batch["id"])
    assert numbers(entry) == (2, 3, 2, 0)
    assert entry["executionStartTime"] is not None
    step(client, 1)  # second seed run
    step(client, 3)  # two execution jobs and the third seed run (1 job, then the monitor)
    assert numbers(stats(client, batch["id"])) == (5, 1, 4, 0)
    assert len(jobs_of(client, batch["monitorJobDefinitionId"])) == 1
    assert jobs_of(client, batch["seedJobDefinitionId"]) == []


def test_monitor_ends_the_batch_when_no_execution_job_is_left(client: FlaskClient) -> None:
    batch = start_suspension(client, 3)
    assert run_due(client) == 1 + 3 + 1  # seed, executions, monitor
    response = client.get(f"{BASE}/batch/{batch['id']}")
    assert response.status_code == 404
    assert response.get_json()["message"] == f"Batch with id '{batch['id']}' does not exist"
    historic = client.get(f"{BASE}/history/batch/{batch['id']}").get_json()
    assert historic["endTime"] is not None and historic["executionStartTime"] is not None
    definitions = {d["id"] for d in client.get(f"{BASE}/job-definition").get_json()}
    assert not definitions & {batch["seedJobDefinitionId"], batch["batchJobDefinitionId"]}
    assert client.get(f"{BASE}/job/count").get_json() == {"count": 0}
    completed = client.get(f"{BASE}/history/batch?completed=true").get_json()
    assert [b["id"] for b in completed] == [batch["id"]]


def test_monitor_polls_again_while_jobs_remain(client: FlaskClient, engine: MockEngine) -> None:
    batch = start_suspension(client, 2)
    step(client)  # seed: two execution jobs and a monitor job, due at once
    with engine.store.lock:  # run the monitor before the execution jobs
        (monitor,) = [
            j
            for j in engine.store.jobs.values()
            if j.job_definition.id == batch["monitorJobDefinitionId"]
        ]
        engine.executor.execute(monitor)
    (next_monitor,) = jobs_of(client, batch["monitorJobDefinitionId"])
    assert next_monitor["dueDate"] is not None
    assert run_due(client) == 2  # the executions; the monitor waits for its poll time
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 200
    client.post("/mock-api/clock/advance", json={"seconds": 30})
    assert run_due(client) == 1
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404


def test_suspended_batch_does_not_move_until_activated(small_seed_client: FlaskClient) -> None:
    client = small_seed_client
    batch = start_suspension(client, 4)
    step(client)
    put = client.put(f"{BASE}/batch/{batch['id']}/suspended", json={"suspended": True})
    assert put.status_code == 204
    assert client.get(f"{BASE}/batch/{batch['id']}").get_json()["suspended"] is True
    assert all(j["suspended"] for j in jobs_of(client, batch["batchJobDefinitionId"]))
    suspended_definitions = client.get(f"{BASE}/job-definition?suspended=true").get_json()
    assert len(suspended_definitions) == 3
    assert run_due(client) == 0
    assert numbers(stats(client, batch["id"])) == (2, 4, 0, 0)
    client.put(f"{BASE}/batch/{batch['id']}/suspended", json={"suspended": False})
    assert run_due(client) > 0
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404


def test_delete_mid_way_keeps_history_unless_cascade(small_seed_client: FlaskClient) -> None:
    client = small_seed_client
    kept, dropped = start_suspension(client, 4), start_suspension(client, 4)
    step(client, 2)
    assert client.delete(f"{BASE}/batch/{kept['id']}").status_code == 204
    assert client.delete(f"{BASE}/batch/{dropped['id']}?cascade=true").status_code == 204
    for batch in (kept, dropped):
        assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404
        assert jobs_of(client, batch["batchJobDefinitionId"]) == []
    assert client.get(f"{BASE}/history/batch/{kept['id']}").get_json()["endTime"] is not None
    assert client.get(f"{BASE}/history/batch/{dropped['id']}").status_code == 404
    assert client.delete(f"{BASE}/history/batch/{kept['id']}").status_code == 204
    assert client.get(f"{BASE}/history/batch/count").get_json() == {"count": 0}


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        (
            "put",
            "/batch/nope/suspended",
            {"suspended": True},
            "Unable to suspend batch with id 'nope'",
        ),
        (
            "put",
            "/batch/nope/suspended",
            {"suspended": False},
            "Unable to activate batch with id 'nope'",
        ),
        ("delete", "/batch/nope", None, "Unable to delete batch with id 'nope'"),
        ("delete", "/history/batch/nope", None, "Unable to delete historic batch with id 'nope'"),
    ],
)
def test_control_calls_on_unknown_batches(
    client: FlaskClient, method: str, path: str, body: dict | None, message: str
) -> None:
    response = getattr(client, method)(f"{BASE}{path}", json=body)
    assert response.status_code == 400
    assert response.get_json() == {"type": "InvalidRequestException", "message": message, "code": 0}


def test_statistics_filters(client: FlaskClient) -> None:
    plain = start_suspension(client, 1)
    authored = client.post(
        SUSPEND, json={"processInstanceIds": ["x"]}, headers={"Authorization": "Basic ZGVtbzpkZW1v"}
    ).get_json()
    assert authored["createUserId"] == "demo"
    by_user = client.get(f"{BASE}/batch/statistics?createdBy=demo").get_json()
    assert [s["id"] for s in by_user] == [authored["id"]]
    assert client.get(f"{BASE}/batch/statistics/count?withFailures=true").get_json() == {"count": 0}
    without = client.get(
        f"{BASE}/batch/statistics?withoutFailures=true&sortBy=startTime&sortOrder=asc"
    )
    assert [s["id"] for s in without.get_json()] == [plain["id"], authored["id"]]


def test_instant_mode_finishes_before_the_next_request() -> None:
    client = make_app(progression="instant").test_client()
    batch = start_suspension(client, 250)
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404
    assert client.get(f"{BASE}/history/batch/{batch['id']}").get_json()["endTime"] is not None


def test_manual_mode_moves_nothing_by_itself() -> None:
    client = make_app(progression="manual").test_client()
    batch = start_suspension(client, 3)
    for _ in range(3):
        assert numbers(stats(client, batch["id"])) == (0, 3, 0, 0)


def test_timed_mode_runs_jobs_in_the_background() -> None:
    app = make_app(progression="timed", jobs_per_second=2000, batch_poll_time=0)
    engine: MockEngine = app.extensions[EXTENSION_KEY]
    client = app.test_client()
    try:
        batch = start_suspension(client, 50)
        deadline = time.monotonic() + 20  # a bound on the wait, not a speed requirement
        while client.get(f"{BASE}/batch/{batch['id']}").status_code == 200:
            assert time.monotonic() < deadline, "the timed executor made no progress"
            time.sleep(0.05)
        assert client.get(f"{BASE}/history/batch/{batch['id']}").get_json()["endTime"]
    finally:
        engine.progression.close()


def test_progression_can_change_at_run_time(client: FlaskClient) -> None:
    assert client.get("/mock-api/progression").get_json()["mode"] == "manual"
    batch = start_suspension(client, 2)
    response = client.put("/mock-api/progression", json={"mode": "instant"})
    assert response.get_json() == {"mode": "instant", "jobsPerSecond": 100.0}
    assert client.get(f"{BASE}/batch/{batch['id']}").status_code == 404
    bad = client.put("/mock-api/progression", json={"mode": "sometimes"})
    assert bad.status_code == 400
    assert "progression must be one of manual, timed, instant" in bad.get_json()["message"]


def test_clock_moves_forward_only(client: FlaskClient) -> None:
    before = client.get("/mock-api/clock").get_json()["now"]
    after = client.post("/mock-api/clock/advance", json={"seconds": 3600}).get_json()["now"]
    assert after > before
    assert client.post("/mock-api/clock/advance", json={"seconds": -1}).status_code == 400


def test_execute_job_runs_one_job_now(client: FlaskClient) -> None:
    batch = start_suspension(client, 2)
    (seed,) = jobs_of(client, batch["seedJobDefinitionId"])
    assert client.post(f"{BASE}/job/{seed['id']}/execute").status_code == 204
    assert numbers(stats(client, batch["id"]))[0] == 2  # the seed ran: two jobs created
    assert client.get(f"{BASE}/job/{seed['id']}").status_code == 404


def test_execute_job_on_an_unknown_id(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/job/nope/execute")
    assert response.status_code == 404
    assert response.get_json() == {
        "type": "InvalidRequestException",
        "message": "ENGINE-14026 No job found with id 'nope'",
        "code": None,
    }


def test_execute_job_that_fails_answers_404_and_costs_a_retry(client: FlaskClient) -> None:
    response = client.post(
        f"{BASE}/external-task/retries-async", json={"retries": 1, "externalTaskIds": ["gone"]}
    )
    batch = response.get_json()
    step(client)  # seed
    (job,) = jobs_of(client, batch["batchJobDefinitionId"])
    failed = client.post(f"{BASE}/job/{job['id']}/execute")
    message = "Cannot find external task with id gone: externalTask is null"
    assert failed.status_code == 404
    assert failed.get_json() == {
        "type": "InvalidRequestException",
        "message": message,
        "code": None,
    }
    after = client.get(f"{BASE}/job/{job['id']}").get_json()
    assert (after["retries"], after["exceptionMessage"]) == (2, message)
    for _ in range(2):
        client.post(f"{BASE}/job/{job['id']}/execute")
    (incident,) = client.get(f"{BASE}/incident?configuration={job['id']}").get_json()
    assert (incident["incidentType"], incident["incidentMessage"]) == ("failedJob", message)
    assert numbers(stats(client, batch["id"]))[3] == 1
