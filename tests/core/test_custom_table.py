"""A made-up elastic table, described purely as metadata, runs every message unchanged."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    CreateMultipleRequest,
    DataverseError,
    Entity,
    EntityReference,
    FakeDataverse,
    HttpRequest,
    OptionSetValue,
    OrganizationRequest,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
)

SENSOR = "contoso_sensordata"
SENSOR_TABLE: dict[str, Any] = {
    "logical_name": SENSOR,
    "entity_set_name": "contoso_sensordatas",
    "primary_id_attribute": "contoso_sensordataid",
    "primary_name_attribute": "contoso_deviceid",
    "table_type": "Elastic",
    "partition_attribute": "partitionid",
    "ttl_attribute": "ttlinseconds",
    "state_attribute": "statecode",
    "status_attribute": "statuscode",
    "change_tracking_enabled": True,
    "object_type_code": 10999,
    "messages": ["Create", "CreateMultiple", "Delete", "DeleteMultiple", "Retrieve",
                 "RetrieveEntityChanges", "RetrieveMultiple", "Update", "UpdateMultiple",
                 "Upsert", "UpsertMultiple"],
    "keys": [{"schema_name": "KeyForNoSqlEntityWithPKPartitionId",
              "key_attributes": ["contoso_sensordataid", "partitionid"]}],
    "attributes": [
        {"logical_name": "contoso_sensordataid", "type": "Uniqueidentifier",
         "required_level": "SystemRequired", "valid_for_update": False},
        {"logical_name": "contoso_deviceid", "type": "String", "max_length": 20},
        {"logical_name": "contoso_temperature", "type": "Integer", "min_value": -50,
         "max_value": 150},
        {"logical_name": "contoso_energy", "type": "BigInt"},
        {"logical_name": "contoso_reading", "type": "Memo", "max_length": 1000,
         "valid_for_create": False},
        {"logical_name": "contoso_enabled", "type": "Boolean"},
        {"logical_name": "partitionid", "type": "String", "max_length": 100,
         "valid_for_update": False},
        {"logical_name": "ttlinseconds", "type": "Integer", "min_value": 1,
         "max_value": 2147483647},
        {"logical_name": "statecode", "type": "Picklist", "default_value": 0,
         "options": [{"value": 0, "label": "Active"}, {"value": 1, "label": "Inactive"}]},
        {"logical_name": "statuscode", "type": "Picklist", "default_value": 1,
         "options": [{"value": 1, "label": "Active", "state": 0},
                     {"value": 2, "label": "Inactive", "state": 1},
                     {"value": 3, "label": "Archived", "state": 1}]},
        {"logical_name": "createdon", "type": "DateTime", "valid_for_create": False,
         "valid_for_update": False},
        {"logical_name": "modifiedon", "type": "DateTime", "valid_for_create": False,
         "valid_for_update": False},
        {"logical_name": "createdby", "type": "Lookup", "targets": ["systemuser"],
         "valid_for_create": False, "valid_for_update": False},
        {"logical_name": "versionnumber", "type": "BigInt", "valid_for_create": False,
         "valid_for_update": False},
    ],
}


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding the made-up table beside the shipped ones."""
    return FakeDataverse(tables=[SENSOR_TABLE])


