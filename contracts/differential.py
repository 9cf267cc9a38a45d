"""Differential fuzzing: the same generated requests to two targets, answer against answer.

    python -m contracts.differential --left mock --right http://localhost:8080/engine-rest

schemathesis generates requests, valid and invalid, for the batch operations and the batch
reads and controls. Each target arranges the same data of its own (a :class:`Scenario` with
its instances and external tasks); each generated request is scoped to that data on each side
(:mod:`contracts.scoping`), sent to both, and the two answers are compared on status, media
type, error ``type`` and ``message`` (a text answer: its text), with the ids each side made
and the times masked. A request either side would refuse to send (its selection reaches
further than the suite's data) is sent to neither.

Compare an engine whose job executor is off (``python -m engines.camunda7 --no-job-executor``)
with the mock in manual progression: on both, state changes only by requests, so the two stay
in step request by request. Exit status: 0 no difference, 1 differences, 2 a target unusable.
"""

from __future__ import annotations

import argparse
import copy
import json
import shlex
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from .arrange import SelectionTooWide
from .checks import other_unreadable_form
from .client import DEFAULT_TIMEOUT, EngineClient, EngineResponse
from .drift import open_target
from .engine_answers import DOCUMENT, OPERATIONS
from .flow_drift import ENGINE_TIME, UUID
from .scoping import OwnData, arranged_own_data, prepared_request

DEFAULT_REQUESTS = 200
# The mock in process has no URL; its requests show as the served mock's default address, so
# their curl replays on `camunda-batch-mock --no-demo --progression manual`.
SERVED_MOCK = "http://localhost:8080"
DEFAULT_SEED = 20251202
INSTANCES = 3
# What is fuzzed: the batch operations, and the reads and controls of batches.
FUZZED_TAGS = frozenset({"Batch operations", "Batch", "Historic batch"})
FUZZED_OPERATIONS = tuple(
    sorted(op_id for op_id, op in OPERATIONS.items() if FUZZED_TAGS & set(op.get("tags", [])))
)


@dataclass(frozen=True)
class Answer:
    """What one side answered, masked: comparable with the other side's."""

    status: int
    media: str  # "json", "text" or "none"
    error_type: str | None = None
    message: str | None = None

    def describe(self) -> str:
        if self.media == "json" and self.error_type is not None:
            return f"{self.status} {self.error_type}: {self.message!r}"
        if self.media == "text":
            return f"{self.status} text: {self.message!r}"
        return f"{self.status} {self.media}"


@dataclass(frozen=True)
class Request:
    """A generated request as one side sent it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None

    def curl(self) -> str:
        """A ``curl`` command that sends the request again."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.headers.items():
            if name.lower() in ("content-type", "accept"):
                parts += ["-H", f"{name}: {value}"]
        if self.body:
            parts += ["--data-binary", self.body.decode("utf-8", "replace")]
        parts.append(self.url)
        return shlex.join(parts)


@dataclass(frozen=True)
class FuzzDifference:
    """One generated request the two sides answered differently."""

    operation: str
    left: Answer
    right: Answer
    left_request: Request
    right_request: Request


@dataclass
class FuzzReport:
    """Per operation: the requests sent to both sides, the ones refused, the differences."""

    sent: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    differences: list[FuzzDifference] = field(default_factory=list)

    def render(self, left: str, right: str) -> str:
        """The counts per operation, then each difference with a replay command per side."""
        lines = [f"left:  {left}", f"right: {right}", ""]
        width = max(len(op) for op in FUZZED_OPERATIONS)
        lines.append(f"{'operation':<{width}}  sent  refused  differences")
        for op_id in FUZZED_OPERATIONS:
            differing = sum(1 for d in self.differences if d.operation == op_id)
            lines.append(
                f"{op_id:<{width}}  {self.sent[op_id]:>4}  {self.refused[op_id]:>7}  "
                f"{differing:>11}"
            )
        for difference in self.differences:
            lines += [
                "",
                f"{difference.operation}:",
                f"  left  {difference.left.describe()}",
                f"        {difference.left_request.curl()}",
                f"  right {difference.right.describe()}",
                f"        {difference.right_request.curl()}",
            ]
        total = sum(self.sent.values())
        lines += ["", f"{len(self.differences)} differences in {total} requests sent to both"]
        return "\n".join(lines)


