"""Numbers and dates spelled as text, read the way Dataverse reads them — safely.

The one home for turning request text (a query option, a header, a filter literal, a cookie, a
JSON date) into an integer or an instant within Dataverse's range. Dataverse's parsers take
ASCII digits only (``²`` and ``٣`` are not digits to them), and no text, however long, may
make the fake raise: Python refuses to convert more than 4,300 digits, and datetime arithmetic
overflows at the years 1 and 9999, so both are checked here before Python sees them.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = [
    "INT32",
    "INT64",
    "MAX_DATETIME",
    "MAX_DIGITS",
    "MIN_DATETIME",
    "in_datetime_range",
    "parse_datetime_text",
    "parse_integer",
    "utc_instant",
]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
#: More significant digits than any Dataverse number has (Decimal: 28, BigInt: 19).
MAX_DIGITS = 40
#: Dataverse's date and time range (SQL ``datetime``), to the second.
MIN_DATETIME = dt.datetime(1753, 1, 1, tzinfo=dt.timezone.utc)
MAX_DATETIME = dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=dt.timezone.utc)

_INTEGER = re.compile(r"([+-]?)0*([0-9]+)", re.ASCII)
_UNSIGNED = re.compile(r"0*([0-9]+)", re.ASCII)
_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)


def parse_integer(
    text: str,
    *,
    signed: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Return the integer ASCII decimal ``text`` spells, or None.

    None when the text is not ``[+-]?[0-9]+`` (no sign unless ``signed``), when it has more than
    :data:`MAX_DIGITS` significant digits, or when the value is outside ``[minimum, maximum]``.
    """
    match = (_INTEGER if signed else _UNSIGNED).fullmatch(text)
    if match is None:
        return None
    digits = match[match.lastindex or 1]
    if len(digits) > MAX_DIGITS:
        return None
    value = int(digits)
    if signed and match[1] == "-":
        value = -value
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def parse_datetime_text(text: str) -> dt.datetime | None:
    """Parse an OData date/time literal to an aware UTC datetime; None when it is not one.

    A literal whose UTC instant falls before the year 1 or after 9999
    (``9999-12-31T23:59:59-14:00``) is not one: .NET cannot hold it either.
    """
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    time_part = match["time"] or "00:00:00"
    fraction = ""
    if "." in time_part:
        time_part, fraction = time_part.split(".")
    if time_part.count(":") == 1:
        time_part += ":00"
    tz = match["tz"] or "Z"
    iso = f"{match['date']}T{time_part}.{(fraction or '0')[:6].ljust(6, '0')}"
    iso += "+00:00" if tz == "Z" else tz
    try:
        return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None


def utc_instant(moment: dt.datetime) -> dt.datetime | None:
    """Return a datetime as an aware UTC instant (naive means UTC); None past the year 1 or 9999.

    ``0001-01-01T00:00:00+14:00`` is a valid Python datetime whose UTC instant is not.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        return None


def in_datetime_range(moment: dt.datetime) -> bool:
    """Return whether an aware instant is within Dataverse's date and time range."""
    return MIN_DATETIME <= moment <= MAX_DATETIME
