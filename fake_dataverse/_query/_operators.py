"""Every condition operator as data: which column types it applies to, how many values it takes,
and its predicate over a raw column value.

Predicates follow SQL's three-valued logic as Dataverse does: a condition on a null column value
is *unknown* (``None``) for every operator but ``Null``/``NotNull``, and a row is returned only
when its whole filter is true. String comparisons are case-insensitive.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator as py_operator
import re
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from fake_dataverse._model._metadata import AttributeTypeCode as T
from fake_dataverse._query._dates import DATE_RANGES, date_range
from fake_dataverse._query._model import ConditionOperator as Op

__all__ = [
    "OPERATORS_BY_TYPE",
    "EvaluationContext",
    "OperatorSpec",
    "ValueKind",
    "applies",
    "normalise",
    "predicate",
    "prepared",
    "spec_for",
]


class ValueKind(enum.Enum):
    """What an operator's values are: the column's type, or a count of periods."""

    COLUMN = "column"
    COUNT = "count"


@attrs.frozen
class EvaluationContext:
    """What a predicate may read besides the row: the fake clock's now and the caller."""

    now: dt.datetime
    user_id: uuid.UUID | None = None


Predicate = Callable[[Any, tuple[Any, ...], EvaluationContext], "bool | None"]
#: A predicate with its values (and context) bound: ``raw value -> bool | None``.
Test = Callable[[Any], "bool | None"]
Prepare = Callable[[tuple[Any, ...], EvaluationContext], Test]


@attrs.frozen
class OperatorSpec:
    """An operator's arity (min, max or None), the column types it applies to, its predicate."""

    arity: tuple[int, int | None]
    types: frozenset[T]
    predicate: Predicate
    value_kind: ValueKind = ValueKind.COLUMN


# Which operators apply to which column types: the one table every front end (QueryExpression,
# FetchXML, OData comparisons and query functions) checks against. Learn's "condition operator
# values" (FetchXML reference) gives the types: ranges (between) take numbers and dates; ordering
# comparisons also take text; patterns take text; the date operators take dates only; a list
# (in) takes any column, a Yes/No column being a two-option choice.
_ALL = frozenset(T)
_TEXT = frozenset({T.STRING, T.MEMO})
_DATE = frozenset({T.DATETIME})
_USER = frozenset({T.LOOKUP, T.UNIQUEIDENTIFIER})
_ORDERED = _ALL - {T.BOOLEAN}
_RANGE = frozenset({T.INTEGER, T.BIGINT, T.PICKLIST, T.DATETIME})
_SPECS: dict[Op, OperatorSpec] = {}


def spec_for(operator: Op) -> OperatorSpec:
    """Return the spec of an operator."""
    return _SPECS[operator]


def applies(operator: Op, column_type: T) -> bool:
    """Return True when the operator may be used on a column of this type."""
    return column_type in _SPECS[operator].types


def predicate(operator: Op) -> Predicate:
    """Return an operator's predicate: ``(raw value, raw values, context) -> bool | None``."""
    return _SPECS[operator].predicate


def prepared(operator: Op, values: tuple[Any, ...], ctx: EvaluationContext) -> Test:
    """Return an operator's predicate with its values bound, for testing many rows.

    The same rule as :func:`predicate`; the common operators normalise their values once
    instead of once per row.
    """
    prepare = _PREPARED.get(operator)
    if prepare is not None:
        return prepare(values, ctx)
    function = _SPECS[operator].predicate
    return lambda value: function(value, values, ctx)


_PREPARED: dict[Op, Prepare] = {}


def _register(
    *operators: Op,
    arity: tuple[int, int | None],
    types: frozenset[T] = _ALL,
    value_kind: ValueKind = ValueKind.COLUMN,
) -> Callable[[Predicate], Predicate]:
    def decorate(function: Predicate) -> Predicate:
        for operator in operators:
            _SPECS[operator] = OperatorSpec(arity, types, function, value_kind)
        return function

    return decorate


def normalise(value: Any) -> Any:
    """Return the comparable form of a raw value (strings compare case-insensitively).

    The engine's first-page readers inline it (``_engine._candidates``, ``_after_cookie``): a
    change here is a change there.
    """
    return value.casefold() if isinstance(value, str) else value


