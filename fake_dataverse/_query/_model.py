"""The one query model every front end compiles to (QueryExpression, FetchXML, OData).

A :class:`Query` names a table, the columns to return, a filter tree, the order, ``top``, paging
and aggregation. Conditions use the SDK's :class:`ConditionOperator` names; their values are raw
(stored-form) values once bound to metadata: ``int`` for integers and choices, ``str``,
``uuid.UUID`` for ids and lookups, aware UTC ``datetime``.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

import attrs

__all__ = [
    "AggregateColumn",
    "Condition",
    "ConditionOperator",
    "Filter",
    "FilterNode",
    "GroupByColumn",
    "Not",
    "Order",
    "Query",
]


class ConditionOperator(enum.Enum):
    """Condition operators, named as the SDK's ``ConditionOperator``."""

    EQUAL = "Equal"
    NOT_EQUAL = "NotEqual"
    GREATER_THAN = "GreaterThan"
    GREATER_EQUAL = "GreaterEqual"
    LESS_THAN = "LessThan"
    LESS_EQUAL = "LessEqual"
    NULL = "Null"
    NOT_NULL = "NotNull"
    LIKE = "Like"
    NOT_LIKE = "NotLike"
    BEGINS_WITH = "BeginsWith"
    DOES_NOT_BEGIN_WITH = "DoesNotBeginWith"
    ENDS_WITH = "EndsWith"
    DOES_NOT_END_WITH = "DoesNotEndWith"
    CONTAINS = "Contains"
    DOES_NOT_CONTAIN = "DoesNotContain"
    IN = "In"
    NOT_IN = "NotIn"
    BETWEEN = "Between"
    NOT_BETWEEN = "NotBetween"
    ON = "On"
    ON_OR_AFTER = "OnOrAfter"
    ON_OR_BEFORE = "OnOrBefore"
    TODAY = "Today"
    YESTERDAY = "Yesterday"
    TOMORROW = "Tomorrow"
    LAST_7_DAYS = "Last7Days"
    NEXT_7_DAYS = "Next7Days"
    LAST_X_HOURS = "LastXHours"
    LAST_X_DAYS = "LastXDays"
    LAST_X_WEEKS = "LastXWeeks"
    LAST_X_MONTHS = "LastXMonths"
    LAST_X_YEARS = "LastXYears"
    NEXT_X_HOURS = "NextXHours"
    NEXT_X_DAYS = "NextXDays"
    NEXT_X_WEEKS = "NextXWeeks"
    NEXT_X_MONTHS = "NextXMonths"
    NEXT_X_YEARS = "NextXYears"
    OLDER_THAN_X_MINUTES = "OlderThanXMinutes"
    OLDER_THAN_X_HOURS = "OlderThanXHours"
    OLDER_THAN_X_DAYS = "OlderThanXDays"
    OLDER_THAN_X_WEEKS = "OlderThanXWeeks"
    OLDER_THAN_X_MONTHS = "OlderThanXMonths"
    OLDER_THAN_X_YEARS = "OlderThanXYears"
    THIS_WEEK = "ThisWeek"
    THIS_MONTH = "ThisMonth"
    THIS_YEAR = "ThisYear"
    LAST_WEEK = "LastWeek"
    LAST_MONTH = "LastMonth"
    LAST_YEAR = "LastYear"
    NEXT_WEEK = "NextWeek"
    NEXT_MONTH = "NextMonth"
    NEXT_YEAR = "NextYear"
    EQUAL_USER_ID = "EqualUserId"
    NOT_EQUAL_USER_ID = "NotEqualUserId"


@attrs.frozen
class Condition:
    """``attribute <operator> values`` on one column (logical name)."""

    attribute: str
    operator: ConditionOperator
    values: tuple[Any, ...] = ()


@attrs.frozen
class Filter:
    """Conditions and nested filters joined by ``and`` / ``or``."""

    operator: Literal["and", "or"] = "and"
    children: tuple[FilterNode, ...] = ()


@attrs.frozen
class Not:
    """The negation of a filter node (OData ``not``)."""

    child: FilterNode


FilterNode = Condition | Filter | Not


@attrs.frozen
class Order:
    """Sort by one column (logical name)."""

    attribute: str
    descending: bool = False


@attrs.frozen
class AggregateColumn:
    """One aggregate output: ``function`` of ``attribute`` named ``alias``.

    ``function`` is one of ``count``, ``countcolumn``, ``sum``, ``avg``, ``min``, ``max``.
    """

    alias: str
    attribute: str
    function: str
    distinct: bool = False


@attrs.frozen
class GroupByColumn:
    """One group-by output column."""

    alias: str
    attribute: str


@attrs.frozen(kw_only=True)
class Query:
    """A bound query on one table.

    ``columns`` None means every column. ``page_size``/``page_number``/``paging_cookie`` follow
    the SDK's ``PagingInfo``; ``partition_id`` scopes the query to one elastic partition.
    """

    table: str
    columns: tuple[str, ...] | None = None
    filter: FilterNode | None = None
    orders: tuple[Order, ...] = ()
    top: int | None = None
    page_size: int | None = None
    page_number: int = 1
    paging_cookie: str | None = None
    return_total_record_count: bool = False
    partition_id: str | None = None
    aggregates: tuple[AggregateColumn, ...] = ()
    group_by: tuple[GroupByColumn, ...] = ()
    distinct: bool = False
