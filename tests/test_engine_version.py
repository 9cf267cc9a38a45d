"""``--engine-version``: the mock says which Camunda release it answers as, and checks it."""

from __future__ import annotations

import pytest

from contracts.arrange import USER_TASK_ACTIVITY, Scenario
from contracts.case_run import run_case
from contracts.casebook import load_cases
from contracts.checks import BatchSettings, ContractViolation, check_answer
from contracts.client import EngineClient
from mockserver import MockConfig
from mockserver.engine_versions import ENGINE_VERSIONS

from .conftest import BASE, make_app


def test_the_version_is_7_24_0_unless_told_otherwise() -> None:
    answer = make_app().test_client().get(f"{BASE}/version")
    assert answer.status_code == 200
    assert answer.get_json() == {"version": "7.24.0"}


def test_the_mock_answers_as_the_release_it_was_started_as() -> None:
    answer = make_app(engine_version="7.21.0").test_client().get(f"{BASE}/version")
    assert answer.get_json() == {"version": "7.21.0"}


def test_an_unknown_release_is_refused() -> None:
    with pytest.raises(ValueError, match=r"engine version must be one of 7\.20\.0, .*7\.24\.0"):
        MockConfig(engine_version="7.19.0")


def test_the_engine_names_answer_without_credentials_as_the_engines_filter_lets_them() -> None:
    client = make_app(auth_users={"demo": "demo"}).test_client()
    assert client.get(f"{BASE}/engine").get_json() == [{"name": "default"}]
    assert client.get(f"{BASE}/version").status_code == 401


@pytest.mark.parametrize(
    ("version", "status"), [("7.20.0", 400), ("7.21.0", 400), ("7.22.0", 200), ("7.24.0", 200)]
)
def test_a_modification_selects_by_historic_query_from_7_22_on(version: str, status: int) -> None:
    """Measured on the releases: before 7.22.0 the modification DTO has no such field."""
    client = EngineClient.for_mock(engine_version=version)
    with Scenario(client) as scenario:
        scenario.start(2)
        answer = client.post(
            "/modification/executeAsync",
            json={
                "processDefinitionId": scenario.definition_id,
                "historicProcessInstanceQuery": {"processDefinitionId": scenario.definition_id},
                "instructions": [{"type": "cancel", "activityId": USER_TASK_ACTIVITY}],
            },
        )
    assert answer.status == status
    if status == 400:
        assert answer.json() == {
            "type": "InvalidRequestException",
            "message": "Process instance ids cannot be empty: Process instance ids is empty",
            "code": None,
        }
    else:
        assert answer.json()["totalJobs"] == 2


@pytest.mark.parametrize("version", ["7.21.0", "7.24.0"])
def test_the_suite_expects_the_answer_of_the_targets_release(version: str) -> None:
    case = next(c for c in load_cases() if c.id == "modification-execute-async/by-historic-query")
    client = EngineClient.for_mock(engine_version=version)
    expected = case.expected("engine", client.get("/version").json()["version"])
    assert expected.status == (400 if version == "7.21.0" else 200)
    check_answer(run_case(client, case).response, expected, BatchSettings())


@pytest.mark.parametrize("version", ENGINE_VERSIONS)
def test_the_mock_started_as_a_release_answers_every_case_as_that_release(version: str) -> None:
    # The cases hold each release's answer where releases differ (``before:``), as measured
    # on the engines; the mock started as that release must give it.
    client = EngineClient.for_mock(engine_version=version)
    failures = []
    for case in load_cases():
        outcome = run_case(client, case)
        try:
            check_answer(outcome.response, case.expected("engine", version), BatchSettings())
        except ContractViolation as broken:
            failures.append(f"{case.id}: {broken}")
    assert failures == []
