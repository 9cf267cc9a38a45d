"""The mock's clock and the engine's date format (``yyyy-MM-dd'T'HH:mm:ss.SSSZ``)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone


def format_engine_date(moment: datetime | None) -> str | None:
    """Render a moment as the engine does, e.g. ``2025-01-31T10:15:00.000+0100``.

    Built field by field: it runs for every date of every answer, and ``strftime`` costs
    several times more. Years are padded to four digits, as Java's ``yyyy`` does.
    """
    if moment is None:
        return None
    offset = moment.utcoffset()
    zone = ""
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}{zone}"
    )


_ENGINE_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$"
)


def parse_engine_date(text: str) -> datetime:
    """Parse a date in the engine's format, as leniently as the engine does.

    The engine's ``SimpleDateFormat`` is lenient: fields past their range roll over, so
    ``2025-13-01`` is 2026-01-01 and ``T25:00`` the next day. Only another shape (or a year
    Python cannot hold) raises ``ValueError``.
    """
    match = _ENGINE_DATE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not in the format yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    year, month, day, hour, minute, second, milli = (int(g) for g in match.groups()[:7])
    sign, offset_hours, offset_minutes = match.group(8), int(match.group(9)), int(match.group(10))
    months = year * 12 + month - 1
    offset = timedelta(hours=offset_hours, minutes=offset_minutes)
    try:  # local time minus its (possibly also rolled-over) offset gives UTC
        local = datetime(months // 12, months % 12 + 1, 1) + timedelta(
            days=day - 1, hours=hour, minutes=minute, seconds=second, milliseconds=milli
        )
        signed = offset if sign == "+" else -offset
        if offset < timedelta(hours=24):  # keep the sender's offset when it is a real one
            return local.replace(tzinfo=timezone(signed))
        return (local - signed).replace(tzinfo=UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"'{text}' is outside the dates the mock can hold: {exc}") from None


class MockClock:
    """Wall-clock time plus an offset that can only move forward.

    Moving the clock lets a user make due jobs due (the batch monitor's poll time counts
    against this clock) without waiting.
    """

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        """The mock's current time, in UTC, truncated to milliseconds like the engine."""
        # Whole milliseconds from the system clock: a third of the cost of truncating a
        # datetime (this runs for every job and batch).
        return datetime.fromtimestamp(time.time_ns() // 1_000_000 / 1000, UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        """Back to wall-clock time."""
        self._offset = timedelta()

    @property
    def offset(self) -> timedelta:
        """How far the mock clock is ahead of wall-clock time."""
        return self._offset

    def restore(self, offset: timedelta) -> None:
        """Set the offset a saved state had (it may be behind the current one)."""
        self._offset = offset
