"""Single-row routes: create, retrieve, update/upsert, delete, and single properties."""

from __future__ import annotations

import uuid

import attrs

from fake_dataverse._messages._addressing import find_row
from fake_dataverse._messages._requests import (
    ConcurrencyBehavior,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    OrganizationRequest,
    OrganizationResponse,
    UpdateRequest,
    UpsertRequest,
    UpsertResponse,
)
from fake_dataverse._model._address import Address
from fake_dataverse._model._values import Entity
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._query.odata._select import parse_select
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import entity_from_json, request_json
from fake_dataverse._webapi._prefer import applied_header
from fake_dataverse._webapi._reply import empty_reply, json_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._rowread import RowAddress, row_address, shaped_entity
from fake_dataverse._webapi._select import entity_path, parse_expand

__all__: list[str] = []

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

_READ_OPTIONS = ("$select", "$expand")
_TARGET = CreateRequest.target.name  # the SDK name a create's row goes under


def _header(ctx: RequestContext, name: str) -> str | None:
    """Return a request header without surrounding spaces (None when absent)."""
    value = ctx.request.headers.get(name)
    return value.strip() if value is not None else None


def _condition(ctx: RequestContext, name: str) -> str | None:
    """Return an ``If-Match``/``If-None-Match`` value; ``null`` is a cache-buster, not one."""
    value = _header(ctx, name)
    return None if value in (None, "", "null") else value


def _body_entity(ctx: RequestContext) -> Entity:
    """Return the request body as an Entity of the resource's table."""
    table = ctx.table
    payload = request_json(
        ctx.request.headers.get("Content-Type"), ctx.request.body, table.entity_set_name
    )
    return entity_from_json(table, payload, table.entity_set_name)


def _write_headers(
    ctx: RequestContext, address: RowAddress, response: OrganizationResponse
) -> dict[str, str]:
    """Return a write's headers: the session token, and ``OData-EntityId`` without a body."""
    headers: dict[str, str] = {}
    token = response.session_token
    if token is not None:
        headers["x-ms-session-token"] = token
    row_id = address.id
    if not ctx.prefer.return_representation and row_id is not None:
        path = entity_path(address.table, row_id, address.partition)
        headers["OData-EntityId"] = f"{ctx.url.root}/{path}"
    return headers


def _written(
    ctx: RequestContext, address: RowAddress, response: OrganizationResponse, status: int
) -> HttpResponse:
    """Answer a write: 204 + ``OData-EntityId``, or the row with ``return=representation``."""
    headers = _write_headers(ctx, address, response)
    if not ctx.prefer.return_representation:
        return empty_reply(204, headers)
    body, _ = shaped_entity(ctx, address, expand=status == 201 and ctx.request.method == "POST")
    applied = applied_header(ctx.prefer, "return=representation")
    return json_reply(status, body, {**headers, **applied})


def _check_read_options(ctx: RequestContext, *, expands: bool, creates: bool = False) -> None:
    """Check ``$select``/``$expand`` before a write, so a bad option writes nothing.

    With ``return=representation`` the reply reads the row (and, where the write ``expands``,
    the related rows): a caller who may not read them gets the 403 before anything is written,
    so the store never keeps a write its reply reported as failed.
    """
    query, representation = ctx.url.query, ctx.prefer.return_representation
    if not query and not representation:
        return  # no option to check, no read to answer with (most writes)
    table = ctx.table
    check_options(query, _READ_OPTIONS)
    parse_select(table, query.get("$select"))
    expansions = parse_expand(table, query.get("$expand"))
    if not representation:
        return
    if creates:  # the create's own privilege is reported first, as the message would
        ctx.service.check_privilege(table, "Create")
    ctx.service.check_privilege(table, "Read")
    for expansion in expansions if expands else []:
        for target in expansion.attribute.targets:
            ctx.service.check_privilege(ctx.org.table(target), "Read")


@ROUTES.route("collection", "POST")
def _create(ctx: RequestContext) -> HttpResponse:
    """POST a row: 204 + ``OData-EntityId``, or 201 with the row.

    Raises:
        DataverseError: the create's faults (DuplicateRecord 0x80040237, validation, 0x80048d19).
    """
    _check_read_options(ctx, expands=True, creates=True)
    entity = _body_entity(ctx)
    response = ctx.service.execute(CreateRequest._with_parameters({_TARGET: entity}))
    assert isinstance(response, CreateResponse)
    table = ctx.table
    part = table.partition_attribute
    partition = entity.attributes.get(part) if part else None  # (Entity.get raises inside)
    address = RowAddress(
        Address(table, response.id, partition if isinstance(partition, str) else None)
    )
    return _written(ctx, address, response, 201)


