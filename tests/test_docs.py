"""The documentation site builds with no warning: every page is in the nav, every link resolves."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
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
