"""A parsed SELECT → the one query model, bound to the table's metadata.

The statement becomes a :class:`~fake_dataverse._query._model.Query` (bound by
:func:`~fake_dataverse._query._bind.bind`, as FetchXML's is) plus what the endpoint needs to
shape rows: the output names in select-list order and an ``OFFSET`` to skip. Names are
case-insensitive, as in SQL Server; constants are converted to the column's type by the shared
binder, so a value the OData and FetchXML front ends refuse is refused here too.
"""

from __future__ import annotations

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeTypeCode, EntityMetadata
from fake_dataverse._query._bind import bind, column
from fake_dataverse._query._engine import MAX_PAGE_SIZE
from fake_dataverse._query._model import (
    AggregateColumn,
    Condition,
    Filter,
    FilterNode,
    GroupByColumn,
    Not,
    Order,
    Query,
)
from fake_dataverse._query.sql._lexer import sql_error
from fake_dataverse._query.sql._parse import parse_sql
from fake_dataverse._query.sql._syntax import (
    Aggregate,
    Column,
    Comparison,
    Join,
    Logical,
    Negation,
    Predicate,
    Select,
    Value,
)

__all__ = ["Output", "SqlQuery", "compile_sql"]

T = AttributeTypeCode
#: Column types a numeric constant can be compared with.
_NUMERIC = frozenset({T.INTEGER, T.BIGINT, T.PICKLIST, T.BOOLEAN})
_FUNCTIONS = {"SUM": "sum", "AVG": "avg", "MIN": "min", "MAX": "max"}


@attrs.frozen
class Output:
    """One column of a result row: its name and the column or aggregate alias it reads."""

    name: str
    source: str


@attrs.frozen
class SqlQuery:
    """A bound query, the result's columns in order, and how many leading rows to skip."""

    query: Query
    outputs: tuple[Output, ...]
    offset: int = 0


