"""Keep generated requests on the suite's own data: rewrite them, count them, refuse the rest.

schemathesis generates bodies, ids and queries at random. Sent as they are to a shared engine,
a match-all ``processInstanceQuery`` would suspend everybody's instances. So before a generated
request is sent, :class:`OwnData` rewrites it:

- every id in an explicit id list (``processInstances``, ``processInstanceIds``,
  ``externalTaskIds``) becomes an id of the suite's scenario;
- every query object gets ``processDefinitionId`` of the suite's own deployment, which narrows
  it (query filters only ever narrow a query) to the suite's data;
- the definition of a restart (``{id}``, ``{key}``) becomes the suite's; the batch a control
  call deletes or suspends becomes one the suite created (or an id that names no batch).

Then it counts each query of a batch call with the matching ``/count`` call: a selection
counting more than the suite's own data is refused, not sent (:meth:`OwnData.refusal`). Reads
are sent as generated: reading acts on nothing. A path the engine's servlet container (Tomcat)
answers itself (one with a backslash) is not sent either: it would test the container, not the
API.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from .arrange import Scenario, require_selection
from .client import EngineClient
from .engine_answers import container_refuses_path, operation_id
from .flows import discard_batch, read_json

# Explicit id lists in batch bodies, and where their ids come from.
INSTANCE_ID_LISTS = ("processInstances", "processInstanceIds")
EXTERNAL_TASK_ID_LISTS = ("externalTaskIds",)
# Query objects in batch bodies and the count call that counts each one's selection.
QUERY_COUNTS = {
    "processInstanceQuery": "/process-instance/count",
    "historicProcessInstanceQuery": "/history/process-instance/count",
    "externalTaskQuery": "/external-task/count",
}
# Batch controls that change a batch named in the path.
BATCH_CONTROLS = frozenset({"deleteBatch", "updateBatchSuspensionState", "deleteHistoricBatch"})
RESTARTS = frozenset({"restartProcessInstanceAsyncOperation", "restartProcessInstanceAsyncByKey"})
SCALARS = (str, int, float, bool)


@dataclass
class OwnData:
    """The suite's data on the target: one scenario, its external tasks, the batches made."""

    scenario: Scenario
    external_task_ids: list[str]
    batch_ids: list[str] = field(default_factory=list)

    @property
    def unknown_batch_id(self) -> str:
        """An id that names no batch, and never will: it carries the scenario's unique key."""
        return f"{self.scenario.key}-no-batch"

    # -- rewriting ---------------------------------------------------------------------

    def scope(self, case: schemathesis.Case) -> None:
        """Rewrite ``case`` in place so that it can only reach the suite's data."""
        op_id = operation_id(case)
        if isinstance(case.body, dict):
            case.body = self._scoped_body(case.body)
        path = dict(case.path_parameters or {})
        if op_id in RESTARTS and not self._negated(case, ParameterLocation.PATH):
            if "id" in path:
                path["id"] = self.scenario.definition_id
            if "key" in path:
                path["key"] = self.scenario.key
        if (
            op_id in BATCH_CONTROLS
            and "id" in path
            and not self._negated(case, ParameterLocation.PATH)
        ):
            path["id"] = self._own_batch(str(path["id"]))
        if path:
            case.path_parameters = path

    def _scoped_body(self, body: dict[str, Any]) -> dict[str, Any]:
        scoped = dict(body)
        for name in INSTANCE_ID_LISTS:
            if name in scoped:
                scoped[name] = _own_ids(scoped[name], self.scenario.instance_ids)
        for name in EXTERNAL_TASK_ID_LISTS:
            if name in scoped:
                scoped[name] = _own_ids(scoped[name], self.external_task_ids)
        for name in QUERY_COUNTS:
            if isinstance(scoped.get(name), dict):
                scoped[name] = {**scoped[name], **self.scope_query()}
        # The modification's definition: the activities of the instructions are looked up in it.
        if isinstance(scoped.get("processDefinitionId"), SCALARS):
            scoped["processDefinitionId"] = self.scenario.definition_id
        return scoped

    def scope_query(self) -> dict[str, Any]:
        """The filter every query gets: the suite's own deployment, unique to this run."""
        return {"processDefinitionId": self.scenario.definition_id}

    def _own_batch(self, generated: str) -> str:
        """One of the suite's batches (or an unknown id), picked by the generated id."""
        choices = [*self.batch_ids, self.unknown_batch_id]
        return choices[zlib.crc32(generated.encode("utf-8")) % len(choices)]

    @staticmethod
    def _negated(case: schemathesis.Case, location: ParameterLocation) -> bool:
        meta = case.meta
        return meta is not None and any(
            where == location and info.mode.is_negative for where, info in meta.components.items()
        )

    # -- counting ------------------------------------------------------------------------

    def refusal(self, case: schemathesis.Case) -> str | None:
        """Why ``case`` must not be sent, or ``None`` when it stays on the suite's data."""
        op_id = operation_id(case)
        if container_refuses_path(case.path_parameters):
            # Tomcat answers such a path itself (HTML 400): it tests the container, not the API.
            return f"{op_id}: the engine's servlet container refuses a path with a backslash"
        if op_id in BATCH_CONTROLS | RESTARTS and self._negated(case, ParameterLocation.PATH):
            return f"{op_id}: a generated (invalid) path id cannot be tied to the suite's data"
        if case.method != "POST" or not isinstance(case.body, dict):
            return None
        client = self.scenario.client
        for name, count_path in QUERY_COUNTS.items():
            query = case.body.get(name)
            if not isinstance(query, dict):
                continue  # absent or null selects nothing; another type cannot be mapped
            counted = client.post(count_path, json=query)
            if counted.status == 400:
                continue  # the engine cannot read this query, so the batch call selects nothing
            own = client.post(count_path, json=self.scope_query())
            if counted.status != 200 or own.status != 200:
                return f"{op_id}: {name} could not be counted: {counted.describe()}"
            if counted.json()["count"] > own.json()["count"]:
                return (
                    f"{op_id}: {name} counts {counted.json()['count']} at {count_path}, the "
                    f"suite's own data {own.json()['count']}"
                )
        return None


