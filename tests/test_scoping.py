"""Generated requests stay on the suite's own data: the property tests' scoping, shown on a mock
that also holds somebody else's instances."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from contracts.arrange import Scenario
from contracts.client import EngineClient
from contracts.scoping import OwnData
from contracts.test_properties import schema, send
from tests.conftest import BASE, make_app


@pytest.fixture
def client() -> EngineClient:
    return EngineClient.for_app(make_app(), BASE)


@pytest.fixture
def own(client: EngineClient) -> OwnData:
    scenario = Scenario(client).deploy()
    scenario.start(2)
    tasks = client.get("/external-task", params={"processDefinitionId": scenario.definition_id})
    return OwnData(scenario, [task["id"] for task in tasks.json()])


@pytest.fixture
def foreign(client: EngineClient) -> Scenario:
    """Somebody else's process and instances on the same engine."""
    scenario = Scenario(client).deploy()
    scenario.start(2)
    return scenario


def case_for(operation_id: str, body: Any = None, **path: str) -> schemathesis.Case:
    operation = schema.find_operation_by_id(operation_id)
    return operation.Case(body=body, path_parameters=path or None, media_type="application/json")


def run_all_jobs(client: EngineClient) -> None:
    client.mock_admin("POST", "/jobs/run-due")


def test_a_match_all_suspension_reaches_only_the_suites_instances(
    client: EngineClient, own: OwnData, foreign: Scenario
) -> None:
    case = case_for(
        "updateSuspensionStateAsyncOperation",
        {"suspended": True, "processInstanceQuery": {}, "processInstanceIds": foreign.instance_ids},
    )

    own.scope(case)
    assert own.refusal(case) is None
    answer = send(client, case)
    run_all_jobs(client)

    assert answer.status_code == 200
    assert answer.json()["totalJobs"] == 2
    suspended = client.get("/process-instance", params={"suspended": "true"}).json()
    assert sorted(i["id"] for i in suspended) == sorted(own.scenario.instance_ids)


def test_foreign_external_tasks_and_queries_are_rewritten_to_the_suites(
    own: OwnData, foreign: Scenario
) -> None:
    case = case_for(
        "setExternalTaskRetriesAsyncOperation",
        {
            "retries": 1,
            "externalTaskIds": ["someone-elses", 42],
            "externalTaskQuery": {"processDefinitionId": foreign.definition_id},
            "historicProcessInstanceQuery": None,
        },
    )

    own.scope(case)

    assert case.body["externalTaskIds"] == own.external_task_ids
    assert case.body["externalTaskQuery"] == {"processDefinitionId": own.scenario.definition_id}
    assert case.body["historicProcessInstanceQuery"] is None


def test_restarts_and_batch_controls_name_the_suites_definition_and_batches(
    own: OwnData, foreign: Scenario
) -> None:
    restart = case_for("restartProcessInstanceAsyncByKey", {"instructions": []}, key=foreign.key)
    delete = case_for("deleteBatch", id="1")

    own.scope(restart)
    own.scope(delete)

    assert restart.path_parameters == {"key": own.scenario.key}
    assert delete.path_parameters == {"id": own.unknown_batch_id}
    own.batch_ids.append("a-batch-of-the-suite")
    own.scope(delete)
    assert delete.path_parameters["id"] in {"a-batch-of-the-suite", own.unknown_batch_id}


def test_a_query_that_counts_more_than_the_suites_data_is_refused(
    client: EngineClient, own: OwnData, foreign: Scenario
) -> None:
    # Not scoped first: the guard must catch a selection whatever let it through.
    case = case_for(
        "updateSuspensionStateAsyncOperation", {"suspended": True, "processInstanceQuery": {}}
    )

    reason = own.refusal(case)

    assert reason is not None and "counts 4" in reason
    # Refused means not sent: nothing is suspended.
    assert client.get("/process-instance/count", params={"suspended": "true"}).json()["count"] == 0
