"""The metadata $filter subset."""

from __future__ import annotations

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._webapi.metadata._filter import metadata_filter

ITEM = {
    "LogicalName": "name",
    "IsPrivate": False,
    "MaxLength": 512,
    "RequiredLevel": {"Value": "ApplicationRequired"},
    "AttributeType": "String",
}


class TestMetadataFilter:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("LogicalName eq 'name'", True),
            ("LogicalName ne 'name'", False),
            ("IsPrivate eq false and MaxLength eq 512", True),
            ("not (LogicalName eq 'x') and (IsPrivate eq true or MaxLength eq 512)", True),
            (
                "RequiredLevel/Value eq Microsoft.Dynamics.CRM.AttributeRequiredLevel"
                "'ApplicationRequired'",
                True,
            ),
            ("AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'", False),
            ("LogicalName eq 'it''s'", False),
        ],
    )
    def test_predicates(self, text: str, expected: bool) -> None:
        """Comparisons, logic, paths and enum literals evaluate as OData does."""
        assert metadata_filter(text, "AttributeMetadata")(ITEM) is expected

    @pytest.mark.parametrize(
        "text",
        [
            "LogicalName eq",
            "(LogicalName eq 'a'",
            "eq 'a'",
            "LogicalName gt 'a'",
            "LogicalName eq 'a' x",
            "#",
        ],
    )
    def test_syntax_errors(self, text: str) -> None:
        """Malformed filters are 400 0x0."""
        with pytest.raises(DataverseError) as caught:
            metadata_filter(text, "AttributeMetadata")
        assert (caught.value.http_status, caught.value.hex_code) == (400, "0x0")

    def test_unknown_property(self) -> None:
        """An unknown property names itself and the metadata type."""
        with pytest.raises(DataverseError) as caught:
            metadata_filter("Nope eq 1", "AttributeMetadata")(ITEM)
        assert caught.value.message == (
            "Could not find a property named 'Nope' on type "
            "'Microsoft.Dynamics.CRM.AttributeMetadata'."
        )
