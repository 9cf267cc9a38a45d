"""The version matrix: the conformance suite against each Camunda CE release, one table.

    python -m engines.camunda7.matrix                       # 7.20.0 ... 7.24.0
    python -m engines.camunda7.matrix --versions 7.23.0 7.24.0 --markdown reports/matrix.md

For each version it builds and starts the reference engine on a free port, runs
``pytest --pyargs contracts --engine-url ...`` against it (outside the checkout, as a user
runs it), stops the engine and keeps the per-endpoint summary. The table shows, per endpoint
and version, ``passed / failed / divergences seen``. Exit status: 0 when every version passed,
1 when one failed somewhere, 2 when an engine could not start.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .launcher import SPRING_BOOT_FOR, EngineStartError, running


def run_suite(url: str, workdir: Path) -> dict[str, Any]:
    """The conformance suite against ``url``; its summary as data, with pytest's exit code."""
    summary = workdir / "summary.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "contracts",
            "--engine-url",
            url,
            "-p",
            "no:cacheprovider",
            "-q",
            f"--conformance-json={summary}",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    data: dict[str, Any] = (
        json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {"endpoints": []}
    )
    data["exit"] = result.returncode
    data["tail"] = result.stdout.splitlines()[-20:]
    return data


def table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: one row per endpoint, one column per version, ``passed / failed / divergences``."""
    versions = list(results)
    cells: dict[str, dict[str, str]] = {}
    for version, data in results.items():
        for row in data["endpoints"]:
            cells.setdefault(row["endpoint"], {})[version] = (
                f"{row['passed']} / {row['failed']} / {row['divergences_seen']}"
            )
    lines = [
        "| endpoint | " + " | ".join(versions) + " |",
        "| --- |" + " --- |" * len(versions),
    ]
    for endpoint in sorted(cells):
        row = [cells[endpoint].get(version, "-") for version in versions]
        lines.append(f"| {endpoint} | " + " | ".join(row) + " |")
    verdicts = ["passed" if results[v]["exit"] == 0 else "FAILED" for v in versions]
    lines.append("| **suite** | " + " | ".join(verdicts) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engines.camunda7.matrix",
        description="Run the conformance suite against each Camunda CE release.",
    )
    parser.add_argument(
        "--versions", nargs="+", choices=sorted(SPRING_BOOT_FOR), default=sorted(SPRING_BOOT_FOR)
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    for version in options.versions:
        print(f"Camunda {version}: starting", file=sys.stderr, flush=True)
        try:
            with running(version) as engine, tempfile.TemporaryDirectory() as workdir:
                results[version] = run_suite(engine.url, Path(workdir))
        except EngineStartError as error:
            print(f"reference engine: {error.report()}", file=sys.stderr)
            return 2
        verdict = "passed" if results[version]["exit"] == 0 else "failed"
        print(f"Camunda {version}: suite {verdict}", file=sys.stderr, flush=True)
        if results[version]["exit"] != 0:
            print("\n".join(results[version]["tail"]), file=sys.stderr)
    today = datetime.date.today().isoformat()
    heading = f"Conformance suite per Camunda version ({today}; passed / failed / divergences seen)"
    text = heading + "\n\n" + table(results)
    print(text)
    if options.markdown:
        options.markdown.parent.mkdir(parents=True, exist_ok=True)
        options.markdown.write_text(text + "\n", encoding="utf-8")
    return 0 if all(data["exit"] == 0 for data in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
