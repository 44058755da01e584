"""Date values of filters: absolute dates and date-times, and relative ones that resolve in
the asking user's time zone.

A value is a span: a calendar day, week or month (`today`, `this week`, `last 30 days`,
`2026-01-05`) from its first instant to the next span's, or a moment (`30 days ago`,
`2026-01-05T10:00:00Z`). On a date column (not a date-time) a span is a range of dates and a
moment is its day.

    today, yesterday, tomorrow
    this week, last week, next week      (weeks start on Monday)
    this month, last month, next month
    last N days                          (the N days that end with today)
    next N days                          (the N days that start with today)
    N days ago, N hours ago, N minutes ago   (a moment, to the minute)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opensales.kit import coerce, timezones
from opensales.kit.dates import utcnow

_AGO = re.compile(r"(\d{1,6}) (day|hour|minute)s? ago")
_DAYS = re.compile(r"(last|next) (\d{1,5}) days?")
_CALENDAR = re.compile(r"(this|last|next) (week|month)")
_DAY_NAMES = {"today": 0, "yesterday": -1, "tomorrow": 1}
_STEP = {"this": 0, "last": -1, "next": 1}
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Span:
    """[start, end): dates on a date column, UTC datetimes otherwise; a moment has no end."""

    start: date | datetime
    end: date | datetime
    moment: bool = False


def _month(day: date, step: int) -> date:
    months = day.year * 12 + day.month - 1 + step
    return date(months // 12, months % 12 + 1, 1)


def _calendar(text: str, today: date) -> tuple[date, date] | None:
    """The dates [first, after last) a calendar value names, or None."""
    if text in _DAY_NAMES:
        first = today + timedelta(days=_DAY_NAMES[text])
        return first, first + timedelta(days=1)
    days = _DAYS.fullmatch(text)
    if days:
        count = int(days.group(2))
        if count < 1:
            raise ValueError(f"{text!r} names no day")
        if days.group(1) == "last":
            return today - timedelta(days=count - 1), today + timedelta(days=1)
        return today, today + timedelta(days=count)
    calendar = _CALENDAR.fullmatch(text)
    if calendar:
        step = _STEP[calendar.group(1)]
        if calendar.group(2) == "week":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
            return monday, monday + timedelta(weeks=1)
        first = _month(today, step)
        return first, _month(first, 1)
    day = coerce.to_date(text) if _PLAIN_DATE.fullmatch(text) else None
    if day is not None:
        return day, day + timedelta(days=1)
    return None


def _moment(text: str, raw: str) -> datetime:
    ago = _AGO.fullmatch(text)
    if ago:
        # Whole minutes, so that cached totals and cursors are reused within a minute.
        now = utcnow().replace(second=0, microsecond=0)
        return now - timedelta(**{f"{ago.group(2)}s": int(ago.group(1))})
    moment = coerce.to_datetime(raw)
    if moment is None:
        raise ValueError("must be a date")
    return moment


def span_of(value: object, time_zone: str | None, *, dated: bool) -> Span:
    """The span a filter's date value names for a user in `time_zone`; ValueError if none."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a date, a date-time or a relative date such as 'today'")
    text = " ".join(value.lower().split())
    tz = timezones.zone(time_zone)
    now = utcnow()
    today = now.astimezone(tz).date()
    days = _calendar(text, today)
    if days is None:
        moment = _moment(text, value.strip())
        if not dated:
            return Span(moment, moment, moment=True)
        day = moment.astimezone(tz).date() if moment.tzinfo else moment.date()
        days = day, day + timedelta(days=1)
    if dated:
        return Span(*days)
    first, after = ((d - today).days for d in days)
    return Span(timezones.local_midnight(now, tz, first), timezones.local_midnight(now, tz, after))
