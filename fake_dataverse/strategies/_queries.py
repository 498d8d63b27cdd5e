"""Query strategies: filter trees, ``$filter`` text made from them, ``QueryExpression`` objects.

Trees are built from the shared query model (``Condition``/``Filter``/``Not``) with raw values,
one operand strategy per operator shape (registered); ``$filter`` text is the tree unparsed by
the Web API's own formatter, so a test can compare the fake's answer with the tree evaluated
directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._values import ColumnSet
from fake_dataverse._query._expression import (
    ConditionExpression,
    FilterExpression,
    LogicalOperator,
    OrderType,
    QueryExpression,
)
from fake_dataverse._query._model import Condition, ConditionOperator, Filter, FilterNode, Not
from fake_dataverse._query.odata._format import format_filter
from fake_dataverse._query.odata._functions import FUNCTIONS, Arguments
from fake_dataverse.strategies._columns import raw_values
from fake_dataverse.strategies._tables import TableArg, check_flag, resolve_table

__all__ = ["filter_trees", "odata_filters", "query_expressions"]

Op = ConditionOperator
T = AttributeTypeCode
#: How generated filters use each column type: "ordered" (compared and sorted), "equality"
#: (compared for equality, lists and nulls only), or "none" (not filtered on). Every column type
#: has an entry, so a new type is a decision here, not a silent omission.
COLUMN_USE: dict[T, str] = {
    T.STRING: "ordered",
    T.INTEGER: "ordered",
    T.BIGINT: "ordered",
    T.PICKLIST: "ordered",
    T.DATETIME: "ordered",
    T.LOOKUP: "equality",
    T.UNIQUEIDENTIFIER: "equality",
    T.MEMO: "none",
    T.BOOLEAN: "none",
}
_FILTERABLE = frozenset(t for t, use in COLUMN_USE.items() if use != "none")
_ORDERED = frozenset(t for t, use in COLUMN_USE.items() if use == "ordered")
# Characters that are wildcards inside Dataverse string patterns: kept out of pattern operands.
_WILDCARDS = "%_[]^"

Operands = Callable[[AttributeMetadata, EntityMetadata], st.SearchStrategy[tuple[Any, ...]]]
_OPERANDS: dict[Arguments, Operands] = {}


def _operands(shape: Arguments) -> Callable[[Operands], Operands]:
    def decorate(build: Operands) -> Operands:
        _OPERANDS[shape] = build
        return build

    return decorate


def _operand(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[Any]:
    """Return values to compare a column with: short strings, else any valid value."""
    if attr.attribute_type is T.STRING:
        return st.text(st.characters(exclude_categories=("Cs", "Cn", "Cc")), max_size=6)
    return raw_values(attr, table)


@_operands(Arguments.NONE)
def _no_operand(
    attr: AttributeMetadata, table: EntityMetadata
) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.just(())


@_operands(Arguments.COUNT)
def _count(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.integers(1, 60).map(lambda count: (count,))


@_operands(Arguments.MOMENT)
def _moment(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[tuple[Any, ...]]:
    return _operand(attr, table).map(lambda moment: (moment,))


@_operands(Arguments.VALUES)
def _values(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(_operand(attr, table), min_size=1, max_size=4).map(tuple)


@_operands(Arguments.PAIR)
def _pair(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(_operand(attr, table), _operand(attr, table))


def _one_value(
    attr: AttributeMetadata, table: EntityMetadata
) -> st.SearchStrategy[tuple[Any, ...]]:
    return _operand(attr, table).map(lambda value: (value,))


def _pattern(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[tuple[Any, ...]]:
    text = st.text(st.characters(exclude_categories=("Cs", "Cn", "Cc")), min_size=1, max_size=6)
    return text.filter(lambda value: not set(value) & set(_WILDCARDS)).map(lambda v: (v,))


def _operator_choices(attr: AttributeMetadata) -> list[tuple[Op, Operands]]:
    """Return the operators a column takes, each with its operand strategy."""
    choices: list[tuple[Op, Operands]] = [
        (Op.EQUAL, _one_value),
        (Op.NOT_EQUAL, _one_value),
        (Op.NULL, _no_operand),
        (Op.NOT_NULL, _no_operand),
    ]
    if attr.attribute_type in _ORDERED:
        choices += [(op, _one_value) for op in (Op.GREATER_THAN, Op.GREATER_EQUAL)]
        choices += [(op, _one_value) for op in (Op.LESS_THAN, Op.LESS_EQUAL)]
    if attr.attribute_type is T.STRING:
        pattern_ops = (Op.BEGINS_WITH, Op.DOES_NOT_BEGIN_WITH, Op.ENDS_WITH, Op.DOES_NOT_END_WITH)
        choices += [(op, _pattern) for op in (*pattern_ops, Op.CONTAINS, Op.DOES_NOT_CONTAIN)]
    choices += [
        (function.operator, _OPERANDS[function.arguments])
        for function in FUNCTIONS.values()
        if attr.attribute_type in function.column_types
    ]
    return choices


def _conditions(table: EntityMetadata) -> st.SearchStrategy[Condition]:
    columns = [
        attr
        for attr in table.stored_attributes()
        if attr.is_valid_for_read and attr.attribute_type in _FILTERABLE
    ]
    options: list[st.SearchStrategy[Condition]] = [
        st.builds(Condition, st.just(attr.logical_name), st.just(op), operands(attr, table))
        for attr in columns
        for op, operands in _operator_choices(attr)
    ]
    return st.one_of(*options)


def filter_trees(
    table: TableArg = "backgroundoperation",
    *,
    max_leaves: int = 6,
    allow_not: bool = True,
) -> st.SearchStrategy[FilterNode]:
    """Return a strategy of filter trees (the query model) over a table's readable columns.

    Raises:
        InvalidArgument: for an unknown table, ``max_leaves`` that is not a whole number of at
            least 1, or ``allow_not`` that is not a bool.
    """
    if isinstance(max_leaves, bool) or not isinstance(max_leaves, int) or max_leaves < 1:
        raise InvalidArgument(f"max_leaves={max_leaves!r} must be a whole number, at least 1")
    check_flag("allow_not", allow_not)
    metadata = resolve_table(table)

    def branches(children: st.SearchStrategy[FilterNode]) -> st.SearchStrategy[FilterNode]:
        joined = st.builds(
            Filter,
            st.sampled_from(("and", "or")),
            st.lists(children, min_size=2, max_size=3).map(tuple),
        )
        return st.one_of(joined, st.builds(Not, children)) if allow_not else joined

    return st.recursive(_conditions(metadata), branches, max_leaves=max_leaves)


def odata_filters(
    table: TableArg = "backgroundoperation", *, max_leaves: int = 6
) -> st.SearchStrategy[str]:
    """Return a strategy of valid ``$filter`` texts (trees from :func:`filter_trees`, unparsed).

    Raises:
        InvalidArgument: for an unknown table or ``max_leaves`` below 1.
    """
    metadata = resolve_table(table)
    return filter_trees(metadata, max_leaves=max_leaves).map(
        lambda tree: format_filter(metadata, tree)
    )


def criteria_of(node: FilterNode) -> FilterExpression:
    """Return the ``FilterExpression`` for a tree without ``Not`` nodes."""
    if isinstance(node, Condition):
        return FilterExpression(
            conditions=[ConditionExpression(node.attribute, node.operator, *node.values)]
        )
    if isinstance(node, Not):
        raise ValueError("QueryExpression has no 'not': build the tree with allow_not=False")
    criteria = FilterExpression(LogicalOperator[node.operator.upper()])
    for child in node.children:
        if isinstance(child, Condition):
            criteria.conditions.append(
                ConditionExpression(child.attribute, child.operator, *child.values)
            )
        else:
            criteria.filters.append(criteria_of(child))
    return criteria


def query_expressions(
    table: TableArg = "backgroundoperation", *, max_leaves: int = 6
) -> st.SearchStrategy[QueryExpression]:
    """Return a strategy of ``QueryExpression`` objects: columns, criteria, orders and top.

    Raises:
        InvalidArgument: for an unknown table or ``max_leaves`` below 1.
    """
    metadata = resolve_table(table)
    readable = sorted(a.logical_name for a in metadata.stored_attributes() if a.is_valid_for_read)
    sortable = sorted(
        a.logical_name
        for a in metadata.stored_attributes()
        if a.is_valid_for_read and a.attribute_type in _ORDERED
    )
    columns = st.one_of(
        st.just(ColumnSet(all_columns=True)),
        st.lists(st.sampled_from(readable), min_size=1, max_size=5, unique=True).map(
            lambda names: ColumnSet(*names)
        ),
    )
    orders = st.lists(
        st.tuples(st.sampled_from(sortable), st.sampled_from(list(OrderType))),
        max_size=2,
        unique_by=lambda order: order[0],
    )
    return st.builds(
        _query,
        st.just(metadata.logical_name),
        columns,
        st.none() | filter_trees(metadata, max_leaves=max_leaves, allow_not=False),
        orders,
        st.none() | st.integers(1, 50),
    )


def _query(
    table: str,
    columns: ColumnSet,
    tree: FilterNode | None,
    orders: list[tuple[str, OrderType]],
    top: int | None,
) -> QueryExpression:
    query = QueryExpression(table, column_set=columns, top_count=top)
    if tree is not None:
        query.criteria = criteria_of(tree)
    for name, order_type in orders:
        query.add_order(name, order_type)
    return query
