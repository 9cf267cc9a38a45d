"""The bench scripts still run: each one's smallest configuration, for a second or so.

Nothing here looks at a figure of speed; the scripts print those. These tests only keep
the scripts from rotting as the mock changes.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str) -> ModuleType:
    """A module of bench/, imported as the scripts import each other (bench/ on the path)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


@pytest.mark.parametrize("name", ["scale", "throughput", "soak", "suite_runtime", "bare_flask"])
def test_every_script_answers_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        bench_module(name).main(["--help"])
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_scale_runs_a_small_size_to_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    scale = bench_module("scale")
    figures = {size: scale.measure(size) for size in (20, 200)}  # raises if a batch hangs
    scale.print_table(figures)
    table = capsys.readouterr().out
    assert "growth x10" in table
    assert set(figures[20]) == set(scale.FIGURES)


def test_bare_flask_answers_the_five_posts_with_a_batch() -> None:
    bare = bench_module("bare_flask")
    client = bare.create_bare_app().test_client()
    for path in bare.POST_PATHS:
        answer = client.post(bare.BASE + path.replace("<definition_id>", "d1"), json={})
        assert answer.status_code == 200
        assert answer.get_json()["type"] == "instance-update-suspension-state"


def test_throughput_drives_the_mock_and_bare_flask(capsys: pytest.CaptureFixture[str]) -> None:
    throughput = bench_module("throughput")
    options = ["--seconds", "0.2", "--rounds", "2", "--connections", "2", "--client-processes", "1"]
    assert throughput.main([*options, "--only", "mock", "--only", "bare"]) == 0
    report = capsys.readouterr().out
    assert "mock/bare Flask throughput" in report
    assert "0.2 s per endpoint in 2 rounds" in report
    table = [line.split("|") for line in report.splitlines() if "|" in line]
    rows = [row for row in table if row[0].strip() in ("mock", "bare Flask")]
    assert len(rows) == 12  # five endpoints and the total, per server: rounds are merged
    assert all(row[-1].strip() == "0" for row in rows)  # every answer was a 200


def test_soak_passes_a_short_run(capsys: pytest.CaptureFixture[str]) -> None:
    soak = bench_module("soak")
    assert soak.main(["--seconds", "1", "--clients", "2"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("PASS")


def test_suite_runtime_times_a_small_test_file(capsys: pytest.CaptureFixture[str]) -> None:
    suite_runtime = bench_module("suite_runtime")
    assert suite_runtime.main(["tests/test_readme.py", "--mode", "serial"]) == 0
    report = capsys.readouterr().out
    assert "serial" in report
    assert "passed" in report
