"""The start command's console: one line per answered request, written by one thread.

``12:01:02 POST /engine-rest/process-instance/job-retries 200 3ms``. The server's threads
only put their ``RequestRecord`` on a queue; the printer thread turns it into text and
writes it. Building the line (or a logging record) in every server thread, and writing
from all of them, made them queue up behind each other under load (bench/throughput.py).
"""

from __future__ import annotations

import threading
import time
from queue import SimpleQueue
from typing import TextIO

from .request_log import RequestLog, RequestRecord

_STOP = None  # put on the queue by ``stop``: the printer writes what came before and ends


class RequestPrinter:
    """Writes a line to ``stream`` for every request ``request_log`` records."""

    def __init__(self, request_log: RequestLog, stream: TextIO) -> None:
        self._stream = stream
        self._queue: SimpleQueue[RequestRecord | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="mock-request-printer", daemon=True)
        request_log.watch(self._queue)
        self._thread.start()

    def stop(self) -> None:
        """Write the lines still queued, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        second, clock = None, ""
        while (record := self._queue.get()) is not _STOP:
            # Local time, as logging shows it; worked out once a second, not once a line.
            if record.time.replace(microsecond=0) != second:
                second = record.time.replace(microsecond=0)
                clock = time.strftime("%H:%M:%S", time.localtime(second.timestamp()))
            self._stream.write(f"{clock} {record.console_line()}\n")
            if self._queue.empty():
                self._stream.flush()