def _known(function: Callable[[Any, tuple[Any, ...], EvaluationContext], bool]) -> Predicate:
    """Make a predicate unknown (None) on a null column value."""

    @functools.wraps(function)
    def checked(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool | None:
        if value is None:
            return None
        return function(normalise(value), tuple(normalise(v) for v in values), ctx)

    return checked


# ---- null ----------------------------------------------------------------------------------------
@_register(Op.NULL, arity=(0, 0))
def _null(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool | None:
    return value is None


@_register(Op.NOT_NULL, arity=(0, 0))
def _not_null(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool | None:
    return value is not None


# ---- comparison ----------------------------------------------------------------------------------
_COMPARISONS: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQUAL: py_operator.eq,
    Op.NOT_EQUAL: py_operator.ne,
    Op.GREATER_THAN: py_operator.gt,
    Op.GREATER_EQUAL: py_operator.ge,
    Op.LESS_THAN: py_operator.lt,
    Op.LESS_EQUAL: py_operator.le,
}


def _comparison(compare: Callable[[Any, Any], Any]) -> Predicate:
    def check(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
        return bool(compare(value, values[0]))

    return _known(check)


def _pattern(make: Callable[[str], str], *, negate: bool) -> Predicate:
    def check(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
        return _like(value, make(values[0])) is not negate

    return _known(check)


for _op, _compare in _COMPARISONS.items():
    _types = _ALL if _op in (Op.EQUAL, Op.NOT_EQUAL) else _ORDERED
    _register(_op, arity=(1, 1), types=_types)(_comparison(_compare))


def _prepared_comparison(compare: Callable[[Any, Any], Any]) -> Prepare:
    def prepare(values: tuple[Any, ...], ctx: EvaluationContext) -> Test:
        target = normalise(values[0])

        def test(value: Any) -> bool | None:
            if value is None:
                return None
            return bool(compare(normalise(value), target))

        return test

    return prepare


def _prepared_membership(inside: bool) -> Prepare:
    def prepare(values: tuple[Any, ...], ctx: EvaluationContext) -> Test:
        targets = tuple(normalise(v) for v in values)

        def test(value: Any) -> bool | None:
            if value is None:
                return None
            return (normalise(value) in targets) is inside

        return test

    return prepare


_PREPARED.update({op: _prepared_comparison(compare) for op, compare in _COMPARISONS.items()})
_PREPARED.update({Op.IN: _prepared_membership(True), Op.NOT_IN: _prepared_membership(False)})


@_register(Op.IN, arity=(1, None))
@_known
def _in(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return value in values


@_register(Op.NOT_IN, arity=(1, None))
@_known
def _not_in(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return value not in values


@_register(Op.BETWEEN, arity=(2, 2), types=_RANGE)
@_known
def _between(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return bool(values[0] <= value <= values[1])


@_register(Op.NOT_BETWEEN, arity=(2, 2), types=_RANGE)
@_known
def _not_between(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return not values[0] <= value <= values[1]


# ---- text patterns -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def like_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a SQL ``LIKE`` pattern (``%``, ``_``, ``[abc]``, ``[^abc]``) case-insensitively."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        close = pattern.find("]", index + 2) if char == "[" else -1
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif close != -1:
            body = pattern[index + 1 : close]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            escaped = re.escape(body).replace("\\-", "-")
            parts.append(f"[{'^' if negate else ''}{escaped}]")
            index = close
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _like(value: str, pattern: str) -> bool:
    return like_pattern(pattern).fullmatch(value) is not None


_PATTERNS: dict[Op, Callable[[str], str]] = {
    Op.LIKE: lambda v: v,
    Op.BEGINS_WITH: lambda v: v + "%",
    Op.ENDS_WITH: lambda v: "%" + v,
    Op.CONTAINS: lambda v: "%" + v + "%",
}
_NEGATED = {
    Op.NOT_LIKE: Op.LIKE,
    Op.DOES_NOT_BEGIN_WITH: Op.BEGINS_WITH,
    Op.DOES_NOT_END_WITH: Op.ENDS_WITH,
    Op.DOES_NOT_CONTAIN: Op.CONTAINS,
}
for _op, _make in _PATTERNS.items():
    _register(_op, arity=(1, 1), types=_TEXT)(_pattern(_make, negate=False))
for _op, _positive in _NEGATED.items():
    _register(_op, arity=(1, 1), types=_TEXT)(_pattern(_PATTERNS[_positive], negate=True))

# ---- dates -------------------------------------------------------------------------------------
_VALUE_DATES = {Op.ON, Op.ON_OR_AFTER, Op.ON_OR_BEFORE}
_COUNT_DATES = {op for op in DATE_RANGES if "X" in op.value}


def _within(value: Any, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    return (start is None or value >= start) and (end is None or value < end)


def _in_range(operator: Op) -> Predicate:
    def check(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
        return _within(value, *date_range(operator, ctx.now, values[0] if values else None))

    return _known(check)


def _prepared_range(operator: Op) -> Prepare:
    # The range is worked out once per query, so a range outside Dataverse's dates is the
    # query's fault whatever rows the table holds.
    def prepare(values: tuple[Any, ...], ctx: EvaluationContext) -> Test:
        start, end = date_range(operator, ctx.now, values[0] if values else None)
        return lambda value: None if value is None else _within(value, start, end)

    return prepare


for _op in DATE_RANGES:
    _PREPARED[_op] = _prepared_range(_op)
    if _op in _VALUE_DATES:
        _register(_op, arity=(1, 1), types=_DATE)(_in_range(_op))
    elif _op in _COUNT_DATES:
        _register(_op, arity=(1, 1), types=_DATE, value_kind=ValueKind.COUNT)(_in_range(_op))
    else:
        _register(_op, arity=(0, 0), types=_DATE)(_in_range(_op))


# ---- the caller --------------------------------------------------------------------------------
@_register(Op.EQUAL_USER_ID, arity=(0, 0), types=_USER)
@_known
def _equal_user(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return bool(value == ctx.user_id)


@_register(Op.NOT_EQUAL_USER_ID, arity=(0, 0), types=_USER)
@_known
def _not_equal_user(value: Any, values: tuple[Any, ...], ctx: EvaluationContext) -> bool:
    return bool(value != ctx.user_id)


_MISSING = set(Op) - set(_SPECS)
assert not _MISSING, f"condition operators without a predicate: {_MISSING}"

#: Column type → the operators that apply to it (the table above, read the other way).
OPERATORS_BY_TYPE: dict[T, frozenset[Op]] = {
    column_type: frozenset(op for op, spec in _SPECS.items() if column_type in spec.types)
    for column_type in T
}
