"""Bound bulk actions: ``…/Microsoft.Dynamics.CRM.{Create,Update,Upsert,Delete}Multiple``.

Each target needs ``@odata.type``; the body becomes the SDK bulk request, so partial failures
and their ``Plugin.BulkApiErrorDetails`` come from the engine unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fake_dataverse._messages._requests import (
    CreateMultipleRequest,
    CreateMultipleResponse,
    DeleteMultipleRequest,
    OrganizationRequest,
    OrganizationResponse,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import Entity, EntityCollection, EntityReference
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import TYPE_PREFIX, entity_from_json, request_json
from fake_dataverse._webapi._keys import key_attributes
from fake_dataverse._webapi._reply import empty_reply, json_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._url import parse_segment

__all__: list[str] = []

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

RequestBuilder = Callable[[EntityMetadata, list[Entity]], OrganizationRequest]


def _collection(table: EntityMetadata, targets: list[Entity]) -> EntityCollection:
    """Return targets as an EntityCollection bound to the action's table."""
    return EntityCollection(targets, entity_name=table.logical_name)


def _delete_targets(table: EntityMetadata, targets: list[Entity]) -> OrganizationRequest:
    """Return the DeleteMultiple request for targets given as entity objects."""
    references = []
    for entity in targets:
        pk = table.primary_id_attribute
        row_id = entity.get(pk) if entity.id is None else entity.id
        keys = dict(entity.key_attributes)
        part = table.partition_attribute
        if part and entity.get(part) is not None:
            keys = {pk: row_id, part: entity[part]}
        references.append(EntityReference(entity.logical_name, row_id, keys))
    return DeleteMultipleRequest(targets=references)


_ACTIONS: dict[str, RequestBuilder] = {
    "CreateMultiple": lambda t, e: CreateMultipleRequest(targets=_collection(t, e)),
    "UpdateMultiple": lambda t, e: UpdateMultipleRequest(targets=_collection(t, e)),
    "UpsertMultiple": lambda t, e: UpsertMultipleRequest(targets=_collection(t, e)),
    "DeleteMultiple": _delete_targets,
}


def _payload_error(table: EntityMetadata, inner: str) -> errors.DataverseError:
    """Return the payload fault for a malformed bulk body."""
    return errors.ODataClientPayloadError(
        entity_set=table.entity_set_name, inner=f"Microsoft.OData.ODataException: {inner}"
    )


def _apply_odata_id(table: EntityMetadata, entity: Entity, odata_id: Any) -> None:
    """Take a target's row from ``"@odata.id": "backgroundoperations(<key>)"`` (any key)."""
    text = odata_id.rsplit("/", 1)[-1] if isinstance(odata_id, str) else ""
    segment = parse_segment(text)
    if segment is None or not segment.key or segment.name != table.entity_set_name:
        raise _payload_error(table, f"The value '{odata_id}' of '@odata.id' is not a valid URI.")
    try:
        keys = key_attributes(table, segment.key)
    except errors.ODataError:
        raise _payload_error(
            table, f"The value '{odata_id}' of '@odata.id' is not a valid URI."
        ) from None
    row_id = keys.get(table.primary_id_attribute)
    if isinstance(row_id, uuid.UUID):
        entity.id = row_id
    entity.key_attributes = keys if len(keys) > 1 or row_id is None else {}


def _target(table: EntityMetadata, item: Any) -> Entity:
    """Return one target as an Entity; ``@odata.type`` is required."""
    if isinstance(item, dict) and "@odata.type" not in item:
        raise _payload_error(
            table,
            "A resource without a type name was found, but no expected type was specified. To "
            "allow entries without type information, the expected type must also be specified "
            "when the model is specified.",
        )
    entity = entity_from_json(table, item, table.entity_set_name)
    if "@odata.id" in item:
        _apply_odata_id(table, entity, item["@odata.id"])
    return entity


def _targets(table: EntityMetadata, action: str, payload: Any) -> list[Entity]:
    """Return the Entities of a bulk body's ``Targets``.

    Raises:
        ODataClientPayloadError: 0x80048d19 for a malformed body; InvalidArgument 0x80040203
            when ``Targets`` is missing.
    """
    if not isinstance(payload, dict):
        raise _payload_error(table, "The parameter payload must be a JSON object.")
    for name in payload:
        if name != "Targets":
            raise _payload_error(
                table,
                f"The parameter '{name}' in the request payload is not a valid parameter for the "
                f"operation '{action}'.",
            )
    items = payload.get("Targets")
    if items is None:
        raise errors.InvalidArgument("Required field 'Targets' is missing.")
    if not isinstance(items, list):
        raise _payload_error(
            table, "The value of the parameter 'Targets' must be a collection of entities."
        )
    return [_target(table, item) for item in items]


def _reply(ctx: RequestContext, action: str, response: OrganizationResponse) -> HttpResponse:
    """Answer a bulk action: 200 with ``Ids`` for CreateMultiple, else 204."""
    headers: dict[str, str] = {}
    if response.session_token is not None and action != "DeleteMultiple":
        headers["x-ms-session-token"] = response.session_token
    if isinstance(response, CreateMultipleResponse):
        body = {
            "@odata.context": f"{ctx.url.metadata_url}#{TYPE_PREFIX}CreateMultipleResponse",
            "Ids": [str(row_id) for row_id in response.ids],
        }
        return json_reply(200, body, headers)
    return empty_reply(204, headers)


@ROUTES.route("action", "POST")
def _bulk_action(ctx: RequestContext) -> HttpResponse:
    """POST a bound bulk action; the body's ``Targets`` become the SDK request.

    Raises:
        ResourceNotFound: 0x8006088a for an action the service does not have; the bulk faults.
    """
    table, action = ctx.table, ctx.resource.name
    builder = _ACTIONS.get(action)
    if builder is None:
        raise errors.ResourceNotFound(segment=TYPE_PREFIX + action)
    check_options(ctx.url.query, ())
    payload = request_json(
        ctx.request.headers.get("Content-Type"), ctx.request.body, table.entity_set_name
    )
    request = builder(table, _targets(table, action, payload))
    return _reply(ctx, action, ctx.service.execute(request))
