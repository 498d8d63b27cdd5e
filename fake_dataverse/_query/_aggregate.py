"""Aggregate queries: ``count``, ``countcolumn``, ``sum``, ``avg``, ``min``, ``max`` and group-by.

The result is one group per distinct combination of group-by values (one group without
group-by columns), each a mapping ``alias -> (column, raw value)``. Nulls are skipped by every
function but ``count``; ``sum``/``avg``/``min``/``max`` of no values are null.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeTypeCode as T
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query._evaluate import sort_component
from fake_dataverse._query._model import AggregateColumn, Query
from fake_dataverse._query._operators import normalise
from fake_dataverse._storage._store import StoredRow

__all__ = ["AGGREGATE_RECORD_LIMIT", "Group", "aggregate"]

AGGREGATE_RECORD_LIMIT = 50_000
Group = dict[str, tuple[str, Any]]
_NUMERIC = frozenset({T.INTEGER, T.BIGINT})
_ORDERED = frozenset({T.INTEGER, T.BIGINT, T.DATETIME, T.STRING, T.MEMO, T.PICKLIST})

Function = Callable[[Sequence[Any], int], Any]
_FUNCTIONS: dict[str, tuple[frozenset[T] | None, Function]] = {
    "count": (None, lambda values, rows: rows),
    "countcolumn": (None, lambda values, rows: len(values)),
    "sum": (_NUMERIC, lambda values, rows: sum(values) if values else None),
    "avg": (_NUMERIC, lambda values, rows: sum(values) / len(values) if values else None),
    "min": (_ORDERED, lambda values, rows: min(values, key=normalise) if values else None),
    "max": (_ORDERED, lambda values, rows: max(values, key=normalise) if values else None),
}
FUNCTIONS = frozenset(_FUNCTIONS)


def check_aggregate(table: EntityMetadata, query: Query) -> None:
    """Check that each aggregate function applies to its column and no group is on a date.

    Raises:
        InvalidQuery: 0x80044183 for an unknown function, a function on the wrong column type,
            or a group-by on a date and time column.
    """
    for item in query.aggregates:
        spec = _FUNCTIONS.get(item.function)
        attr = table.attribute(item.attribute)
        if spec is None or attr is None:
            raise errors.InvalidQuery(f"The aggregate '{item.function}' is not supported.")
        types, _ = spec
        if types is not None and attr.attribute_type not in types:
            raise errors.InvalidQuery(
                f"The aggregate '{item.function}' does not apply to the column "
                f"'{item.attribute}' of type '{attr.attribute_type.value}'."
            )
    for group in query.group_by:
        attr = table.attribute(group.attribute)
        if attr is not None and attr.attribute_type is T.DATETIME:
            raise errors.InvalidQuery(
                f"Group by on the date and time column '{group.attribute}' needs a dategrouping."
            )


def _apply(item: AggregateColumn, rows: Sequence[StoredRow]) -> Any:
    values = [r.values.get(item.attribute) for r in rows]
    present = [v for v in values if v is not None]
    if item.distinct:
        present = list({normalise(v): v for v in present}.values())
    return _FUNCTIONS[item.function][1](present, len(rows))


def aggregate(table: EntityMetadata, query: Query, rows: Sequence[StoredRow]) -> list[Group]:
    """Return the aggregate groups of the matching rows, ordered by the query or by group values.

    Raises:
        AggregateQueryRecordLimitExceeded: 0x8004e023 above 50,000 matching rows.
    """
    if len(rows) > AGGREGATE_RECORD_LIMIT:
        raise errors.AggregateQueryRecordLimitExceeded()
    buckets: dict[tuple[Any, ...], list[StoredRow]] = {}
    for row in rows:
        key = tuple(normalise(row.values.get(g.attribute)) for g in query.group_by)
        buckets.setdefault(key, []).append(row)
    if not query.group_by:
        buckets.setdefault((), [])
    groups: list[Group] = []
    for members in buckets.values():
        group: Group = {}
        for column in query.group_by:
            group[column.alias] = (column.attribute, members[0].values.get(column.attribute))
        for item in query.aggregates:
            group[item.alias] = (item.attribute, _apply(item, members))
        groups.append(group)
    return _ordered(query, groups)


def _group_key(alias: str) -> Callable[[Group], Any]:
    def key(group: Group) -> Any:
        return sort_component(group.get(alias, ("", None))[1])

    return key


def _ordered(query: Query, groups: list[Group]) -> list[Group]:
    orders = [(o.attribute, o.descending) for o in query.orders]
    orders += [(g.alias, False) for g in query.group_by if g.alias not in dict(orders)]
    for alias, descending in reversed(orders):
        groups.sort(key=_group_key(alias), reverse=descending)
    return groups
