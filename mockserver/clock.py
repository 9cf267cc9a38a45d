"""The mock's clock and the engine's date format (``yyyy-MM-dd'T'HH:mm:ss.SSSZ``)."""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone


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


# -- the engine's SimpleDateFormat, lenient, as its query parameters are read ------------

# The literals after year, month, day, hour, minute and second; the zone follows the millis.
_SEPARATORS = ("-", "-", "T", ":", ":", ".")
_NUMERIC_ZONE = re.compile(r"([0-9]{2})([0-9]{2})")
_GMT_ZONE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAYS_PER_400_YEARS = 146097
_LONG = 2**63
_INT = 2**31


def _java_int_value(digits: str, exponent: int, negative: bool) -> int:
    """``Number.intValue()`` of the number ``DecimalFormat`` parsed (``digits`` times ten to
    ``exponent``): a whole number within a long keeps its low 32 bits; a fraction or a number
    past a long is a double, which truncates and saturates."""
    digits = digits.lstrip("0")
    if not digits:
        return 0
    whole_count = len(digits) + exponent
    if whole_count > 19:  # 10^19 and more: past a long
        return -_INT if negative else _INT - 1
    whole = int(digits[: max(whole_count, 0)] + "0" * max(exponent, 0) or "0")
    value = -whole if negative else whole
    if digits[max(whole_count, 0) :].strip("0") or not -_LONG <= value < _LONG:
        return max(-_INT, min(_INT - 1, value))
    return (value + _INT) % (2 * _INT) - _INT


def _digits(text: str, position: int) -> tuple[str, int]:
    """The digits at ``position``, of any script (BMP only: Java reads UTF-16 units)."""
    digits = ""
    while position < len(text) and ord(text[position]) <= 0xFFFF:
        digit = unicodedata.decimal(text[position], None)
        if digit is None:
            break
        digits += str(digit)
        position += 1
    return digits, position


def _lenient_number(text: str, position: int) -> tuple[int, int]:
    """One numeric field as ``DecimalFormat`` reads it: spaces or tabs, an optional minus,
    digits, and an exponent (``E``, an optional minus, digits) if one follows."""
    while text[position : position + 1] in (" ", "\t"):
        position += 1
    negative = text.startswith("-", position)
    digits, position = _digits(text, position + negative)
    if not digits:
        raise ValueError(f"no number at {position} in '{text}'")
    exponent = 0
    if text.startswith("E", position):
        exponent_negative = text.startswith("-", position + 1)
        exponent_digits, after = _digits(text, position + 1 + exponent_negative)
        significant = exponent_digits.lstrip("0")
        # An exponent past a long is left unread; Java casts one within it to an int.
        if exponent_digits and len(significant) <= 19 and int(significant or "0") < _LONG:
            exponent = (int(significant or "0") + _INT) % (2 * _INT) - _INT
            exponent, position = (-exponent if exponent_negative else exponent), after
    return _java_int_value(digits, exponent, negative), position


def _zone_minutes(text: str, position: int) -> int:
    """The ``Z`` field: ``+hhmm``/``-hhmm``, ``GMT`` or ``GMT+h:mm`` (hours up to 23)."""
    while text[position : position + 1] in (" ", "\t"):
        position += 1
    sign, pattern = text[position : position + 1], _NUMERIC_ZONE
    if text[position : position + 3].lower() == "gmt":
        position += 3
        sign, pattern = text[position : position + 1], _GMT_ZONE
        if sign not in ("+", "-"):
            return 0
    elif sign not in ("+", "-"):
        # Java also knows its locale's zone names (UTC, CET...); the mock does not.
        raise ValueError(f"no zone offset at {position} in '{text}'")
    match = pattern.match(text, position + 1)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"no zone offset at {position} in '{text}'")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return -minutes if sign == "-" else minutes


def parse_lenient_date(text: str) -> datetime:
    """A date as the engine's ``SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ")`` reads it.

    That format is lenient and reads a prefix: a number may have spaces or tabs before it, a
    minus, any count of digits (of any script), an exponent (``2E3``) and any value
    (``2025-13-45`` rolls over into 2026); ``S`` counts milliseconds (``.5`` is 5 ms); the
    zone is ``+hhmm``/``-hhmm``, ``GMT`` or ``GMT+h:mm``; anything after it is ignored.
    Another shape raises ``ValueError``, and so do zone names (``UTC``), which Java looks up
    in its locale data. Days are counted in the proleptic Gregorian calendar (Java reckons
    those before 1582 in the Julian one), and a moment outside Python's years is clamped to
    its first or last, which compares with every moment the mock holds as the real one would.
    """
    fields, position = [], 0
    for separator in (*_SEPARATORS, None):
        value, position = _lenient_number(text, position)
        fields.append(value)
        if separator is not None:
            if not text.startswith(separator, position):
                raise ValueError(f"'{separator}' expected at {position} in '{text}'")
            position += 1
    offset = _zone_minutes(text, position)
    year, month, day, hour, minute, second, milli = fields
    year, month0 = divmod(year * 12 + month - 1, 12)
    cycles, year_in_cycle = divmod(year - 1, 400)  # the calendar repeats every 400 years
    days = (
        date(year_in_cycle + 1, month0 + 1, 1).toordinal()
        + cycles * _DAYS_PER_400_YEARS
        + day
        - 1
        - _EPOCH_ORDINAL
    )
    millis = (((days * 24 + hour) * 60 + minute - offset) * 60 + second) * 1000 + milli
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
        return moment.astimezone(timezone(timedelta(minutes=offset)))
    except OverflowError:
        return (datetime.min if millis < 0 else datetime.max).replace(tzinfo=UTC)


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
