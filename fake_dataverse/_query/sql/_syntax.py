"""The syntax tree of one SELECT statement, before its names meet the table's metadata."""

from __future__ import annotations

from typing import Literal as Kind

import attrs

from fake_dataverse._query._model import ConditionOperator

__all__ = [
    "Aggregate",
    "Column",
    "Comparison",
    "Join",
    "Logical",
    "Negation",
    "OrderItem",
    "Predicate",
    "Select",
    "SelectItem",
    "Value",
]


@attrs.frozen
class Column:
    """A column reference: ``name``, ``alias.name`` or ``table.name``."""

    qualifier: str | None
    name: str

    def __str__(self) -> str:
        return self.name if self.qualifier is None else f"{self.qualifier}.{self.name}"


@attrs.frozen
class Value:
    """A constant: a string, a number, or NULL (kept as its text until bound to a column)."""

    kind: Kind["string", "number", "null"]
    text: str


@attrs.frozen
class Aggregate:
    """``COUNT(*)``, ``COUNT([DISTINCT] col)``, ``SUM|AVG|MIN|MAX(col)``."""

    function: str
    column: Column | None
    distinct: bool = False


@attrs.frozen
class SelectItem:
    """One output column and the name it is given (``AS alias``)."""

    expression: Column | Aggregate
    alias: str | None


@attrs.frozen
class Join:
    """``INNER|LEFT JOIN table [alias] ON left = right``."""

    kind: str
    table: str
    alias: str | None
    left: Column
    right: Column


@attrs.frozen
class Comparison:
    """A column against constants with one condition operator."""

    column: Column
    operator: ConditionOperator
    values: tuple[Value, ...] = ()


@attrs.frozen
class Logical:
    """``AND`` / ``OR`` of predicates."""

    operator: Kind["and", "or"]
    children: tuple[Predicate, ...]


@attrs.frozen
class Negation:
    """``NOT predicate``."""

    child: Predicate


Predicate = Comparison | Logical | Negation


@attrs.frozen
class OrderItem:
    """``ORDER BY`` one column or output alias."""

    column: Column
    descending: bool = False


@attrs.frozen(kw_only=True)
class Select:
    """One SELECT statement of the endpoint's subset."""

    distinct: bool = False
    top: int | None = None
    items: tuple[SelectItem, ...]
    table: str
    alias: str | None = None
    joins: tuple[Join, ...] = ()
    where: Predicate | None = None
    group_by: tuple[Column, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    offset: int | None = None
    fetch: int | None = None
