"""The request log: what was asked, how it was answered, newest first, bounded, on the console."""

from __future__ import annotations

import base64
import io
import logging
import time
import urllib.request
from datetime import UTC, datetime

import pytest

from mockserver.console import RequestPrinter
from mockserver.request_log import LOGGER_NAME, RequestLog, RequestRecord
from tests.conftest import BASE, make_app
from tests.served import served_mock


def test_requests_are_listed_newest_first_with_status_and_error_type() -> None:
    client = make_app().test_client()
    client.get(f"{BASE}/batch?type=set-job-retries")
    client.post(f"{BASE}/process-instance/suspended-async", json={})
    client.post("/mock-api/jobs/run-due")

    records = client.get("/mock-api/requests").get_json()

    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("POST", "/mock-api/jobs/run-due", 200),
        ("POST", f"{BASE}/process-instance/suspended-async", 400),
        ("GET", f"{BASE}/batch?type=set-job-retries", 200),
    ]
    assert records[1]["errorType"] == "InvalidRequestException"
    assert records[0]["errorType"] is None
    assert all(r["durationMs"] >= 0 and r["time"].endswith("+0000") for r in records)


def test_the_basic_auth_user_is_recorded() -> None:
    client = make_app().test_client()
    token = base64.b64encode(b"demo:secret").decode()
    client.get(f"{BASE}/batch", headers={"Authorization": f"Basic {token}"})
    (record,) = client.get("/mock-api/requests").get_json()
    assert record["user"] == "demo"


def test_limit_keeps_the_newest_and_a_bad_limit_is_a_400() -> None:
    client = make_app().test_client()
    for n in range(3):
        client.get(f"{BASE}/batch?firstResult={n}")
    records = client.get("/mock-api/requests?limit=2").get_json()
    assert [r["path"] for r in records] == [
        f"{BASE}/batch?firstResult=2",
        f"{BASE}/batch?firstResult=1",
    ]
    response = client.get("/mock-api/requests?limit=0")
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException"


def test_the_log_is_a_ring_buffer_of_the_configured_size() -> None:
    client = make_app(request_log_size=3).test_client()
    for n in range(5):
        client.get(f"{BASE}/batch?firstResult={n}")
    records = client.get("/mock-api/requests").get_json()
    assert [r["path"].rsplit("=", 1)[1] for r in records] == ["4", "3", "2"]


def test_delete_clears_the_log() -> None:
    client = make_app().test_client()
    client.get(f"{BASE}/batch")
    assert client.delete("/mock-api/requests").status_code == 204
    (record,) = client.get("/mock-api/requests").get_json()  # only the read itself
    assert record["path"] == "/mock-api/requests"


def test_the_dashboards_polling_is_not_recorded() -> None:
    client = make_app().test_client()
    client.get(f"{BASE}/batch/statistics", headers={"X-Mock-Dashboard": "poll"})
    client.post("/mock-api/jobs/step", json={})
    records = client.get("/mock-api/requests", headers={"X-Mock-Dashboard": "poll"}).get_json()
    assert [r["path"] for r in records] == ["/mock-api/jobs/step"]


def test_each_request_is_one_line_on_the_request_logger(caplog: pytest.LogCaptureFixture) -> None:
    client = make_app().test_client()
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        client.post(f"{BASE}/process-instance/suspended-async", json={})
    (line,) = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    method, path, status, duration, error_type = line.split()
    assert (method, path, status, error_type) == (
        "POST",
        f"{BASE}/process-instance/suspended-async",
        "400",
        "InvalidRequestException",
    )
    assert duration.endswith("ms") and duration[:-2].isdigit()


def test_a_log_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="request_log_size must be >= 1"):
        make_app(request_log_size=0)


def _serve_and_call(*flags: str) -> str:
    """Start the mock, make one request, stop it; return what it wrote to stderr."""
    with served_mock("--no-demo", *flags) as served:
        response = urllib.request.urlopen(f"{served.url}/batch/count", timeout=10)
        response.close()
        assert response.status == 200
    return served.stderr


def test_the_start_command_prints_one_line_per_request_unless_quiet() -> None:
    lines = [line for line in _serve_and_call().splitlines() if "/batch/count" in line]
    assert len(lines) == 1
    clock, method, path, status, duration = lines[0].split()
    assert (method, path, status) == ("GET", "/engine-rest/batch/count", "200")
    assert len(clock.split(":")) == 3 and duration.endswith("ms")
    assert "/batch/count" not in _serve_and_call("--quiet")


class _CountingStream(io.StringIO):
    """A console that counts its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def _record(path: str) -> RequestRecord:
    return RequestRecord(datetime.now(UTC), "GET", path, 200, 1.0)


def test_the_console_writes_what_gathered_at_once_and_everything_on_stop() -> None:
    log, stream = RequestLog(10), _CountingStream()
    printer = RequestPrinter(log, stream, interval=0.05)
    for number in range(5):
        log.add(_record(f"/first/{number}"))
    deadline = time.monotonic() + 5
    while "/first/4" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [line.split()[2] for line in stream.getvalue().splitlines()] == [
        f"/first/{number}" for number in range(5)
    ]
    assert stream.writes < 5  # gathered lines go out together, not one write each
    log.add(_record("/last"))
    printer.stop()  # writes what is still pending
    assert stream.getvalue().splitlines()[-1].split()[2] == "/last"