@attrs.define
class _Compiler:
    table: EntityMetadata
    select: Select

    def check_table(self) -> None:
        name = self.select.table.lower()
        if name != self.table.logical_name:
            raise sql_error(
                f"the table '{self.select.table}' is not the table of the entity set "
                f"'{self.table.entity_set_name}' ('{self.table.logical_name}')."
            )

    def name_of(self, ref: Column) -> str:
        """Return the logical name of a column of the FROM table (checked to exist)."""
        qualifier = ref.qualifier.lower() if ref.qualifier is not None else None
        own = {self.table.logical_name, (self.select.alias or "").lower()}
        if qualifier is not None and qualifier not in own:
            raise sql_error(f"the table or alias '{ref.qualifier}' in '{ref}' is not in FROM.")
        return column(self.table, ref.name.lower()).logical_name

    # ---- joins ------------------------------------------------------------------------------
    def check_join(self, join: Join) -> None:
        """Check a join's shape, then refuse it as every collection query with a join is."""
        if join.table.lower() != "systemuser":
            raise sql_error(
                f"a join to '{join.table}' is not supported; joins reach 'systemuser' through "
                "a lookup column."
            )
        alias = (join.alias or join.table).lower()
        sides = sorted((join.left, join.right), key=lambda c: (c.qualifier or "").lower() == alias)
        own, other = sides
        if (other.qualifier or "").lower() != alias or other.name.lower() != "systemuserid":
            raise sql_error(
                f"the join condition '{join.left} = {join.right}' must compare a column with "
                f"{alias}.systemuserid."
            )
        self.name_of(own)
        raise errors.LinkEntitiesNotSupported()

    # ---- WHERE ------------------------------------------------------------------------------
    def constant(self, attr_name: str, value: Value) -> object:
        if value.kind == "null":
            return None
        attr = self.table.attribute(attr_name)
        assert attr is not None
        if value.kind == "number" and attr.attribute_type not in _NUMERIC:
            raise errors.InvalidArgument(
                f"Condition for attribute '{self.table.logical_name}.{attr_name}': the number "
                f"{value.text} cannot be compared with a column of type "
                f"'{attr.attribute_type.value}'; write the value as a string."
            )
        if value.kind == "number" and not value.text.lstrip("-").isdigit():
            raise errors.InvalidArgument(
                f"Condition for attribute '{self.table.logical_name}.{attr_name}': '{value.text}' "
                "is not a whole number."
            )
        return value.text

    def node(self, predicate: Predicate) -> FilterNode:
        if isinstance(predicate, Negation):
            return Not(self.node(predicate.child))
        if isinstance(predicate, Logical):
            return Filter(predicate.operator, tuple(self.node(c) for c in predicate.children))
        return self.condition(predicate)

    def condition(self, comparison: Comparison) -> Condition:
        name = self.name_of(comparison.column)
        values = tuple(self.constant(name, v) for v in comparison.values)
        return Condition(name, comparison.operator, values)

    # ---- select list, GROUP BY, ORDER BY ----------------------------------------------------
    def aggregate(self, item: Aggregate, alias: str | None) -> AggregateColumn:
        if item.column is None:
            name = alias or "count"
            return AggregateColumn(name, self.table.primary_id_attribute, "count")
        attribute = self.name_of(item.column)
        if item.function == "COUNT":
            return AggregateColumn(
                alias or f"count_{attribute}", attribute, "countcolumn", item.distinct
            )
        if item.distinct:
            raise sql_error(f"{item.function}(DISTINCT …) is not supported; only COUNT is.")
        function = _FUNCTIONS[item.function]
        return AggregateColumn(alias or f"{function}_{attribute}", attribute, function)

    def compile(self) -> SqlQuery:
        self.check_table()
        for join in self.select.joins:
            self.check_join(join)
        select = self.select
        outputs: list[Output] = []
        columns: list[str] = []
        aggregates: list[AggregateColumn] = []
        for item in select.items:
            if isinstance(item.expression, Aggregate):
                aggregate = self.aggregate(item.expression, item.alias)
                aggregates.append(aggregate)
                outputs.append(Output(aggregate.alias, aggregate.alias))
            else:
                name = self.name_of(item.expression)
                columns.append(name)
                outputs.append(Output(item.alias or name, name))
        grouped = [self.name_of(c) for c in select.group_by]
        group_by: tuple[GroupByColumn, ...] = ()
        if aggregates or grouped:
            group_by = self.groups(columns, grouped, outputs)
        aggregated = bool(aggregates or grouped)
        orders = tuple(
            self.order(o.column, o.descending, outputs, group_by, aggregated)
            for o in select.order_by
        )
        top, offset = self.limits()
        query = Query(
            table=self.table.logical_name,
            columns=None if aggregated else tuple(dict.fromkeys(columns)),
            filter=self.node(select.where) if select.where is not None else None,
            orders=orders,
            top=top,
            aggregates=tuple(aggregates),
            group_by=group_by,
            distinct=select.distinct,
        )
        return SqlQuery(bind(self.table, query, values="text"), tuple(outputs), offset)

    def groups(
        self, columns: list[str], grouped: list[str], outputs: list[Output]
    ) -> tuple[GroupByColumn, ...]:
        for name in columns:
            if name not in grouped:
                raise errors.InvalidArgument(
                    f"Column '{self.table.logical_name}.{name}' is invalid in the select list "
                    "because it is not contained in either an aggregate function or the GROUP BY "
                    "clause."
                )
        alias = {o.source: o.name for o in outputs if o.source in grouped}
        return tuple(GroupByColumn(alias.get(name, name), name) for name in dict.fromkeys(grouped))

    def order(
        self,
        ref: Column,
        descending: bool,
        outputs: list[Output],
        groups: tuple[GroupByColumn, ...],
        aggregated: bool,
    ) -> Order:
        """Return an order on an output name, a column, or (aggregating) a group's alias."""
        if ref.qualifier is None:
            for output in outputs:
                if output.name.lower() == ref.name.lower():
                    return Order(output.name if aggregated else output.source, descending)
        name = self.name_of(ref)
        if aggregated:
            for group in groups:
                if group.attribute == name:
                    return Order(group.alias, descending)
            raise errors.InvalidArgument(
                f"Column '{self.table.logical_name}.{name}' is invalid in the ORDER BY clause "
                "because it is not contained in either an aggregate function or the GROUP BY "
                "clause."
            )
        return Order(name, descending)

    def limits(self) -> tuple[int | None, int]:
        select = self.select
        if select.offset is None or select.fetch is None:
            return select.top, 0
        if select.top is not None:
            raise sql_error("TOP cannot be used in the same query as OFFSET.")
        if not select.order_by:
            raise sql_error("OFFSET … FETCH needs an ORDER BY clause.")
        if select.fetch < 1:
            raise errors.ValueGreaterThanZero()
        if select.offset + select.fetch > MAX_PAGE_SIZE:
            raise sql_error(
                f"OFFSET {select.offset} ROWS FETCH NEXT {select.fetch} ROWS ONLY reaches past "
                f"row {MAX_PAGE_SIZE}."
            )
        return select.offset + select.fetch, select.offset


def compile_sql(table: EntityMetadata, text: str) -> SqlQuery:
    """Parse and bind a SELECT statement against the table of the entity set it was sent to.

    Raises:
        InvalidArgument: 0x80040203 for a construct outside the subset, another table, or a
            constant that does not fit its column; QueryBuilderNoAttribute 0x80041103 for an
            unknown column; LinkEntitiesNotSupported 0x80048d0b for a join; the binder's faults.
    """
    return _Compiler(table, parse_sql(text)).compile()
