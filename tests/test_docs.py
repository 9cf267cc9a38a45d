"""The documentation site tells the truth.

It builds with `mkdocs build --strict`: every page is in the nav, every link resolves. Its
divergence table is built from `openapi.yaml`. The examples marked to run do run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_build(project: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with `mkdocs build --strict` into a temporary directory."""
    site_dir = tmp_path_factory.mktemp("site")
    build = mkdocs_build(ROOT, site_dir)
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    return site_dir


def test_site_builds_strict_with_every_page(site: Path) -> None:
    for page in (ROOT / "docs").glob("*.md"):
        html = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (site / html).is_file(), page.name


def copy_of_the_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "openapi.yaml"):
        shutil.copy(ROOT / name, project / name)
    return project


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("extra.md", "# A page the nav does not list\n"),
        ("index.md", "See [a page that is not there](no-such-page.md).\n"),
        ("index.md", "See [a heading that is not there](mock.md#no-such-heading).\n"),
    ],
    ids=["page-missing-from-nav", "broken-link", "broken-anchor"],
)
def test_a_page_missing_from_the_nav_or_a_broken_link_fails_the_build(
    tmp_path: Path, page: str, text: str
) -> None:
    project = copy_of_the_project(tmp_path)
    with (project / "docs" / page).open("a") as file:
        file.write("\n" + text)
    build = mkdocs_build(project, tmp_path / "site")
    assert build.returncode != 0, build.stderr


def load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def divergence_ids() -> list[str]:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return [entry["id"] for entry in document["x-divergences"]]


def test_the_hook_builds_one_row_per_divergence_from_the_contract() -> None:
    hooks = load_hooks()
    document = hooks.load_contract()
    table = hooks.divergence_table(document).splitlines()
    assert table[0].startswith("| divergence | endpoint | when | engine (default) |")
    rows = [re.match(r"^\| `([a-z0-9-]+)` \| `(\w+ /[^`]+)` \|", row) for row in table[2:]]
    assert [row.group(1) for row in rows if row] == divergence_ids()
    page = "before\n<!-- divergences -->\nnote\n<!-- /divergences -->\nafter\n"
    built = hooks.on_page_markdown(page, page=None, config=None, files=None)
    assert built == "before\n" + hooks.divergence_table(document) + "\nafter\n"


def test_the_built_contract_page_lists_every_divergence(site: Path) -> None:
    assert "<!-- divergences -->" in (ROOT / "docs" / "contract.md").read_text()
    html = (site / "contract" / "index.html").read_text()
    table = html.split('id="engine-and-documents-disagree"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>\s*<td><code>([a-z0-9-]+)</code></td>", table)
    assert rows == divergence_ids()
    assert "&lt;!-- /divergences --&gt;" not in html and "Read unbuilt" not in html


# The ```bash blocks of README.md and docs/ that a `<!-- runs in tests -->` line precedes run
# here, against a mock this test serves (demo data, a free port). Examples that need the real
# engine, Java, Docker or the network, or that start a server of their own, are not marked.
RUNS_IN_TESTS = re.compile(
    r"^<!-- runs in tests -->\n\n?```bash\n(.*?)^```", re.MULTILINE | re.DOTALL
)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ADDRESS = re.compile(r"\b(?:localhost|127\.0\.0\.1):8080\b")
PYTHON = re.compile(r"(?<![\w./-])(?:\.venv/bin/)?python(?=\s)")
# curl fails on an HTTP error answer, so a block that ran passed every request it sent
PREAMBLE = 'set -euo pipefail\ncurl() { command curl --fail-with-body --max-time 120 "$@"; }\n'


def runnable_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in PAGES:
        text = page.read_text()
        for match in RUNS_IN_TESTS.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            blocks.append((f"{page.relative_to(ROOT)}:{line}", match.group(1)))
    return blocks


def test_the_try_it_examples_are_marked_to_run() -> None:
    readme = [block for place, block in runnable_blocks() if place.startswith("README.md:")]
    assert any("curl" in block and "/engine-rest/batch" in block for block in readme)
    assert any("pytest --pyargs contracts" in block and "--engine-url" in block for block in readme)


@pytest.fixture
def served_mock() -> Iterator[int]:
    """`camunda-batch-mock --port 0` with demo data; yields the port it printed."""
    server = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 60)
        first_line = server.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/engine-rest", first_line)
        assert found, f"the mock did not start: {first_line!r}"
        yield int(found.group(1))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.parametrize(
    "block", [b for _, b in runnable_blocks()], ids=[p for p, _ in runnable_blocks()]
)
def test_a_marked_example_runs_against_the_served_mock(served_mock: int, block: str) -> None:
    script = ADDRESS.sub(f"127.0.0.1:{served_mock}", block)
    script = PYTHON.sub(shlex.quote(sys.executable), script)
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "CAMUNDA_"))
    }
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    run = subprocess.run(
        ["bash", "-c", PREAMBLE + script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, (
        f"{script}\nstdout:\n{run.stdout[-4000:]}\nstderr:\n{run.stderr[-4000:]}"
    )
