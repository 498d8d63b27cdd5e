"""Turn a Web API JSON body into the SDK ``Entity`` the Web API would build from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import Entity
from fake_dataverse._webapi._json import entity_from_json

__all__ = ["json_to_entity"]


def json_to_entity(table: EntityMetadata, body: Mapping[str, Any]) -> Entity:
    """Return the Entity a Web API write body stands for (the Web API's own parser).

    Properties go by their Web API names; lookups by ``<column>@odata.bind``.

    Raises:
        InvalidPropertyInODataRequestBody: 0x80090801 for a property the table does not have.
        ODataClientPayloadError: 0x80048d19 for a value of the wrong JSON type, a bind that is
            not an entity path, or an annotation on an unknown property.
    """
    return entity_from_json(table, dict(body), table.entity_set_name)
