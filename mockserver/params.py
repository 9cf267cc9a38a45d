"""Query-string parameters converted the way the engine's REST layer converts them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .clock import parse_engine_date
from .errors import CamundaError, invalid_request


def _cannot_set(name: str, value: str, detail: str | None = None) -> CamundaError:
    message = f"Cannot set query parameter '{name}' to value '{value}'"
    return invalid_request(f"{message}: {detail}" if detail else message)


def boolean(args: Mapping[str, str], name: str) -> bool | None:
    """A ``@CamundaQueryParam`` boolean: ``true``/``false``, anything else a 400."""
    value = args.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise _cannot_set(
            name, value, f"Cannot convert value {value} to java type java.lang.Boolean"
        )
    return value == "true"


def jaxrs_flag(args: Mapping[str, str], name: str) -> bool:
    """A plain JAX-RS ``boolean`` parameter (e.g. ``cascade``): only ``true`` is true and
    nothing is refused, as ``Boolean.valueOf`` reads it."""
    return args.get(name) == "true"


def date(args: Mapping[str, str], name: str) -> datetime | None:
    """A date parameter in the engine's format."""
    value = args.get(name)
    if value is None:
        return None
    try:
        return parse_engine_date(value)
    except ValueError:
        raise _cannot_set(
            name, value, f"Cannot convert value {value} to java type java.util.Date"
        ) from None


def integer(args: Mapping[str, str], name: str) -> int | None:
    """A ``@CamundaQueryParam`` integer filter such as ``priorityHigherThanOrEquals``."""
    value = args.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not -(2**63) <= number < 2**63:
        raise _cannot_set(name, value, f"Cannot convert value {value} to java type java.lang.Long")
    return number


def string_list(args: Mapping[str, str], name: str) -> list[str] | None:
    """A comma-separated list such as ``tenantIdIn=a,b``."""
    value = args.get(name)
    return None if value is None else value.split(",")


def paging(args: Mapping[str, str]) -> tuple[int, int | None]:
    """``firstResult`` and ``maxResults``: JAX-RS ``@QueryParam Integer`` parameters.

    JAX-RS answers a value it cannot convert with 404, and so does the engine.
    """
    result = []
    for name in ("firstResult", "maxResults"):
        value = args.get(name)
        if value is None:
            result.append(None)
            continue
        try:
            result.append(int(value))
        except ValueError:
            raise CamundaError(404, "QueryParamException", "HTTP 404 Not Found") from None
    first, maximum = result
    return max(first or 0, 0), maximum


def sorting(args: Mapping[str, str], valid_sort_by: tuple[str, ...]) -> tuple[str | None, bool]:
    """``sortBy`` and ``sortOrder``; both or neither, as the engine requires."""
    sort_by, sort_order = args.get("sortBy"), args.get("sortOrder")
    if sort_by is not None and sort_by not in valid_sort_by:
        raise _cannot_set("sortBy", sort_by)
    if sort_order is not None and sort_order not in ("asc", "desc"):
        raise _cannot_set("sortOrder", sort_order)
    if (sort_by is None) != (sort_order is None):
        raise invalid_request(
            "Only a single sorting parameter specified. sortBy and sortOrder required"
        )
    return sort_by, sort_order == "desc"


def sortable(value: Any) -> tuple[bool, Any]:
    """A sort key on which None sorts first and never meets a value of another type."""
    return (value is not None, value if value is not None else 0)


def sort(
    items: list, sorting: tuple[str | None, bool], keys: Mapping[str, Callable[[Any], Any]]
) -> list:
    """Sort in place by an already checked ``(sortBy, descending)`` pair; no sortBy: as is."""
    sort_by, descending = sorting
    if sort_by is not None:
        key = keys[sort_by]
        items.sort(key=lambda item: sortable(key(item)), reverse=descending)
    return items


def page(items: list, args: Mapping[str, str]) -> list:
    """Apply ``firstResult`` / ``maxResults`` to an already sorted list."""
    first, maximum = paging(args)
    return items[first:] if maximum is None else items[first : first + max(maximum, 0)]
