"""Drift over the batch flows: each flow run on two targets, call against call.

A flow (``contracts/test_flows.py``) arranges data, starts a batch, follows it to its end and
reads what it did. Run here with a recording client, every call it makes is kept except the
follower's polls (their number depends on how fast a target runs its jobs); the historic batch
the follower ends with is kept instead. Two runs are compared call by call: the same call (ids
masked), the same status, and the same answer with ids, times and dates left out and each
side's own ids masked (list items are compared in a canonical order, as the engine and the
mock sort unsorted lists differently). A flow that fails must fail the same way on both.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from . import test_flows
from .arrange import Scenario
from .client import EngineClient, EngineResponse
from .flows import BatchFollower, BatchStarter

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
KEY = re.compile(r"contracts-[0-9a-f]{12}")
ENGINE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d{4}|Z)?")
# The flows, by name: each a test function of contracts/test_flows.py and its parameters.
FLOWS: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {
    "job-retries": (test_flows.test_job_retries_batch_sets_the_retries_of_every_job, {}),
    "external-task-retries": (
        test_flows.test_external_task_retries_batch_resolves_the_incidents,
        {},
    ),
    "suspension": (test_flows.test_suspension_batch_suspends_the_instances, {}),
    "modification": (test_flows.test_modification_batch_cancels_the_activity, {}),
    "modification-cancelling-everything": (
        test_flows.test_modification_batch_cancelling_every_activity_ends_the_instances,
        {},
    ),
    "restart-by-id": (test_flows.test_restart_batch_restarts_the_ended_instances, {"by": "id"}),
    "restart-by-key": (test_flows.test_restart_batch_restarts_the_ended_instances, {"by": "key"}),
}


@dataclass(frozen=True)
class Call:
    """One call a flow made, masked: what was asked and what came back."""

    request: str
    status: int
    body: Any


@dataclass
class FlowRecord:
    """The calls of one flow on one target, and how the flow ended."""

    calls: list[Call] = field(default_factory=list)
    failure: str | None = None


@dataclass
class _Recorder:
    record: FlowRecord
    base_url: str
    following: bool = False

    def recording(self, client: EngineClient) -> EngineClient:
        def send(method: str, url: str, **kwargs: Any) -> EngineResponse:
            response = client.send(method, url, **kwargs)
            if not self.following and "/mock-api/" not in url:
                self.record.calls.append(
                    Call(self._request(method, url, kwargs), response.status, _body(response))
                )
            return response

        return replace(client, send=send)

    def _request(self, method: str, url: str, kwargs: dict[str, Any]) -> str:
        path = urlsplit(url.removeprefix(self.base_url)).path
        params = kwargs.get("params") or {}
        query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return mask(f"{method} {path}" + (f"?{query}" if query else ""))


class _RecordingFollower(BatchFollower):
    """Follows as usual, unrecorded; keeps the historic batch it ends with."""

    recorder: _Recorder

    def follow(self, batch: dict[str, Any]) -> dict[str, Any]:
        self.recorder.following = True
        try:
            historic = super().follow(batch)
        finally:
            self.recorder.following = False
        self.recorder.record.calls.append(Call("historic batch at its end", 200, _mask(historic)))
        return historic


def mask(text: str) -> str:
    """``text`` with ids, scenario keys and times replaced by placeholders."""
    return ENGINE_TIME.sub("{time}", KEY.sub("{key}", UUID.sub("{id}", text)))


def _naturally_different(key: str) -> bool:
    # ids, times and durations differ between any two runs
    return key == "id" or key.endswith(("Id", "Time", "Date", "Ids", "InMillis")) or key == "href"


def _mask(value: Any) -> Any:
    if isinstance(value, dict):  # keys may be ids too (deployedProcessDefinitions)
        return {
            mask(k): "{ignored}" if _naturally_different(k) else _mask(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return sorted((_mask(item) for item in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        return mask(value)
    return value


def _body(response: EngineResponse) -> Any:
    try:
        return _mask(response.json())
    except ValueError:
        return mask(response.text) if response.content else None


def run_flow(client: EngineClient, name: str, batch_wait: float) -> FlowRecord:
    """Run the flow ``name`` on ``client``; its record."""
    function, parameters = FLOWS[name]
    record = FlowRecord()
    recorder = _Recorder(record, client.base_url)
    recording = recorder.recording(client)
    follower = _RecordingFollower(recording, batch_wait)
    follower.recorder = recorder
    starter = BatchStarter(recording)
    try:
        with Scenario(recording) as scenario:
            scenario.start(test_flows.INSTANCES)
            arguments = {
                "engine_client": recording,
                "scenario": scenario,
                "follower": follower,
                "batch_started": starter,
                "record_endpoint": lambda _endpoint: None,
                **parameters,
            }
            wanted = inspect.signature(function).parameters
            try:
                function(**{name: arguments[name] for name in wanted})
            except AssertionError as failure:
                record.failure = mask(str(failure))
            finally:
                starter.discard_all()
    except AssertionError as failure:  # the arrangement itself failed
        record.failure = record.failure or mask(str(failure))
    return record


def compare_flows(left: FlowRecord, right: FlowRecord) -> list[tuple[str, Any, Any]]:
    """How two records of one flow differ: (aspect, left, right) for each difference."""
    differences: list[tuple[str, Any, Any]] = []
    if left.failure != right.failure:
        differences.append(("flow outcome", left.failure or "passed", right.failure or "passed"))
    for index, (one, other) in enumerate(zip(left.calls, right.calls, strict=False)):
        if one.request != other.request:
            differences.append((f"call {index}", one.request, other.request))
            break  # the flows went different ways; later calls do not line up
        if one.status != other.status:
            differences.append((f"{one.request}: status", one.status, other.status))
        else:
            for where, mine, theirs in _differing(one.body, other.body, ""):
                differences.append((f"{one.request}: {where or 'body'}", mine, theirs))
    if len(left.calls) != len(right.calls) and not differences:
        differences.append(("number of calls", len(left.calls), len(right.calls)))
    return differences


def _differing(one: Any, other: Any, where: str) -> Iterator[tuple[str, Any, Any]]:
    """Where two masked answers differ: a field only one has, a length, or a value."""
    if isinstance(one, dict) and isinstance(other, dict):
        only_one, only_other = sorted(one.keys() - other.keys()), sorted(other.keys() - one.keys())
        if only_one or only_other:
            yield f"{where} fields only on one side", only_one, only_other
        for key in sorted(one.keys() & other.keys()):
            yield from _differing(one[key], other[key], f"{where}.{key}")
    elif isinstance(one, list) and isinstance(other, list):
        if len(one) != len(other):
            yield f"{where} length", len(one), len(other)
        else:
            for index, (mine, theirs) in enumerate(zip(one, other, strict=True)):
                yield from _differing(mine, theirs, f"{where}[{index}]")
    elif one != other:
        yield where, one, other


def flow_names() -> Iterator[str]:
    """The names of the flows, in order."""
    yield from FLOWS
