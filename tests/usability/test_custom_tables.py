"""A table description with a missing, unknown or mistyped key says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from fake_dataverse import Entity, FakeDataverse

MINIMAL: dict[str, Any] = {
    "logical_name": "contoso_sensor",
    "entity_set_name": "contoso_sensors",
    "primary_id_attribute": "contoso_sensorid",
    "primary_name_attribute": "contoso_name",
    "messages": ["Create", "Retrieve", "RetrieveMultiple"],
    "attributes": [
        {"logical_name": "contoso_sensorid", "type": "Uniqueidentifier"},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
    ],
}


class TestTableDescriptions:
    def test_the_minimal_table_works(self) -> None:
        """The five required keys (and its messages) are enough for a working table."""
        dv = FakeDataverse(tables=[MINIMAL])
        row_id = dv.service.create(Entity("contoso_sensor", contoso_name="probe"))
        assert [row.id for row in dv.rows("contoso_sensor")] == [row_id]

    def test_a_missing_key_is_named(self) -> None:
        """A table without a required key is a ValueError naming the table and the key."""
        table = {k: v for k, v in MINIMAL.items() if k != "entity_set_name"}
        with pytest.raises(ValueError, match="table 'contoso_sensor': missing 'entity_set_name'"):
            FakeDataverse(tables=[table])

    def test_an_unknown_key_is_named(self) -> None:
        """A misspelt key is a ValueError listing the keys the shape takes; _comments pass."""
        table = {**MINIMAL, "primaryid": "x", "_source": "notes"}
        with pytest.raises(ValueError, match=r"unknown 'primaryid' \(required: logical_name"):
            FakeDataverse(tables=[table])

    def test_an_attribute_key(self) -> None:
        """An attribute's misspelt key is named with the attribute."""
        attributes = [*MINIMAL["attributes"], {"logical_name": "x", "type": "String", "len": 5}]
        with pytest.raises(ValueError, match="attribute 'x': unknown 'len'"):
            FakeDataverse(tables=[{**MINIMAL, "attributes": attributes}])

    def test_an_unknown_type_lists_the_types(self) -> None:
        """A type that is not an AttributeTypeCode lists the type names."""
        attributes = [{"logical_name": "contoso_sensorid", "type": "Guid"}]
        with pytest.raises(ValueError, match="type 'Guid' is not one of Uniqueidentifier, String"):
            FakeDataverse(tables=[{**MINIMAL, "attributes": attributes}])

    def test_a_key_without_its_attributes(self) -> None:
        """An alternate key lacking key_attributes is named as the table's key."""
        table = {**MINIMAL, "keys": [{"schema_name": "bykey"}]}
        with pytest.raises(
            ValueError, match="table 'contoso_sensor' key: missing 'key_attributes'"
        ):
            FakeDataverse(tables=[table])
