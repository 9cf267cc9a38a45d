"""Fault and latency injection: from the config and at run time through the admin API."""

from __future__ import annotations

import pytest

from mockserver import latency
from mockserver.cli import build_parser, overrides_from
from mockserver.config import load_config
from tests.assertions import assert_error
from tests.conftest import BASE, make_app

SUSPEND = f"{BASE}/process-instance/suspended-async"
BODY = {"processInstanceIds": ["a"]}


def batch_count(client) -> int:
    return client.get(f"{BASE}/batch/count").get_json()["count"]


# -- faults ------------------------------------------------------------------------------


def test_a_faulted_request_gets_the_engines_500_and_changes_nothing() -> None:
    client = make_app(faults=["POST /process-instance/suspended-async=500"]).test_client()
    response = client.post(SUSPEND, json=BODY)
    assert_error(
        response,
        500,
        "ProcessEngineException",
        "Fault injected by the mock for POST /process-instance/suspended-async",
        0,
    )
    assert response.headers["X-Mock-Fault"] == "POST /process-instance/suspended-async"
    assert batch_count(client) == 0


@pytest.mark.parametrize(
    ("status", "type_", "code"),
    [
        (400, "InvalidRequestException", None),
        (403, "AuthorizationException", 0),
        (404, "InvalidRequestException", None),
        (503, "WebApplicationException", None),
    ],
)
def test_each_status_gets_the_exception_the_engine_names(status, type_, code) -> None:
    client = make_app(faults=[f"GET /batch*={status}"]).test_client()
    body = client.get(f"{BASE}/batch").get_json()
    assert (body["type"], body["code"]) == (type_, code)
    assert client.get(f"{BASE}/batch").status_code == status


def test_type_message_and_code_can_be_given() -> None:
    rule = {
        "route": "POST *",
        "status": 500,
        "type": "OptimisticLockingException",
        "message": "ENGINE-03005 Execution of 'UPDATE JobEntity' failed",
        "code": 1,
    }
    client = make_app(faults=[rule]).test_client()
    assert_error(client.post(SUSPEND, json=BODY), 500, rule["type"], rule["message"], rule["code"])


def test_only_the_named_method_and_path_fail() -> None:
    client = make_app(faults=["POST /process-instance/*=500"]).test_client()
    assert client.post(SUSPEND, json=BODY).status_code == 500
    assert client.post(f"{BASE}/process-instance", json={}).status_code == 200  # not below it
    assert client.get(f"{BASE}/process-instance/count").status_code == 200
    assert client.post(f"{BASE}/external-task/retries-async", json={}).status_code == 400
    assert client.get("/mock-api/progression").status_code == 200  # the admin API never fails


def outcomes(rate: float, seed: int, requests: int = 200) -> list[int]:
    client = make_app(faults=[f"GET /batch/count=503@{rate}"], seed=seed).test_client()
    return [client.get(f"{BASE}/batch/count").status_code for _ in range(requests)]


def test_a_rate_fails_a_share_of_requests_the_same_way_every_run() -> None:
    first = outcomes(0.3, seed=7)
    assert first == outcomes(0.3, seed=7)
    assert first != outcomes(0.3, seed=8)
    assert 30 <= first.count(503) <= 90  # 200 draws at 0.3: far from 0 and from 200
    assert set(first) == {200, 503}
    assert set(outcomes(0.0, seed=7)) == {200}


def test_faults_are_set_read_and_cleared_at_run_time() -> None:
    client = make_app().test_client()
    put = client.put(
        "/mock-api/faults",
        json={
            "faults": [
                "POST /process-instance/suspended-async=503@1",
                {"route": "GET /job", "status": 500, "rate": 0.5},
            ],
            "seed": 3,
        },
    )
    assert put.status_code == 200
    assert put.get_json() == client.get("/mock-api/faults").get_json()
    shown = put.get_json()
    assert shown["seed"] == 3
    assert shown["faults"][0] == {
        "route": "POST /process-instance/suspended-async",
        "status": 503,
        "rate": 1.0,
        "type": "WebApplicationException",
        "message": "HTTP 503 Service Unavailable",
        "code": None,
    }
    assert client.post(SUSPEND, json=BODY).status_code == 503
    assert client.delete("/mock-api/faults").get_json()["faults"] == []
    assert client.post(SUSPEND, json=BODY).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"faults": ["POST /batch=200"]},
        {"faults": ["POST /batch=500@2"]},
        {"faults": [{"route": "/batch", "status": 500, "rate": True}]},
        {"faults": ["nonsense"]},
        {"faults": [{"route": "/batch"}]},
        {"faults": [{"route": "/batch", "status": 500, "colour": "red"}]},
        {"faults": "POST /batch=500"},
        {"faults": [], "seed": "x"},
    ],
)
def test_a_bad_fault_rule_is_refused_and_the_old_rules_stay(body) -> None:
    client = make_app(faults=["GET /batch=500"]).test_client()
    response = client.put("/mock-api/faults", json=body)
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException"
    assert [f["route"] for f in client.get("/mock-api/faults").get_json()["faults"]] == [
        "GET /batch"
    ]


