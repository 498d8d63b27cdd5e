"""Helpers for the strategy tests: the store state a rejected write must leave alone."""

from __future__ import annotations

from typing import Any

import pytest

TABLE = "backgroundoperation"
API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer token"}




def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's own ``pytester`` plugin (one test drives pytest itself)."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


#: A made-up table with column types backgroundoperation lacks (Boolean, BigInt, a writable
#: lookup) — the strategies must work from its metadata alone.
SENSOR_TABLE: dict[str, Any] = {
    "logical_name": "contoso_sensordata",
    "entity_set_name": "contoso_sensordatas",
    "primary_id_attribute": "contoso_sensordataid",
    "primary_name_attribute": "contoso_deviceid",
    "table_type": "Elastic",
    "partition_attribute": "partitionid",
    "state_attribute": "statecode",
    "status_attribute": "statuscode",
    "messages": ["Create", "Retrieve", "RetrieveMultiple", "Update", "Upsert", "Delete"],
    "attributes": [
        {"logical_name": "contoso_sensordataid", "type": "Uniqueidentifier",
         "required_level": "SystemRequired", "valid_for_update": False},
        {"logical_name": "contoso_deviceid", "type": "String", "max_length": 20,
         "required_level": "ApplicationRequired"},
        {"logical_name": "contoso_temperature", "type": "Integer", "min_value": -50,
         "max_value": 150},
        {"logical_name": "contoso_energy", "type": "BigInt"},
        {"logical_name": "contoso_enabled", "type": "Boolean"},
        {"logical_name": "contoso_owner", "type": "Lookup", "targets": ["systemuser"]},
        {"logical_name": "partitionid", "type": "String", "max_length": 100,
         "valid_for_update": False},
        {"logical_name": "statecode", "type": "Picklist", "default_value": 0,
         "options": [{"value": 0, "label": "Active"}, {"value": 1, "label": "Inactive"}]},
        {"logical_name": "statuscode", "type": "Picklist", "default_value": 1,
         "options": [{"value": 1, "label": "Active", "state": 0},
                     {"value": 2, "label": "Inactive", "state": 1}]},
        {"logical_name": "createdon", "type": "DateTime", "valid_for_create": False,
         "valid_for_update": False},
    ],
}  # fmt: skip
