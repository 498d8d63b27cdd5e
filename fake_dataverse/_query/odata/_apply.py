"""The ``$apply`` parser: the aggregation subset Dataverse supports.

``groupby((col,…))``, ``groupby((col,…),aggregate(…))``, ``aggregate(…)``, each optionally
preceded by ``filter(…)/``; aggregate items are ``col with sum|average|min|max|countdistinct as
alias`` and ``$count as alias``. Grouping by a date and time column is not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query._model import AggregateColumn, Filter, FilterNode, GroupByColumn
from fake_dataverse._query.odata._binding import property_or_error
from fake_dataverse._query.odata._filter import FilterParser
from fake_dataverse._query.odata._lexer import TokenKind, TokenStream, odata_error

__all__ = ["Aggregation", "parse_apply"]

_NUMBERS = frozenset({AttributeTypeCode.INTEGER, AttributeTypeCode.BIGINT})
_COMPARABLE = _NUMBERS | {AttributeTypeCode.DATETIME}

#: OData aggregation method → (model function, distinct, column types it accepts; None: any).
_METHODS: dict[str, tuple[str, bool, frozenset[AttributeTypeCode] | None]] = {
    "sum": ("sum", False, _NUMBERS),
    "average": ("avg", False, _NUMBERS),
    "min": ("min", False, _COMPARABLE),
    "max": ("max", False, _COMPARABLE),
    "countdistinct": ("countcolumn", True, None),
}


@attrs.frozen
class Aggregation:
    """What ``$apply`` asks for: a filter, the group-by columns and the aggregates."""

    filter: FilterNode | None = None
    group_by: tuple[GroupByColumn, ...] = ()
    aggregates: tuple[AggregateColumn, ...] = ()

    @property
    def aliases(self) -> frozenset[str]:
        """Return the names of the aggregate outputs."""
        return frozenset(a.alias for a in self.aggregates)


class _ApplyParser:
    def __init__(self, table: EntityMetadata, text: str, aliases: Mapping[str, str]) -> None:
        self.table = table
        self.stream = TokenStream(text)
        self.aliases = aliases

    def parse(self) -> Aggregation:
        result = Aggregation()
        while True:
            word = self.stream.expect(TokenKind.IDENTIFIER, "Transformation")
            transformation = _TRANSFORMATIONS.get(word.text)
            if transformation is None or (result.group_by or result.aggregates):
                raise odata_error(
                    f"The transformation '{word.text}' at position {word.position} in "
                    f"'{self.stream.text}' is not supported: use filter(…), groupby(…) or "
                    "aggregate(…), with filter first."
                )
            self.stream.expect(TokenKind.OPEN, "'('")
            result = transformation(self, result)
            self.stream.expect(TokenKind.CLOSE, "')' or ','")
            if not self.stream.accept(TokenKind.SLASH):
                self.stream.end()
                return result

    def filter(self, result: Aggregation) -> Aggregation:
        node = FilterParser(self.table, self.stream, self.aliases).parse_boolean()
        if result.filter is not None:
            node = Filter("and", (result.filter, node))
        return attrs.evolve(result, filter=node)

    def groupby(self, result: Aggregation) -> Aggregation:
        self.stream.expect(TokenKind.OPEN, "'('")
        columns = [self._group_column()]
        while self.stream.accept(TokenKind.COMMA):
            columns.append(self._group_column())
        self.stream.expect(TokenKind.CLOSE, "')' or ','")
        aggregates: tuple[AggregateColumn, ...] = ()
        if self.stream.accept(TokenKind.COMMA):
            word = self.stream.expect(TokenKind.IDENTIFIER, "aggregate")
            if word.text != "aggregate":
                template = "'aggregate' expected at position {position} in '{text}'."
                raise self.stream.error(template, word)
            self.stream.expect(TokenKind.OPEN, "'('")
            aggregates = self._aggregate_items()
            self.stream.expect(TokenKind.CLOSE, "')' or ','")
        return attrs.evolve(result, group_by=tuple(columns), aggregates=aggregates)

    def aggregate(self, result: Aggregation) -> Aggregation:
        return attrs.evolve(result, aggregates=self._aggregate_items())

    def _property(self) -> AttributeMetadata:
        token = self.stream.expect(TokenKind.IDENTIFIER, "Property")
        if self.stream.peek().kind is TokenKind.SLASH:
            raise odata_error(
                f"Grouping or aggregating on related tables ('{token.text}/…') is not supported "
                "for elastic tables."
            )
        return property_or_error(self.table, token.text)

    def _group_column(self) -> GroupByColumn:
        name = self.stream.peek().text
        attr = self._property()
        if attr.attribute_type is AttributeTypeCode.DATETIME:
            raise odata_error(
                f"groupby with datetime values is not supported (column '{attr.logical_name}')."
            )
        return GroupByColumn(alias=name, attribute=attr.logical_name)

    def _aggregate_items(self) -> tuple[AggregateColumn, ...]:
        items = [self._aggregate_item()]
        while self.stream.accept(TokenKind.COMMA):
            items.append(self._aggregate_item())
        names = [item.alias for item in items]
        if len(set(names)) != len(names):
            raise odata_error("Each aggregate in $apply needs its own alias.")
        return tuple(items)

    def _aggregate_item(self) -> AggregateColumn:
        if self.stream.peek().is_word("$count"):
            self.stream.next()
            return AggregateColumn(self._alias(), self.table.primary_id_attribute, "count")
        attr = self._property()
        self._keyword("with")
        method = self.stream.expect(TokenKind.IDENTIFIER, "Aggregation method")
        if method.text not in _METHODS:
            raise odata_error(
                f"The aggregation method '{method.text}' is not supported; use sum, average, "
                "min, max or countdistinct."
            )
        function, distinct, types = _METHODS[method.text]
        if types is not None and attr.attribute_type not in types:
            raise odata_error(
                f"The aggregation method '{method.text}' cannot be applied to column "
                f"'{attr.logical_name}' of type '{attr.attribute_type.edm_type}'."
            )
        return AggregateColumn(self._alias(), attr.logical_name, function, distinct)

    def _keyword(self, word: str) -> None:
        if not self.stream.peek().is_word(word):
            raise self.stream.error(f"'{word}' expected at position {{position}} in '{{text}}'.")
        self.stream.next()

    def _alias(self) -> str:
        self._keyword("as")
        return self.stream.expect(TokenKind.IDENTIFIER, "Alias").text


_TRANSFORMATIONS: dict[str, Callable[[_ApplyParser, Aggregation], Aggregation]] = {
    "filter": _ApplyParser.filter,
    "groupby": _ApplyParser.groupby,
    "aggregate": _ApplyParser.aggregate,
}


def parse_apply(table: EntityMetadata, text: str, aliases: Mapping[str, str]) -> Aggregation:
    """Parse and bind an ``$apply`` expression.

    Raises:
        ODataError: 0x0 (HTTP 400) for a syntax fault, an unknown column, an unsupported
            transformation or aggregation method, or a group-by on a date and time column.
    """
    return _ApplyParser(table, text, aliases).parse()
