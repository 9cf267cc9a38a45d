"""The mock's settings: defaults, then a TOML config file, then environment, then flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

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

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not '{self.profile}'")
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


def _convert(name: str, text: str) -> Any:
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
