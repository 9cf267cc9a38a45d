"""The dashboard in a real browser: Debian's chromium, headless, driven by playwright.

The mock is served by waitress on a free port in a thread. Without chromium (or playwright)
the test is skipped on a developer's machine and fails in CI (env ``CI`` set), so CI cannot
skip it silently. The screenshot lands in ``reports/dashboard.png``, CI's artifact.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waitress import create_server

from mockserver import MockConfig, create_app
from tests.conftest import BASE, make_app

CHROMIUM = Path("/usr/bin/chromium")
# The network is closed: nothing that phones home, no sandbox (root in a container), no GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parent.parent / "reports" / "dashboard.png"


def _require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        reason = "the dashboard test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def mock_url() -> Iterator[str]:
    """The demo mock, manual progression, on a free port."""
    app = create_app(MockConfig(demo=True, progression="manual"))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)


def _call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_the_dashboard_follows_a_batch_to_its_end_and_resets(mock_url: str) -> None:
    _require_browser()
    from playwright.sync_api import sync_playwright

    engine = mock_url + BASE
    start_incidents = _call(f"{engine}/incident/count")["count"]
    assert start_incidents > 0  # the demo data has failed jobs and external tasks

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{mock_url}/mock-api/dashboard")
            page.wait_for_selector("body[data-refreshed]")
            assert page.inner_text("#incident-count") == str(start_incidents)
            assert page.inner_text("#batches") == "No batches yet."
            assert page.input_value("#progression") == "manual"

            # A batch started through the REST API appears with an empty bar.
            instances = _call(f"{engine}/process-instance?active=true&maxResults=3")
            batch = _call(
                f"{engine}/process-instance/suspended-async",
                "POST",
                {"processInstanceIds": [i["id"] for i in instances], "suspended": True},
            )
            bar = f"progress[data-batch-id='{batch['id']}']"
            page.wait_for_selector(bar)
            assert page.get_attribute(bar, "max") == "3"
            seen = [float(page.eval_on_selector(bar, "bar => bar.value"))]

            # Step the jobs with the page's button: seed, three executions, monitor.
            row = f"tr[data-batch-id='{batch['id']}']"
            for _ in range(10):
                if page.get_attribute(row, "data-state") == "done":
                    break
                with page.expect_response(lambda r: r.url.endswith("/mock-api/jobs/step")):
                    page.click("#step")
                expected = _call(f"{engine}/batch/statistics")
                completed = expected[0]["completedJobs"] if expected else 3
                state = "running" if expected else "done"
                page.wait_for_selector(f"{row}[data-state='{state}']")
                page.wait_for_function(
                    "([selector, value]) => document.querySelector(selector).value === value",
                    arg=[bar, completed],
                )
                seen.append(float(page.eval_on_selector(bar, "bar => bar.value")))
            assert page.get_attribute(row, "data-state") == "done"
            assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 3
            assert any(0 < value < 3 for value in seen)  # it rose step by step
            assert "POST /mock-api/jobs/step" in " ".join(page.inner_text("#requests").split())

            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # Switching the progression mode goes through the admin API.
            page.select_option("#progression", "instant")
            page.wait_for_function(
                "() => document.getElementById('message').textContent === 'progression instant'"
            )
            assert _call(f"{mock_url}/mock-api/progression")["mode"] == "instant"

            # Reset: the batch's history is gone, the demo incidents are back.
            with page.expect_response(lambda r: r.url.endswith("/mock-api/reset")):
                page.click("#reset")
            page.wait_for_function(
                "() => document.getElementById('batches').innerText === 'No batches yet.'"
            )
            assert page.inner_text("#incident-count") == str(start_incidents)
        finally:
            browser.close()


def test_the_page_is_served_for_the_configured_base_path_and_loads_nothing_from_outside() -> None:
    client = make_app(base_path="/camunda/api").test_client()
    response = client.get("/mock-api/dashboard")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-engine-base="/camunda/api"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
