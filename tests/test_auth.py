"""Optional HTTP Basic authentication, answered as the engine's REST auth filter answers."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from mockserver.config import load_config
from tests.conftest import BASE, make_app
from tests.served import served_mock

SUSPEND = f"{BASE}/process-instance/suspended-async"
BODY = {"processInstanceIds": ["a"]}
USERS = {"demo": "demo", "mary": "pa:ss"}


def basic(credentials: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def client():
    return make_app(auth_users=USERS).test_client()


def assert_challenge(response) -> None:
    """The filter's 401: the challenge naming the default engine, no body."""
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="default"'
    assert response.get_data() == b""
    assert response.headers["X-Mock-Error-Detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("demo:wrong"),
        basic("nobody:demo"),
        basic("demo"),  # no colon
        {"Authorization": "Bearer abc"},
        {"Authorization": "basic " + base64.b64encode(b"demo:demo").decode()},  # case matters
        {"Authorization": "Basic !!!not-base64"},
    ],
)
def test_without_valid_credentials_the_engine_api_answers_401(client, headers) -> None:
    assert_challenge(client.post(SUSPEND, json=BODY, headers=headers))
    assert_challenge(client.get(f"{BASE}/batch/count", headers=headers))
    assert client.get(f"{BASE}/batch/count", headers=basic("demo:demo")).get_json() == {"count": 0}


def test_an_unknown_path_below_the_base_path_is_refused_before_routing(client) -> None:
    assert_challenge(client.get(f"{BASE}/no-such-resource"))
    assert client.get(f"{BASE}/no-such-resource", headers=basic("demo:demo")).status_code == 404


def test_the_authenticated_user_creates_the_batch(client) -> None:
    response = client.post(SUSPEND, json=BODY, headers=basic("mary:pa:ss"))
    assert response.status_code == 200
    assert response.get_json()["createUserId"] == "mary"


def test_the_admin_api_the_openapi_document_and_preflights_stay_open(client) -> None:
    assert client.get("/mock-api/progression").status_code == 200
    assert client.get(f"{BASE}/openapi.json").status_code == 200
    preflight = client.options(
        SUSPEND,
        headers={"Origin": "http://localhost:4200", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204


def test_a_refused_request_changes_nothing_and_carries_cors_headers(client) -> None:
    response = client.post(SUSPEND, json=BODY, headers={"Origin": "http://localhost:4200"})
    assert_challenge(response)
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:4200"
    assert client.get(f"{BASE}/batch/count", headers=basic("demo:demo")).get_json()["count"] == 0


def test_without_users_nothing_is_checked() -> None:
    client = make_app().test_client()
    response = client.post(SUSPEND, json=BODY, headers=basic("kermit:anything"))
    assert response.get_json()["createUserId"] == "kermit"
    assert client.post(SUSPEND, json=BODY).get_json()["createUserId"] is None


def test_users_come_from_the_file_and_the_environment(tmp_path, monkeypatch) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text('[auth_users]\ndemo = "demo"\n')
    assert load_config(config_file).auth_users == {"demo": "demo"}
    monkeypatch.setenv("CAMUNDA_MOCK_AUTH_USERS", "john:john, mary:pa:ss")
    assert load_config(config_file).auth_users == {"john": "john", "mary": "pa:ss"}


@pytest.mark.parametrize("table", ["demo = 1", '"de:mo" = "x"'])
def test_a_bad_users_table_stops_the_start(tmp_path, table: str) -> None:
    config_file = tmp_path / "mock.toml"
    config_file.write_text(f"[auth_users]\n{table}\n")
    with pytest.raises(ValueError, match="auth_users"):
        load_config(config_file)


def test_the_auth_flag_protects_the_served_mock() -> None:
    with served_mock("--no-demo", "--auth", "demo:demo") as served:
        url = served.url
        data = json.dumps(BODY).encode()
        refused = urllib.request.Request(
            f"{url}/process-instance/suspended-async",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(refused, timeout=10)
        assert answer.value.code == 401
        assert answer.value.headers["WWW-Authenticate"] == 'Basic realm="default"'
        answer.value.close()
        allowed = urllib.request.Request(
            refused.full_url,
            data=data,
            headers={"Content-Type": "application/json", **basic("demo:demo")},
        )
        with urllib.request.urlopen(allowed, timeout=10) as response:
            assert json.load(response)["createUserId"] == "demo"
