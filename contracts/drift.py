"""Drift report: the same contract cases and flows on two targets, and where they differ.

    python -m contracts.drift --left mock --right http://user:secret@localhost:8080/engine-rest

A target is ``mock`` (the embedded mock, engine profile), ``mock:docs`` (the mock answering as
the reference documents) or an engine URL, with optional ``user:password@`` for HTTP Basic.
For each case it compares the status, the media type, the error ``type``, ``message`` and
``code``, which fields each answer has, and the values of the fields that are not ids or times
(those differ between any two answers); a body that is no JSON object (a parse error's plain
text) is compared whole. Ids the case arranged itself are put back as placeholders before
messages and texts are compared. Each batch flow is run on both and compared call by call
(:mod:`contracts.flow_drift`). Exit status: 0 no drift, 1 drift, 2 a target could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from mockserver.profiles import PROFILES

from .arrange import SelectionTooWide
from .case_run import CaseOutcome, run_case
from .casebook import Case, load_cases
from .checks import media_type_of, other_unreadable_form
from .client import DEFAULT_TIMEOUT, EngineClient
from .flow_drift import compare_flows, flow_names, run_flow
from .flows import DEFAULT_BATCH_WAIT

FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class Difference:
    """One way two answers to the same case differ."""

    aspect: str
    left: Any
    right: Any


@dataclass(frozen=True)
class CaseDrift:
    """The differences of one case (none: no drift)."""

    case: str
    endpoint: str
    differences: list[Difference]


def open_target(target: str, timeout: float = DEFAULT_TIMEOUT) -> EngineClient:
    """A client for ``mock``, ``mock:<profile>`` or an engine URL (``user:password@`` allowed)."""
    if target == "mock" or target.startswith("mock:"):
        profile = target.partition(":")[2] or "engine"
        if profile not in PROFILES:
            raise ValueError(f"unknown mock profile '{profile}' (choose {', '.join(PROFILES)})")
        return EngineClient.for_mock(profile, f"mock ({profile})")
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'{target}' is neither mock, mock:<profile> nor an http(s) URL")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    client = EngineClient.for_url(
        url, user=parts.username, password=parts.password, timeout=timeout
    )
    client.name = url  # without the password
    return client


def compare(left: CaseOutcome, right: CaseOutcome) -> list[Difference]:
    """How the two answers to one case differ; empty when they agree."""
    if other_unreadable_form(left.response, right.response):
        return []  # the engine answers either form, depending on its start
    differences = []
    if left.response.status != right.response.status:
        differences.append(Difference("status", left.response.status, right.response.status))
    left_type, right_type = media_type_of(left.response), media_type_of(right.response)
    if left_type != right_type:
        differences.append(Difference("media type", left_type, right_type))
    left_body, right_body = left.body(), right.body()
    if not (isinstance(left_body, dict) and isinstance(right_body, dict)):
        left_text = left.generalize(left.response.text)
        right_text = right.generalize(right.response.text)
        if left_text != right_text:
            differences.append(Difference("body", left_text, right_text))
        return differences
    only_left = sorted(left_body.keys() - right_body.keys())
    only_right = sorted(right_body.keys() - left_body.keys())
    if only_left or only_right:
        differences.append(Difference("fields only on one side", only_left, only_right))
    for key in sorted(left_body.keys() & right_body.keys()):
        if _naturally_different(key):
            continue
        left_value = _generalized(left, left_body[key])
        right_value = _generalized(right, right_body[key])
        if left_value != right_value:
            differences.append(Difference(key, left_value, right_value))
    return differences


def drift(left: EngineClient, right: EngineClient, cases: Sequence[Case]) -> list[CaseDrift]:
    """Run every case on both targets and compare the answers."""
    return [
        CaseDrift(case.id, case.endpoint, compare(run_case(left, case), run_case(right, case)))
        for case in cases
    ]


def drift_flows(
    left: EngineClient, right: EngineClient, batch_wait: float = DEFAULT_BATCH_WAIT
) -> list[CaseDrift]:
    """Run every batch flow on both targets and compare them call by call."""
    report = []
    for name in flow_names():
        differences = compare_flows(
            run_flow(left, name, batch_wait), run_flow(right, name, batch_wait)
        )
        report.append(
            CaseDrift(f"flow/{name}", "flow", [Difference(*entry) for entry in differences])
        )
    return report


def render(report: list[CaseDrift], left: str, right: str, output_format: str) -> str:
    """The report as ``text``, ``markdown`` or ``json``."""
    drifting = [entry for entry in report if entry.differences]
    verdict = f"{len(drifting)} of {len(report)} cases and flows drift between {left} and {right}"
    if output_format == "json":
        document = {
            "left": left,
            "right": right,
            "cases": len(report),
            "drifting": [asdict(entry) for entry in drifting],
        }
        return json.dumps(document, indent=2)
    if output_format == "markdown":
        lines = [f"### Drift: {left} vs {right}", "", verdict + "."]
        if drifting:
            lines += [
                "",
                "| case | endpoint | aspect | left | right |",
                "| --- | --- | --- | --- | --- |",
            ]
            for entry in drifting:
                for difference in entry.differences:
                    cells = (
                        entry.case,
                        entry.endpoint,
                        difference.aspect,
                        _cell(difference.left),
                        _cell(difference.right),
                    )
                    lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
    lines = [f"left:  {left}", f"right: {right}"]
    for entry in drifting:
        lines.append(f"{entry.case} ({entry.endpoint})")
        for difference in entry.differences:
            lines.append(
                f"  {difference.aspect}: {json.dumps(difference.left)} | "
                f"{json.dumps(difference.right)}"
            )
    lines.append(verdict)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.drift",
        description="Run the contract cases against two targets and show where they differ.",
    )
    parser.add_argument("--left", required=True, help="mock, mock:docs or an engine URL")
    parser.add_argument("--right", required=True, help="mock, mock:docs or an engine URL")
    parser.add_argument("--format", choices=FORMATS, default="text", dest="output_format")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for one answer of an engine URL (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--no-flows", action="store_true", help="only the cases, not the batch flows"
    )
    options = parser.parse_args(argv)
    try:
        left = open_target(options.left, options.timeout)
        right = open_target(options.right, options.timeout)
        report = drift(left, right, load_cases())
        if not options.no_flows:
            report += drift_flows(left, right)
    except (ValueError, requests.RequestException, AssertionError, SelectionTooWide) as exc:
        # a target that is unreachable, refuses the set-up calls or holds foreign data
        print(f"drift: {exc}", file=sys.stderr)
        return 2
    print(render(report, left.name, right.name, options.output_format))
    return 1 if any(entry.differences for entry in report) else 0


def _naturally_different(key: str) -> bool:
    """Ids and times differ between any two answers (``id``, ``seedJobDefinitionId``,
    ``startTime``...); the user id too, as each target has its own login."""
    return key == "id" or key.endswith("Id") or key.endswith("Time")


def _generalized(outcome: CaseOutcome, value: Any) -> Any:
    return outcome.generalize(value) if isinstance(value, str) else value


def _cell(value: Any) -> str:
    return json.dumps(value).replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
