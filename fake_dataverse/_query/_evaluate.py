"""Evaluate a bound filter tree over a row's raw values, and build sort keys.

Filters use three-valued logic (``True``/``False``/``None`` for unknown); a row matches only when
its filter is ``True``. Sort keys put nulls first when ascending and last when descending (as SQL
Server does) and compare strings case-insensitively; every key ends with the primary key, so the
order is total and a paging cookie can resume after any row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fake_dataverse._model._row import MISSING, RowLayout
from fake_dataverse._query._model import Condition, Filter, FilterNode, Not, Order
from fake_dataverse._query._operators import EvaluationContext, normalise, predicate, prepared

__all__ = [
    "RowTest",
    "SortColumn",
    "compile_filter",
    "key_of",
    "matches",
    "sort_columns",
    "sort_component",
    "sort_key",
    "truth",
]

#: A filter compiled for one table's rows: ``row tuple -> True / False / None (unknown)``.
RowTest = Callable[[tuple[Any, ...]], "bool | None"]

SortColumn = tuple[str, bool]


def truth(node: FilterNode, values: Mapping[str, Any], ctx: EvaluationContext) -> bool | None:
    """Return the three-valued truth of a filter node for one row."""
    if isinstance(node, Condition):
        return predicate(node.operator)(values.get(node.attribute), node.values, ctx)
    if isinstance(node, Not):
        inner = truth(node.child, values, ctx)
        return None if inner is None else not inner
    return _combine(node, values, ctx)


def _combine(node: Filter, values: Mapping[str, Any], ctx: EvaluationContext) -> bool | None:
    decisive = node.operator == "or"
    result: bool | None = not decisive
    for child in node.children:
        outcome = truth(child, values, ctx)
        if outcome is decisive:
            return decisive
        if outcome is None:
            result = None
    return result


def matches(node: FilterNode | None, values: Mapping[str, Any], ctx: EvaluationContext) -> bool:
    """Return True when a row's values satisfy the filter (no filter: every row)."""
    return node is None or truth(node, values, ctx) is True


def compile_filter(node: FilterNode, layout: RowLayout, ctx: EvaluationContext) -> RowTest:
    """Return the filter as a function of a stored row's tuple, with the same three values as
    :func:`truth` (a row matches when it returns True).

    Columns are resolved to tuple positions and condition values normalised once, so testing
    a row costs a few calls instead of a walk of the tree.
    """
    if isinstance(node, Condition):
        return _compile_condition(node, layout, ctx)
    if isinstance(node, Not):
        inner = compile_filter(node.child, layout, ctx)

        def negate(data: tuple[Any, ...]) -> bool | None:
            outcome = inner(data)
            return None if outcome is None else not outcome

        return negate
    children = tuple(compile_filter(child, layout, ctx) for child in node.children)
    decisive = node.operator == "or"

    def combine(data: tuple[Any, ...]) -> bool | None:
        result: bool | None = not decisive
        for child in children:
            outcome = child(data)
            if outcome is decisive:
                return decisive
            if outcome is None:
                result = None
        return result

    return combine


def _compile_condition(node: Condition, layout: RowLayout, ctx: EvaluationContext) -> RowTest:
    test = prepared(node.operator, node.values, ctx)
    number = layout.index.get(node.attribute)
    if number is not None and number < layout.fixed:

        def stored(data: tuple[Any, ...]) -> bool | None:
            value = data[number]
            return test(None if value is MISSING else value)

        return stored
    read = layout.getter(node.attribute)
    return lambda data: test(read(data))


class _Descending:
    """A sort component compared in reverse."""

    __slots__ = ("inner",)

    def __init__(self, inner: tuple[Any, ...]) -> None:
        self.inner = inner

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.inner == other.inner

    def __lt__(self, other: _Descending) -> bool:
        return other.inner < self.inner

    def __gt__(self, other: _Descending) -> bool:
        return other.inner > self.inner

    def __hash__(self) -> int:
        return hash(self.inner)


def sort_columns(orders: Sequence[Order], primary_key: str) -> tuple[SortColumn, ...]:
    """Return the full sort: the orders, then the primary key (ascending) as the tie-break."""
    columns = [(o.attribute, o.descending) for o in orders]
    if all(name != primary_key for name, _ in columns):
        columns.append((primary_key, False))
    return tuple(columns)


def sort_component(value: Any, descending: bool = False) -> Any:
    """Return one value's sort component (nulls lowest; reversed when descending)."""
    base = (0,) if value is None else (1, normalise(value))
    return _Descending(base) if descending else base


def sort_key(columns: Sequence[SortColumn], values: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return a row's sort key for the given sort columns."""
    return tuple(sort_component(values.get(name), desc) for name, desc in columns)


def key_of(columns: Sequence[SortColumn], raw: Sequence[Any]) -> tuple[Any, ...]:
    """Return the sort key for raw values given in sort-column order (a cookie's)."""
    return tuple(sort_component(value, desc) for (_, desc), value in zip(columns, raw, strict=True))
