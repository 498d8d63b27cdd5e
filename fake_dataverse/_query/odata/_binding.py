"""Binding OData names and literals to a table's metadata.

A property name is a column's Web API name (``name``, ``_createdby_value``); a literal becomes a
raw value of the column it is compared with (int, str, ``uuid.UUID``, aware UTC ``datetime``,
bool) or a 400 ``0x0`` fault naming both OData types, as Dataverse answers.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from fake_dataverse._model._literals import INT32, INT64, parse_datetime_text, parse_integer
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query.odata._lexer import Token, TokenKind, odata_error

__all__ = [
    "Literal",
    "bind_literal",
    "convert_text",
    "find_property",
    "literal_from_token",
    "property_or_error",
    "type_name",
]



@attrs.frozen
class Literal:
    """A parsed literal: its OData type (``Edm.String``…, ``null``), value and source token."""

    edm_type: str
    value: Any
    token: Token


def type_name(table: EntityMetadata) -> str:
    """Return the qualified OData type name of a table (``Microsoft.Dynamics.CRM.<name>``)."""
    return f"Microsoft.Dynamics.CRM.{table.logical_name}"


def find_property(table: EntityMetadata, name: str) -> AttributeMetadata | None:
    """Return the column whose Web API property is ``name`` (case-sensitive), or None."""
    if name.startswith("_") and name.endswith("_value"):
        attr = table.attribute(name[1:-6])
        if attr is not None and attr.attribute_type is AttributeTypeCode.LOOKUP:
            return attr
        return None
    attr = table.attribute(name)
    if attr is None or attr.is_virtual or attr.attribute_type is AttributeTypeCode.LOOKUP:
        return None
    return attr


def property_or_error(table: EntityMetadata, name: str) -> AttributeMetadata:
    """Return the column for a Web API property name.

    Raises:
        ODataError: 0x0 ``Could not find a property named 'X' on type '…'.``
    """
    attr = find_property(table, name)
    if attr is None:
        raise odata_error(f"Could not find a property named '{name}' on type '{type_name(table)}'.")
    return attr


def _integer(token: Token) -> Literal:
    value = parse_integer(token.text.rstrip("lL"))
    if value is None:  # more digits than any Dataverse number: OData reads it as a double
        return Literal("Edm.Double", token.text, token)
    if INT32[0] <= value <= INT32[1] and not token.text.endswith(("l", "L")):
        return Literal("Edm.Int32", value, token)
    if INT64[0] <= value <= INT64[1]:
        return Literal("Edm.Int64", value, token)
    return Literal("Edm.Decimal", value, token)


def _string(token: Token) -> Literal:
    return Literal("Edm.String", token.text[1:-1].replace("''", "'"), token)


def _moment(edm_type: str) -> Callable[[Token], Literal]:
    def parse(token: Token) -> Literal:
        parsed = parse_datetime_text(token.text)
        if parsed is None:
            raise _UnrecognizedError(edm_type)
        return Literal(edm_type, parsed, token)

    return parse


class _UnrecognizedError(Exception):
    def __init__(self, edm_type: str) -> None:
        super().__init__(edm_type)
        self.edm_type = edm_type


def _keyword(token: Token) -> Literal:
    words: dict[str, tuple[str, Any]] = {
        "null": ("null", None),
        "true": ("Edm.Boolean", True),
        "false": ("Edm.Boolean", False),
    }
    edm_type, value = words[token.text]
    return Literal(edm_type, value, token)


_LITERALS: dict[TokenKind, Callable[[Token], Literal]] = {
    TokenKind.STRING: _string,
    TokenKind.INTEGER: _integer,
    TokenKind.DECIMAL: lambda token: Literal(
        "Edm.Double" if "e" in token.text.lower() else "Edm.Decimal", token.text, token
    ),
    TokenKind.GUID: lambda token: Literal("Edm.Guid", uuid.UUID(token.text), token),
    TokenKind.DATETIME: _moment("Edm.DateTimeOffset"),
    TokenKind.DATE: _moment("Edm.Date"),
    TokenKind.IDENTIFIER: _keyword,
    TokenKind.ARRAY: lambda token: Literal("Collection", token.text, token),
}


def literal_from_token(token: Token, source: str) -> Literal | None:
    """Return the literal a token of ``source`` spells, or None when it is not a literal.

    Raises:
        ODataError: 0x0 ``Unrecognized 'Edm.DateTimeOffset' literal …`` for a date or time that
            does not exist (``2023-02-30T00:00:00Z``).
    """
    if token.kind is TokenKind.IDENTIFIER and token.text not in ("null", "true", "false"):
        return None
    parse = _LITERALS.get(token.kind)
    if parse is None:
        return None
    try:
        return parse(token)
    except _UnrecognizedError as fault:
        raise odata_error(
            f"Unrecognized '{fault.edm_type}' literal '{token.text}' at '{token.position}' in "
            f"'{source}'."
        ) from None


def _as_guid(literal: Literal) -> Any:
    if literal.edm_type == "Edm.Guid":
        return literal.value
    if literal.edm_type == "Edm.String":
        try:
            return uuid.UUID(literal.value) if len(literal.value) == 36 else None
        except ValueError:
            return None
    return None


def _as_moment(literal: Literal) -> Any:
    if literal.edm_type in ("Edm.DateTimeOffset", "Edm.Date"):
        return literal.value
    return None


_BINDERS: dict[AttributeTypeCode, Callable[[Literal], Any]] = {
    AttributeTypeCode.STRING: lambda lit: lit.value if lit.edm_type == "Edm.String" else None,
    AttributeTypeCode.MEMO: lambda lit: lit.value if lit.edm_type == "Edm.String" else None,
    AttributeTypeCode.INTEGER: lambda lit: (
        lit.value if lit.edm_type in ("Edm.Int32", "Edm.Int64") else None
    ),
    AttributeTypeCode.BIGINT: lambda lit: (
        lit.value if lit.edm_type in ("Edm.Int32", "Edm.Int64") else None
    ),
    AttributeTypeCode.PICKLIST: lambda lit: (
        lit.value if lit.edm_type in ("Edm.Int32", "Edm.Int64") else None
    ),
    AttributeTypeCode.BOOLEAN: lambda lit: lit.value if lit.edm_type == "Edm.Boolean" else None,
    AttributeTypeCode.UNIQUEIDENTIFIER: _as_guid,
    AttributeTypeCode.LOOKUP: _as_guid,
    AttributeTypeCode.DATETIME: _as_moment,
}


def bind_literal(attr: AttributeMetadata, literal: Literal, operator_kind: str) -> Any:
    """Return the raw value of a literal compared with a column.

    Raises:
        ODataError: 0x0 ``A binary operator with incompatible types was detected…`` when the
            literal's type does not fit the column.
    """
    value = _BINDERS[attr.attribute_type](literal)
    if value is None:
        raise odata_error(
            "A binary operator with incompatible types was detected. Found operand types "
            f"'{attr.attribute_type.edm_type}' and '{literal.edm_type}' for operator kind "
            f"'{operator_kind}'."
        )
    return value


def _convert_integer(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return None


def _convert_guid(text: str) -> Any:
    try:
        return uuid.UUID(text) if len(text) == 36 else None
    except ValueError:
        return None


def _convert_moment(text: str) -> dt.datetime | None:
    return parse_datetime_text(text)


_CONVERTERS: dict[AttributeTypeCode, Callable[[str], Any]] = {
    AttributeTypeCode.STRING: lambda text: text,
    AttributeTypeCode.MEMO: lambda text: text,
    AttributeTypeCode.INTEGER: _convert_integer,
    AttributeTypeCode.BIGINT: _convert_integer,
    AttributeTypeCode.PICKLIST: _convert_integer,
    AttributeTypeCode.BOOLEAN: lambda text: {"true": True, "false": False}.get(text.lower()),
    AttributeTypeCode.UNIQUEIDENTIFIER: _convert_guid,
    AttributeTypeCode.LOOKUP: _convert_guid,
    AttributeTypeCode.DATETIME: _convert_moment,
}


def convert_text(attr: AttributeMetadata, value: Any) -> Any:
    """Convert a query-function argument (text or number) to a column's raw value.

    Raises:
        ODataError: 0x0 ``Cannot convert the literal 'x' to the expected type '…'.``
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        text = json.dumps(value)
    else:
        text = str(value)
    converted = _CONVERTERS[attr.attribute_type](text)
    if converted is None:
        raise odata_error(
            f"Cannot convert the literal '{text}' to the expected type "
            f"'{attr.attribute_type.edm_type}'."
        )
    return converted