def _own_ids(value: Any, own: list[str]) -> Any:
    """Each scalar in a generated id list replaced by one of ``own`` (others left as sent)."""
    if not own:
        return value
    if isinstance(value, SCALARS):
        return own[0]
    if not isinstance(value, list):
        return value
    return [own[i % len(own)] if isinstance(v, SCALARS) else v for i, v in enumerate(value)]


@contextmanager
def arranged_own_data(client: EngineClient, instances: int) -> Iterator[OwnData]:
    """The data generated requests are scoped to: a scenario of ``instances``, its external
    tasks (in the order of their instances), and the batches made; removed afterwards.

    Each count call is checked to narrow to the scenario first: a target that ignored the
    ``processDefinitionId`` filter would make every scoped selection reach everybody's data.
    """
    with Scenario(client) as scenario:
        scenario.start(instances)
        own = OwnData(scenario, [])
        for count_path in QUERY_COUNTS.values():
            require_selection(client, count_path, own.scope_query(), instances)
        tasks = read_json(
            client, "/external-task", "arrange", processDefinitionId=scenario.definition_id
        )
        # In instance order, so that two targets pick the same task for the same index.
        tasks.sort(key=lambda task: scenario.instance_ids.index(task["processInstanceId"]))
        own.external_task_ids = [task["id"] for task in tasks]
        try:
            yield own
        finally:
            for batch_id in own.batch_ids:
                discard_batch(client, batch_id)


def prepared_request(case: schemathesis.Case, base_url: str) -> requests.PreparedRequest:
    """A generated case as the HTTP request it stands for, against ``base_url``."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    return requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
    ).prepare()
