"""Bind a query to metadata: every column must exist, every value becomes a raw value.

Every front end ends in :func:`bind`, once: it builds a
:class:`~fake_dataverse._query._model.Query` whose condition values are SDK values
(QueryExpression, QueryByAttribute), text (FetchXML) or values already raw (OData, whose literals
are typed while parsed), and :func:`bind` checks the columns, the operator against the column's
type (the one table in ``_operators``) and the number of values, and converts each value to the
stored form (``int``, ``str``, ``uuid.UUID``, aware UTC ``datetime``, ``bool``). A bound
``Query`` is what ``RetrieveMultiple`` runs; it is not checked again.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any, Literal

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import parse_datetime_text, parse_integer, utc_instant
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query._model import (
    Condition,
    ConditionOperator,
    Filter,
    FilterNode,
    Not,
    Order,
    Query,
)
from fake_dataverse._query._operators import OperatorSpec, ValueKind, spec_for

__all__ = ["ValueForm", "bind", "check_elastic", "column", "raw_from_text", "raw_from_value"]

#: How a front end gives condition values: SDK values, FetchXML text, or raw values already.
ValueForm = Literal["sdk", "text", "raw"]

T = AttributeTypeCode
_DOTNET = {
    T.STRING: "System.String",
    T.MEMO: "System.String",
    T.INTEGER: "System.Int32",
    T.PICKLIST: "System.Int32",
    T.BIGINT: "System.Int64",
    T.UNIQUEIDENTIFIER: "System.Guid",
    T.LOOKUP: "System.Guid",
    T.DATETIME: "System.DateTime",
    T.BOOLEAN: "System.Boolean",
}
_PY_DOTNET = {
    str: "System.String",
    int: "System.Int32",
    bool: "System.Boolean",
    float: "System.Double",
    uuid.UUID: "System.Guid",
    dt.datetime: "System.DateTime",
    dt.date: "System.DateTime",
}
_GUID_TEXT = re.compile(r"\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?")
_FETCH_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)", re.ASCII)


def column(table: EntityMetadata, name: str) -> AttributeMetadata:
    """Return a readable column of the table.

    Raises:
        QueryBuilderNoAttribute: 0x80041103 for a column the table does not have.
    """
    attr = table.attribute(name)
    if attr is None or not attr.is_valid_for_read:
        raise errors.QueryBuilderNoAttribute(entity=table.logical_name, name=name)
    return attr


def _received(value: Any) -> str:
    kind = type(value)
    return _PY_DOTNET.get(kind, f"Microsoft.Xrm.Sdk.{kind.__name__}")


def _wrong_type(table: EntityMetadata, attr: AttributeMetadata, value: Any) -> Exception:
    return errors.InvalidArgument(
        f"Condition for attribute '{table.logical_name}.{attr.logical_name}': expected "
        f"argument(s) of type '{_DOTNET[attr.attribute_type]}' but received "
        f"'{_received(value)}'."
    )


def _as_utc(moment: dt.datetime) -> dt.datetime:
    instant = utc_instant(moment)
    if instant is None:  # its UTC instant is before the year 1 or after 9999
        raise errors.InvalidDateTime()
    return instant


def _sdk_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _sdk_guid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    match = _GUID_TEXT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise TypeError
    return uuid.UUID(match[1])


def _sdk_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _as_utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    raise TypeError


def _sdk_of(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError
        if not isinstance(value, kind):
            raise TypeError
        return value

    return convert


_FROM_VALUE: dict[AttributeTypeCode, Callable[[Any], Any]] = {
    T.STRING: _sdk_of(str),
    T.MEMO: _sdk_of(str),
    T.INTEGER: _sdk_int,
    T.PICKLIST: _sdk_int,
    T.BIGINT: _sdk_int,
    T.UNIQUEIDENTIFIER: _sdk_guid,
    T.LOOKUP: _sdk_guid,
    T.DATETIME: _sdk_datetime,
    T.BOOLEAN: _sdk_of(bool),
}


def _text_datetime(text: str) -> dt.datetime:
    match = _FETCH_DATE.fullmatch(text.strip())
    candidate = f"{match[1]}T{match[2]}" if match else text.strip()
    parsed = parse_datetime_text(candidate)
    if parsed is None:
        raise ValueError
    return parsed


def _text_int(text: str) -> int:
    value = parse_integer(text.strip())
    if value is None:
        raise ValueError
    return value


def _text_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false"):
        return False
    raise ValueError


_FROM_TEXT: dict[AttributeTypeCode, Callable[[str], Any]] = {
    T.STRING: str,
    T.MEMO: str,
    T.INTEGER: _text_int,
    T.PICKLIST: _text_int,
    T.BIGINT: _text_int,
    T.UNIQUEIDENTIFIER: _sdk_guid,
    T.LOOKUP: _sdk_guid,
    T.DATETIME: _text_datetime,
    T.BOOLEAN: _text_bool,
}


def raw_from_value(table: EntityMetadata, attr: AttributeMetadata, value: Any) -> Any:
    """Return the raw value of an SDK condition value for a column.

    Raises:
        InvalidArgument: 0x80040203 naming the expected and received types.
    """
    try:
        return _FROM_VALUE[attr.attribute_type](value)
    except (TypeError, ValueError):
        raise _wrong_type(table, attr, value) from None


def raw_from_text(table: EntityMetadata, attr: AttributeMetadata, text: str) -> Any:
    """Return the raw value of a FetchXML (text) condition value for a column.

    Raises:
        InvalidArgument: 0x80040203 when the text does not convert to the column's type.
    """
    try:
        return _FROM_TEXT[attr.attribute_type](text)
    except (TypeError, ValueError):
        raise errors.InvalidArgument(
            f"An exception System.FormatException was thrown while trying to convert input "
            f"value '{text}' to attribute '{table.logical_name}.{attr.logical_name}'. Expected "
            f"type of attribute value: {_DOTNET[attr.attribute_type]}. Exception raised: Input "
            "string was not in a correct format."
        ) from None


@attrs.frozen
class _Binder:
    table: EntityMetadata
    form: ValueForm

    def value(self, attr: AttributeMetadata, kind: ValueKind, value: Any) -> Any:
        """Return one condition value in raw form for the column (or a count of periods)."""
        if value is None:
            raise errors.InvalidArgument(
                f"Condition for attribute '{self.table.logical_name}.{attr.logical_name}': null "
                "is not a valid value for an attribute. Use 'Null' or 'NotNull' conditions "
                "instead."
            )
        if kind is ValueKind.COUNT:
            count_attr = attrs.evolve(attr, attribute_type=T.INTEGER)
            return self.value(count_attr, ValueKind.COLUMN, value)
        if self.form == "raw":
            return value
        if self.form == "text" and isinstance(value, str):
            return raw_from_text(self.table, attr, value)
        return raw_from_value(self.table, attr, value)

    def related(self, attr: AttributeMetadata) -> AttributeMetadata:
        """Refuse a name column read from a related table (a join) on an elastic table."""
        if self.table.is_elastic and attr.is_virtual:
            raise errors.LinkEntitiesNotSupported()
        return attr

    def condition(self, condition: Condition) -> Condition:
        """Return the condition with its column checked and its values raw."""
        attr = self.related(column(self.table, condition.attribute))
        spec = spec_for(condition.operator)
        self.check_applies(attr, condition.operator, spec)
        self.check_arity(attr, spec, len(condition.values))
        values = tuple(self.value(attr, spec.value_kind, v) for v in condition.values)
        return Condition(condition.attribute, condition.operator, values)

    def check_applies(
        self, attr: AttributeMetadata, op: ConditionOperator, spec: OperatorSpec
    ) -> None:
        """Raise when the operator does not apply to the column's type."""
        if attr.attribute_type not in spec.types:
            raise errors.InvalidArgument(
                f"The condition operator '{op.value}' is not valid for attribute "
                f"'{self.table.logical_name}.{attr.logical_name}' of type "
                f"'{attr.attribute_type.value}'."
            )

    def check_arity(self, attr: AttributeMetadata, spec: OperatorSpec, count: int) -> None:
        """Raise when the operator gets a number of values it does not take."""
        low, high = spec.arity
        if low <= count and (high is None or count <= high):
            return
        expected = f"at least {low}" if high is None else str(low)
        raise errors.InvalidArgument(
            f"Condition for attribute '{self.table.logical_name}.{attr.logical_name}': expected "
            f"{expected} argument(s) but received {count}."
        )

    def node(self, node: FilterNode) -> FilterNode:
        """Return a filter node with every condition bound."""
        if isinstance(node, Condition):
            return self.condition(node)
        if isinstance(node, Not):
            return Not(self.node(node.child))
        return Filter(node.operator, tuple(self.node(child) for child in node.children))

    def order(self, order: Order, aliases: frozenset[str]) -> Order:
        """Return an order after checking its column (an aggregate alias passes as is)."""
        if order.attribute in aliases:
            return order
        attr = self.related(column(self.table, order.attribute))
        if self.table.is_elastic and attr.attribute_type is T.LOOKUP:
            raise errors.InvalidQuery(
                f"Sorting on the lookup column '{attr.logical_name}' is not supported for "
                "elastic tables."
            )
        return order


