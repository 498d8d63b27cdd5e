"""Filter trees → ``$filter`` text: the inverse of the ``$filter`` parser.

It writes text that :func:`~fake_dataverse._query.odata._options.compile_query_options`
parses back to an equivalent tree (nested ``and``/``or`` of the same kind are flattened, one-child
filters unwrapped). Property-based tests and the query strategies use it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from fake_dataverse._model._metadata import AttributeMetadata, EntityMetadata
from fake_dataverse._query._model import Condition, ConditionOperator, Filter, FilterNode, Not
from fake_dataverse._query.odata._filter import COMPARISONS
from fake_dataverse._query.odata._functions import FUNCTION_NAMESPACE, FUNCTIONS, Arguments

__all__ = ["format_filter", "format_literal"]

_Op = ConditionOperator
_KEYWORDS = {op: keyword for keyword, (op, _) in COMPARISONS.items()}
_STRING_FUNCTIONS: dict[ConditionOperator, tuple[str, bool]] = {
    _Op.BEGINS_WITH: ("startswith", False),
    _Op.DOES_NOT_BEGIN_WITH: ("startswith", True),
    _Op.ENDS_WITH: ("endswith", False),
    _Op.DOES_NOT_END_WITH: ("endswith", True),
    _Op.CONTAINS: ("contains", False),
    _Op.DOES_NOT_CONTAIN: ("contains", True),
}


def _moment_text(value: dt.datetime) -> str:
    moment = value.astimezone(dt.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def format_literal(value: Any) -> str:
    """Return the OData literal for a raw value (``'O''Bryan'``, ``5``, an unquoted GUID)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return _moment_text(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no OData literal for {value!r}")


def _array_item(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return json.dumps(_moment_text(value))
    return json.dumps(str(value))


def _function(name: str, column: str, condition: Condition) -> str:
    function = FUNCTIONS[condition.operator.value]
    text = f"{FUNCTION_NAMESPACE}{name}(PropertyName='{column}'"
    if function.arguments is Arguments.COUNT:
        text += f",PropertyValue={condition.values[0]}"
    elif function.arguments is Arguments.MOMENT:
        text += f",PropertyValue='{_moment_text(condition.values[0])}'"
    elif function.arguments is not Arguments.NONE:
        text += f",PropertyValues=[{','.join(_array_item(v) for v in condition.values)}]"
    return text + ")"


def _like(column: str, condition: Condition, negate: bool) -> str:
    pattern = condition.values[0]
    if not (len(pattern) >= 2 and pattern.startswith("%") and pattern.endswith("%")):
        raise ValueError(f"the Like pattern {pattern!r} has no $filter form (only '%text%')")
    text = f"contains({column},{format_literal(pattern[1:-1])})"
    return f"not {text}" if negate else text


def _condition(table: EntityMetadata, condition: Condition) -> str:
    attr = _attribute(table, condition.attribute)
    column, op = attr.odata_name, condition.operator
    if op in _KEYWORDS:
        return f"{column} {_KEYWORDS[op]} {format_literal(condition.values[0])}"
    if op in (_Op.NULL, _Op.NOT_NULL):
        return f"{column} {'eq' if op is _Op.NULL else 'ne'} null"
    if op in (_Op.LIKE, _Op.NOT_LIKE):
        return _like(column, condition, op is _Op.NOT_LIKE)
    if op in _STRING_FUNCTIONS:
        name, negate = _STRING_FUNCTIONS[op]
        text = f"{name}({column},{format_literal(condition.values[0])})"
        return f"not {text}" if negate else text
    return _function(op.value, attr.logical_name, condition)


def _attribute(table: EntityMetadata, name: str) -> AttributeMetadata:
    attr = table.attribute(name)
    if attr is None or attr.is_virtual:
        raise ValueError(f"column {name!r} is not a Web API property of {table.logical_name!r}")
    return attr


def _child(table: EntityMetadata, node: FilterNode) -> str:
    text = format_filter(table, node)
    return f"({text})" if isinstance(node, Filter) and len(node.children) > 1 else text


def _filter(table: EntityMetadata, node: Filter) -> str:
    if not node.children:
        raise ValueError("an empty filter has no $filter form")
    return f" {node.operator} ".join(_child(table, child) for child in node.children)


_NODES: dict[type, Callable[[EntityMetadata, Any], str]] = {
    Condition: _condition,
    Filter: _filter,
    Not: lambda table, node: f"not ({format_filter(table, node.child)})",
}


def format_filter(table: EntityMetadata, node: FilterNode) -> str:
    """Return ``$filter`` text that parses back to a filter equivalent to ``node``.

    Raises:
        ValueError: for a tree with no ``$filter`` form (an empty filter, a Like pattern other
            than ``%text%``, a column that is not a Web API property).
    """
    return _NODES[type(node)](table, node)
