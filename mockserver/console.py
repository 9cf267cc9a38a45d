"""The start command's console: one line per answered request, written in batches by one thread.

``12:01:02 POST /engine-rest/process-instance/job-retries 200 3ms``. The server's threads
only append their ``RequestRecord`` to a deque; five times a second the printer thread turns
what gathered into text and writes it at once. Writing from every server thread made them
queue up behind each other under load, and waking the printer for each request cost the
server a thread switch per request (both measured with bench/throughput.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime
from typing import TextIO

from .request_log import RequestLog, RequestRecord

WRITE_INTERVAL = 0.2  # seconds between writes: prompt for a person, rare for the server


class RequestPrinter:
    """Writes a line to ``stream`` for every request ``request_log`` records."""

    def __init__(
        self, request_log: RequestLog, stream: TextIO, interval: float = WRITE_INTERVAL
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._pending: deque[RequestRecord] = deque()
        self._stopping = threading.Event()
        self._second: datetime | None = None
        self._clock = ""
        self._thread = threading.Thread(target=self._run, name="mock-request-printer", daemon=True)
        request_log.watch(self._pending)
        self._thread.start()

    def stop(self) -> None:
        """Write the lines still pending, then end the thread."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self._write_pending()
        self._write_pending()

    def _write_pending(self) -> None:
        lines = []
        while self._pending:
            record = self._pending.popleft()
            lines.append(f"{self._local_clock(record)} {record.console_line()}\n")
        if lines:
            self._stream.write("".join(lines))
            self._stream.flush()

    def _local_clock(self, record: RequestRecord) -> str:
        # Local time, as logging shows it; worked out once a second, not once a line.
        second = record.time.replace(microsecond=0)
        if second != self._second:
            self._second = second
            self._clock = time.strftime("%H:%M:%S", time.localtime(second.timestamp()))
        return self._clock
