"""Limits on what a request may be: its size, its nesting, the characters of its path.

- A body over ``max_body_bytes`` gets 413 with the engine's error body before anything reads
  it (by its ``Content-Length``, or while a chunked body streams in).
- JSON nested deeper than Python can parse, or than the mock can walk, is what Jackson
  refuses as a parse error (its nesting limit): 400 ``InvalidRequestException`` with an empty
  message. A RecursionError never becomes a 500.
- A path with a NUL character gets 400, as the servlet container in front of the engine
  refuses such a URI before the engine sees it.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from werkzeug.exceptions import RequestEntityTooLarge

from .error_responses import error_response
from .errors import CamundaError, mapping_error
from .serving_hooks import Hooks

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


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


def install(app: Flask, max_body_bytes: int) -> Hooks:
    """Refuse big bodies and NUL paths early; deep JSON gets the engine's 400, never a 500."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes  # chunked bodies, counted as they stream

    def refuse_big_bodies_and_bad_paths(request: Request) -> None:
        if (declared_length(request) or 0) > max_body_bytes:
            raise too_large(max_body_bytes)
        if "\x00" in request.environ.get("PATH_INFO", ""):  # decoded by the server already
            raise CamundaError(
                400,
                "WebApplicationException",
                "HTTP 400 Bad Request",
                headers={"X-Mock-Error-Detail": "the path contains a NUL character"},
            )

    @app.errorhandler(RequestEntityTooLarge)
    def body_too_large(error: RequestEntityTooLarge) -> Response:
        return error_response(too_large(max_body_bytes))

    @app.errorhandler(RecursionError)
    def nested_too_deeply(error: RecursionError) -> Response:
        return error_response(mapping_error("the JSON is nested too deeply"))

    return Hooks(before=refuse_big_bodies_and_bad_paths)
