"""Engine or documents: which answer the mock gives where the two disagree.

Every disagreement is an entry of ``x-divergences`` in ``openapi.yaml`` with the engine's
answer and the reference documents' answer. Domain code names the entry at the point the
engine would decide; the active profile picks the answer. An answer with a 2xx status
means "go on as if nothing happened".
"""

from __future__ import annotations

from typing import Any

from .errors import CamundaError

PROFILES = ("engine", "docs")


class Profile:
    """The active side of every documented divergence."""

    def __init__(self, name: str, divergences: dict[str, dict[str, Any]]) -> None:
        if name not in PROFILES:
            raise ValueError(f"unknown profile '{name}' (choose from {', '.join(PROFILES)})")
        self.name = name
        self.divergences = divergences

    def answer(self, divergence_id: str, **values: Any) -> CamundaError | None:
        """The active profile's error for this divergence, or None where it goes on.

        ``values`` fill the ``<placeholders>`` of the entry's message (``<id>``, ``<key>``).
        """
        answer = self.divergences[divergence_id][self.name]
        if int(answer["status"]) < 300:
            return None
        message = answer.get("message")
        for name, value in values.items():
            if message is not None:
                message = message.replace(f"<{name}>", str(value))
        return CamundaError(int(answer["status"]), answer["type"], message, code=answer.get("code"))

    def decide(self, divergence_id: str, **values: Any) -> None:
        """Raise the active profile's error if it has one here; otherwise return to go on."""
        error = self.answer(divergence_id, **values)
        if error is not None:
            raise error

    def error(self, divergence_id: str, **values: Any) -> CamundaError:
        """The error for a divergence where both sides answer with an error."""
        error = self.answer(divergence_id, **values)
        if error is None:
            raise ValueError(f"divergence '{divergence_id}' has no error under '{self.name}'")
        return error
