"""Camunda's error answers: one exception class carries status, type, message and code.

The engine's REST layer renders every exception as ``{"type", "message", "code"}`` where
``type`` is the Java exception's simple class name and ``code`` is set only for
``ProcessEngineException`` (0 by default) and ``null`` otherwise. One exception escapes that
shape: a body Jackson's parser cannot read is answered by Jackson's own JAX-RS mapper, with
the parser's message as plain text (:func:`parse_error`).
"""

from __future__ import annotations

from typing import Any


class CamundaError(Exception):
    """An error answer exactly as the engine would send it."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str | None,
        code: int | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        plain_text: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.headers = headers or {}
        self.extra = extra or {}  # keys some exceptions add, e.g. a ParseException's details
        self.plain_text = plain_text  # the answer is the message alone, as text/plain

    def body(self) -> dict[str, Any]:
        """The JSON body the engine sends for this error."""
        return {"type": self.type, "message": self.message, "code": self.code, **self.extra}


def invalid_request(message: str | None, status: int = 400) -> CamundaError:
    """``InvalidRequestException``: how the five batch resources re-throw engine validation."""
    return CamundaError(status, "InvalidRequestException", message)


def parse_error(text: str) -> CamundaError:
    """Jackson's ``JsonParseException``: 400 ``text/plain`` with the parser's message."""
    return CamundaError(400, "JsonParseException", text, plain_text=True)


def mapping_error(detail: str) -> CamundaError:
    """A Jackson mapping failure: 400 with an empty message, as the engine answers.

    The engine gives no detail; the mock adds it in the ``X-Mock-Error-Detail`` header so
    a person can see what was wrong without changing the body a client parses.
    """
    return CamundaError(400, "InvalidRequestException", "", headers={"X-Mock-Error-Detail": detail})


def process_engine_error(message: str) -> CamundaError:
    """A plain ``ProcessEngineException`` that no resource catches: 500 with code 0."""
    return CamundaError(500, "ProcessEngineException", message, code=0)


def rest_error(status: int, message: str) -> CamundaError:
    """``RestException`` with an explicit status (e.g. 404 for an unknown definition key)."""
    return CamundaError(status, "RestException", message)
