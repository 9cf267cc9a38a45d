"""A safe evaluator for the small subset of JUEL that sequence-flow conditions use.

Supported: ``${name OP literal}`` with OP one of ``== != < <= > >=``, literals being
numbers, quoted strings, ``true``, ``false`` and ``null``; a bare ``${name}`` tests a
boolean variable. Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import re
from typing import Any

_COMPARISON = re.compile(
    r"^\$\{\s*(?P<name>[A-Za-z_]\w*)\s*(?P<op>==|!=|<=|>=|<|>|eq|ne|lt|le|gt|ge)\s*(?P<literal>.+?)\s*\}$"
)
_BARE = re.compile(r"^\$\{\s*(?P<not>!|not\s+)?(?P<name>[A-Za-z_]\w*)\s*\}$")
_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class UnsupportedCondition(ValueError):
    """The expression is outside the supported subset."""


def _literal(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise UnsupportedCondition(f"'{text}' is not a literal") from None


def check_condition(expression: str) -> None:
    """Raise ``UnsupportedCondition`` unless the expression is in the supported subset."""
    match = _COMPARISON.match(expression.strip())
    if match:
        _literal(match["literal"])
    elif not _BARE.match(expression.strip()):
        raise UnsupportedCondition(f"condition '{expression}' is not supported")


def evaluate_condition(expression: str, variables: dict[str, Any]) -> bool:
    """Evaluate a condition against variable values; a missing variable compares as null."""
    text = expression.strip()
    bare = _BARE.match(text)
    if bare:
        value = bool(variables.get(bare["name"]))
        return not value if bare["not"] else value
    match = _COMPARISON.match(text)
    if not match:
        raise UnsupportedCondition(f"condition '{expression}' is not supported")
    left, right = variables.get(match["name"]), _literal(match["literal"])
    op = _OPS.get(match["op"], match["op"])
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    except TypeError:
        return False