@dataclass
class Side:
    """One target with the data it arranged, and how its own ids are masked."""

    client: EngineClient
    own: OwnData

    def mask(self, text: str) -> str:
        """``text`` with this side's ids and the times replaced by placeholders."""
        scenario = self.own.scenario
        named = {
            "{key}": [scenario.key],
            "{definitionId}": [scenario.definition_id],
            "{deploymentId}": [scenario.deployment_id],
            "{instanceId}": scenario.instance_ids,
            "{externalTaskId}": self.own.external_task_ids,
            "{batchId}": self.own.batch_ids,
        }
        for placeholder, values in named.items():
            for value in values:
                if value:
                    text = text.replace(value, placeholder)
        return ENGINE_TIME.sub("{time}", UUID.sub("{uuid}", text))

    def answer(self, response: EngineResponse) -> Answer:
        if not response.content:
            return Answer(response.status, "none")
        try:
            body = json.loads(response.content)
        except ValueError:
            return Answer(response.status, "text", message=self.mask(response.text))
        if isinstance(body, dict) and "type" in body and "message" in body:
            message = body["message"]
            masked = self.mask(message) if isinstance(message, str) else message
            return Answer(response.status, "json", str(body["type"]), masked)
        return Answer(response.status, "json")


@contextmanager
def arranged_side(client: EngineClient) -> Iterator[Side]:
    """The fuzzed data on one target (see :func:`arranged_own_data`)."""
    with arranged_own_data(client, INSTANCES) as own:
        yield Side(client, own)


def _prepared(side: Side, case: schemathesis.Case) -> Request:
    base = side.client.base_url
    if not base.startswith(("http://", "https://")):
        base = SERVED_MOCK + base
    prepared = prepared_request(case, base)
    body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
    return Request(str(prepared.method), str(prepared.url), dict(prepared.headers), body)


def _send(side: Side, request: Request) -> EngineResponse:
    url = request.url
    if not side.client.base_url.startswith(("http://", "https://")):
        url = url.removeprefix(SERVED_MOCK)
    return side.client.send(request.method, url, headers=request.headers, data=request.body)


def _remember_batch(side: Side, op_id: str, response: EngineResponse) -> None:
    """A batch a generated request made is the side's own: later controls may act on it."""
    if response.status != 200 or "Batch operations" not in OPERATIONS[op_id].get("tags", []):
        return
    body = json.loads(response.content)
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        side.own.batch_ids.append(body["id"])


def compare_one(
    left: Side, right: Side, op_id: str, case: schemathesis.Case, report: FuzzReport
) -> None:
    """Scope ``case`` to each side's data, send it to both, and record how they answered."""
    body, path = case.body, case.path_parameters
    prepared: list[Request] = []
    for side in (left, right):
        case.body, case.path_parameters = copy.deepcopy(body), copy.deepcopy(path)
        side.own.scope(case)
        if side.own.refusal(case) is not None:
            report.refused[op_id] += 1
            case.body, case.path_parameters = body, path
            return
        prepared.append(_prepared(side, case))
    case.body, case.path_parameters = body, path
    sides = (left, right)
    responses = []
    for side, request in zip(sides, prepared, strict=True):
        response = _send(side, request)
        _remember_batch(side, op_id, response)
        responses.append(response)
    answers = [side.answer(response) for side, response in zip(sides, responses, strict=True)]
    report.sent[op_id] += 1
    if answers[0] != answers[1] and not other_unreadable_form(*responses):
        report.differences.append(FuzzDifference(op_id, answers[0], answers[1], *prepared))


def fuzz(
    left: EngineClient,
    right: EngineClient,
    requests_per_operation: int = DEFAULT_REQUESTS,
    seed: int = DEFAULT_SEED,
    operations: Sequence[str] = FUZZED_OPERATIONS,
) -> FuzzReport:
    """Generate requests for each operation and compare the two targets' answers."""
    schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
    report = FuzzReport()
    with ExitStack() as stack:
        left_side = stack.enter_context(arranged_side(left))
        right_side = stack.enter_context(arranged_side(right))
        for op_id in operations:
            _fuzz_operation(
                left_side, right_side, schema, op_id, requests_per_operation, seed, report
            )
    return report


def _fuzz_operation(
    left: Side,
    right: Side,
    schema: Any,
    op_id: str,
    examples: int,
    seed: int,
    report: FuzzReport,
) -> None:
    operation = schema.find_operation_by_id(op_id)
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=cases)
    def run(case: schemathesis.Case) -> None:
        compare_one(left, right, op_id, case, report)

    run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.differential",
        description="Send the same generated requests to two targets and show where they differ.",
    )
    parser.add_argument("--left", default="mock", help="mock, mock:docs or an engine URL")
    parser.add_argument("--right", required=True, help="mock, mock:docs or an engine URL")
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help=f"generated requests per operation (default {DEFAULT_REQUESTS})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--operation",
        action="append",
        choices=FUZZED_OPERATIONS,
        help="fuzz only this operation (repeatable)",
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    options = parser.parse_args(argv)
    try:
        left = open_target(options.left, options.timeout)
        right = open_target(options.right, options.timeout)
        report = fuzz(
            left,
            right,
            options.requests,
            options.seed,
            options.operation or FUZZED_OPERATIONS,
        )
    except (ValueError, requests.RequestException, AssertionError, SelectionTooWide) as exc:
        print(f"differential: {exc}", file=sys.stderr)
        return 2
    print(report.render(left.name, right.name))
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())
