"""Compile the SDK query types (QueryExpression, QueryByAttribute, FetchExpression) to a bound
:class:`~fake_dataverse._query._model.Query`.

``compile_query`` is what ``RetrieveMultiple`` runs on its ``Query`` parameter. A model
``Query`` is bound by the front end that made it (the Web API's OData options, FetchXML text),
so it runs as it is: each query is bound once.
"""

from __future__ import annotations

from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata, MetadataRegistry
from fake_dataverse._model._values import ColumnSet
from fake_dataverse._query._bind import bind
from fake_dataverse._query._expression import (
    ConditionExpression,
    FetchExpression,
    FilterExpression,
    LogicalOperator,
    OrderExpression,
    OrderType,
    PagingInfo,
    QueryByAttribute,
    QueryExpression,
)
from fake_dataverse._query._model import (
    Condition,
    ConditionOperator,
    Filter,
    FilterNode,
    Order,
    Query,
)
from fake_dataverse._query.fetchxml._parse import parse_fetchxml

__all__ = ["compile_query", "query_table_name"]

SdkQuery = QueryExpression | QueryByAttribute | FetchExpression | Query


def _table(metadata: MetadataRegistry, name: str) -> EntityMetadata:
    table = metadata.get(name)
    if table is None:
        raise errors.EntityNotFound(entity=name)
    return table


def _columns(column_set: ColumnSet) -> tuple[str, ...] | None:
    return None if column_set.all_columns else tuple(dict.fromkeys(column_set.columns))


def _condition(condition: ConditionExpression, table: EntityMetadata) -> Condition:
    if condition.entity_name not in (None, table.logical_name):
        raise errors.LinkEntitiesNotSupported()
    if not isinstance(condition.operator, ConditionOperator):
        raise errors.InvalidArgument(f"'{condition.operator}' is not a ConditionOperator.")
    return Condition(condition.attribute_name, condition.operator, tuple(condition.values))


def _filter(expression: FilterExpression, table: EntityMetadata) -> FilterNode | None:
    children: list[FilterNode] = [_condition(c, table) for c in expression.conditions]
    for nested in expression.filters:
        child = _filter(nested, table)
        if child is not None:
            children.append(child)
    if not children:
        return None
    if expression.filter_operator is LogicalOperator.OR:
        return Filter("or", tuple(children))
    return Filter("and", tuple(children))


def _orders(orders: list[OrderExpression]) -> tuple[Order, ...]:
    return tuple(Order(o.attribute_name, o.order_type is OrderType.DESCENDING) for o in orders)


def _paging(page_info: PagingInfo | None) -> dict[str, Any]:
    info = page_info or PagingInfo()
    paged = info.count != 0 or info.page_number != 0 or bool(info.paging_cookie)
    return {
        "page_size": info.count if paged else None,
        "page_number": max(info.page_number, 1) if paged else 1,
        "paging_cookie": info.paging_cookie or None,
        "return_total_record_count": info.return_total_record_count,
    }


def _from_query_expression(query: QueryExpression, table: EntityMetadata) -> Query:
    if query.link_entities:
        raise errors.LinkEntitiesNotSupported()
    return Query(
        table=table.logical_name,
        columns=_columns(query.column_set),
        filter=_filter(query.criteria, table),
        orders=_orders(query.orders),
        top=query.top_count,
        distinct=query.distinct,
        **_paging(query.page_info),
    )


def _from_query_by_attribute(query: QueryByAttribute, table: EntityMetadata) -> Query:
    if len(query.attributes) != len(query.values):
        raise errors.InvalidArgument(
            "QueryByAttribute must have the same number of attributes and values."
        )
    if not query.attributes:
        raise errors.InvalidArgument("QueryByAttribute must specify at least one attribute.")
    conditions = tuple(
        Condition(name, ConditionOperator.EQUAL, (value,))
        for name, value in zip(query.attributes, query.values, strict=True)
    )
    return Query(
        table=table.logical_name,
        columns=_columns(query.column_set),
        filter=Filter("and", conditions),
        orders=_orders(query.orders),
        top=query.top_count,
        **_paging(query.page_info),
    )


def query_table_name(query: Any) -> str | None:
    """Return the table a query names, or None when it cannot be told without failing."""
    if isinstance(query, (QueryExpression, QueryByAttribute)):
        return query.entity_name
    if isinstance(query, Query):
        return query.table
    if isinstance(query, FetchExpression):
        try:
            return parse_fetchxml(None, query.query).table
        except errors.DataverseError:
            return None
    return None


def compile_query(metadata: MetadataRegistry, query: Any) -> Query:
    """Return the bound model query for an SDK query or an already bound Query.

    Raises:
        InvalidArgument: 0x80040203 for something that is not a query; EntityNotFound
            0x80040217 for an unknown table; LinkEntitiesNotSupported 0x80048d0b; the binding
            and FetchXML faults.
    """
    if isinstance(query, FetchExpression):
        return parse_fetchxml(metadata, query.query)
    if isinstance(query, QueryExpression):
        table = _table(metadata, query.entity_name)
        return bind(table, _from_query_expression(query, table))
    if isinstance(query, QueryByAttribute):
        table = _table(metadata, query.entity_name)
        return bind(table, _from_query_by_attribute(query, table))
    if isinstance(query, Query):
        _table(metadata, query.table)
        return query
    raise errors.InvalidArgument(
        "Required field 'Query' is missing or not a QueryExpression, QueryByAttribute or "
        "FetchExpression."
    )
