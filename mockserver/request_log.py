"""The request log: every request an app answers, in a bounded ring buffer and on the console.

Each answered request becomes a ``RequestRecord`` (time, method, path with query, status,
duration, the engine error type of an error answer, the Basic-auth user). The newest
``size`` records are kept for ``GET /mock-api/requests``; each one is also logged as a
compact line on the ``mockserver.requests`` logger (when it is enabled for INFO) and handed
to the watchers of the log: the start command prints it (mockserver/console.py) unless
``--quiet``.

The dashboard's own polling sends the ``X-Mock-Dashboard: poll`` header and is not
recorded: six reads a second would push every other request out of the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response

from .auth import request_user
from .clock import format_engine_date
from .serving_hooks import Hooks

EXTENSION_KEY = "camunda_mock_request_log"
LOGGER_NAME = "mockserver.requests"
_POLL_ENVIRON = "HTTP_X_MOCK_DASHBOARD"  # the X-Mock-Dashboard header, as the environ names it
_STARTED_KEY = "mockserver.request_started"  # in the WSGI environ: perf_counter()

log = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class RequestRecord:
    """One answered request."""

    time: datetime
    method: str
    path: str  # with the query string, if any
    status: int
    duration_ms: float
    error_type: str | None = None
    user: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "time": format_engine_date(self.time),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "durationMs": round(self.duration_ms, 1),
            "errorType": self.error_type,
            "user": self.user,
        }

    def __str__(self) -> str:
        return self.console_line()

    def console_line(self) -> str:
        """``POST /engine-rest/batch 400 3ms InvalidRequestException user=demo``."""
        parts = [self.method, self.path, str(self.status), f"{self.duration_ms:.0f}ms"]
        if self.error_type:
            parts.append(self.error_type)
        if self.user:
            parts.append(f"user={self.user}")
        return " ".join(parts)


class RequestLog:
    """The newest ``size`` records, safe to use from the server's threads."""

    def __init__(self, size: int) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._watchers: list[deque[RequestRecord]] = []

    def watch(self, pending: deque[RequestRecord]) -> None:
        """Append every record added from now on also to ``pending`` (the console's printer)."""
        self._watchers.append(pending)

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
        for pending in self._watchers:
            pending.append(record)  # thread-safe, and wakes no one

    def newest(self, limit: int | None = None) -> list[RequestRecord]:
        """Newest first, at most ``limit``."""
        with self._lock:
            records = list(reversed(self._records))
        return records if limit is None else records[:limit]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def _error_type(response: Response) -> str | None:
    if response.status_code < 400 or not response.is_json:
        return None
    body = response.get_json(silent=True)
    return body.get("type") if isinstance(body, dict) else None


def install(app: Flask, request_log: RequestLog) -> Hooks:
    """Record every request ``app`` answers. Its hooks go first, so the duration covers the
    other concerns' hooks too."""
    app.extensions[EXTENSION_KEY] = request_log

    def start_timer(request: Request) -> None:
        request.environ[_STARTED_KEY] = time.perf_counter()

    def record(request: Request, response: Response) -> Response:
        if request.environ.get(_POLL_ENVIRON) == "poll":
            return response
        started = request.environ.get(_STARTED_KEY) or time.perf_counter()
        query = request.query_string.decode("latin-1")
        entry = RequestRecord(
            time=datetime.now(UTC),
            method=request.method,
            path=request.path + (f"?{query}" if query else ""),
            status=response.status_code,
            duration_ms=(time.perf_counter() - started) * 1000,
            error_type=_error_type(response),
            user=request_user(request),
        )
        request_log.add(entry)
        if log.isEnabledFor(logging.INFO):  # off unless configured: no record built for nothing
            log.info("%s", entry)
        return response

    return Hooks(start_timer, record)
