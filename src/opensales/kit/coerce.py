"""Lenient input coercion, as Freshsales (a Rails app) reads JSON bodies and query strings.

Ids arrive as numbers or strings, money as numbers or strings, dates in any accepted format.
A value that cannot be read raises ValueError; the caller names the field in a 400.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from opensales.kit.dates import DateFormatError, parse_date, parse_datetime

MAX_ID = 2**63 - 1
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def to_text(value: Any) -> str | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    raise ValueError("must be a string")


def to_int(value: Any, *, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                parsed = Decimal(text)
            except InvalidOperation as exc:
                raise ValueError("must be a number") from exc
            if not parsed.is_finite() or parsed != parsed.to_integral_value():
                raise ValueError("must be a whole number") from None
            value = int(parsed)
    if not isinstance(value, int):
        raise ValueError("must be a number")
    if not minimum <= value <= maximum:
        raise ValueError(f"must be between {minimum} and {maximum}")
    return value


def to_id(value: Any) -> int | None:
    """A reference to another row: a positive 64-bit integer."""
    return to_int(value, minimum=1)


def to_decimal(value: Any, *, digits: int = 15, places: int = 2) -> Decimal | None:
    if blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not number.is_finite():
        raise ValueError("must be a finite number")
    # Bound the size before rounding: 1e400 cannot be quantized to cents.
    limit = Decimal(10) ** (digits - places)
    if abs(number) >= limit:
        raise ValueError(f"must be less than 10^{digits - places}")
    # Half up, as Rails rounds money (12.345 -> 12.35).
    number = number.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP)
    if abs(number) >= limit:
        raise ValueError(f"must be less than 10^{digits - places}")
    return number


def to_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if value in (1, "1", "true", "True", "TRUE", "t", "yes"):
        return True
    if value in (0, "0", "false", "False", "FALSE", "f", "no"):
        return False
    raise ValueError("must be true or false")


def to_datetime(value: Any) -> datetime | None:
    if blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date and time")
    try:
        return parse_datetime(value)
    except DateFormatError as exc:
        raise ValueError("is not a valid date and time") from exc


def to_date(value: Any) -> date | None:
    if blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date")
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise ValueError("is not a valid date") from exc


def query_int(value: str | None, default: int) -> int:
    """Read a numeric query parameter as Rails does: leading digits, else the default."""
    if value is None:
        return default
    match = _LEADING_INT.match(value)
    if not match:
        return default
    try:
        number = int(match.group(1))
    except ValueError:
        return default
    return number if abs(number) <= MAX_ID else default


def path_id(value: str) -> int | None:
    """An id from a URL segment; anything that is not a plain id matches no record."""
    if not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
