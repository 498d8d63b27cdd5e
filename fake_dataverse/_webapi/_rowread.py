"""Reading rows for the Web API: Retrieve through the service, then shape the entity object."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import attrs

from fake_dataverse._messages._requests import RetrieveRequest, RetrieveResponse
from fake_dataverse._model._address import PARTITION_ID, Address, address
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._query.odata._select import Selection, parse_select
from fake_dataverse._webapi._json import entity_json
from fake_dataverse._webapi._router import RequestContext
from fake_dataverse._webapi._select import (
    Expansion,
    column_set,
    context_url,
    fill_nulls,
    parse_expand,
)

__all__ = [
    "RowAddress",
    "expanded",
    "read_entity",
    "row_address",
    "shaped_entity",
    "visible",
]


@attrs.define
class RowAddress:
    """A row as the URL names it: the shared address, and its key attributes as SDK values.

    Never changed once made: slotted rather than frozen, since every write makes one.
    """

    address: Address
    key_attributes: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def table(self) -> EntityMetadata:
        """Return the row's table."""
        return self.address.table

    @property
    def id(self) -> uuid.UUID | None:
        """Return the row's id (None when the URL names it by an alternate key)."""
        return self.address.id

    @property
    def partition(self) -> str | None:
        """Return the partition the URL names, if any."""
        return self.address.partition

    def with_id(self, row_id: uuid.UUID) -> RowAddress:
        """Return the address of the same row by its id (once a write has found it)."""
        if self.address.key is None:
            return self
        return RowAddress(Address(self.table, row_id))

    def reference(self, row_version: str | None = None) -> EntityReference:
        """Return an EntityReference addressing the row."""
        table, keys = self.table, dict(self.key_attributes)
        if self.address.key is None:
            keys = {}
            if self.partition is not None and table.partition_attribute:
                keys = {
                    table.primary_id_attribute: self.id,
                    table.partition_attribute: self.partition,
                }
        return EntityReference(table.logical_name, self.id, keys, row_version=row_version)

    def entity(self) -> Entity:
        """Return an empty Entity addressing the row (for updates)."""
        reference = self.reference()
        return Entity(self.table.logical_name, self.id, key_attributes=reference.key_attributes)

    def parameters(self) -> dict[str, Any]:
        """Return the request parameters that carry the URL's ``?partitionId=``."""
        return {PARTITION_ID: self.partition} if self.partition is not None else {}


def row_address(ctx: RequestContext) -> RowAddress:
    """Return the row the request's key segment (and ``?partitionId=``) addresses.

    Raises:
        EntityKeyNotDefined, InvalidArgument: as the shared address model decides.
    """
    key: Mapping[str, Any] = ctx.resource.key or {}
    found = address(ctx.table, key_attributes=key, partition=ctx.url.query.get(PARTITION_ID))
    return RowAddress(found, key if found.key is not None else {})


def read_entity(ctx: RequestContext, address: RowAddress, columns: ColumnSet) -> Entity:
    """Retrieve one row through the service (partition given by key or ``partitionId``)."""
    request = RetrieveRequest(target=address.reference(), column_set=columns)
    request.parameters.update(address.parameters())
    response = ctx.service.execute(request)
    assert isinstance(response, RetrieveResponse)
    return response.entity


def expanded(ctx: RequestContext, entity: Entity, expansion: Expansion) -> Any:
    """Return the related row an expansion names, or None for a null lookup."""
    value = entity.get(expansion.attribute.logical_name)
    if not isinstance(value, EntityReference) or value.id is None:
        return None
    target = ctx.org.table(value.logical_name)
    selected = parse_select(target, expansion.select)
    request = RetrieveRequest(
        target=EntityReference(target.logical_name, value.id),
        column_set=column_set(target, selected),
    )
    response = ctx.service.execute(request)
    assert isinstance(response, RetrieveResponse)
    related = response.entity
    fill_nulls(target, related, selected)
    return entity_json(target, related, etag=related.etag, prefer=ctx.prefer)


def shaped_entity(
    ctx: RequestContext,
    address: RowAddress,
    *,
    expand: bool = True,
) -> tuple[dict[str, Any], str | None]:
    """Read a row with the request's ``$select``/``$expand``; return the body and the etag.

    Raises:
        ODataError: 0x0 for an unknown ``$select`` or ``$expand`` property.
    """
    table = ctx.table
    selected = parse_select(table, ctx.url.query.get("$select"))
    expansions = parse_expand(table, ctx.url.query.get("$expand")) if expand else []
    columns = column_set(table, selected)
    if expansions and not columns.all_columns:
        names = [e.attribute.logical_name for e in expansions]
        columns = ColumnSet(*dict.fromkeys([*columns.columns, *names]))
    entity = read_entity(ctx, address, columns)
    etag = entity.etag
    shown = visible(entity, selected, expansions)
    fill_nulls(table, shown, selected)
    context = context_url(ctx.url.metadata_url, table, selected, expansions, suffix="/$entity")
    body = entity_json(table, shown, etag=etag, prefer=ctx.prefer, context=context)
    for expansion in expansions:
        body[expansion.attribute.logical_name] = expanded(ctx, entity, expansion)
    return body, etag


def visible(entity: Entity, selected: Selection, expansions: list[Expansion]) -> Entity:
    """Drop the lookup values read only to follow an expansion."""
    if selected is None:
        return entity
    keep = {a.logical_name for a in selected}
    visible = entity.copy()
    for expansion in expansions:
        name = expansion.attribute.logical_name
        if name not in keep:
            visible.attributes.pop(name, None)
    return visible
