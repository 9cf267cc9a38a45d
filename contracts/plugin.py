"""The pytest plugin: which engine the conformance suite checks, and how it reaches it.

Registered through the ``pytest11`` entry point, so ``pytest --pyargs contracts`` works from any
directory once the package is installed. Target, in order: ``--engine-url`` (or the
``CAMUNDA_ENGINE_URL`` environment variable), ``--engine-app`` (a WSGI app factory, e.g. a variant
of the mock), else this project's mock in process. At the end of the run the plugin prints the
per-endpoint conformance summary (and writes it as Markdown with ``--conformance-summary``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from mockserver import MockConfig, create_app
from mockserver.profiles import PROFILES

from .checks import BatchSettings, ContractViolation
from .client import DEFAULT_TIMEOUT, EngineClient
from .flows import DEFAULT_BATCH_WAIT
from .summary import ConformanceSummary

# The property tests' defaults: few examples, so the suite stays fast; a fixed seed.
DEFAULT_MAX_EXAMPLES = 10
DEFAULT_SEED = 20251123


@dataclass
class GenerationOptions:
    """The property tests' settings, from the command line.

    schemathesis builds its tests while pytest collects them, before any fixture exists, so the
    options are handed over here in ``pytest_sessionstart``.
    """

    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = DEFAULT_SEED
    profile: str = "engine"


GENERATION = GenerationOptions()

URL_ENV = "CAMUNDA_ENGINE_URL"
USER_ENV = "CAMUNDA_ENGINE_USER"
PASSWORD_ENV = "CAMUNDA_ENGINE_PASSWORD"
PROFILE_ENV = "CAMUNDA_ENGINE_PROFILE"
SUMMARY_KEY = pytest.StashKey[ConformanceSummary]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("camunda-contracts", "Camunda batch contract suite")
    group.addoption(
        "--engine-url",
        default=os.environ.get(URL_ENV),
        help=f"engine REST API to check, e.g. http://localhost:8080/engine-rest "
        f"(default: ${URL_ENV}; absent: the mock in process)",
    )
    group.addoption(
        "--engine-user",
        default=os.environ.get(USER_ENV),
        help=f"HTTP Basic user for the engine (default: ${USER_ENV})",
    )
    group.addoption(
        "--engine-password",
        default=os.environ.get(PASSWORD_ENV),
        help=f"HTTP Basic password for the engine (default: ${PASSWORD_ENV})",
    )
    group.addoption(
        "--engine-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for one answer of the engine (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--engine-profile",
        choices=PROFILES,
        default=os.environ.get(PROFILE_ENV, "engine"),
        help="which side of each documented divergence conforms: the engine's answer "
        "(default) or the documentation's",
    )
    group.addoption(
        "--engine-app",
        metavar="MODULE:FACTORY",
        help="check a WSGI app in process: FACTORY(config: MockConfig) returns a Flask app",
    )
    group.addoption(
        "--engine-batch-jobs-per-seed",
        type=int,
        default=BatchSettings.batch_jobs_per_seed,
        help="the engine's batchJobsPerSeed setting, expected in every new Batch "
        f"(default {BatchSettings.batch_jobs_per_seed}, the engine's default)",
    )
    group.addoption(
        "--engine-invocations-per-batch-job",
        type=int,
        default=BatchSettings.invocations_per_batch_job,
        help="the engine's invocationsPerBatchJob setting; totalJobs = ceil(items / it) "
        f"(default {BatchSettings.invocations_per_batch_job}, the engine's default)",
    )
    group.addoption(
        "--conformance-summary",
        metavar="FILE",
        help="also write the per-endpoint summary as Markdown to FILE "
        "(e.g. $GITHUB_STEP_SUMMARY); appended to when FILE exists",
    )
    group.addoption(
        "--conformance-json",
        metavar="FILE",
        help="also write the per-endpoint summary as JSON to FILE (for tools; overwritten)",
    )
    group.addoption(
        "--batch-wait",
        type=_not_negative,
        default=DEFAULT_BATCH_WAIT,
        metavar="SECONDS",
        help="how long a flow waits for a batch to end before it fails the 'batch-ends' check "
        f"(default {DEFAULT_BATCH_WAIT:g}; on the mock: seconds on the mock's clock)",
    )
    group.addoption(
        "--contract-max-examples",
        type=_at_least_one,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"generated requests per operation in the property tests "
        f"(default {DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption(
        "--contract-seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"seed of the property tests' generation, to replay a run (default {DEFAULT_SEED})",
    )


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _not_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value:g}")
    return value


def pytest_sessionstart(session: pytest.Session) -> None:
    """Hand the generation options to the property tests before they are collected."""
    config = session.config
    GENERATION.max_examples = config.getoption("contract_max_examples")
    GENERATION.seed = config.getoption("contract_seed")
    GENERATION.profile = config.getoption("engine_profile")


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"engine target: {describe_target(config)}"]


def describe_target(config: pytest.Config) -> str:
    """What the suite checks, as the report header and summary name it."""
    profile = config.getoption("engine_profile")
    url = config.getoption("engine_url")
    if url:
        return f"{url} (profile {profile})"
    factory = config.getoption("engine_app")
    if factory:
        return f"app {factory} in process (profile {profile})"
    return f"embedded mock in process (profile {profile})"


def load_factory(spec: str) -> Callable[[MockConfig], Flask]:
    """Import ``module:callable`` given to ``--engine-app``."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise pytest.UsageError(f"--engine-app needs MODULE:FACTORY, not '{spec}'")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise pytest.UsageError(f"--engine-app {spec}: {exc}") from None


