"""Table descriptions shared by tests of several surfaces."""

from __future__ import annotations

from typing import Any

# A standard table with two alternate keys: one text column, and a text + integer pair.
TASK = "contoso_task"
TASK_TABLE: dict[str, Any] = {
    "logical_name": TASK,
    "entity_set_name": "contoso_tasks",
    "primary_id_attribute": "contoso_taskid",
    "primary_name_attribute": "contoso_name",
    "messages": ["Create", "CreateMultiple", "Delete", "Retrieve", "RetrieveMultiple", "Update",
                 "UpdateMultiple", "Upsert", "UpsertMultiple"],
    "keys": [
        {"schema_name": "contoso_code_key", "display_name": "Code", "key_attributes":
         ["contoso_code"]},
        {"schema_name": "contoso_region_number_key", "key_attributes":
         ["contoso_region", "contoso_number"]},
    ],
    "attributes": [
        {"logical_name": "contoso_taskid", "type": "Uniqueidentifier", "valid_for_update": False},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
        {"logical_name": "contoso_code", "type": "String", "max_length": 20},
        {"logical_name": "contoso_region", "type": "String", "max_length": 20},
        {"logical_name": "contoso_number", "type": "Integer"},
        {"logical_name": "contoso_parent", "type": "Lookup", "targets": ["contoso_task"]},
    ],
}
