"""Running a case: placeholders filled from the arranged data, foreign data never touched,
everything the case made removed again."""

from __future__ import annotations

import pytest
from flask import Flask

from contracts.arrange import SelectionTooWide
from contracts.case_run import fill, run_case
from contracts.casebook import Case, CaseFileError, parse_case_file
from contracts.client import EngineClient
from tests.conftest import make_app

ONE_CASE = """
endpoint: POST /process-instance/suspended-async
path: /process-instance/suspended-async
cases:
  - name: under-test
    arrange: {{instances: 2}}
    request:
      json: {body}
    expect: {{status: 200, batch: {{type: instance-update-suspension-state, items: 2}}}}
"""


def case_with(body: str) -> Case:
    (case,) = parse_case_file("suspended-async.yaml", ONE_CASE.format(body=body))
    return case


@pytest.fixture
def demo_app() -> Flask:
    """The mock with demo data: somebody else's instances on a shared engine."""
    return make_app(demo=True)


def count(client: EngineClient, path: str) -> int:
    return client.get(path).json()["count"]


def test_list_placeholders_are_spliced_and_others_filled_in_text() -> None:
    case = case_with("{}")
    values = {"instanceIds": ["a", "b"], "definitionId": "def:1"}

    filled = fill(
        {"ids": ["{instanceIds}", "c"], "all": "{instanceIds}", "p": "/x/{definitionId}"},
        values,
        case,
    )

    assert filled == {"ids": ["a", "b", "c"], "all": ["a", "b"], "p": "/x/def:1"}
    with pytest.raises(CaseFileError, match=r"\{externalTaskIds\} has no value"):
        fill(["{externalTaskIds}"], values, case)


def test_a_case_leaves_nothing_behind(demo_app: Flask) -> None:
    client = EngineClient.for_app(demo_app)
    before = {
        path: count(client, path)
        for path in (
            "/process-instance/count",
            "/batch/count",
            "/deployment/count",
            "/history/batch/count",
        )
    }
    case = case_with('{suspended: true, processInstanceIds: ["{instanceIds}"]}')

    outcome = run_case(client, case)

    assert outcome.response.status == 200
    assert outcome.response.json()["totalJobs"] == 2
    after = {path: count(client, path) for path in before}
    assert after == before


def test_a_query_that_reaches_foreign_instances_is_never_sent(demo_app: Flask) -> None:
    client = EngineClient.for_app(demo_app)
    batches = count(client, "/history/batch/count")
    case = case_with("{suspended: true, processInstanceQuery: {active: true}}")

    with pytest.raises(SelectionTooWide):
        run_case(client, case)

    assert count(client, "/history/batch/count") == batches