@pytest.fixture(scope="session")
def engine_profile(request: pytest.FixtureRequest) -> str:
    """``engine`` or ``docs``: which side of a documented divergence counts as conforming."""
    return request.config.getoption("engine_profile")


@pytest.fixture(scope="session")
def batch_wait(request: pytest.FixtureRequest) -> float:
    """``--batch-wait``: the bound on following one batch to its end."""
    return request.config.getoption("batch_wait")


@pytest.fixture(scope="session")
def batch_settings(request: pytest.FixtureRequest) -> BatchSettings:
    """The engine settings every new Batch shows (``batchJobsPerSeed``...)."""
    return BatchSettings(
        request.config.getoption("engine_batch_jobs_per_seed"),
        request.config.getoption("engine_invocations_per_batch_job"),
    )


@pytest.fixture(scope="session")
def engine_version(engine_client: EngineClient) -> str | None:
    """The target's Camunda release (``GET /version``); cases expect that release's answer
    where releases differ. ``None`` when the target does not say: the newest is expected."""
    answer = engine_client.get("/version")
    if answer.status != 200:
        return None
    version = answer.json().get("version")
    return version if isinstance(version, str) else None


@pytest.fixture(scope="session")
def engine_client(
    request: pytest.FixtureRequest, engine_profile: str, batch_settings: BatchSettings
) -> EngineClient:
    """The client of the target under test, shared by the whole session (or xdist worker)."""
    config = request.config
    name = describe_target(config)
    url = config.getoption("engine_url")
    if url:
        client = EngineClient.for_url(
            url,
            user=config.getoption("engine_user"),
            password=config.getoption("engine_password"),
            timeout=config.getoption("engine_timeout"),
        )
        client.name = name
        return client
    factory: Callable[[MockConfig], Flask] = create_app
    if config.getoption("engine_app"):
        factory = load_factory(config.getoption("engine_app"))
    return EngineClient.for_mock(
        engine_profile,
        name,
        factory,
        batch_jobs_per_seed=batch_settings.batch_jobs_per_seed,
        invocations_per_batch_job=batch_settings.invocations_per_batch_job,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, None]:
    """Put the name of the failed check on the report (it travels to the xdist controller),
    and on the test item, so that the later reports and the JUnit report carry it too."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and isinstance(call.excinfo.value, ContractViolation):
        report.user_properties.append(("check", call.excinfo.value.check))
        item.user_properties.append(("check", call.excinfo.value.check))


def pytest_configure(config: pytest.Config) -> None:
    summary = ConformanceSummary()
    config.stash[SUMMARY_KEY] = summary
    config.pluginmanager.register(SummaryCollector(summary), "camunda-contracts-summary")


class SummaryCollector:
    """Feeds every test report into the summary; on the xdist controller these are the
    workers' reports, with their user properties."""

    def __init__(self, summary: ConformanceSummary) -> None:
        self.summary = summary

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.summary.add(report.nodeid, report.when, report.outcome, list(report.user_properties))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the per-endpoint table; write it as Markdown (``--conformance-summary``) and as
    JSON (``--conformance-json``) when asked."""
    summary = config.stash.get(SUMMARY_KEY, None)
    if summary is None or not summary.results or hasattr(config, "workerinput"):
        return  # nothing to tell, or an xdist worker: the controller tells it once
    target = describe_target(config)
    terminalreporter.write_sep("=", f"conformance summary: {target}")
    terminalreporter.write_line(summary.text())
    markdown_file = config.getoption("conformance_summary")
    if markdown_file:
        with open(markdown_file, "a", encoding="utf-8") as handle:
            handle.write(summary.markdown(target))
    json_file = config.getoption("conformance_json")
    if json_file:
        with open(json_file, "w", encoding="utf-8") as handle:
            json.dump(summary.as_json(target), handle, indent=2)
