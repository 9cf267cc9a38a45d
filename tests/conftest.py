"""Fixtures: an in-process mock app per test, empty or with demo data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver import MockConfig, create_app
from mockserver.bpmn import parse_bpmn
from mockserver.demo import shipped_process
from mockserver.engine import MockEngine
from mockserver.models import ProcessDefinition, ProcessInstance
from mockserver.routes.common import EXTENSION_KEY

from .reference_engine import (
    reference_engine,
    reference_engine_with_auth,
    reference_engine_without_job_executor,
    stop_reference_engines,
)

# the session fixtures of the tests against the real engine
__all__ = [
    "reference_engine",
    "reference_engine_with_auth",
    "reference_engine_without_job_executor",
]

BASE = "/engine-rest"


def make_app(**settings: object) -> Flask:
    """An app with its own state.

    Tests arrange their own data and move jobs themselves, so ``demo`` is off and
    progression is ``manual`` unless a test asks otherwise.
    """
    settings.setdefault("demo", False)
    settings.setdefault("progression", "manual")
    return create_app(MockConfig(**settings))  # type: ignore[arg-type]


@pytest.fixture
def app() -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def engine(app: Flask) -> MockEngine:
    return app.extensions[EXTENSION_KEY]


@pytest.fixture
def deploy(engine: MockEngine) -> Callable[..., ProcessDefinition]:
    """Deploy a shipped BPMN file (``order.bpmn``...) and return its definition."""

    def deploy_file(name: str, tenant_id: str | None = None) -> ProcessDefinition:
        with engine.store.lock:
            deployment = engine.runtime.deploy(
                parse_bpmn(shipped_process(name)), name=name, tenant_id=tenant_id
            )
            return engine.store.definitions[deployment.definition_ids[0]]

    return deploy_file


@pytest.fixture
def start(engine: MockEngine) -> Callable[..., list[ProcessInstance]]:
    """Start ``count`` instances of a definition; they run to their wait states."""

    def start_instances(
        definition: ProcessDefinition, count: int = 1, business_key: str | None = None
    ) -> list[ProcessInstance]:
        with engine.store.lock:
            return [
                engine.runtime.start(definition, business_key=business_key) for _ in range(count)
            ]

    return start_instances


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's reference engines (if a test started one) stop with the session."""
    stop_reference_engines(session.config)
