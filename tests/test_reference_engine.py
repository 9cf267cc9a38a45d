"""Against the real engine: the conformance suite passes on it, and the mock answers as it does.

The run's Camunda engine comes from :mod:`tests.reference_engine` (built and started once per
run). These tests share one xdist worker (``xdist_group``), so they never load the engine
from two sides at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contracts.arrange import Scenario
from contracts.casebook import load_cases
from contracts.client import EngineClient, EngineResponse
from contracts.drift import drift, drift_flows, open_target, render
from contracts.flows import discard_batch

from .reference_engine import ReferenceEngine

pytestmark = pytest.mark.xdist_group("reference-engine")
REPORTS = Path(__file__).resolve().parent.parent / "reports"


def _child_environment() -> dict[str, str]:
    """This run's environment without what xdist and pytest set for their own workers."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "CAMUNDA_ENGINE_"))
    }


def test_the_conformance_suite_passes_on_the_engine(
    reference_engine: ReferenceEngine, tmp_path: Path
) -> None:
    REPORTS.mkdir(exist_ok=True)
    junit = REPORTS / f"conformance-camunda-{reference_engine.version}.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "contracts",
            "--engine-url",
            reference_engine.url,
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={junit}",
        ],
        cwd=tmp_path,  # outside the checkout: the suite as a user installs it
        env=_child_environment(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    (REPORTS / f"conformance-camunda-{reference_engine.version}.txt").write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_mock_answers_every_case_and_flow_as_the_engine(
    reference_engine: ReferenceEngine,
) -> None:
    engine = open_target(reference_engine.url)
    mock = EngineClient.for_mock("engine", "mock (engine)")
    report = drift(mock, engine, load_cases()) + drift_flows(mock, engine)
    assert report, "the casebook has cases"
    assert not [entry for entry in report if entry.differences], render(
        report, mock.name, engine.name, "text"
    )


def _with_credentials(client: EngineClient, user: str, password: str) -> EngineClient:
    """The same target, every request with these HTTP Basic credentials."""

    def send(method: str, url: str, **kwargs: Any) -> EngineResponse:
        return client.send(method, url, auth=(user, password), **kwargs)

    return replace(client, send=send)


def _auth_answers(anonymous: EngineClient) -> list[tuple[object, ...]]:
    """What a client sees of authentication: the recorded user, the open probe, challenges."""
    user = _with_credentials(anonymous, "demo", "demo")
    with Scenario(user) as scenario:
        scenario.start(1)
        batch = user.post(
            "/process-instance/suspended-async",
            json={"processInstanceIds": scenario.instance_ids, "suspended": True},
        ).json()
        discard_batch(user, batch["id"])
    probe = anonymous.get("/engine")
    # A wrong password last: the engine then delays the user's next logins (the mock does not).
    refused = [
        anonymous.post("/process-instance/suspended-async", json={}),
        _with_credentials(anonymous, "demo", "wrong").get("/batch"),
    ]
    challenges = [(r.status, r.headers.get("WWW-Authenticate"), r.content) for r in refused]
    return [("createUserId", batch["createUserId"]), (probe.status, probe.json()), *challenges]


def test_authentication_is_answered_as_the_engines_filter_answers(
    reference_engine_with_auth: ReferenceEngine,
) -> None:
    engine = EngineClient.for_url(reference_engine_with_auth.url, mock=False)
    mock = EngineClient.for_mock(auth_users={"demo": "demo"})
    expected = [
        ("createUserId", "demo"),
        (200, [{"name": "default"}]),
        (401, 'Basic realm="default"', b""),
        (401, 'Basic realm="default"', b""),
    ]
    assert _auth_answers(engine) == expected
    assert _auth_answers(mock) == expected