def check_elastic(query: Query) -> None:
    """Refuse the query shapes elastic tables do not support.

    Raises:
        InvalidQuery: 0x80044183 for an order together with a group-by, a distinct query
            with more than one order, or a distinct query ordered by a column it does not
            return.
    """
    if query.group_by and query.orders:
        raise errors.InvalidQuery(
            "Elastic tables do not support an order together with a group-by."
        )
    if not query.distinct or not query.orders:
        return
    if len(query.orders) > 1:
        raise errors.InvalidQuery("Elastic tables do not support distinct with several orders.")
    order = query.orders[0].attribute
    if query.columns is not None and order not in query.columns:
        raise errors.InvalidQuery(
            f"Elastic tables do not support distinct ordered by '{order}', a column it does "
            "not return."
        )


def bind(table: EntityMetadata, query: Query, *, values: ValueForm = "sdk") -> Query:
    """Return the query with checked columns and raw condition values.

    ``values`` says what the condition values are: SDK values (``"sdk"``), FetchXML text to
    convert to the column's type (``"text"``), or values a front end already made raw
    (``"raw"``: checked for null, not converted).

    Raises:
        QueryBuilderNoAttribute: 0x80041103 for an unknown column.
        InvalidArgument: 0x80040203 for a value of the wrong type, a wrong number of values or
            an operator that does not apply to the column.
        InvalidQuery: 0x80044183 for a sort on a lookup column of an elastic table, or a
            combination elastic tables do not run (see :func:`check_elastic`).
        LinkEntitiesNotSupported: 0x80048d0b for a filter or sort on a lookup's name column
            (``createdbyname``) of an elastic table: it reads the related table.
        OrderByColumnsMustBeUnique: 0x80048d16 for a column ordered on more than once.
    """
    if table.is_elastic:
        check_elastic(query)
    binder = _Binder(table, values)
    for name in query.columns or ():
        column(table, name)
    for aggregate in query.aggregates:
        column(table, aggregate.attribute)
    for group in query.group_by:
        column(table, group.attribute)
    aliases = frozenset(a.alias for a in query.aggregates) | {g.alias for g in query.group_by}
    orders = tuple(binder.order(o, aliases) for o in query.orders)
    if len({o.attribute for o in orders}) != len(orders):
        raise errors.OrderByColumnsMustBeUnique()
    return attrs.evolve(
        query,
        filter=binder.node(query.filter) if query.filter is not None else None,
        orders=orders,
    )
