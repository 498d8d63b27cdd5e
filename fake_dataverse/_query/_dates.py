"""The date condition operators as ranges of instants, computed from the fake clock.

Each operator maps the current instant (and its ``x`` for the ``…X…`` operators, or the date
value for ``On``/``OnOrAfter``/``OnOrBefore``) to a half-open range ``[start, end)``; ``None``
leaves that side open. Days, weeks, months and years are calendar periods in UTC; weeks start
on Sunday (see ``docs/fidelity.md``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import in_datetime_range
from fake_dataverse._query._model import ConditionOperator as Op

__all__ = ["DATE_RANGES", "date_range"]

Range = tuple[dt.datetime | None, dt.datetime | None]
RangeFunction = Callable[[dt.datetime, Any], Range]

_TICK = dt.timedelta(microseconds=1)
_SECOND = dt.timedelta(seconds=1)  # an exclusive end may be one second past the last instant
DATE_RANGES: dict[Op, RangeFunction] = {}


def _register(*operators: Op) -> Callable[[RangeFunction], RangeFunction]:
    def decorate(function: RangeFunction) -> RangeFunction:
        for operator in operators:
            DATE_RANGES[operator] = function
        return function

    return decorate


def date_range(operator: Op, now: dt.datetime, value: Any = None) -> Range:
    """Return the ``[start, end)`` range a date operator selects at ``now``.

    Raises:
        InvalidDateTime: 0x80040239 when the range reaches outside Dataverse's dates
            (``NextXYears`` 99999999, ``OnOrBefore`` 9999-12-31): SQL cannot hold its bounds.
    """
    try:
        start, end = DATE_RANGES[operator](now, value)
    except (OverflowError, ValueError):
        raise errors.InvalidDateTime() from None
    if (start is not None and not in_datetime_range(start)) or (
        end is not None and not in_datetime_range(end - _SECOND)
    ):
        raise errors.InvalidDateTime()
    return start, end


def _day(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _week(moment: dt.datetime) -> dt.datetime:
    start = _day(moment)
    return start - dt.timedelta(days=(start.weekday() + 1) % 7)


def _month(moment: dt.datetime) -> dt.datetime:
    return _day(moment).replace(day=1)


def _year(moment: dt.datetime) -> dt.datetime:
    return _month(moment).replace(month=1)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Return the instant ``months`` calendar months later (day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _shift(unit: str, moment: dt.datetime, amount: int) -> dt.datetime:
    if unit == "months":
        return add_months(moment, amount)
    if unit == "years":
        return add_months(moment, 12 * amount)
    return moment + dt.timedelta(**{unit: amount})


# ---- a given date ----------------------------------------------------------------------------
@_register(Op.ON)
def _on(now: dt.datetime, value: dt.datetime) -> Range:
    return _day(value), _day(value) + dt.timedelta(days=1)


@_register(Op.ON_OR_AFTER)
def _on_or_after(now: dt.datetime, value: dt.datetime) -> Range:
    return _day(value), None


@_register(Op.ON_OR_BEFORE)
def _on_or_before(now: dt.datetime, value: dt.datetime) -> Range:
    return None, _day(value) + dt.timedelta(days=1)


# ---- days relative to today ----------------------------------------------------------------
def _relative_day(offset: int) -> RangeFunction:
    def day_range(now: dt.datetime, value: Any) -> Range:
        start = _day(now) + dt.timedelta(days=offset)
        return start, start + dt.timedelta(days=1)

    return day_range


_register(Op.TODAY)(_relative_day(0))
_register(Op.YESTERDAY)(_relative_day(-1))
_register(Op.TOMORROW)(_relative_day(1))


# ---- last / next x units ----------------------------------------------------------------------
def _last(unit: str, *, whole_days: bool, fixed: int | None = None) -> RangeFunction:
    def last_range(now: dt.datetime, value: Any) -> Range:
        amount = fixed if fixed is not None else int(value)
        anchor = _day(now) if whole_days else now
        return _shift(unit, anchor, -amount), now + _TICK

    return last_range


def _next(unit: str, *, whole_days: bool, fixed: int | None = None) -> RangeFunction:
    def next_range(now: dt.datetime, value: Any) -> Range:
        amount = fixed if fixed is not None else int(value)
        if not whole_days:
            return now, _shift(unit, now, amount) + _TICK
        return now, _shift(unit, _day(now), amount) + dt.timedelta(days=1)

    return next_range


def _older_than(unit: str) -> RangeFunction:
    def older_range(now: dt.datetime, value: Any) -> Range:
        return None, _shift(unit, now, -int(value))

    return older_range


_register(Op.LAST_7_DAYS)(_last("days", whole_days=True, fixed=7))
_register(Op.NEXT_7_DAYS)(_next("days", whole_days=True, fixed=7))
for _unit, _last_op, _next_op, _older_op in (
    ("hours", Op.LAST_X_HOURS, Op.NEXT_X_HOURS, Op.OLDER_THAN_X_HOURS),
    ("days", Op.LAST_X_DAYS, Op.NEXT_X_DAYS, Op.OLDER_THAN_X_DAYS),
    ("weeks", Op.LAST_X_WEEKS, Op.NEXT_X_WEEKS, Op.OLDER_THAN_X_WEEKS),
    ("months", Op.LAST_X_MONTHS, Op.NEXT_X_MONTHS, Op.OLDER_THAN_X_MONTHS),
    ("years", Op.LAST_X_YEARS, Op.NEXT_X_YEARS, Op.OLDER_THAN_X_YEARS),
):
    _register(_last_op)(_last(_unit, whole_days=_unit != "hours"))
    _register(_next_op)(_next(_unit, whole_days=_unit != "hours"))
    _register(_older_op)(_older_than(_unit))
_register(Op.OLDER_THAN_X_MINUTES)(_older_than("minutes"))


# ---- this / last / next calendar period -------------------------------------------------------
def _period(
    start_of: Callable[[dt.datetime], dt.datetime], unit: str, offset: int
) -> RangeFunction:
    def period_range(now: dt.datetime, value: Any) -> Range:
        start = _shift(unit, start_of(now), offset)
        return start, _shift(unit, start, 1)

    return period_range


for _start_of, _unit, _this_op, _last_period_op, _next_period_op in (
    (_week, "weeks", Op.THIS_WEEK, Op.LAST_WEEK, Op.NEXT_WEEK),
    (_month, "months", Op.THIS_MONTH, Op.LAST_MONTH, Op.NEXT_MONTH),
    (_year, "years", Op.THIS_YEAR, Op.LAST_YEAR, Op.NEXT_YEAR),
):
    _register(_this_op)(_period(_start_of, _unit, 0))
    _register(_last_period_op)(_period(_start_of, _unit, -1))
    _register(_next_period_op)(_period(_start_of, _unit, 1))
