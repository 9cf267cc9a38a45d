"""The mock's settings: defaults, then a TOML config file, then environment, then flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .auth import parse_credentials
from .cors import LOCAL_ORIGINS
from .engine_versions import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS
from .faults import FaultRule
from .latency import LatencyRule
from .limits import DEFAULT_MAX_BODY_BYTES
from .models import BATCH_TYPES
from .profiles import PROFILES
from .progression import MODES

ENV_PREFIX = "CAMUNDA_MOCK_"


@dataclass
class MockConfig:
    """Everything that shapes one mock app."""

    host: str = "127.0.0.1"
    port: int = 8080
    base_path: str = "/engine-rest"
    seed: int = 42
    profile: str = "engine"
    engine_version: str = DEFAULT_ENGINE_VERSION  # the release whose answers the mock gives
    demo: bool = True
    progression: str = "timed"
    jobs_per_second: float = 100.0
    batch_poll_time: float = 30.0
    batch_jobs_per_seed: int = 100
    invocations_per_batch_job: int = 1
    invocations_per_batch_job_by_type: dict[str, int] = field(default_factory=dict)
    bpmn: list[str] = field(default_factory=list)  # the user's processes, deployed at start
    # -- request log and saved states --
    quiet: bool = False  # the start command prints no line per request
    request_log_size: int = 500  # requests kept for GET /mock-api/requests
    state: str | None = None  # a scenario file (GET /mock-api/state) loaded at start and reset

    # -- serving it for a team: CORS, latency, faults, auth, limits --------------------
    cors_origins: list[str] = field(default_factory=lambda: list(LOCAL_ORIGINS))
    latency: list[str] = field(default_factory=list)  # "[ROUTE=]MS" or "[ROUTE=]MIN..MAX"
    faults: list[str | dict[str, Any]] = field(default_factory=list)  # "ROUTE=STATUS[@RATE]"
    auth_users: dict[str, str] = field(default_factory=dict)  # user -> password; empty: off
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    channel_timeout: int = 30  # seconds waitress waits on a silent client before closing

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not '{self.profile}'")
        if self.engine_version not in ENGINE_VERSIONS:
            raise ValueError(
                f"engine version must be one of {', '.join(ENGINE_VERSIONS)}, "
                f"not '{self.engine_version}'"
            )
        if not self.base_path.startswith("/"):
            raise ValueError(f"base path must start with '/', not '{self.base_path}'")
        self.base_path = self.base_path.rstrip("/") or ""
        for batch_type, value in self.invocations_per_batch_job_by_type.items():
            if batch_type not in BATCH_TYPES:
                raise ValueError(
                    f"unknown batch type '{batch_type}' (known: {', '.join(BATCH_TYPES)})"
                )
            if int(value) < 1:
                raise ValueError(f"invocations per batch job for '{batch_type}' must be >= 1")
        if self.progression not in MODES:
            raise ValueError(
                f"progression must be one of {', '.join(MODES)}, not '{self.progression}'"
            )
        if self.batch_poll_time < 0 or self.jobs_per_second <= 0:
            raise ValueError("batch_poll_time must be >= 0 and jobs_per_second > 0")
        if self.batch_jobs_per_seed < 1 or self.invocations_per_batch_job < 1:
            raise ValueError("batch_jobs_per_seed and invocations_per_batch_job must be >= 1")
        # -- request log and saved states --
        if self.request_log_size < 1:
            raise ValueError("request_log_size must be >= 1")
        if self.state and self.bpmn:
            raise ValueError(
                "state and bpmn cannot be combined: a state file holds its deployments"
            )
        self._check_serving_options()

    # -- serving it for a team ----------------------------------------------------------

    def _check_serving_options(self) -> None:
        self.latency_rules()
        self.fault_rules()
        if not all(isinstance(origin, str) for origin in self.cors_origins):
            raise ValueError("cors_origins must be a list of strings")
        if not all(isinstance(p, str) and ":" not in u for u, p in self.auth_users.items()):
            raise ValueError("auth_users maps user names (without ':') to password strings")
        if self.max_body_bytes < 1 or self.channel_timeout < 1:
            raise ValueError("max_body_bytes and channel_timeout must be >= 1")

    def latency_rules(self) -> list[LatencyRule]:
        """The ``latency`` setting, parsed."""
        return [LatencyRule.parse(rule) for rule in self.latency]

    def fault_rules(self) -> list[FaultRule]:
        """The ``faults`` setting, parsed."""
        return [FaultRule.parse(rule) for rule in self.faults]


# Serving options that hold several values, and how their environment variable reads.
_SERVING_ENV = {
    "cors_origins": lambda text: [o.strip() for o in text.split(",") if o.strip()],
    "latency": lambda text: [r.strip() for r in text.split(";") if r.strip()],
    "faults": lambda text: [r.strip() for r in text.split(";") if r.strip()],
    "auth_users": lambda text: dict(
        parse_credentials(c.strip()) for c in text.split(",") if c.strip()
    ),
}


def _convert(name: str, text: str) -> Any:
    if name in _SERVING_ENV:
        return _SERVING_ENV[name](text)
    kind = {f.name: f.type for f in fields(MockConfig)}[name]
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text.lower() in ("1", "true", "yes", "on")
    return text


def load_config(
    config_file: Path | None = None, overrides: dict[str, Any] | None = None
) -> MockConfig:
    """Merge a config file, ``CAMUNDA_MOCK_*`` environment variables and explicit overrides."""
    values: dict[str, Any] = {}
    known = {f.name for f in fields(MockConfig)}
    if config_file is not None:
        with open(config_file, "rb") as handle:
            data = tomllib.load(handle)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{config_file}: unknown keys {', '.join(sorted(unknown))}")
        values.update(data)
    for name in known:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None and name not in ("invocations_per_batch_job_by_type", "bpmn"):
            values[name] = _convert(name, env)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return MockConfig(**values)
