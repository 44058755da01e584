"""Every date and time format Freshsales accepts, including JavaScript Date.toString()."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
# "Tue Jun 21 2016 11:00:00 GMT+0000" or "Mon Jun 20 2016 10:30:00 GMT+0530 (IST)"
_JS = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})"
    r"(?: GMT([+-]\d{4}))?(?: \([^)]*\))?$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


class DateFormatError(ValueError):
    pass


def _offset(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> datetime:
    """Parse any accepted format into an aware UTC datetime; no zone means UTC."""
    text = text.strip()
    match = _ISO.match(text)
    try:
        if match:
            y, mo, d, h, mi, s, frac, zone = match.groups()
            micro = int((frac or "0").ljust(6, "0"))
            value = datetime(
                int(y),
                int(mo),
                int(d),
                int(h or 0),
                int(mi or 0),
                int(s or 0),
                micro,
                tzinfo=_offset(zone),
            )
            return value.astimezone(UTC)
        match = _JS.match(text)
        if match:
            mon, d, y, h, mi, s, zone = match.groups()
            month = _MONTHS.get(mon.lower())
            if month is None:
                raise DateFormatError(text)
            value = datetime(int(y), month, int(d), int(h), int(mi), int(s), tzinfo=_offset(zone))
            return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise DateFormatError(text) from exc
    raise DateFormatError(text)


def parse_date(text: str) -> date:
    """A date field takes a date, or any datetime form (its date part, as written)."""
    text = text.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise DateFormatError(text) from exc
    match = _JS.match(text)
    if match:
        mon, d, y = match.group(1), match.group(2), match.group(3)
        month = _MONTHS.get(mon.lower())
        try:
            if month is None:
                raise ValueError(text)
            return date(int(y), month, int(d))
        except ValueError as exc:
            raise DateFormatError(text) from exc
    parse_datetime(text)  # the whole value must be valid; the date is the one written
    return date.fromisoformat(text[:10])


# The test double's clock (opensales/test_control/clock.py) when it is frozen or moved; the
# system clock otherwise. One per process, as the time of day is.
_clock: Callable[[], datetime] | None = None


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Make `utcnow` answer `clock()`; None goes back to the system clock."""
    global _clock
    _clock = clock


def utcnow() -> datetime:
    return datetime.now(UTC) if _clock is None else _clock()


def format_timestamp(value: datetime | str | None) -> str | None:
    """UTC `YYYY-MM-DDTHH:MM:SSZ` from a datetime (PostgreSQL) or stored text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:19]}Z"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_date(value: date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value[:10]
    return value.isoformat()


def as_date(value: date | datetime | str | None) -> date | None:
    """A stored date or timestamp (text on SQLite) as a date."""
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    return value
