"""Dataverse query functions in ``$filter``: ``Microsoft.Dynamics.CRM.<Function>(…)``.

Each supported function is registered with the condition operator it maps to and the shape of
its arguments (none, a count, a date, a list of values, a pair of values). Functions Dataverse
has but the query model cannot express (fiscal periods, hierarchies, …) are rejected by name.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import INT32, parse_integer
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query._model import Condition, ConditionOperator
from fake_dataverse._query._operators import applies, spec_for
from fake_dataverse._query.odata._binding import Literal, convert_text
from fake_dataverse._query.odata._lexer import odata_error

__all__ = [
    "FUNCTIONS",
    "FUNCTION_NAMESPACE",
    "UNSUPPORTED",
    "Arguments",
    "QueryFunction",
    "function_condition",
]

FUNCTION_NAMESPACE = "Microsoft.Dynamics.CRM."


class Arguments(enum.Enum):
    """The parameters a query function takes besides ``PropertyName``."""

    NONE = "none"
    COUNT = "count"
    MOMENT = "moment"
    VALUES = "values"
    PAIR = "pair"

    @property
    def parameters(self) -> tuple[str, ...]:
        """Return the parameter names besides ``PropertyName``."""
        return _PARAMETERS[self]


_PARAMETERS = {
    Arguments.NONE: (),
    Arguments.COUNT: ("PropertyValue",),
    Arguments.MOMENT: ("PropertyValue",),
    Arguments.VALUES: ("PropertyValues",),
    Arguments.PAIR: ("PropertyValues",),
}


@attrs.frozen
class QueryFunction:
    """One Dataverse query function: the operator it stands for and its arguments."""

    name: str
    operator: ConditionOperator
    arguments: Arguments

    @property
    def column_types(self) -> frozenset[AttributeTypeCode]:
        """Return the column types the function applies to: its operator's, from the one table."""
        return spec_for(self.operator).types


FUNCTIONS: dict[str, QueryFunction] = {}


def _register(arguments: Arguments, *ops: ConditionOperator) -> None:
    for op in ops:
        FUNCTIONS[op.value] = QueryFunction(op.value, op, arguments)


_op = ConditionOperator
_register(
    Arguments.NONE,
    _op.TODAY, _op.YESTERDAY, _op.TOMORROW, _op.LAST_7_DAYS, _op.NEXT_7_DAYS,
    _op.THIS_WEEK, _op.THIS_MONTH, _op.THIS_YEAR, _op.LAST_WEEK, _op.LAST_MONTH, _op.LAST_YEAR,
    _op.NEXT_WEEK, _op.NEXT_MONTH, _op.NEXT_YEAR,
)  # fmt: skip
_register(
    Arguments.COUNT,
    _op.LAST_X_HOURS, _op.LAST_X_DAYS, _op.LAST_X_WEEKS, _op.LAST_X_MONTHS, _op.LAST_X_YEARS,
    _op.NEXT_X_HOURS, _op.NEXT_X_DAYS, _op.NEXT_X_WEEKS, _op.NEXT_X_MONTHS, _op.NEXT_X_YEARS,
    _op.OLDER_THAN_X_MINUTES, _op.OLDER_THAN_X_HOURS, _op.OLDER_THAN_X_DAYS,
    _op.OLDER_THAN_X_WEEKS, _op.OLDER_THAN_X_MONTHS, _op.OLDER_THAN_X_YEARS,
)  # fmt: skip
_register(Arguments.MOMENT, _op.ON, _op.ON_OR_AFTER, _op.ON_OR_BEFORE)
_register(Arguments.VALUES, _op.IN, _op.NOT_IN)
_register(Arguments.PAIR, _op.BETWEEN, _op.NOT_BETWEEN)
_register(Arguments.NONE, _op.EQUAL_USER_ID, _op.NOT_EQUAL_USER_ID)

#: Dataverse functions the query model has no operator for: rejected, not misread.
_UNSUPPORTED_NAMES = """InFiscalPeriod InFiscalPeriodAndYear InFiscalYear
    InOrAfterFiscalPeriodAndYear InOrBeforeFiscalPeriodAndYear LastFiscalPeriod LastFiscalYear
    LastXFiscalPeriods LastXFiscalYears NextFiscalPeriod NextFiscalYear NextXFiscalPeriods
    NextXFiscalYears ThisFiscalPeriod ThisFiscalYear EqualBusinessId NotEqualBusinessId Above
    AboveOrEqual EqualUserOrUserHierarchy EqualUserOrUserHierarchyAndTeams EqualUserOrUserTeams
    EqualUserTeams NotUnder Under UnderOrEqual ContainValues DoesNotContainValues
    EqualUserLanguage Contains DoesNotContain"""
UNSUPPORTED = frozenset(_UNSUPPORTED_NAMES.split())

