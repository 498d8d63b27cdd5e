"""OData query options of a collection GET → the shared :class:`Query` model.

:func:`compile_query_options` takes the decoded options (``$select``, ``$filter``, ``$orderby``,
``$top``, ``$count``, ``$apply``, parameter aliases ``@p1``) and returns a bound query, or raises
the fault Dataverse answers. Options are handled by functions registered per option name (names
are case-sensitive); ``fetchXml``, ``partitionId``, ``$skiptoken`` and ``$deltatoken`` belong to
the caller and are ignored here. Names are bound while parsed; the query as a whole is then
bound once (:func:`~fake_dataverse._query._bind.bind`), as every front end's is.
:func:`check_options` is the one check of which ``$`` options a resource takes.
:func:`format_filter` is the inverse for filters.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import INT32, parse_integer
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query._bind import bind
from fake_dataverse._query._model import Filter, Order, Query
from fake_dataverse._query.odata._apply import Aggregation, parse_apply
from fake_dataverse._query.odata._binding import property_or_error
from fake_dataverse._query.odata._filter import parse_filter
from fake_dataverse._query.odata._format import format_filter
from fake_dataverse._query.odata._lexer import TokenKind, TokenStream, odata_error
from fake_dataverse._query.odata._select import parse_select

__all__ = ["CALLER_OPTIONS", "check_options", "compile_query_options", "format_filter"]

#: Options the caller (the Web API router) handles; ignored here.
CALLER_OPTIONS = frozenset({"$skiptoken", "$deltatoken"})



@attrs.define
class _Compilation:
    table: EntityMetadata
    options: Mapping[str, str]
    aliases: dict[str, str]
    fields: dict[str, Any] = attrs.field(factory=dict)
    aggregation: Aggregation | None = None


_Handler = Callable[[_Compilation, str], None]
_OPTIONS: dict[str, _Handler] = {}


def _option(name: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        _OPTIONS[name] = handler
        return handler

    return register


@_option("$expand")
def _expand(compilation: _Compilation, text: str) -> None:
    # Elastic tables join nothing; on a standard table the Web API follows the expanded
    # lookups itself, row by row, so the query is the same with or without ``$expand``.
    if compilation.table.is_elastic:
        raise errors.LinkEntitiesNotSupported()
    if "$apply" in compilation.options:
        raise odata_error("$expand cannot be combined with $apply.")


@_option("$apply")
def _apply(compilation: _Compilation, text: str) -> None:
    aggregation = parse_apply(compilation.table, text, compilation.aliases)
    compilation.aggregation = aggregation
    compilation.fields["group_by"] = aggregation.group_by
    compilation.fields["aggregates"] = aggregation.aggregates


@_option("$filter")
def _filter(compilation: _Compilation, text: str) -> None:
    compilation.fields["filter"] = parse_filter(compilation.table, text, compilation.aliases)


@_option("$select")
def _select(compilation: _Compilation, text: str) -> None:
    if "$apply" in compilation.options:
        raise odata_error("$select cannot be combined with $apply: $apply names its own columns.")
    selected = parse_select(compilation.table, text)
    if selected is not None:
        compilation.fields["columns"] = tuple(attr.logical_name for attr in selected)


@_option("$orderby")
def _orderby(compilation: _Compilation, text: str) -> None:
    stream = TokenStream(text)
    orders = [_order_item(compilation, stream)]
    while stream.accept(TokenKind.COMMA):
        orders.append(_order_item(compilation, stream))
    stream.end()
    compilation.fields["orders"] = tuple(orders)


def _order_item(compilation: _Compilation, stream: TokenStream) -> Order:
    token = stream.next()
    name = token.text
    if token.kind is TokenKind.ALIAS:
        name = compilation.aliases.get(name, "").strip()
    elif token.kind is not TokenKind.IDENTIFIER:
        raise stream.error("Expression expected at position {position} in '{text}'.", token)
    if stream.peek().kind is TokenKind.SLASH:
        raise errors.LinkEntitiesNotSupported()
    descending = stream.peek().is_word("desc")
    if descending or stream.peek().is_word("asc"):
        stream.next()
    return _bind_order(compilation, name, descending)


def _bind_order(compilation: _Compilation, name: str, descending: bool) -> Order:
    table, aggregation = compilation.table, compilation.aggregation
    if aggregation is not None and name in aggregation.aliases:
        raise odata_error("The query node SingleValueOpenPropertyAccess is not supported.")
    if aggregation is not None and aggregation.group_by and table.is_elastic:
        raise odata_error("$orderby cannot be combined with groupby on elastic tables.")
    return Order(property_or_error(table, name).logical_name, descending)


@_option("$top")
def _top(compilation: _Compilation, text: str) -> None:
    top = parse_integer(text, signed=False, maximum=INT32[1])
    if top is None:
        raise odata_error(
            f"Invalid value '{text}' for $top query option found. The $top query option requires "
            "a non-negative integer value."
        )
    if top == 0:
        raise errors.ValueGreaterThanZero()
    compilation.fields["top"] = top


@_option("$count")
def _count(compilation: _Compilation, text: str) -> None:
    if text not in ("true", "false"):
        raise odata_error(f"'{text}' is not a valid count option.")
    compilation.fields["return_total_record_count"] = text == "true"


def check_options(options: Mapping[str, str], allowed: Collection[str]) -> None:
    """Reject system query options (``$…``) a resource does not take.

    Raises:
        ODataError: 0x0 ``The query parameter $skip is not supported``.
    """
    for name in options:
        if name.startswith("$") and name not in allowed:
            raise odata_error(f"The query parameter {name} is not supported")


def _combine_filters(compilation: _Compilation) -> None:
    applied = compilation.aggregation.filter if compilation.aggregation else None
    given = compilation.fields.get("filter")
    if applied is not None:
        compilation.fields["filter"] = applied if given is None else Filter("and", (applied, given))


def compile_query_options(table: EntityMetadata, options: Mapping[str, str]) -> Query:
    """Return the bound query that a collection GET's query options ask for.

    Raises:
        ODataError: 0x0 (HTTP 400) for an unsupported option (``$skip``, ``$search``,
            ``$format``, any unknown ``$`` option), a syntax fault, an unknown property, a
            literal of the wrong type or an unsupported construct.
        LinkEntitiesNotSupported: 0x80048d0b for ``$expand`` on an elastic table, or a
            navigation path.
        InvalidQuery: 0x80044183 for ``$orderby`` on a lookup column of an elastic table.
        ValueGreaterThanZero: 0x8004110c for ``$top=0``.
        InvalidArgument: 0x80040203 for an operator that does not apply to the column's type.
        OrderByColumnsMustBeUnique: 0x80048d16 for a column ordered on more than once.
    """
    check_options(options, _OPTIONS.keys() | CALLER_OPTIONS)
    aliases = {name: value for name, value in options.items() if name.startswith("@")}
    compilation = _Compilation(table, options, aliases)
    try:
        for name in ("$expand", "$apply", "$filter", "$select", "$orderby", "$top", "$count"):
            if name in options:
                _OPTIONS[name](compilation, options[name])
    except RecursionError:
        raise odata_error("The recursion limit has been exceeded.") from None
    _combine_filters(compilation)
    return bind(table, Query(table=table.logical_name, **compilation.fields), values="raw")
