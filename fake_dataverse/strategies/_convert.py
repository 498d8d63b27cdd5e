"""Turn a Web API JSON body into the SDK ``Entity`` the Web API would build from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_dataverse import _errors as errors
from fake_dataverse._metadata import EntityMetadata
from fake_dataverse._validation import json_to_sdk
from fake_dataverse._values import Entity

__all__ = ["json_to_entity"]


def json_to_entity(table: EntityMetadata, body: Mapping[str, Any]) -> Entity:
    """Return the Entity a Web API write body stands for (properties by their Web API names).

    Raises:
        InvalidPropertyInODataRequestBody: 0x80090801 for a property the table does not have.
        ODataClientPayloadError: 0x80048d19 for a value of the wrong JSON type.
    """
    by_property = {attr.odata_name: attr for attr in table.stored_attributes()}
    entity = Entity(table.logical_name)
    for name, value in body.items():
        attr = by_property.get(name)
        if attr is None:
            raise errors.InvalidPropertyInODataRequestBody(name=name, entity=table.logical_name)
        entity[attr.logical_name] = json_to_sdk(table, attr, value)
    return entity