_COMMA_EXPECTED = (
    "Invalid JSON. A comma character ',' was expected in scope 'Array'. Every two elements in an "
    "array and properties of an object must be separated by commas."
)
_SINGLE_QUOTED = re.compile(r"\[\s*(?:'[^']*'(?:\s*,\s*'[^']*')*)?\s*\]")


def _array_values(text: str) -> list[Any]:
    try:
        values = json.loads(text)
    except ValueError:
        if not _SINGLE_QUOTED.fullmatch(text):
            raise odata_error(_COMMA_EXPECTED) from None
        values = re.findall(r"'([^']*)'", text)
    if not isinstance(values, list) or not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
    ):
        raise odata_error(_COMMA_EXPECTED)
    return values


def _column(table: EntityMetadata, argument: Literal) -> AttributeMetadata:
    """Return the column ``PropertyName`` names: its logical name, as QueryExpression takes it."""
    if argument.edm_type != "Edm.String":
        raise odata_error("The PropertyName parameter must be a string naming a column.")
    attr = table.attribute(argument.value)
    if attr is None or attr.is_virtual:
        raise errors.QueryBuilderNoAttribute(entity=table.logical_name, name=argument.value)
    return attr


def _count(function: QueryFunction, argument: Literal) -> tuple[Any, ...]:
    value = argument.value
    if argument.edm_type == "Edm.String":
        value = parse_integer(value, signed=False, maximum=INT32[1])
    if argument.edm_type not in ("Edm.String", "Edm.Int32") or not isinstance(value, int):
        raise odata_error(
            f"Cannot convert the literal '{argument.token.text}' to the expected type 'Edm.Int32'."
        )
    return (value,)


def _values(function: QueryFunction, attr: AttributeMetadata, argument: Literal) -> tuple[Any, ...]:
    if argument.edm_type != "Collection":
        raise odata_error(
            f"The PropertyValues parameter of '{FUNCTION_NAMESPACE}{function.name}' must be an "
            'array of strings, such as ["a","b"].'
        )
    values = tuple(convert_text(attr, value) for value in _array_values(argument.value))
    if function.arguments is Arguments.PAIR and len(values) != 2:
        raise odata_error(
            f"'{FUNCTION_NAMESPACE}{function.name}' needs exactly two PropertyValues; "
            f"found {len(values)}."
        )
    if not values:
        raise odata_error(
            f"'{FUNCTION_NAMESPACE}{function.name}' needs at least one of PropertyValues."
        )
    return values


def _arguments(
    function: QueryFunction, attr: AttributeMetadata, arguments: Mapping[str, Literal]
) -> tuple[Any, ...]:
    if function.arguments is Arguments.NONE:
        return ()
    argument = arguments[function.arguments.parameters[0]]
    if function.arguments is Arguments.COUNT:
        return _count(function, argument)
    if function.arguments is Arguments.MOMENT:
        if argument.edm_type not in ("Edm.String", "Edm.DateTimeOffset", "Edm.Date"):
            raise odata_error(
                f"Cannot convert the literal '{argument.token.text}' to the expected type "
                "'Edm.DateTimeOffset'."
            )
        value = argument.value
        return (convert_text(attr, value) if isinstance(value, str) else value,)
    return _values(function, attr, argument)


def function_condition(
    table: EntityMetadata, qualified_name: str, arguments: Mapping[str, Literal]
) -> Condition:
    """Return the condition a Dataverse query function call stands for.

    Raises:
        ODataError: 0x0 for an unknown or unsupported function, missing or extra parameters, a
            column of the wrong type or a value that does not convert to the column's type.
        QueryBuilderNoAttribute: 0x80041103 when ``PropertyName`` is not a column's logical name
            (``_createdby_value`` is not; ``createdby`` is).
    """
    name = qualified_name[len(FUNCTION_NAMESPACE) :]
    function = FUNCTIONS.get(name)
    if function is None:
        if name in UNSUPPORTED:
            raise odata_error(
                f"The query function '{qualified_name}' is not supported for entity "
                f"'{table.logical_name}'."
            )
        raise errors.ODataError(
            f"An unknown function with name '{qualified_name}' was found. This may also be a "
            "function import or a key lookup on a navigation property, which is not allowed."
        )
    expected = {"PropertyName", *function.arguments.parameters}
    if set(arguments) != expected:
        raise odata_error(
            f"'{qualified_name}' takes the parameters {', '.join(sorted(expected))}; found "
            f"{', '.join(sorted(arguments)) or 'none'}."
        )
    attr = _column(table, arguments["PropertyName"])
    if not applies(function.operator, attr.attribute_type):
        raise odata_error(
            f"'{qualified_name}' cannot be applied to column '{attr.logical_name}' of type "
            f"'{attr.attribute_type.edm_type}'."
        )
    return Condition(attr.logical_name, function.operator, _arguments(function, attr, arguments))