class TestEveryMessageOnAMadeUpTable:
    def test_create_retrieve_update_delete(self, dv: FakeDataverse) -> None:
        """Single-row messages apply the made-up table's own rules."""
        service = dv.service
        row_id = service.create(Entity(SENSOR, contoso_deviceid="dev-1", contoso_temperature=21,
                                       contoso_energy=2**40, contoso_enabled=True,
                                       partitionid="dev-1"))
        row = service.retrieve(SENSOR, row_id, partition_id="dev-1")
        assert (OptionSetValue(0), OptionSetValue(1)) == (row["statecode"], row["statuscode"])
        assert (21, 2**40, True) == (
            row["contoso_temperature"], row["contoso_energy"], row["contoso_enabled"])
        service.update(Entity(SENSOR, row_id, partitionid="dev-1", contoso_reading="ok",
                              statecode=OptionSetValue(1)))
        row = service.retrieve(SENSOR, row_id, ["contoso_reading", "statuscode"],
                               partition_id="dev-1")
        assert ("ok", OptionSetValue(2)) == (row["contoso_reading"], row["statuscode"])
        service.delete(SENSOR, row_id, partition_id="dev-1")
        assert [] == dv.rows(SENSOR)

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ({"contoso_temperature": 151}, "0x8004432f"),
            ({"contoso_deviceid": "x" * 21}, "0x80044331"),
            ({"statuscode": OptionSetValue(9)}, "0x8004431a"),
            ({"statecode": OptionSetValue(0), "statuscode": OptionSetValue(3)}, "0x80048408"),
            ({"contoso_enabled": 1}, "0x80040203"),
            ({"name": "not a column here"}, "0x8005e009"),
        ],
    )
    def test_its_rules_are_enforced(
        self, dv: FakeDataverse, payload: dict[str, Any], code: str
    ) -> None:
        """The made-up table's bounds, choices and pairs are checked from its metadata."""
        with pytest.raises(DataverseError) as info:
            dv.service.create(Entity(SENSOR, **payload))
        assert code == info.value.hex_code
        assert [] == dv.rows(SENSOR)

    def test_bulk_messages_and_upsert(self, dv: FakeDataverse) -> None:
        """CreateMultiple, UpdateMultiple, UpsertMultiple and DeleteMultiple all work."""
        service = dv.service
        ids = service.execute(CreateMultipleRequest(targets=[
            Entity(SENSOR, contoso_deviceid=f"d{i}") for i in range(3)])).ids
        service.execute(UpdateMultipleRequest(targets=[
            Entity(SENSOR, i, contoso_temperature=n) for n, i in enumerate(ids)]))
        fresh = uuid.uuid4()
        results = service.execute(UpsertMultipleRequest(targets=[
            Entity(SENSOR, ids[0], contoso_deviceid="replaced"),
            Entity(SENSOR, fresh, contoso_deviceid="new")])).results
        assert [False, True] == [r.record_created for r in results]
        rows = {r.id: r for r in dv.rows(SENSOR)}
        assert ("replaced", None) == (rows[ids[0]]["contoso_deviceid"],
                                      rows[ids[0]]["contoso_temperature"])
        assert 2 == rows[ids[2]]["contoso_temperature"]
        service.execute(OrganizationRequest("DeleteMultiple", {"Targets": [
            EntityReference(SENSOR, i) for i in [*ids, fresh]]}))
        assert [] == dv.rows(SENSOR)

    def test_a_missing_message_is_not_supported(self) -> None:
        """A table that does not list a message refuses it."""
        table = dict(SENSOR_TABLE, messages=["Create", "Retrieve"])
        dv = FakeDataverse(tables=[table])
        with pytest.raises(DataverseError) as info:
            dv.service.execute(UpdateMultipleRequest(targets=[Entity(SENSOR, uuid.uuid4())]))
        assert "0x80040315" == info.value.hex_code

    def test_privileges_are_named_for_the_table(self, dv: FakeDataverse) -> None:
        """A user without rights gets prvCreatecontoso_sensordata named in the fault."""
        user = dv.add_user("No Rights", privileges=[])
        with pytest.raises(DataverseError) as info:
            dv.service_for(user).create(Entity(SENSOR, contoso_deviceid="x"))
        assert "prvCreatecontoso_sensordata" in info.value.message

    def test_an_elastic_table_has_its_key_without_declaring_it(self) -> None:
        """Every elastic table gets the (id, partitionid) key: the Web API addresses rows by it."""
        table = {k: v for k, v in SENSOR_TABLE.items() if k != "keys"}
        dv = FakeDataverse(tables=[table])
        [key] = next(t for t in dv.metadata if t.logical_name == SENSOR).keys
        assert ("KeyForNoSqlEntityWithPKPartitionId", ("contoso_sensordataid", "partitionid")) == (
            key.schema_name, key.key_attributes)
        row_id = dv.service.create(Entity(SENSOR, contoso_deviceid="d", partitionid="p"))
        api = f"{dv.url}/api/data/v9.2/contoso_sensordatas"
        auth = {"Authorization": "Bearer t"}
        for url in (f"{api}({row_id})?partitionId=p",
                    f"{api}(contoso_sensordataid={row_id},partitionid='p')"):
            response = dv.handle(HttpRequest("GET", url, auth))
            assert 200 == response.status, response.body
            assert "d" == json.loads(response.body)["contoso_deviceid"]

    def test_metadata_round_trips_through_json(self) -> None:
        """The table description is plain JSON data."""
        dv = FakeDataverse(tables=[json.loads(json.dumps(SENSOR_TABLE))])
        assert SENSOR in {t.logical_name for t in dv.metadata}