@ROUTES.route("entity", "GET")
def _retrieve(ctx: RequestContext) -> HttpResponse:
    """GET a row: 200 with ``ETag``, or 304 when ``If-None-Match`` holds the current etag.

    Raises:
        RecordNotFound: 0x80048d02; ODataError 0x0 for a bad ``$select``/``$expand``.
    """
    check_options(ctx.url.query, _READ_OPTIONS)
    body, etag = shaped_entity(ctx, row_address(ctx))
    headers = {"ETag": etag} if etag else {}
    headers.update(applied_header(ctx.prefer))
    if_none_match = _condition(ctx, "If-None-Match")
    cacheable = "$expand" not in ctx.url.query and not ctx.prefer.include_annotations
    if cacheable and if_none_match is not None and if_none_match == etag:
        return empty_reply(304, headers)
    return json_reply(200, body, headers)


def _patch_request(ctx: RequestContext, address: RowAddress, entity: Entity) -> OrganizationRequest:
    """Return the message a PATCH stands for: update, conditional update, create or upsert."""
    if_match, if_none_match = _condition(ctx, "If-Match"), _condition(ctx, "If-None-Match")
    entity.id = address.id
    entity.key_attributes = dict(address.reference().key_attributes)
    if if_none_match == "*":
        part = ctx.table.partition_attribute
        if part and address.partition is not None:
            entity[part] = address.partition
        for name, value in address.key_attributes.items():  # a create by key holds its values
            entity.attributes.setdefault(name, value)
        return CreateRequest(target=entity)
    if if_match == "*":
        return UpdateRequest(target=entity)
    if if_match is not None:
        entity.row_version = if_match
        return UpdateRequest(
            target=entity, concurrency_behavior=ConcurrencyBehavior.IF_ROW_VERSION_MATCHES
        )
    return UpsertRequest(target=entity)


def _with_body_partition(address: RowAddress, entity: Entity) -> RowAddress:
    """Return the address, taking the partition from the body when the URL names none.

    An elastic row's ``partitionid`` in a PATCH body identifies the row (it is never changed),
    so the write, its ``OData-EntityId`` and a ``return=representation`` read all use it.
    """
    part = address.table.partition_attribute
    value = entity.attributes.get(part) if part else None
    if address.id is None or address.partition is not None or not isinstance(value, str):
        return address
    return RowAddress(attrs.evolve(address.address, partition=value))


def _written_id(
    address: RowAddress, before: uuid.UUID | None, response: OrganizationResponse
) -> uuid.UUID | None:
    """Return the id of the row a PATCH wrote (a URL by alternate key names none)."""
    if isinstance(response, CreateResponse):
        return response.id
    if isinstance(response, UpsertResponse):
        return response.target.id
    return address.id or before


@ROUTES.route("entity", "PATCH")
def _update(ctx: RequestContext) -> HttpResponse:
    """PATCH a row: update with ``If-Match``, create-only with ``If-None-Match: *``, else upsert.

    Raises:
        RecordNotFound: 0x80048d02; ConcurrencyVersionMismatch 0x80060882; DuplicateRecord
            0x80040237; validation faults.
    """
    _check_read_options(ctx, expands=False)
    entity = _body_entity(ctx)
    address = _with_body_partition(row_address(ctx), entity)
    request = _patch_request(ctx, address, entity)
    # An update by alternate key answers with the row's id, which only the row holds (a create
    # or upsert reports it); read under the same store lock as the write.
    by_key = address.id is None and isinstance(request, UpdateRequest)
    found = find_row(ctx.org, address.address) if by_key else None
    response = ctx.service.execute(request)
    created = isinstance(response, CreateResponse) or (
        isinstance(response, UpsertResponse) and response.record_created
    )
    row_id = _written_id(address, found.id if found else None, response)
    if row_id is not None:
        address = address.with_id(row_id)
    return _written(ctx, address, response, 201 if created else 200)


@ROUTES.route("entity", "DELETE")
def _delete(ctx: RequestContext) -> HttpResponse:
    """DELETE a row (``If-Match`` with an etag makes it conditional).

    Raises:
        RecordNotFound: 0x80048d02; ConcurrencyVersionMismatch 0x80060882.
    """
    check_options(ctx.url.query, ())
    address = row_address(ctx)
    if_match = _condition(ctx, "If-Match")
    request = DeleteRequest(target=address.reference(None if if_match == "*" else if_match))
    if if_match not in (None, "*"):
        request.parameters["ConcurrencyBehavior"] = ConcurrencyBehavior.IF_ROW_VERSION_MATCHES
    request.parameters.update(address.parameters())
    ctx.service.execute(request)
    return empty_reply(204)
