"""A long schemathesis run with invalid requests against the mock served by its start command.

    python bench/negative_run.py [--max-examples 40] [--seed 20250131] [--request-timeout 10]
                                 [--mock-flag=--profile=docs ...]

It starts ``python -m mockserver --port 0`` (demo data, default settings unless
``--mock-flag`` adds some), then runs the
schemathesis CLI over the served ``openapi.json`` in negative mode (invalid bodies, parameters
and paths) with a fixed seed. One rule decides, the one the in-process suite uses
(``tests/test_schemathesis.py``): a 5xx must be one of the engine's documented 5xx answers.
A request that gets no answer within ``--request-timeout`` seconds is reported as an error,
so a hang fails the run too. It prints a summary and exits non-zero on any finding.

Run from the repository top with the test dependencies installed. This file is also the
schemathesis hooks module of the run (``SCHEMATHESIS_HOOKS=bench.negative_run``): imported
by the CLI, it registers the check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MODULE = "bench.negative_run"
CHECK = "server_errors_are_engine_answers"


def register_check() -> None:
    """Make the in-process suite's 5xx rule a check of this CLI run."""
    import schemathesis

    from tests.test_schemathesis import server_errors_are_engine_answers

    schemathesis.check(server_errors_are_engine_answers)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--max-examples",
        type=int,
        default=40,
        help="invalid requests per operation and phase (default 40: about 5 minutes on 2 cores)",
    )
    parser.add_argument("--seed", type=int, default=20250131, help="schemathesis seed")
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        help="seconds a request may take before it counts as a hang (default 10)",
    )
    parser.add_argument("--workers", type=int, default=1, help="concurrent schemathesis workers")
    parser.add_argument(
        "--mock-flag",
        action="append",
        default=[],
        metavar="FLAG",
        help="a flag for the mock's start command, e.g. --mock-flag=--profile=docs (repeatable)",
    )
    return parser.parse_args(argv)


def start_mock(flags: list[str]) -> tuple[subprocess.Popen[str], str]:
    """The mock on a free port; its first line names the engine API's address."""
    mock = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0", "--quiet", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = mock.stdout.readline() if mock.stdout else ""
    if not line.startswith("Camunda batch mock listening on "):
        mock.kill()
        raise SystemExit(f"the mock did not start: {line!r}")
    return mock, line.split()[5]


def schemathesis_command(url: str, args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{url}/openapi.json",
        "--url",
        url,
        "--mode",
        "negative",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--generation-database",
        "none",
        "--request-timeout",
        str(args.request_timeout),
        "--workers",
        str(args.workers),
        "--checks",
        CHECK,
        "--output-sanitize",
        "false",
        "--continue-on-failure",
        "--no-color",
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mock, url = start_mock(args.mock_flag)
    command = schemathesis_command(url, args)
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS_MODULE, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    try:
        # In a scratch directory: schemathesis keeps a cache of what it found in the cwd.
        with tempfile.TemporaryDirectory() as scratch:
            run = subprocess.run(command, cwd=scratch, env=environment, check=False)
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    seconds = time.monotonic() - started
    print(
        f"\nnegative run: {seconds:.0f} s, {args.max_examples} examples per operation and phase, "
        f"seed {args.seed}, request timeout {args.request_timeout:g} s, mock exit code "
        f"{mock.returncode}, schemathesis exit code {run.returncode}: "
        + ("no findings" if run.returncode == 0 else "FINDINGS (see above)")
    )
    return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
elif __name__ == HOOKS_MODULE:
    register_check()
