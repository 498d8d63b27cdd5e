"""An evaluator of filter trees written for the tests, independent of the engine's.

Plain Python over a row's raw values, as the rules read in ``docs/fidelity.md``: SQL's
three-valued logic (a condition on a null column is unknown, ``None``; a row is returned only
when its filter is true), text compared case-insensitively, date periods in UTC calendar units
with weeks starting on Sunday; begins/ends with and contains are LIKE patterns built from the
value. It shares no code with ``fake_dataverse._query``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from fake_dataverse._query._model import Condition, Filter, FilterNode, Not

__all__ = ["expected_rows", "holds"]

DAY = dt.timedelta(days=1)


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _midnight(moment: dt.datetime) -> dt.datetime:
    return dt.datetime(moment.year, moment.month, moment.day, tzinfo=moment.tzinfo)


def _plus_months(moment: dt.datetime, months: int) -> dt.datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _plus(unit: str, moment: dt.datetime, amount: int) -> dt.datetime:
    if unit == "Months":
        return _plus_months(moment, amount)
    if unit == "Years":
        return _plus_months(moment, 12 * amount)
    return moment + dt.timedelta(**{unit.lower(): amount})


def _period_start(unit: str, now: dt.datetime) -> dt.datetime:
    day = _midnight(now)
    if unit == "Week":
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)  # Sunday
    if unit == "Month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _in_dates(name: str, value: dt.datetime, args: tuple[Any, ...], now: dt.datetime) -> bool:
    """Whether a date-time column value falls in the period a date operator names."""
    today = _midnight(now)
    days = {"Today": 0, "Yesterday": -1, "Tomorrow": 1}
    if name in days:
        return today + days[name] * DAY <= value < today + (days[name] + 1) * DAY
    if name == "On":
        return _midnight(args[0]) <= value < _midnight(args[0]) + DAY
    if name == "OnOrAfter":
        return value >= _midnight(args[0])
    if name == "OnOrBefore":
        return value < _midnight(args[0]) + DAY
    if name in ("Last7Days", "Next7Days"):
        name, args = name.replace("7", "X"), (7,)
    for unit in ("Week", "Month", "Year"):
        for prefix, shift in (("This", 0), ("Last", -1), ("Next", 1)):
            if name == prefix + unit:
                start = _plus(unit + "s", _period_start(unit, now), shift)
                return start <= value < _plus(unit + "s", start, 1)
    for unit in ("Minutes", "Hours", "Days", "Weeks", "Months", "Years"):
        if name == f"OlderThanX{unit}":
            return value < _plus(unit, now, -args[0])
        if name == f"LastX{unit}":
            anchor = now if unit == "Hours" else today
            return _plus(unit, anchor, -args[0]) <= value <= now
        if name == f"NextX{unit}":
            if unit == "Hours":
                return now <= value <= _plus(unit, now, args[0])
            return now <= value < _plus(unit, today, args[0]) + DAY
    raise AssertionError(f"the oracle does not know {name}")


def _like(text: str, pattern: str) -> bool:
    """SQL ``LIKE``: ``%`` any run, ``_`` one character, ``[abc]``/``[^abc]`` one of (or none
    of) a set; anything else, itself. A ``[`` without its ``]`` is itself."""
    if not pattern:
        return not text
    head = pattern[0]
    if head == "%":
        return any(_like(text[cut:], pattern[1:]) for cut in range(len(text) + 1))
    close = pattern.find("]", 2) if head == "[" else -1
    if close != -1:
        chars, negated = pattern[1:close], pattern[1] == "^"
        chars = chars[1:] if negated else chars
        fits = bool(text) and ((text[0] in chars) != negated)
        return fits and _like(text[1:], pattern[close + 1 :])
    fits = bool(text) and (head == "_" or text[0] == head)
    return fits and _like(text[1:], pattern[1:])


def _condition(condition: Condition, row: Mapping[str, Any], user: Any, now: Any) -> bool | None:
    name = condition.operator.value
    value = row.get(condition.attribute)
    if name == "Null":
        return value is None
    if name == "NotNull":
        return value is not None
    if value is None:
        return None
    column, args = _fold(value), tuple(_fold(a) for a in condition.values)
    simple = {
        "Equal": lambda: column == args[0],
        "NotEqual": lambda: column != args[0],
        "GreaterThan": lambda: column > args[0],
        "GreaterEqual": lambda: column >= args[0],
        "LessThan": lambda: column < args[0],
        "LessEqual": lambda: column <= args[0],
        "In": lambda: column in args,
        "NotIn": lambda: column not in args,
        "Between": lambda: args[0] <= column <= args[1],
        "NotBetween": lambda: not args[0] <= column <= args[1],
        "Like": lambda: _like(column, args[0]),
        "NotLike": lambda: not _like(column, args[0]),
        # Dataverse builds LIKE patterns from these values: their wildcards stay wildcards.
        "BeginsWith": lambda: _like(column, args[0] + "%"),
        "DoesNotBeginWith": lambda: not _like(column, args[0] + "%"),
        "EndsWith": lambda: _like(column, "%" + args[0]),
        "DoesNotEndWith": lambda: not _like(column, "%" + args[0]),
        "Contains": lambda: _like(column, f"%{args[0]}%"),
        "DoesNotContain": lambda: not _like(column, f"%{args[0]}%"),
        "EqualUserId": lambda: column == user,
        "NotEqualUserId": lambda: column != user,
    }
    if name in simple:
        return bool(simple[name]())
    return _in_dates(name, value, condition.values, now)


def holds(node: FilterNode | None, row: Mapping[str, Any], user: Any, now: Any) -> bool | None:
    """Return the truth of a filter on one row: True, False or None (unknown)."""
    if node is None:
        return True
    if isinstance(node, Condition):
        return _condition(node, row, user, now)
    if isinstance(node, Not):
        inner = holds(node.child, row, user, now)
        return None if inner is None else not inner
    assert isinstance(node, Filter)
    truths = [holds(child, row, user, now) for child in node.children]
    decisive = node.operator == "or"  # True decides an "or", False an "and"
    if decisive in truths:
        return decisive
    return None if None in truths else not decisive


def expected_rows(rows: Mapping[Any, Mapping[str, Any]], node: FilterNode | None, *, user: Any,
                  now: Any) -> set[Any]:
    """Return the keys of the rows whose filter is true."""
    return {key for key, row in rows.items() if holds(node, row, user, now) is True}
