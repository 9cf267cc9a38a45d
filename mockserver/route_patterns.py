"""What latency and fault rules share: which engine requests a rule is about
(``[METHOD] PATH-GLOB``), and a rule set replaceable at run time with its seeded source."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Generic, TypeVar

ADMIN_PREFIX = "/mock-api"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


@dataclass(frozen=True)
class Route:
    """A method (or any) and a glob over the path below the engine's base path.

    ``*`` in the glob also matches ``/``: ``/batch/*`` covers ``/batch/1/suspended``.
    """

    method: str | None
    pattern: str

    @classmethod
    def parse(cls, text: str) -> Route:
        """``POST /process-instance/job-retries``, ``/batch*``, ``GET *`` or ``*``."""
        parts = text.split()
        if len(parts) == 2 and parts[0].upper() in METHODS:
            method, pattern = parts[0].upper(), parts[1]
        elif len(parts) == 1:
            method, pattern = None, parts[0]
        else:
            raise ValueError(f"a route is '[METHOD] /path-glob', not '{text}'")
        if not pattern.startswith(("/", "*")):
            raise ValueError(f"a route's path starts with '/' or '*', not '{pattern}'")
        return cls(method, pattern)

    def matches(self, method: str, path: str) -> bool:
        """Whether a request (path below the base path) is one this route names."""
        if self.method is not None and self.method != method:
            return False
        return fnmatchcase(path, self.pattern)

    def is_catch_all(self) -> bool:
        """Every engine request: the global rule, which route-specific rules override."""
        return self.method is None and self.pattern == "*"

    def __str__(self) -> str:
        return self.pattern if self.method is None else f"{self.method} {self.pattern}"


def engine_path(request_path: str, base_path: str) -> str | None:
    """The path below the engine's base path, or None for the admin API and other paths."""
    if request_path == ADMIN_PREFIX or request_path.startswith(ADMIN_PREFIX + "/"):
        return None
    if not base_path:
        return request_path
    if request_path == base_path:
        return "/"
    if request_path.startswith(base_path + "/"):
        return request_path[len(base_path) :]
    return None


Rule = TypeVar("Rule")


class SeededRules(Generic[Rule]):
    """Rules that can be replaced while the mock runs, and the seeded random source they
    draw from (so the same requests in the same order get the same answers every run).

    Readers hold ``_lock`` while they match and draw. Reading ``rules`` alone needs no
    lock: ``replace`` swaps the whole list.
    """

    def __init__(self, rules: list[Rule], seed: int) -> None:
        self._lock = threading.Lock()
        self.rules: list[Rule] = []
        self.seed = seed
        self._random = random.Random(seed)
        self.replace(rules, seed)

    def replace(self, rules: list[Rule], seed: int | None = None) -> None:
        """Use these rules from now on; the random source starts again from ``seed``."""
        with self._lock:
            self.rules = self._ordered(list(rules))
            if seed is not None:
                self.seed = seed
            self._random = random.Random(self.seed)

    def _ordered(self, rules: list[Rule]) -> list[Rule]:
        """The order in which rules are tried (default: as given)."""
        return rules
