"""Wall time of a test suite, serially and with ``pytest -n auto``.

python bench/suite_runtime.py                                 # the project's own tests
python bench/suite_runtime.py -- --pyargs contracts           # the conformance suite (mock)
python bench/suite_runtime.py -- tests/test_batch_reads.py   # only some tests
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = {"serial": [], "-n auto": ["-n", "auto"]}


def run_pytest(extra: list[str], targets: list[str]) -> tuple[float, int, str]:
    """Wall seconds, exit code and pytest's last line for one run."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *targets]
    began = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    lines = result.stdout.strip().splitlines()
    return elapsed, result.returncode, lines[-1] if lines else result.stderr.strip()[-200:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", help="test files or ids (default: the whole suite)")
    parser.add_argument(
        "--mode",
        choices=MODES,
        action="append",
        help="run only this mode (repeatable; default: both)",
    )
    args = parser.parse_args(argv)
    rows = []
    failed = False
    for label in args.mode or MODES:
        extra = MODES[label]
        elapsed, code, summary = run_pytest(extra, args.targets)
        rows.append((label, f"{elapsed:.1f}", summary))
        if code != 0:
            failed = True
            print(f"pytest {label} failed: {summary}", file=sys.stderr)
    print(f"{os.cpu_count()} CPUs")
    widths = [
        max(len(row[i]) for row in [("mode", "wall s", "pytest says"), *rows]) for i in (0, 1)
    ]
    print(f"{'mode'.ljust(widths[0])} | {'wall s'.rjust(widths[1])} | pytest says")
    print(f"{'-' * widths[0]}-|-{'-' * widths[1]}-|-{'-' * 11}")
    for label, wall, summary in rows:
        print(f"{label.ljust(widths[0])} | {wall.rjust(widths[1])} | {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
