"""Named checks: each failure says which rule of the contract the target broke.

A check raises :class:`ContractViolation`, an ``AssertionError`` that carries the check's name.
The plugin records that name on the test report, so the summary table and the JUnit report say
*which* check failed (``status``, ``error-message``, ``batch-numbers``...), not only that
something did.
"""

from __future__ import annotations

from .client import EngineResponse


class ContractViolation(AssertionError):
    """The target's answer breaks the contract; ``check`` names the rule."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"[{check}] {message}")
        self.check = check


def violation(check: str, expected: str, response: EngineResponse) -> ContractViolation:
    """A violation that shows what was expected and what the target answered."""
    return ContractViolation(check, f"expected {expected}\n  received: {response.describe()}")


def check_status(response: EngineResponse, expected: int) -> None:
    """``status``: the HTTP status is the one the contract gives."""
    if response.status != expected:
        raise violation("status", f"status {expected}", response)
