"""The mock's clock and the engine's date format (``yyyy-MM-dd'T'HH:mm:ss.SSSZ``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ENGINE_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def format_engine_date(moment: datetime | None) -> str | None:
    """Render a moment as the engine does, e.g. ``2025-01-31T10:15:00.000+0100``."""
    if moment is None:
        return None
    text = moment.strftime(ENGINE_DATE_FORMAT)
    # %f gives microseconds (6 digits); the engine sends milliseconds.
    return text[:23] + text[26:]


def parse_engine_date(text: str) -> datetime:
    """Parse a date in the engine's format; raises ``ValueError`` for any other shape."""
    return datetime.strptime(text, ENGINE_DATE_FORMAT)


class MockClock:
    """Wall-clock time plus an offset that can only move forward.

    Moving the clock lets a user make due jobs due (the batch monitor's poll time counts
    against this clock) without waiting.
    """

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        """The mock's current time, in UTC, truncated to milliseconds like the engine."""
        moment = datetime.now(UTC) + self._offset
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        """Back to wall-clock time."""
        self._offset = timedelta()
