"""Limits on what a request may be: its size, its nesting, the characters of its path.

- A body over ``max_body_bytes`` gets 413 with the engine's error body before anything reads
  it (by its ``Content-Length``, or while a chunked body streams in).
- JSON nested deeper than Python can parse, or than the mock can walk, is what Jackson
  refuses as a parse error (its nesting limit): 400 ``InvalidRequestException`` with an empty
  message. A RecursionError never becomes a 500.
- A path the servlet container in front of the engine (Tomcat) refuses before the engine sees
  it gets Tomcat's answer: 400 with its HTML error page. Tomcat refuses an encoded slash
  (``%2F``), and a backslash or a NUL in the decoded path.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from werkzeug.exceptions import RequestEntityTooLarge

from .error_responses import error_response
from .errors import CamundaError, mapping_error
from .serving_hooks import Hooks

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Tomcat's error page for a request it refuses itself, byte for byte.
TOMCAT_BAD_REQUEST = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 400 \u2013 Bad Request</title>'
    '<style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b '
    "{color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 "
    "{font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;"
    "background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status 400 \u2013 "
    "Bad Request</h1></body></html>"
).encode("utf-8")


def too_large(limit: int) -> CamundaError:
    """413 as JAX-RS names it, with the limit in the mock's detail header."""
    return CamundaError(
        413,
        "WebApplicationException",
        "HTTP 413 Request Entity Too Large",
        headers={"X-Mock-Error-Detail": f"the body is larger than the limit of {limit} bytes"},
    )


def declared_length(request: Request) -> int | None:
    """The body length the client declared; None for a chunked body or none declared.

    The usual header (plain digits, no ``Transfer-Encoding``) is read from the environ;
    werkzeug's ``content_length`` parses any other form, at several times the cost.
    """
    environ = request.environ
    length = environ.get("CONTENT_LENGTH", "")
    if length.isascii() and length.isdigit() and "HTTP_TRANSFER_ENCODING" not in environ:
        return int(length)
    return request.content_length


def container_refuses(environ: dict) -> bool:
    """Whether Tomcat refuses the request's path: an encoded slash in the raw path, or a
    backslash or NUL once it is decoded."""
    decoded = environ.get("PATH_INFO", "")  # decoded by the server already
    if "\x00" in decoded or "\\" in decoded:
        return True
    raw_path = environ.get("REQUEST_URI", "").partition("?")[0]
    return "%2f" in raw_path.lower()


def tomcat_bad_request() -> Response:
    """Tomcat's 400 with its HTML page."""
    return Response(
        TOMCAT_BAD_REQUEST,
        400,
        {
            "Content-Type": "text/html;charset=utf-8",
            "Content-Language": "en",
            "X-Mock-Error-Detail": "the servlet container refuses this path",
        },
    )


def install(app: Flask, max_body_bytes: int) -> Hooks:
    """Refuse big bodies and paths Tomcat refuses early; deep JSON gets the engine's 400,
    never a 500."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes  # chunked bodies, counted as they stream

    def refuse_big_bodies_and_bad_paths(request: Request) -> Response | None:
        if container_refuses(request.environ):  # Tomcat looks at the path before the body
            return tomcat_bad_request()
        if (declared_length(request) or 0) > max_body_bytes:
            raise too_large(max_body_bytes)
        return None

    @app.errorhandler(RequestEntityTooLarge)
    def body_too_large(error: RequestEntityTooLarge) -> Response:
        return error_response(too_large(max_body_bytes))

    @app.errorhandler(RecursionError)
    def nested_too_deeply(error: RecursionError) -> Response:
        return error_response(mapping_error("the JSON is nested too deeply"))

    return Hooks(before=refuse_big_bodies_and_bad_paths)
