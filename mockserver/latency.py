"""Latency injection: engine requests wait a fixed or random time before they are served.

A rule is ``[ROUTE=]MS`` or ``[ROUTE=]MIN..MAX`` (milliseconds), e.g. ``250``,
``100..400`` or ``POST /process-instance/job-retries=2000``. A rule without a route is the
global delay; a route's own rule wins over it, and among route rules the first listed wins.
Random delays come from a seeded source, so a run can be repeated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, Request, current_app

from .route_patterns import Route, SeededRules, engine_path
from .serving_hooks import Hooks

EXTENSION_KEY = "camunda_mock_latency"
MAX_DELAY_MS = 600_000  # ten minutes: anything longer is a typo


@dataclass(frozen=True)
class LatencyRule:
    """Delay requests of ``route`` by ``min_ms``..``max_ms`` milliseconds."""

    route: Route
    min_ms: float
    max_ms: float

    @classmethod
    def parse(cls, text: str) -> LatencyRule:
        """Read ``[ROUTE=]MS`` or ``[ROUTE=]MIN..MAX``."""
        if not isinstance(text, str):
            raise ValueError(f"a latency rule is a string '[ROUTE=]MS|MIN..MAX', not {text!r}")
        route_text, _, delay = text.rpartition("=")
        route = Route.parse(route_text.strip()) if route_text.strip() else Route(None, "*")
        low, _, high = delay.strip().partition("..")
        try:
            min_ms = float(low)
            max_ms = float(high) if high else min_ms
        except ValueError:
            raise ValueError(
                f"a latency rule is '[ROUTE=]MS' or '[ROUTE=]MIN..MAX', not '{text}'"
            ) from None
        if not 0 <= min_ms <= max_ms <= MAX_DELAY_MS:
            raise ValueError(f"'{text}': need 0 <= MIN <= MAX <= {MAX_DELAY_MS} ms")
        return cls(route, min_ms, max_ms)

    def __str__(self) -> str:
        delay = f"{self.min_ms:g}"
        if self.max_ms != self.min_ms:
            delay += f"..{self.max_ms:g}"
        return delay if self.route.is_catch_all() else f"{self.route}={delay}"


class LatencyInjector(SeededRules[LatencyRule]):
    """The active latency rules and the seeded source of random delays."""

    def _ordered(self, rules: list[LatencyRule]) -> list[LatencyRule]:
        # Route rules first (in the given order), the global ones last.
        return sorted(rules, key=lambda rule: rule.route.is_catch_all())

    def delay_ms(self, method: str, path: str) -> float:
        """How long a request of ``method`` on ``path`` (below the base path) waits."""
        with self._lock:
            for rule in self.rules:
                if rule.route.matches(method, path):
                    if rule.min_ms == rule.max_ms:
                        return rule.min_ms
                    return self._random.uniform(rule.min_ms, rule.max_ms)
        return 0.0


def current_latency() -> LatencyInjector:
    """The latency injector of the app serving this request."""
    return current_app.extensions[EXTENSION_KEY]


def install(app: Flask, rules: list[LatencyRule], seed: int, base_path: str) -> Hooks:
    """Delay engine requests as the rules say (the admin API and CORS preflights never wait)."""
    injector = app.extensions[EXTENSION_KEY] = LatencyInjector(rules, seed)

    def inject_latency(request: Request) -> None:
        if not injector.rules:
            return  # the usual case: nothing to match
        path = engine_path(request.path, base_path)
        if path is None:
            return
        delay = injector.delay_ms(request.method, path)
        if delay:
            time.sleep(delay / 1000)

    return Hooks(before=inject_latency)
