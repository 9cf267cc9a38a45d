"""Run one contract case against a target: arrange its data, send its request, clean up.

Shared by the pytest cases (``test_cases.py``) and the drift report (``drift.py``): both send
exactly the same requests. A case that needs instances gets its own :class:`Scenario` (a process
under a run-unique key), so cases never see each other's data, under xdist or on a shared
engine. A query in a batch request is counted first (:func:`require_selection`) and must select
exactly the case's own data. A batch the request created is deleted again, with its history.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .arrange import Scenario, require_selection
from .casebook import Case, CaseFileError
from .checks import check_status
from .client import EngineClient, EngineResponse

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Placeholders that stand for a list of ids; inside a list they are spliced in.
LIST_PLACEHOLDERS = ("instanceIds", "externalTaskIds")
# A query in a batch request, the count call that counts what it selects, and whether that is
# the running instances (or their external tasks) or every instance started (history).
SELECTION_COUNTS = {
    "processInstanceQuery": ("/process-instance/count", "running"),
    "externalTaskQuery": ("/external-task/count", "running"),
    "historicProcessInstanceQuery": ("/history/process-instance/count", "all"),
}


@dataclass
class CaseOutcome:
    """What the target answered to a case, with the arranged values the request used."""

    case: Case
    response: EngineResponse
    values: dict[str, Any] = field(default_factory=dict)

    def body(self) -> Any:
        """The answer's JSON, or None when the body is not JSON."""
        try:
            return self.response.json()
        except ValueError:
            return None

    def generalize(self, text: str) -> str:
        """``text`` with the arranged ids put back as placeholders (they differ per target)."""
        for name, value in self.values.items():
            if isinstance(value, str) and value:
                text = text.replace(value, "{" + name + "}")
        return text


def run_case(client: EngineClient, case: Case) -> CaseOutcome:
    """Arrange, send and clean up one case; the answer is kept in the outcome."""
    scenario = Scenario(client) if case.arrange.instances else None
    response: EngineResponse | None = None
    try:
        values = arrange(client, case, scenario)
        request = case.request
        body = fill(request.json_body, values, case) if request.has_json else None
        if isinstance(body, dict):
            guard_selection(client, body, case)
        response = send(client, case, fill(request.path, values, case), body)
        return CaseOutcome(case, response, values)
    finally:
        if response is not None:
            delete_created_batch(client, response)
        if scenario is not None:
            scenario.cleanup()


def arrange(client: EngineClient, case: Case, scenario: Scenario | None) -> dict[str, Any]:
    """Make the case's data and return the values its placeholders stand for."""
    if scenario is None:
        return {}
    scenario.deploy()
    scenario.start(case.arrange.instances)
    values: dict[str, Any] = {
        "definitionId": scenario.definition_id,
        "key": scenario.key,
        "instanceIds": list(scenario.instance_ids),
        "instanceId": scenario.instance_ids[0],
    }
    if _mentions(case, "externalTaskIds"):
        answer = client.get(
            "/external-task", params={"processDefinitionId": scenario.definition_id}
        )
        check_status(answer, 200)
        values["externalTaskIds"] = [task["id"] for task in answer.json()]
    if case.arrange.terminated:
        scenario.terminate()
    return values


def fill(value: Any, values: dict[str, Any], case: Case) -> Any:
    """``value`` with every ``{placeholder}`` replaced by the arranged value it names."""
    if isinstance(value, list):
        filled: list[Any] = []
        for element in value:
            name = _whole_placeholder(element)
            if name in LIST_PLACEHOLDERS:
                filled.extend(_value(name, values, case))
            else:
                filled.append(fill(element, values, case))
        return filled
    if isinstance(value, dict):
        return {key: fill(element, values, case) for key, element in value.items()}
    if isinstance(value, str):
        name = _whole_placeholder(value)
        if name in LIST_PLACEHOLDERS:
            return _value(name, values, case)
        return PLACEHOLDER.sub(lambda match: str(_value(match.group(1), values, case)), value)
    return value


def guard_selection(client: EngineClient, body: dict[str, Any], case: Case) -> None:
    """Count every query of the request first: it must select the case's own data only."""
    started = case.arrange.instances
    running = 0 if case.arrange.terminated else started
    for key, (count_path, which) in SELECTION_COUNTS.items():
        query = body.get(key)
        if isinstance(query, dict):
            require_selection(client, count_path, query, running if which == "running" else started)


def send(client: EngineClient, case: Case, path: str, body: Any) -> EngineResponse:
    """Send the case's request: a JSON body, or raw characters (with no ``Content-Type`` at all
    when the case gives an empty one)."""
    request = case.request
    headers = {"Content-Type": request.content_type} if request.content_type else {}
    if request.raw is not None:
        if request.content_type is None:
            headers["Content-Type"] = "application/json"
        return client.request(request.method, path, data=request.raw.encode(), headers=headers)
    if request.content_type:
        return client.request(request.method, path, data=json.dumps(body), headers=headers)
    return client.request(request.method, path, json=body)


def delete_created_batch(client: EngineClient, response: EngineResponse) -> None:
    """Delete the batch a request created (and its history), so it runs nothing afterwards."""
    if response.status != 200:
        return
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("id"), str) and "totalJobs" in body:
        client.delete(f"/batch/{body['id']}", params={"cascade": "true"})


def _mentions(case: Case, name: str) -> bool:
    return "{" + name + "}" in json.dumps(case.request.json_body)


def _whole_placeholder(value: Any) -> str | None:
    if isinstance(value, str):
        match = PLACEHOLDER.fullmatch(value)
        if match:
            return match.group(1)
    return None


def _value(name: str, values: dict[str, Any], case: Case) -> Any:
    if name not in values:
        raise CaseFileError(
            f"{case.id}: placeholder {{{name}}} has no value "
            f"(arranged: {', '.join(values) or 'nothing'})"
        )
    return values[name]
