"""One before-request and one after-request hook that run the serving concerns in order.

Each concern (request log, CORS, limits, latency, auth, faults, progression) keeps its own
module and hands its functions over as ``Hooks``. Flask would run each of them as a hook of
its own, and each would look the request up through werkzeug's context proxy several times;
here the request is looked up once and passed to every concern.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Request, Response, request

BeforeHook = Callable[[Request], Response | None]
AfterHook = Callable[[Request, Response], Response]


@dataclass(frozen=True)
class Hooks:
    """What one concern does before the view runs and to the answer afterwards."""

    before: BeforeHook | None = None
    after: AfterHook | None = None


def install(app: Flask, concerns: list[Hooks]) -> None:
    """Run the concerns' ``before`` in the given order and their ``after`` in reverse.

    That is the order Flask gives hooks registered one after another: a ``before`` that
    answers (or raises) ends the request there, and the first concern's ``after`` sees the
    final answer last.
    """
    befores = tuple(hooks.before for hooks in concerns if hooks.before is not None)
    afters = tuple(hooks.after for hooks in reversed(concerns) if hooks.after is not None)

    @app.before_request
    def run_before_hooks() -> Response | None:
        current = request._get_current_object()  # type: ignore[attr-defined]
        for before in befores:
            answer = before(current)
            if answer is not None:
                return answer
        return None

    @app.after_request
    def run_after_hooks(response: Response) -> Response:
        current = request._get_current_object()  # type: ignore[attr-defined]
        for after in afters:
            response = after(current, response)
        return response
