"""The conformance summary: per endpoint, cases passed and failed, divergences seen, requests
refused (a generated selection that could reach data the suite did not create), and which
checks failed.

The plugin feeds every test report that carries an ``endpoint`` user property into a
:class:`ConformanceSummary` (on the xdist controller, where all reports meet) and prints it at
the end of the run, as a text table in the terminal and as Markdown for CI step summaries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

HEADERS = (
    "endpoint",
    "cases passed",
    "failed",
    "divergences seen",
    "refused",
    "failed checks by name",
)


@dataclass
class TestResult:
    """What one test's reports said, phases together."""

    endpoint: str
    passed: bool = False
    failed: bool = False
    checks: set[str] = field(default_factory=set)
    divergence_seen: bool = False
    refused: int = 0


@dataclass
class EndpointRow:
    """One line of the summary."""

    endpoint: str
    passed: int = 0
    failed: int = 0
    divergences_seen: int = 0
    refused: int = 0
    failed_checks: Counter[str] = field(default_factory=Counter)

    def cells(self) -> tuple[str, ...]:
        checks = ", ".join(
            f"{name} ({count})" for name, count in sorted(self.failed_checks.items())
        )
        return (
            self.endpoint,
            str(self.passed),
            str(self.failed),
            str(self.divergences_seen),
            str(self.refused),
            checks or "-",
        )


class ConformanceSummary:
    """Collects test reports of contract tests and renders the per-endpoint table."""

    def __init__(self) -> None:
        self.results: dict[str, TestResult] = {}

    def add(
        self, nodeid: str, when: str, outcome: str, properties: list[tuple[str, object]]
    ) -> None:
        """Take one report (setup, call or teardown) of a test; others than contract tests,
        those without an ``endpoint`` property, are left out."""
        endpoint = next((str(value) for name, value in properties if name == "endpoint"), None)
        if endpoint is None:
            return
        result = self.results.setdefault(nodeid, TestResult(endpoint))
        if outcome == "failed":
            result.failed = True
        elif when == "call" and outcome == "passed":
            result.passed = True
        for name, value in properties:
            if name == "check":
                result.checks.add(str(value))
            elif name == "divergence-seen":
                result.divergence_seen = True
            elif name == "refused" and when == "call":
                result.refused += 1

    def rows(self) -> list[EndpointRow]:
        """One row per endpoint, in endpoint order."""
        rows: dict[str, EndpointRow] = {}
        for result in self.results.values():
            row = rows.setdefault(result.endpoint, EndpointRow(result.endpoint))
            if result.failed:
                row.failed += 1
                row.failed_checks.update(result.checks)
            elif result.passed:
                row.passed += 1
            row.divergences_seen += result.divergence_seen
            row.refused += result.refused
        return [rows[endpoint] for endpoint in sorted(rows)]

    def text(self) -> str:
        """The table as the terminal shows it, columns aligned."""
        lines = [HEADERS, *(row.cells() for row in self.rows())]
        widths = [max(len(line[column]) for line in lines) for column in range(len(HEADERS))]
        rendered = [
            " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in lines
        ]
        rendered.insert(1, "-+-".join("-" * width for width in widths))
        return "\n".join(rendered)

    def as_json(self, target: str) -> dict[str, object]:
        """The table as data: the target and one object per endpoint."""
        return {
            "target": target,
            "endpoints": [
                {
                    "endpoint": row.endpoint,
                    "passed": row.passed,
                    "failed": row.failed,
                    "divergences_seen": row.divergences_seen,
                    "refused": row.refused,
                    "failed_checks": dict(row.failed_checks),
                }
                for row in self.rows()
            ],
        }

    def markdown(self, target: str) -> str:
        """The table in Markdown, under a heading naming the target."""
        lines = [
            f"### Conformance: {target}",
            "",
            "| " + " | ".join(HEADERS) + " |",
            "|" + "|".join(" --- " for _ in HEADERS) + "|",
        ]
        lines.extend("| " + " | ".join(row.cells()) + " |" for row in self.rows())
        return "\n".join(lines) + "\n"
