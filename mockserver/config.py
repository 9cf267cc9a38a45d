"""The mock's settings: defaults, then a TOML config file, then environment, then flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
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
HIGHEST_PORT = 65535


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # TOML's true is no number


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


# What a setting of each annotation holds, said as the message says it, and the test of a value.
# A config file (TOML) can give any of its types for any key: without this a string port or a
# number for a list ended the start in a traceback, or was taken as it came (seed = "x").
_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "int": ("an integer", _is_int),
    "float": ("a number", lambda value: _is_int(value) or isinstance(value, float)),
    "bool": ("true or false", lambda value: isinstance(value, bool)),
    "str": ("a string", _is_str),
    "str | None": ("a string", lambda value: value is None or _is_str(value)),
    "list[str]": (
        "a list of strings",
        lambda value: isinstance(value, list) and all(map(_is_str, value)),
    ),
    # each rule is checked as it is parsed (latency_rules, fault_rules), telling its form
    "rules": ("a list of rules", lambda value: isinstance(value, list)),
    "dict[str, int]": (
        "a table of integers",
        lambda value: isinstance(value, dict) and all(map(_is_int, value.values())),
    ),
    "dict[str, str]": (
        "a table of strings",
        lambda value: isinstance(value, dict) and all(map(_is_str, value.values())),
    ),
}


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
        self._check_types()
        if not 0 <= self.port <= HIGHEST_PORT:
            raise ValueError(f"port must be from 0 to {HIGHEST_PORT}, not {self.port}")
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
            if value < 1:
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

    def _check_types(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            kind = "rules" if setting.name in ("latency", "faults") else str(setting.type)
            description, holds = _KINDS[kind]
            if not holds(value):
                raise ValueError(f"{setting.name} must be {description}, not {value!r}")

    # -- serving it for a team ----------------------------------------------------------

    def _check_serving_options(self) -> None:
        self.latency_rules()
        self.fault_rules()
        if any(":" in user for user in self.auth_users):
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


_BOOLEANS = {
    **dict.fromkeys(("1", "true", "yes", "on"), True),
    **dict.fromkeys(("0", "false", "no", "off"), False),
}


def _convert(name: str, text: str) -> Any:
    """The value of the environment variable of setting ``name``."""
    if name in _SERVING_ENV:
        return _SERVING_ENV[name](text)
    kind = str({f.name: f.type for f in fields(MockConfig)}[name])
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            return _BOOLEANS[text.lower()]
    except (ValueError, KeyError):
        variable, description = ENV_PREFIX + name.upper(), _KINDS[kind][0]
        raise ValueError(f"{variable} must be {description}, not '{text}'") from None
    return text


def load_config(
    config_file: Path | None = None, overrides: dict[str, Any] | None = None
) -> MockConfig:
    """Merge a config file, ``CAMUNDA_MOCK_*`` environment variables and explicit overrides."""
    values: dict[str, Any] = {}
    known = {f.name for f in fields(MockConfig)}
    if config_file is not None:
        with open(config_file, "rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{config_file} is not a TOML file: {exc}") from None
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