def test_faults_come_from_the_file_and_the_environment(tmp_path, monkeypatch) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text(
        '[[faults]]\nroute = "POST /batch*"\nstatus = 500\nrate = 0.25\nmessage = "down"\n'
    )
    (rule,) = load_config(config_file).fault_rules()
    assert (str(rule.route), rule.status, rule.rate, rule.message) == (
        "POST /batch*",
        500,
        0.25,
        "down",
    )
    monkeypatch.setenv("CAMUNDA_MOCK_FAULTS", "GET /job=503@0.5; /task=404")
    rules = load_config(config_file).fault_rules()
    assert [(str(r.route), r.status, r.rate) for r in rules] == [
        ("GET /job", 503, 0.5),
        ("/task", 404, 1.0),
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('faults = ["POST /batch=700"]', "from 400 to 599"),
        ("faults = [500]", "a fault rule is"),
        ("latency = [5]", "a latency rule is a string"),
        ('latency = ["GET=5"]', "a route's path starts with"),
    ],
)
def test_a_bad_rule_in_the_config_stops_the_start(tmp_path, content: str, problem: str) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text(content + "\n")
    with pytest.raises(ValueError, match=problem):
        load_config(config_file)


# -- latency ---------------------------------------------------------------------------


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The waits latency injection asks for, in seconds (recorded instead of slept)."""
    recorded: list[float] = []
    monkeypatch.setattr(latency.time, "sleep", recorded.append)
    return recorded


def test_a_fixed_global_delay_applies_to_every_engine_request(sleeps) -> None:
    client = make_app(latency=["250"]).test_client()
    client.get(f"{BASE}/batch/count")
    client.post(SUSPEND, json=BODY)
    client.get("/mock-api/clock")  # the admin API never waits
    assert sleeps == [0.25, 0.25]


def test_a_route_rule_wins_over_the_global_one(sleeps) -> None:
    client = make_app(latency=["100", "POST /process-instance/suspended-async=2000"]).test_client()
    client.post(SUSPEND, json=BODY)
    client.get(f"{BASE}/batch")
    assert sleeps == [2.0, 0.1]


def test_a_random_delay_stays_in_its_range_and_repeats_with_the_seed(sleeps) -> None:
    for _ in range(2):
        client = make_app(latency=["GET *=100..300"], seed=5).test_client()
        for _ in range(50):
            client.get(f"{BASE}/batch/count")
        client.post(SUSPEND, json=BODY)  # not a GET: no delay
    first, second = sleeps[:50], sleeps[50:]
    assert first == second
    assert all(0.1 <= s <= 0.3 for s in first)
    assert len(set(first)) > 1


def test_latency_is_set_read_and_cleared_at_run_time(sleeps) -> None:
    client = make_app().test_client()
    client.get(f"{BASE}/batch/count")
    assert sleeps == []
    put = client.put("/mock-api/latency", json={"latency": ["GET /batch*=50..80", "10"]})
    assert put.get_json() == {"latency": ["GET /batch*=50..80", "10"], "seed": 42}
    assert client.get("/mock-api/latency").get_json() == put.get_json()
    client.post(SUSPEND, json=BODY)
    assert sleeps == [0.01]
    assert client.delete("/mock-api/latency").get_json()["latency"] == []
    client.post(SUSPEND, json=BODY)
    assert sleeps == [0.01]


@pytest.mark.parametrize(
    "body", [{"latency": ["300..100"]}, {"latency": ["fast"]}, {"latency": [5]}, {}]
)
def test_a_bad_latency_rule_is_refused(body) -> None:
    client = make_app(latency=["5"]).test_client()
    assert client.put("/mock-api/latency", json=body).status_code == 400
    assert client.get("/mock-api/latency").get_json()["latency"] == ["5"]


def test_latency_comes_from_the_file_and_the_environment(tmp_path, monkeypatch) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text('latency = ["20..40", "POST /batch*=100"]\n')
    assert [str(r) for r in load_config(config_file).latency_rules()] == [
        "20..40",
        "POST /batch*=100",
    ]
    monkeypatch.setenv("CAMUNDA_MOCK_LATENCY", "5;GET /job=7")
    assert load_config(config_file).latency == ["5", "GET /job=7"]


def test_the_serving_flags_reach_the_config() -> None:
    flags = [
        *("--latency", "5", "--latency", "GET /job=9", "--fault", "POST *=503@0.5"),
        *("--cors-origin", "*", "--auth", "demo:de:mo"),
        *("--max-body-bytes", "10", "--channel-timeout", "3"),
    ]
    args = build_parser().parse_args(flags)
    config = load_config(None, overrides_from(args))
    assert config.latency == ["5", "GET /job=9"]
    assert config.faults == ["POST *=503@0.5"]
    assert config.cors_origins == ["*"]
    assert config.auth_users == {"demo": "de:mo"}
    assert (config.max_body_bytes, config.channel_timeout) == (10, 3)
