"""SDK query value types: ``QueryExpression``, ``QueryByAttribute``, ``FetchExpression`` and parts.

They mirror ``Microsoft.Xrm.Sdk.Query`` in Python casing and compile to the one query model
(:mod:`fake_dataverse._query._model`). Condition operators are the model's
:class:`~fake_dataverse._query._model.ConditionOperator`.

    >>> q = QueryExpression("backgroundoperation", column_set=ColumnSet("name"))
    >>> q.criteria.add_condition("priority", ConditionOperator.GREATER_THAN, 2)
    >>> q.add_order("name", OrderType.DESCENDING)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from fake_dataverse._model._values import ColumnSet
from fake_dataverse._query._model import ConditionOperator

__all__ = [
    "AliasedValue",
    "ConditionExpression",
    "FetchExpression",
    "FilterExpression",
    "JoinOperator",
    "LinkEntity",
    "LogicalOperator",
    "OrderExpression",
    "OrderType",
    "PagingInfo",
    "QueryByAttribute",
    "QueryExpression",
]


class LogicalOperator(enum.Enum):
    """How a filter joins its parts (``LogicalOperator``)."""

    AND = 0
    OR = 1


class OrderType(enum.Enum):
    """Sort direction (``OrderType``)."""

    ASCENDING = 0
    DESCENDING = 1


class JoinOperator(enum.Enum):
    """Link-entity join kinds (``JoinOperator``); only here to describe a rejected link."""

    INNER = 0
    LEFT_OUTER = 1
    NATURAL = 2


def _values_tuple(values: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(values) == 1 and isinstance(values[0], (list, tuple, set, frozenset)):
        return tuple(values[0])
    return values


@attrs.define(init=False)
class ConditionExpression:
    """``attribute_name <operator> values``: ``ConditionExpression("priority", op, 1, 2)``.

    A single list or tuple argument is taken as the value list (``In`` with ``[1, 2, 3]``).
    """

    attribute_name: str
    operator: ConditionOperator
    values: list[Any]
    entity_name: str | None

    def __init__(
        self,
        attribute_name: str,
        operator: ConditionOperator,
        *values: Any,
        entity_name: str | None = None,
    ) -> None:
        self.attribute_name = attribute_name
        self.operator = operator
        self.values = list(_values_tuple(values))
        self.entity_name = entity_name


@attrs.define
class FilterExpression:
    """Conditions and nested filters joined by ``filter_operator``."""

    filter_operator: LogicalOperator = LogicalOperator.AND
    conditions: list[ConditionExpression] = attrs.field(factory=list)
    filters: list[FilterExpression] = attrs.field(factory=list)

    def add_condition(
        self,
        attribute_name: str | ConditionExpression,
        operator: ConditionOperator | None = None,
        *values: Any,
    ) -> None:
        """Add a condition (a ConditionExpression, or its attribute, operator and values)."""
        if isinstance(attribute_name, ConditionExpression):
            self.conditions.append(attribute_name)
            return
        if operator is None:
            raise TypeError("add_condition() needs an operator")
        self.conditions.append(ConditionExpression(attribute_name, operator, *values))

    def add_filter(self, child: FilterExpression | LogicalOperator) -> FilterExpression:
        """Add a nested filter (or a new empty one with this operator) and return it."""
        nested = child if isinstance(child, FilterExpression) else FilterExpression(child)
        self.filters.append(nested)
        return nested


@attrs.define
class OrderExpression:
    """Sort by one column."""

    attribute_name: str
    order_type: OrderType = OrderType.ASCENDING


@attrs.define
class PagingInfo:
    """Paging: ``count`` rows per page, ``page_number`` (from 1), the previous ``paging_cookie``.

    ``PagingInfo()`` (count 0, page 0) means no paging, as in the SDK.
    """

    count: int = 0
    page_number: int = 0
    paging_cookie: str | None = None
    return_total_record_count: bool = False


@attrs.define
class LinkEntity:
    """A join to a related table; elastic tables reject every query that holds one."""

    link_from_entity_name: str = ""
    link_to_entity_name: str = ""
    link_from_attribute_name: str = ""
    link_to_attribute_name: str = ""
    join_operator: JoinOperator = JoinOperator.INNER
    entity_alias: str | None = None
    columns: ColumnSet = attrs.field(factory=ColumnSet)
    link_criteria: FilterExpression = attrs.field(factory=FilterExpression)


def _column_set(value: ColumnSet | Iterable[str] | bool | None) -> ColumnSet:
    return ColumnSet() if value is None else ColumnSet.coerce(value)


@attrs.define
class QueryExpression:
    """A query on one table: columns, criteria, orders, top count and paging."""

    entity_name: str
    column_set: ColumnSet = attrs.field(factory=ColumnSet, converter=_column_set)
    criteria: FilterExpression = attrs.field(factory=FilterExpression)
    orders: list[OrderExpression] = attrs.field(factory=list)
    top_count: int | None = None
    page_info: PagingInfo = attrs.field(factory=PagingInfo)
    distinct: bool = False
    link_entities: list[LinkEntity] = attrs.field(factory=list)

    def add_order(self, attribute_name: str, order_type: OrderType = OrderType.ASCENDING) -> None:
        """Add a sort column."""
        self.orders.append(OrderExpression(attribute_name, order_type))

    def add_link(self, link: LinkEntity) -> LinkEntity:
        """Add a link entity (the query will then be rejected on an elastic table)."""
        self.link_entities.append(link)
        return link


@attrs.define
class QueryByAttribute:
    """A query of equality conditions: ``attributes[i] == values[i]`` for every i."""

    entity_name: str
    column_set: ColumnSet = attrs.field(factory=ColumnSet, converter=_column_set)
    attributes: list[str] = attrs.field(factory=list)
    values: list[Any] = attrs.field(factory=list)
    orders: list[OrderExpression] = attrs.field(factory=list)
    top_count: int | None = None
    page_info: PagingInfo = attrs.field(factory=PagingInfo)

    def add_attribute_value(self, attribute_name: str, value: Any) -> None:
        """Add one ``attribute == value`` condition."""
        self.attributes.append(attribute_name)
        self.values.append(value)

    def add_order(self, attribute_name: str, order_type: OrderType = OrderType.ASCENDING) -> None:
        """Add a sort column."""
        self.orders.append(OrderExpression(attribute_name, order_type))


@attrs.frozen
class FetchExpression:
    """A FetchXML query text."""

    query: str


@attrs.frozen
class AliasedValue:
    """An aggregate or group-by output value: which table and column it came from, and the value."""

    entity_logical_name: str
    attribute_logical_name: str
    value: Any
