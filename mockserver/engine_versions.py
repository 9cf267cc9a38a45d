"""The Camunda 7 CE releases the mock can answer as (``--engine-version``)."""

from __future__ import annotations

import re

ENGINE_VERSIONS = ("7.20.0", "7.21.0", "7.22.0", "7.23.0", "7.24.0")
DEFAULT_ENGINE_VERSION = "7.24.0"


def version_key(version: str) -> tuple[int, ...]:
    """``"7.22.0"`` as ``(7, 22, 0)``, for comparing releases (a suffix such as ``-ee`` is
    left out)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0]))


def at_least(version: str, release: str) -> bool:
    """Whether ``version`` is ``release`` or later."""
    return version_key(version) >= version_key(release)
