"""Bad input never hurts: a clear engine-style error, the server keeps serving, no state change.

Some cases run in process; the ones that only a real server shows (raw bytes, truncated and
slow requests, waitress's own limits) run against the mock served by the start command.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mockserver.limits import TOMCAT_BAD_REQUEST, declared_length
from tests.assertions import IRE, assert_error, assert_mapping_error
from tests.conftest import BASE, make_app
from tests.served import served_mock

SUSPEND = f"{BASE}/process-instance/suspended-async"
# Room for 100k nested arrays; waitress itself refuses bodies over four times the limit.
SERVED_LIMIT = 200_000
SERVED_LIMITS = ("--max-body-bytes", str(SERVED_LIMIT), "--channel-timeout", "2")
ORDER = Path(__file__).resolve().parent.parent / "mockserver" / "processes" / "order.bpmn"


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def state(client: FlaskClient) -> tuple[int, int, int]:
    """Batches, process instances and deployments: what a bad request must not change."""
    return tuple(  # type: ignore[return-value]
        client.get(f"{BASE}/{resource}/count").get_json()["count"]
        for resource in ("batch", "process-instance", "deployment")
    )


@pytest.fixture
def client() -> FlaskClient:
    client = make_app().test_client()
    with ORDER.open("rb") as bpmn:
        deployed = client.post(f"{BASE}/deployment/create", data={"data": (bpmn, "order.bpmn")})
    assert deployed.status_code == 200
    return client


def post_json(client: FlaskClient, path: str, raw: bytes):
    return client.post(path, data=raw, content_type="application/json")


# -- in process ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        nested(100_000),
        b'{"processInstanceIds": ' + nested(5_000) + b"}",
        b'{"processInstanceQuery": {"variables": ' + nested(100_000) + b"}}",
    ],
)
def test_deep_nesting_is_a_parse_error_not_a_500(client, raw: bytes) -> None:
    before = state(client)
    assert_mapping_error(post_json(client, SUSPEND, raw))
    assert state(client) == before


def test_deep_nesting_in_a_variable_is_a_parse_error(client) -> None:
    before = state(client)
    raw = b'{"variables": {"v": {"value": ' + nested(100_000) + b"}}}"
    assert_mapping_error(post_json(client, f"{BASE}/process-definition/key/order/start", raw))
    assert state(client) == before


def test_deep_nesting_in_the_admin_api_is_refused_too(client) -> None:
    response = post_json(client, "/mock-api/clock/advance", nested(100_000))
    assert_mapping_error(response)
    assert client.get("/mock-api/clock").status_code == 200


def test_a_body_over_the_limit_gets_413_before_it_is_read(client) -> None:
    before = state(client)
    ids = json.dumps({"processInstanceIds": ["x" * 10] * 200_000}).encode()  # ~3 MiB
    response = post_json(client, SUSPEND, ids)
    assert_error(
        response, 413, "WebApplicationException", "HTTP 413 Request Entity Too Large", None
    )
    assert "1048576" in response.headers["X-Mock-Error-Detail"]
    assert state(client) == before


def test_the_limit_is_configurable() -> None:
    client = make_app(max_body_bytes=100).test_client()
    assert client.post(SUSPEND, json={"processInstanceIds": ["a"]}).status_code == 200
    assert client.post(SUSPEND, json={"processInstanceIds": ["a" * 100]}).status_code == 413


def test_a_huge_array_under_the_limit_is_served(client) -> None:
    ids = [str(i) for i in range(100_000)]
    response = client.post(f"{BASE}/process-instance", json={"processInstanceIds": ids})
    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize(
    "raw", [b'{"processInstanceIds": ["\xff\xfe"]}', b'{"processInstanceIds": ["\xc3"]}']
)
def test_invalid_utf8_in_a_value_is_a_mapping_error(client, raw: bytes) -> None:
    before = state(client)
    assert_mapping_error(post_json(client, SUSPEND, raw))
    assert state(client) == before


def test_a_control_character_between_tokens_is_a_parse_error(client) -> None:
    before = state(client)
    response = post_json(client, SUSPEND, b"\xef\xbb\xbf\x00\x00")  # a byte order mark counts
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain"
    assert response.get_data(as_text=True) == (
        "Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is "
        "allowed between tokens\n at [Source: REDACTED "
        "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 5]"
    )
    assert state(client) == before


@pytest.mark.parametrize(
    "path",
    ["/batch/a%00b", "/batch/a%5Cb", "/batch/a%5cb", "/batch/a%2Fb", "/history/batch/a%5C",
     "/batch%5C", "/batch/statistics%2f"],
)  # fmt: skip
def test_tomcat_refuses_a_path_with_a_backslash_nul_or_encoded_slash(client, path: str) -> None:
    response = client.get(BASE + path)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/html;charset=utf-8"
    assert response.data == TOMCAT_BAD_REQUEST  # the engine's Tomcat page, byte for byte


def test_an_encoded_percent_sign_is_no_backslash(client) -> None:
    response = client.get(f"{BASE}/batch/a%255Cb")
    assert_error(response, 404, IRE, "Batch with id 'a%5Cb' does not exist", None)


def test_nul_in_a_json_string_is_just_a_character(client) -> None:
    response = post_json(client, SUSPEND, b'{"processInstanceIds": ["a\\u0000b"]}')
    assert response.status_code == 200  # an unknown id counts as an item, as in the engine
    assert response.get_json()["totalJobs"] == 1


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (SUSPEND, "text/plain"),
        (SUSPEND, "application/x-www-form-urlencoded"),
        (SUSPEND, "multipart/form-data; boundary=x"),
        (f"{BASE}/deployment/create", "application/json"),
    ],
)
def test_a_wrong_content_type_is_415(client, path: str, content_type: str) -> None:
    before = state(client)
    response = client.post(path, data=b'{"processInstanceIds": ["a"]}', content_type=content_type)
    assert_error(response, 415, "NotSupportedException", "HTTP 415 Unsupported Media Type", None)
    assert state(client) == before


def test_a_body_shorter_than_its_content_length_is_a_parse_error(client) -> None:
    before = state(client)
    response = client.post(
        SUSPEND,
        input_stream=io.BytesIO(b'{"processInstanceIds": ["a"'),
        headers={"Content-Type": "application/json", "Content-Length": "500"},
    )
    assert_mapping_error(response)
    assert state(client) == before


def test_a_detail_quoting_any_character_is_a_valid_header(client) -> None:
    response = post_json(client, SUSPEND, '{"processInstanceIds": "\u20ac\\n\u2028"}'.encode())
    assert_mapping_error(response)
    detail = response.headers["X-Mock-Error-Detail"]
    assert detail.isascii() and detail.isprintable()
    assert "\\u20ac" in detail


# -- served by waitress --------------------------------------------------------------------


class Served:
    """The mock started by its start command, talked to over raw sockets."""

    def __init__(self, port: int) -> None:
        self.port = port

    def exchange(self, data: bytes, close_sending: bool = True) -> bytes:
        """Send raw bytes and read the whole answer ('' when the server just closes)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as connection:
            connection.sendall(data)
            if close_sending:
                connection.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            return answer

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n"
        head += "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        return self.exchange(head.encode() + b"\r\n" + body)

    def count_batches(self) -> int:
        answer = self.request("GET", f"{BASE}/batch/count")
        return json.loads(answer.split(b"\r\n\r\n", 1)[1])["count"]


