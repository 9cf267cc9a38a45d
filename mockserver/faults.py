"""Fault injection: a share of an engine route's requests fails with a chosen status.

A rule names a route, a status and a rate (0..1). A faulted request is answered before its
view runs, so it changes nothing. The answer is the engine's error body for that status (a
500 is a ``ProcessEngineException`` with code 0, a 400 an ``InvalidRequestException``...);
``type``, ``message`` and ``code`` can be given instead. Whether a request fails is drawn
from a seeded source: the same requests in the same order fail the same way every run.

As text (flags, environment): ``ROUTE=STATUS`` or ``ROUTE=STATUS@RATE``, e.g.
``POST /process-instance/job-retries=500@0.3``. As a table or JSON object: ``route``,
``status``, optional ``rate`` (default 1), ``type``, ``message``, ``code``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, current_app

from .errors import CamundaError
from .route_patterns import Route, SeededRules, engine_path
from .serving_hooks import Hooks

EXTENSION_KEY = "camunda_mock_faults"

# The exception the engine's REST layer would name for a status, and its code
# (set only for ProcessEngineException and its subclasses).
ENGINE_ERRORS: dict[int, tuple[str, int | None]] = {
    400: ("InvalidRequestException", None),
    403: ("AuthorizationException", 0),
    404: ("InvalidRequestException", None),
    500: ("ProcessEngineException", 0),
}
# Jersey's reason phrases, for statuses the engine itself never chooses.
REASONS = {
    401: "Unauthorized",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
FIELDS = frozenset({"route", "status", "rate", "type", "message", "code"})


@dataclass(frozen=True)
class FaultRule:
    """Fail ``rate`` of the requests of ``route`` with ``status``."""

    route: Route
    status: int
    rate: float = 1.0
    type: str | None = None
    message: str | None = None
    code: int | None = None  # None: the status's own code (null when ``type`` is given)

    @classmethod
    def parse(cls, value: str | dict[str, Any]) -> FaultRule:
        """Read ``ROUTE=STATUS[@RATE]`` or a table with the fields above."""
        return cls._from_text(value) if isinstance(value, str) else cls._from_table(value)

    @classmethod
    def _from_text(cls, text: str) -> FaultRule:
        route, separator, answer = text.rpartition("=")
        status, _, rate = answer.partition("@")
        if not separator or not status.strip().isdigit():
            raise ValueError(f"a fault rule is 'ROUTE=STATUS[@RATE]', not '{text}'")
        return cls._checked(Route.parse(route.strip()), int(status), rate.strip() or 1.0)

    @classmethod
    def _from_table(cls, table: dict[str, Any]) -> FaultRule:
        if not isinstance(table, dict):
            raise ValueError("a fault rule is a 'ROUTE=STATUS[@RATE]' string or an object")
        unknown = set(table) - FIELDS
        if unknown:
            raise ValueError(f"a fault rule has no field(s) {', '.join(sorted(unknown))}")
        route, status = table.get("route"), table.get("status")
        if not isinstance(route, str) or isinstance(status, bool) or not isinstance(status, int):
            raise ValueError("a fault rule needs 'route' (a string) and 'status' (a number)")
        for name in ("type", "message"):
            if table.get(name) is not None and not isinstance(table[name], str):
                raise ValueError(f"a fault rule's '{name}' must be a string")
        code = table.get("code")
        if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
            raise ValueError("a fault rule's 'code' must be a whole number or null")
        rule = cls._checked(Route.parse(route), status, table.get("rate", 1.0))
        type_, message = table.get("type"), table.get("message")
        return cls(rule.route, rule.status, rule.rate, type_, message, code)

    @classmethod
    def _checked(cls, route: Route, status: int, rate: Any) -> FaultRule:
        problem = ValueError(f"a fault rate is a number from 0 to 1, not '{rate}'")
        if isinstance(rate, bool):
            raise problem
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            raise problem from None
        if not 0 <= rate <= 1:
            raise problem
        if not 400 <= status <= 599:
            raise ValueError(f"a fault status is from 400 to 599, not {status}")
        return cls(route, status, rate)

    def error(self) -> CamundaError:
        """The answer of a faulted request."""
        default_type, default_code = ENGINE_ERRORS.get(
            self.status, ("WebApplicationException", None)
        )
        if self.status in ENGINE_ERRORS:
            default_message = f"Fault injected by the mock for {self.route}"
        else:
            default_message = f"HTTP {self.status} {REASONS.get(self.status, 'Error')}"
        if self.code is not None:
            code: int | None = self.code
        else:
            code = default_code if self.type is None else None
        return CamundaError(
            self.status,
            self.type or default_type,
            self.message if self.message is not None else default_message,
            code=code,
            headers={"X-Mock-Fault": str(self.route)},
        )

    def to_json(self) -> dict[str, Any]:
        """The rule as the admin API shows it."""
        error = self.error()
        return {
            "route": str(self.route),
            "status": self.status,
            "rate": self.rate,
            "type": error.type,
            "message": error.message,
            "code": error.code,
        }


class FaultInjector(SeededRules[FaultRule]):
    """The active fault rules and the seeded source that decides which requests fail."""

    def fault_for(self, method: str, path: str) -> FaultRule | None:
        """The rule that fails this request, if any: the first matching rule decides."""
        with self._lock:
            for rule in self.rules:
                if rule.route.matches(method, path):
                    return rule if self._random.random() < rule.rate else None
        return None


def current_faults() -> FaultInjector:
    """The fault injector of the app serving this request."""
    return current_app.extensions[EXTENSION_KEY]


def install(app: Flask, rules: list[FaultRule], seed: int, base_path: str) -> Hooks:
    """Answer engine requests a rule picks with its error, before any view runs."""
    injector = app.extensions[EXTENSION_KEY] = FaultInjector(rules, seed)

    def inject_fault(request: Request) -> None:
        if not injector.rules:
            return  # the usual case: nothing to match
        path = engine_path(request.path, base_path)
        rule = None if path is None else injector.fault_for(request.method, path)
        if rule is not None:
            raise rule.error()

    return Hooks(before=inject_fault)
