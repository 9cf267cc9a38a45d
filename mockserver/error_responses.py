"""A CamundaError as the Flask response the engine's REST layer would send."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from .errors import CamundaError

MAX_HEADER_CHARS = 500  # a detail quoting a huge input stays a readable header


def header_safe(text: str) -> str:
    """A header value any HTTP stack can send: ASCII on one line, cut to a readable length.

    Details quote the request, which may hold any character; a header must be Latin-1 and
    must not break the line.
    """
    safe = text.encode("ascii", "backslashreplace").decode("ascii")
    safe = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in safe)
    return safe if len(safe) <= MAX_HEADER_CHARS else safe[: MAX_HEADER_CHARS - 3] + "..."


def error_response(error: CamundaError) -> Response:
    """The JSON body (or the plain text), the status and any extra headers of ``error``."""
    if error.plain_text:
        # Jersey writes the text as UTF-8 and names no charset; an unpaired surrogate is "?".
        response = current_app.response_class((error.message or "").encode("utf-8", "replace"))
        response.headers["Content-Type"] = "text/plain"
    else:
        response = jsonify(error.body())
    response.status_code = error.status
    response.headers.update({name: header_safe(value) for name, value in error.headers.items()})
    return response
