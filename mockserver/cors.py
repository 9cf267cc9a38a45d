"""CORS, so a frontend served from another origin can call the mock from a browser.

Origins are exact (``https://app.example.com``), globs (``http://localhost:*``) or ``*`` for
any. A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) from an allowed origin
is answered at once with 204; every other answer to an allowed origin, errors included,
carries ``Access-Control-Allow-Origin``. Answers to origins that are not allowed carry no
CORS headers, so the browser blocks them.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from flask import Request, Response

from .serving_hooks import Hooks

# What a frontend dev server on this machine needs: any port of localhost and 127.0.0.1.
LOCAL_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*")
ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
# Sent when a preflight names no headers; otherwise the named ones are allowed.
DEFAULT_ALLOWED_HEADERS = "Authorization, Content-Type, Accept"
# Headers of the mock a script may read: the detail of an error, the auth challenge, faults.
EXPOSED_HEADERS = "X-Mock-Error-Detail, X-Mock-Fault, WWW-Authenticate"
PREFLIGHT_MAX_AGE = "600"  # seconds a browser may reuse a preflight answer


class CorsPolicy:
    """Which origins may call the mock, and the headers their answers get."""

    def __init__(self, origins: list[str]) -> None:
        self.any_origin = "*" in origins
        self.origins = [origin.rstrip("/") for origin in origins if origin != "*"]

    def allows(self, origin: str) -> bool:
        """Whether a browser page from ``origin`` may read the mock's answers."""
        return self.any_origin or any(fnmatchcase(origin, o) for o in self.origins)

    def add_headers(self, response: Response, origin: str) -> None:
        """The headers every answer to an allowed origin carries."""
        if self.any_origin:
            response.headers["Access-Control-Allow-Origin"] = "*"
        else:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.vary.add("Origin")
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS

    def preflight(self, request: Request, origin: str) -> Response:
        """The answer to a preflight from an allowed origin."""
        response = Response(status=204)
        self.add_headers(response, origin)
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = requested or DEFAULT_ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        if requested:
            response.vary.add("Access-Control-Request-Headers")
        return response


def hooks(origins: list[str]) -> Hooks:
    """Answer preflights first and add CORS headers to every answer (no origins: CORS off)."""
    if not origins:
        return Hooks()
    policy = CorsPolicy(origins)

    def answer_preflight(request: Request) -> Response | None:
        if request.method != "OPTIONS":
            return None
        origin = request.headers.get("Origin")
        if (
            "Access-Control-Request-Method" in request.headers
            and origin is not None
            and policy.allows(origin)
        ):
            return policy.preflight(request, origin)
        return None

    def add_cors_headers(request: Request, response: Response) -> Response:
        origin = request.environ.get("HTTP_ORIGIN")  # the environ: cheaper than headers
        if origin is not None and policy.allows(origin):
            policy.add_headers(response, origin)
        return response

    return Hooks(answer_preflight, add_cors_headers)