def status_and_body(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with served_mock("--no-demo", "--quiet", *SERVED_LIMITS) as served:
        yield Served(served.port)


def test_served_deep_nesting_and_odd_characters_get_json_400s(served: Served) -> None:
    for body in (nested(100_000), '{"processInstanceIds": "\u20ac"}'.encode()):
        status, answer = status_and_body(
            served.request("POST", SUSPEND, body, Content_Type="application/json")
        )
        assert status == 400
        assert json.loads(answer) == {
            "type": "InvalidRequestException",
            "message": "",
            "code": None,
        }
    assert served.count_batches() == 0


def test_served_bodies_over_the_limit_get_413(served: Served) -> None:
    status, answer = status_and_body(
        served.request("POST", SUSPEND, b"x" * (SERVED_LIMIT + 1), Content_Type="application/json")
    )
    assert status == 413
    assert json.loads(answer)["type"] == "WebApplicationException"
    # Far over the limit, waitress refuses the body itself (in plain text), before reading it.
    head = (
        f"POST {SUSPEND} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
        f"Content-Length: {5 * SERVED_LIMIT}\r\n\r\n"
    )
    status, _ = status_and_body(served.exchange(head.encode(), close_sending=False))
    assert status == 413
    assert served.count_batches() == 0


def test_served_chunked_body_over_the_limit_gets_413(served: Served) -> None:
    head = (
        f"POST {SUSPEND} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"x" * (SERVED_LIMIT + 1)
    body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    status, answer = status_and_body(served.exchange(head + body))
    assert status == 413
    assert json.loads(answer)["message"] == "HTTP 413 Request Entity Too Large"


@pytest.mark.parametrize("path", ["/batch/a%00b", "/batch/a%5Cb", "/batch/a%2Fb"])
def test_served_paths_tomcat_refuses_get_its_page(served: Served, path: str) -> None:
    status, answer = status_and_body(served.request("GET", BASE + path))
    assert status == 400
    assert answer == TOMCAT_BAD_REQUEST


def test_served_truncated_and_silent_requests_are_dropped_and_the_server_goes_on(
    served: Served,
) -> None:
    head = (
        f"POST {SUSPEND} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    ).encode()
    body_start = b'{"processInstanceIds": ["a"'
    # The client closes its side: nothing to answer, nothing dispatched.
    assert served.exchange(head + body_start) == b""
    # The client goes silent: waitress drops it after --channel-timeout, and meanwhile
    # serves everyone else.
    with socket.create_connection(("127.0.0.1", served.port), timeout=60) as slow:
        slow.sendall(head + body_start)
        assert served.count_batches() == 0
        assert slow.recv(65536) == b""  # closed by the server, no answer
    assert served.count_batches() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"CONTENT_LENGTH": "42"},
        {"CONTENT_LENGTH": "0"},
        {},
        {"CONTENT_LENGTH": "+42"},
        {"CONTENT_LENGTH": " 42 "},
        {"CONTENT_LENGTH": "4_2"},
        {"CONTENT_LENGTH": "\u0664\u0662"},  # Arabic-Indic digits: not HTTP digits
        {"CONTENT_LENGTH": "-1"},
        {"CONTENT_LENGTH": "42", "HTTP_TRANSFER_ENCODING": "chunked"},
        {"CONTENT_LENGTH": "42", "HTTP_TRANSFER_ENCODING": "gzip, chunked"},
        {"CONTENT_LENGTH": "42", "HTTP_TRANSFER_ENCODING": "identity"},
    ],
)
def test_the_declared_length_is_read_as_werkzeug_reads_it(headers: dict[str, str]) -> None:
    """The limits' quick read of Content-Length never disagrees with werkzeug's parse."""
    environ = EnvironBuilder(method="POST", path=SUSPEND).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update(headers)
    assert declared_length(Request(environ)) == Request(environ).content_length
