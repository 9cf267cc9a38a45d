"""One client for every target: the mock in process, or any engine by URL.

Contract cases, flows and property tests talk to the engine only through :class:`EngineClient`,
so the same test runs unchanged against the embedded mock (a WSGI app, no network) and against a
live engine behind ``--engine-url``.
"""

from __future__ import annotations

import base64
import io
import json as jsonlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from requests.structures import CaseInsensitiveDict

from mockserver import MockConfig, create_app

DEFAULT_TIMEOUT = 30.0


@dataclass
class EngineResponse:
    """What the target answered: status, headers (case-insensitive) and body bytes."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    url: str

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def describe(self) -> str:
        """``POST /x -> 400 {...}``: one line for failure messages."""
        body = self.text if len(self.text) <= 500 else self.text[:500] + "..."
        return f"{self.method} {self.url} -> {self.status} {body}"


@dataclass
class EngineClient:
    """Sends requests to one target's engine API, relative to its base URL.

    Build it with :meth:`for_app` or :meth:`for_url`. ``name`` says what the target is in
    report headers and summaries; ``mock`` is true when the target is this project's mock,
    whose admin API (``/mock-api``) the suite may use to make jobs run.
    """

    name: str
    base_url: str
    send: Callable[..., EngineResponse] = field(repr=False)
    mock: bool = False

    @classmethod
    def for_app(cls, app: Flask, base_path: str = "/engine-rest", name: str = "") -> EngineClient:
        """A client for a WSGI app in this process (the embedded mock or a variant of it)."""
        test_client = app.test_client()

        def send(method: str, url: str, **kwargs: Any) -> EngineResponse:
            kwargs.pop("timeout", None)
            credentials = kwargs.pop("auth", None)
            if credentials is not None:  # HTTP Basic, as requests sends it
                user, password = credentials
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                kwargs["headers"] = {
                    **(kwargs.get("headers") or {}),
                    "Authorization": f"Basic {token}",
                }
            if "params" in kwargs:
                kwargs["query_string"] = kwargs.pop("params")
            if "files" in kwargs:  # requests' multipart files, as Werkzeug's test client takes them
                data = dict(kwargs.pop("data", None) or {})
                for name, (filename, content, content_type) in kwargs.pop("files").items():
                    data[name] = (io.BytesIO(content), filename, content_type)
                kwargs["data"] = data
            response = test_client.open(url, method=method, **kwargs)
            headers = CaseInsensitiveDict(response.headers.to_wsgi_list())
            return EngineResponse(response.status_code, headers, response.get_data(), method, url)

        return cls(name or "in-process mock", base_path, send, mock=True)

    @classmethod
    def for_mock(
        cls,
        profile: str = "engine",
        name: str = "",
        factory: Callable[[MockConfig], Flask] = create_app,
        **settings: Any,
    ) -> EngineClient:
        """A client for this project's mock in process, as the suite checks it: empty (every
        case and flow arranges its own data) and with manual progression (jobs run only when
        the suite runs them). ``factory`` may build a variant of it; ``settings`` are further
        ``MockConfig`` fields."""
        config = MockConfig(demo=False, progression="manual", profile=profile, **settings)
        return cls.for_app(factory(config), config.base_path, name)

    @classmethod
    def for_url(
        cls,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        mock: bool | None = None,
    ) -> EngineClient:
        """A client for an engine (or a served mock) at ``url``, e.g. ``http://host/engine-rest``.

        ``mock`` says whether the target is this project's mock; by default it is detected by
        asking for the mock's admin API next to the engine API.
        """
        session = requests.Session()
        if user is not None:
            session.auth = (user, password or "")
        base_url = url.rstrip("/")

        def send(method: str, target: str, **kwargs: Any) -> EngineResponse:
            kwargs.setdefault("timeout", timeout)
            response = session.request(method, target, **kwargs)
            return EngineResponse(
                response.status_code, response.headers, response.content, method, target
            )

        client = cls(base_url, base_url, send)
        client.mock = _has_mock_api(client) if mock is None else mock
        return client

    def url(self, path: str) -> str:
        """The full URL of an engine API path such as ``/batch``."""
        return self.base_url + path

    def request(self, method: str, path: str, **kwargs: Any) -> EngineResponse:
        """Send ``method path`` (relative to the engine API); keyword arguments as in requests:
        ``json``, ``params``, ``data``, ``headers``, ``files``."""
        return self.send(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> EngineResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> EngineResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> EngineResponse:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> EngineResponse:
        return self.request("DELETE", path, **kwargs)

    def mock_admin(self, method: str, path: str, **kwargs: Any) -> EngineResponse:
        """Call the mock's admin API (``/mock-api/...``), next to the engine API's base path."""
        if not self.mock:
            raise RuntimeError(f"{self.name} is not the mock: it has no admin API")
        parts = urlsplit(self.base_url)
        root = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        return self.send(method, root + "/mock-api" + path, **kwargs)


def _has_mock_api(client: EngineClient) -> bool:
    client.mock = True
    try:
        answer = client.mock_admin("GET", "/progression")
    except requests.RequestException:
        return False
    finally:
        client.mock = False
    return answer.status == 200 and "mode" in answer.text
