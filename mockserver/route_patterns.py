"""Which engine requests a latency or fault rule is about: ``[METHOD] PATH-GLOB``."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

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
