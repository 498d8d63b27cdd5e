"""Binding names and literals to metadata: Web API property names, literal types, conversions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query.odata._binding import (
    Literal,
    bind_literal,
    convert_text,
    find_property,
    literal_from_token,
)
from fake_dataverse._query.odata._lexer import tokenize

UTC = dt.timezone.utc


def literal_of(text: str) -> Literal:
    literal = literal_from_token(tokenize(text)[0], text)
    assert literal is not None
    return literal


class TestProperties:
    @pytest.mark.parametrize(
        ("name", "logical"),
        [("name", "name"), ("_createdby_value", "createdby"), ("versionnumber", "versionnumber")],
    )
    def test_web_api_names(self, table: EntityMetadata, name: str, logical: str) -> None:
        """Columns are found by their Web API property name; a lookup by ``_x_value``."""
        attr = find_property(table, name)
        assert attr is not None
        assert logical == attr.logical_name

    @pytest.mark.parametrize(
        "name", ["Name", "createdby", "createdbyname", "_name_value", "_nope_value", ""]
    )
    def test_not_properties(self, table: EntityMetadata, name: str) -> None:
        """Wrong case, navigation names, name columns and unknown names are not properties."""
        assert find_property(table, name) is None


class TestLiterals:
    @pytest.mark.parametrize(
        ("text", "edm_type", "value"),
        [
            ("'it''s'", "Edm.String", "it's"),
            ("7", "Edm.Int32", 7),
            ("3000000000", "Edm.Int64", 3000000000),
            ("7L", "Edm.Int64", 7),
            ("99999999999999999999", "Edm.Decimal", 99999999999999999999),
            ("null", "null", None),
            ("true", "Edm.Boolean", True),
            ("00000000-0000-0000-0000-000000000001", "Edm.Guid", uuid.UUID(int=1)),
            (
                "2024-05-06T07:08:09Z",
                "Edm.DateTimeOffset",
                dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
            ),
            ("2024-05-06", "Edm.Date", dt.datetime(2024, 5, 6, tzinfo=UTC)),
        ],
    )
    def test_literal_types(self, text: str, edm_type: str, value: object) -> None:
        """Each literal has its OData type and its Python value."""
        literal = literal_of(text)
        assert (edm_type, value) == (literal.edm_type, literal.value)

    def test_identifier_is_not_a_literal(self) -> None:
        """A name is not a literal."""
        assert literal_from_token(tokenize("name")[0], "name") is None


class TestBinding:
    def test_fitting_literal(self, table: EntityMetadata) -> None:
        """A literal of the column's type becomes its raw value."""
        attr = table.attribute("priority")
        assert attr is not None
        assert 4 == bind_literal(attr, literal_of("4"), "Equal")

    def test_misfit_names_both_types(self, table: EntityMetadata) -> None:
        """A literal of another type is the incompatible-types fault naming both types."""
        attr = table.attribute("createdon")
        assert attr is not None
        with pytest.raises(DataverseError) as info:
            bind_literal(attr, literal_of("true"), "LessThan")
        assert (
            "A binary operator with incompatible types was detected. Found operand types "
            "'Edm.DateTimeOffset' and 'Edm.Boolean' for operator kind 'LessThan'."
            == info.value.message
        )

    @pytest.mark.parametrize(
        ("column", "text", "value"),
        [
            ("priority", "5", 5),
            ("name", "x", "x"),
            ("createdby", "00000000-0000-0000-0000-000000000002", uuid.UUID(int=2)),
            ("createdon", "2024-01-02", dt.datetime(2024, 1, 2, tzinfo=UTC)),
        ],
    )
    def test_convert_text(
        self, table: EntityMetadata, column: str, text: str, value: object
    ) -> None:
        """Query-function values given as text convert to the column's raw value."""
        attr = table.attribute(column)
        assert attr is not None
        assert value == convert_text(attr, text)

    def test_convert_text_fault(self, table: EntityMetadata) -> None:
        """Text that is not of the column's type is a conversion fault."""
        attr = table.attribute("createdby")
        assert attr is not None
        with pytest.raises(DataverseError) as info:
            convert_text(attr, "me")
        assert "Cannot convert the literal 'me' to the expected type 'Edm.Guid'." == (
            info.value.message
        )
