"""CORS: a frontend on another origin can call the engine API and the admin API."""

from __future__ import annotations

import pytest

from mockserver.config import load_config
from tests.conftest import BASE, make_app

LOCAL_DEV = "http://localhost:5173"
SUSPEND = f"{BASE}/process-instance/suspended-async"


def preflight(client, path: str, origin: str, headers: str | None = None):
    request_headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=request_headers)


@pytest.mark.parametrize("path", [SUSPEND, f"{BASE}/batch", "/mock-api/progression"])
def test_a_local_dev_server_is_allowed_by_default(path: str) -> None:
    client = make_app().test_client()
    response = preflight(client, path, LOCAL_DEV, "authorization, content-type")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == LOCAL_DEV
    assert "POST" in response.headers["Access-Control-Allow-Methods"].split(", ")
    assert response.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]


def test_a_preflight_changes_nothing_and_runs_no_view() -> None:
    client = make_app().test_client()
    assert preflight(client, SUSPEND, "http://127.0.0.1:3000").status_code == 204
    assert client.get(f"{BASE}/batch/count").get_json() == {"count": 0}


def test_answers_and_error_answers_carry_the_origin() -> None:
    client = make_app().test_client()
    ok = client.get(f"{BASE}/batch/count", headers={"Origin": LOCAL_DEV})
    assert ok.headers["Access-Control-Allow-Origin"] == LOCAL_DEV
    assert "X-Mock-Error-Detail" in ok.headers["Access-Control-Expose-Headers"]
    for response in (
        client.get(f"{BASE}/batch/nope", headers={"Origin": LOCAL_DEV}),  # 404
        client.post(
            SUSPEND, data="{", content_type="application/json", headers={"Origin": LOCAL_DEV}
        ),
        client.post("/mock-api/jobs/step", json={"count": 0}, headers={"Origin": LOCAL_DEV}),
    ):
        assert response.status_code in (400, 404)
        assert response.headers["Access-Control-Allow-Origin"] == LOCAL_DEV
        assert "Origin" in response.headers["Vary"]


def test_an_origin_not_allowed_gets_no_cors_headers() -> None:
    client = make_app().test_client()
    response = preflight(client, SUSPEND, "https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in response.headers
    plain = client.get(f"{BASE}/batch/count", headers={"Origin": "https://evil.example.com"})
    assert plain.status_code == 200
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_configured_origins_replace_the_default() -> None:
    client = make_app(cors_origins=["https://app.example.com"]).test_client()
    allowed = preflight(client, SUSPEND, "https://app.example.com")
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in preflight(client, SUSPEND, LOCAL_DEV).headers


def test_any_origin_with_star_and_no_vary() -> None:
    client = make_app(cors_origins=["*"]).test_client()
    response = client.get(f"{BASE}/batch/count", headers={"Origin": "https://x.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Origin" not in response.headers.get("Vary", "")


def test_no_origins_turns_cors_off() -> None:
    client = make_app(cors_origins=[]).test_client()
    response = client.get(f"{BASE}/batch/count", headers={"Origin": LOCAL_DEV})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_origins_come_from_the_environment_and_the_file(tmp_path, monkeypatch) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text('cors_origins = ["https://a.example"]\n')
    assert load_config(config_file).cors_origins == ["https://a.example"]
    monkeypatch.setenv("CAMUNDA_MOCK_CORS_ORIGINS", "https://b.example, https://c.example")
    assert load_config(config_file).cors_origins == ["https://b.example", "https://c.example"]
