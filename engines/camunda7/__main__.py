"""``python -m engines.camunda7``: build if needed, start, print the URL, stop on Ctrl-C.

    python -m engines.camunda7 --port 8080                 # Camunda 7.24.0
    python -m engines.camunda7 --camunda-version 7.22.0 --auth   # HTTP Basic, user demo/demo

Exit status: 0 after a clean stop, 1 when the build or the start failed, 2 when the machine
cannot run it (no Java or Maven, a busy port, a bad option).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .launcher import (
    DEFAULT_READY_TIMEOUT,
    DEFAULT_VERSION,
    SPRING_BOOT_FOR,
    EngineStartError,
    build,
    pid_alive,
    start,
)

# How often --watch-pid looks whether the watched process still runs.
WATCH_INTERVAL = 0.2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m engines.camunda7",
        description="Run Camunda 7 CE (Spring Boot starter, H2 in memory) as a reference engine.",
    )
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument(
        "--camunda-version", choices=sorted(SPRING_BOOT_FOR), default=DEFAULT_VERSION
    )
    parser.add_argument(
        "--auth", action="store_true", help="HTTP Basic through the engine's filter (demo/demo)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_READY_TIMEOUT,
        help=f"seconds to wait for the engine to answer (default {DEFAULT_READY_TIMEOUT:g})",
    )
    parser.add_argument(
        "--no-job-executor",
        action="store_true",
        help="jobs run only through POST /job/{id}/execute (for request-by-request comparison)",
    )
    parser.add_argument("--build-only", action="store_true", help="build the jar and exit")
    parser.add_argument(
        "--state-file", type=Path, help="write the URL (or the error) there as JSON, for tools"
    )
    parser.add_argument(
        "--watch-pid", type=int, help="stop the engine when this process ends (test runs)"
    )
    return parser.parse_args(argv)


def write_state(path: Path | None, state: dict[str, Any]) -> None:
    """Write the state file in one step, so a reader never sees half of it."""
    if path is None:
        return
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state), encoding="utf-8")
    partial.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        if options.build_only:
            print(build(options.camunda_version))
            return 0
        engine = start(
            options.camunda_version,
            options.port,
            auth=options.auth,
            job_executor=not options.no_job_executor,
            timeout=options.timeout,
        )
    except EngineStartError as error:
        print(f"reference engine: {error.report()}", file=sys.stderr)
        write_state(options.state_file, {"error": error.report()})
        unusable = "not on PATH" in error.summary or "busy" in error.summary
        return 2 if unusable else 1
    rss = engine.rss_megabytes()
    memory = f", {rss:.0f} MB resident" if rss is not None else ""
    print(
        f"Camunda {engine.version} ready at {engine.url} "
        f"(started in {engine.started_in:.1f} s{memory}); Ctrl-C stops it",
        flush=True,
    )
    write_state(
        options.state_file,
        {
            "url": engine.url,
            "version": engine.version,
            "pid": engine.process.pid,
            "launcher_pid": os.getpid(),
            "started_in": round(engine.started_in, 2),
            "rss_mb": rss,
        },
    )
    while not stop.wait(WATCH_INTERVAL):
        if engine.process.poll() is not None:
            print(f"reference engine: the JVM exited with {engine.process.returncode}")
            return 1
        if options.watch_pid and not pid_alive(options.watch_pid):
            break
    engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
