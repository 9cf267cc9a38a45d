"""The Camunda 7 CE releases the mock can answer as (``--engine-version``)."""

from __future__ import annotations

ENGINE_VERSIONS = ("7.20.0", "7.21.0", "7.22.0", "7.23.0", "7.24.0")
DEFAULT_ENGINE_VERSION = "7.24.0"


def version_key(version: str) -> tuple[int, ...]:
    """``"7.22.0"`` as ``(7, 22, 0)``, for comparing releases."""
    return tuple(int(part) for part in version.split("."))


def at_least(version: str, release: str) -> bool:
    """Whether ``version`` is ``release`` or later."""
    return version_key(version) >= version_key(release)
