"""Single-property routes: ``…(id)/column`` (GET, PUT, DELETE), ``…/$value``, and
``…(id)/createdby`` (the row a lookup points to).
"""

from __future__ import annotations

from typing import Any

from fake_dataverse._messages._requests import RetrieveRequest, RetrieveResponse, UpdateRequest
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode
from fake_dataverse._model._values import ColumnSet, EntityReference
from fake_dataverse._query.odata._binding import find_property
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._query.odata._select import parse_select
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import (
    entity_from_json,
    entity_json,
    json_value,
    request_json,
)
from fake_dataverse._webapi._reply import empty_reply, json_reply, text_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._rowread import read_entity, row_address
from fake_dataverse._webapi._select import column_set, context_url, entity_path, fill_nulls

__all__: list[str] = []

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()


def _property(ctx: RequestContext) -> Any:
    """Return the column a property segment names.

    Raises:
        ResourceNotFound: 0x8006088a for a property the table does not have.
    """
    attr = find_property(ctx.table, ctx.resource.name)
    if attr is None:
        raise errors.ResourceNotFound(segment=ctx.resource.name)
    return attr


def _get_related(ctx: RequestContext, attr: AttributeMetadata) -> HttpResponse:
    """Answer ``GET …(id)/createdby``: the row a lookup points to (204 when it is null)."""
    check_options(ctx.url.query, ("$select",))
    entity = read_entity(ctx, row_address(ctx), ColumnSet(attr.logical_name))
    reference = entity.get(attr.logical_name)
    if not isinstance(reference, EntityReference) or reference.id is None:
        return empty_reply(204)
    target = ctx.org.table(reference.logical_name)
    selected = parse_select(target, ctx.url.query.get("$select"))
    related = ctx.service.execute(
        RetrieveRequest(
            target=EntityReference(target.logical_name, reference.id),
            column_set=column_set(target, selected),
        )
    )
    assert isinstance(related, RetrieveResponse)
    fill_nulls(target, related.entity, selected)
    context = context_url(ctx.url.metadata_url, target, selected, suffix="/$entity")
    body = entity_json(
        target, related.entity, etag=related.entity.etag, prefer=ctx.prefer, context=context
    )
    return json_reply(200, body)


@ROUTES.route("property", "GET")
def _get_property(ctx: RequestContext) -> HttpResponse:
    """GET one property: ``{"value": …}``, or 204 when it is null."""
    navigation = ctx.table.attribute(ctx.resource.name)
    if navigation is not None and navigation.attribute_type is AttributeTypeCode.LOOKUP:
        return _get_related(ctx, navigation)
    check_options(ctx.url.query, ())
    attr = _property(ctx)
    address = row_address(ctx)
    entity = read_entity(ctx, address, ColumnSet(attr.logical_name))
    value = json_value(attr, entity.get(attr.logical_name))
    if value is None:
        return empty_reply(204)
    assert entity.id is not None
    path = entity_path(ctx.table, entity.id, address.partition)
    context = f"{ctx.url.metadata_url}#{path}/{attr.odata_name}"
    return json_reply(200, {"@odata.context": context, "value": value})


@ROUTES.route("property_value", "GET")
def _get_raw_value(ctx: RequestContext) -> HttpResponse:
    """GET ``…/column/$value``: the value as plain text (204 when null)."""
    check_options(ctx.url.query, ())
    attr = _property(ctx)
    entity = read_entity(ctx, row_address(ctx), ColumnSet(attr.logical_name))
    value = json_value(attr, entity.get(attr.logical_name))
    if value is None:
        return empty_reply(204)
    return text_reply(200, str(value))


def _set_property(ctx: RequestContext, value: Any) -> HttpResponse:
    """Update one column of the addressed row; 204 with the session token."""
    attr = _property(ctx)
    address = row_address(ctx)
    entity = entity_from_json(ctx.table, {attr.odata_name: value}, ctx.table.entity_set_name)
    target = address.entity()
    target.update(entity)
    response = ctx.service.execute(UpdateRequest(target=target))
    headers = {}
    if response.session_token is not None:
        headers["x-ms-session-token"] = response.session_token
    return empty_reply(204, headers)


@ROUTES.route("property", "PUT")
def _put_property(ctx: RequestContext) -> HttpResponse:
    """PUT ``{"value": …}`` into one column.

    Raises:
        ODataClientPayloadError: 0x80048d19 for a body other than ``{"value": …}``.
    """
    check_options(ctx.url.query, ())
    _property(ctx)
    table = ctx.table
    payload = request_json(
        ctx.request.headers.get("Content-Type"), ctx.request.body, table.entity_set_name
    )
    extra = sorted(set(payload) - {"value", "@odata.context"}) if isinstance(payload, dict) else []
    if not isinstance(payload, dict) or extra or "value" not in payload:
        raise errors.ODataClientPayloadError(
            entity_set=table.entity_set_name,
            inner="Microsoft.OData.ODataException: The property payload must be an object with "
            f"only a 'value' property{' (found ' + extra[0] + ')' if extra else ''}.",
        )
    return _set_property(ctx, payload["value"])


@ROUTES.route("property", "DELETE")
def _delete_property(ctx: RequestContext) -> HttpResponse:
    """DELETE one property: set the column to null."""
    check_options(ctx.url.query, ())
    return _set_property(ctx, None)
