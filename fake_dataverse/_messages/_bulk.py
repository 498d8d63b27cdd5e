"""Bulk messages: CreateMultiple, UpdateMultiple, UpsertMultiple, DeleteMultiple.

On an elastic table these are not transactional: request-shape faults (no targets, a target of
another table, missing privilege, duplicate upsert keys) fail the whole request before any write;
after that each target is applied on its own and the good ones stay. If any target failed, the
request raises the first failure, with ``Plugin.BulkApiErrorDetails`` listing every target.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fake_dataverse._messages._addressing import entity_address, reference_address
from fake_dataverse._messages._crud import create_row, delete_row, update_row, upsert_row
from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import (
    SESSION_TOKEN,
    CreateMultipleRequest,
    CreateMultipleResponse,
    DeleteMultipleRequest,
    OrganizationResponse,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
    UpsertMultipleResponse,
    UpsertResponse,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import PARTITION_ID, partition_value
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import Entity, EntityCollection, EntityReference

__all__ = ["BULK_ERROR_DETAILS"]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

BULK_ERROR_DETAILS = "Plugin.BulkApiErrorDetails"
_EMPTY_ID = uuid.UUID(int=0)
ItemT = TypeVar("ItemT")


def _entity_targets(
    ctx: ExecutionContext, targets: EntityCollection | None, *access: str
) -> tuple[list[Entity], EntityMetadata]:
    """Return the targets of CreateMultiple/UpdateMultiple/UpsertMultiple and their table."""
    items = list(targets) if targets is not None else []
    entity_name = targets.entity_name if targets is not None else None
    return items, _bulk_table(ctx, items, entity_name, Entity, *access)


def _bulk_table(
    ctx: ExecutionContext, items: Sequence[Any], entity_name: str | None, kind: type, *access: str
) -> EntityMetadata:
    if not items:
        raise errors.InvalidArgument("The Targets collection must contain at least one item.")
    for index, item in enumerate(items):
        if not isinstance(item, kind):
            raise errors.InvalidArgument(
                f"Targets[{index}] must be an {kind.__name__}, not {type(item).__name__}."
            )
    names = {item.logical_name for item in items}
    if entity_name:
        names.add(entity_name)
    if len(names) != 1:
        raise errors.InvalidArgument(
            "All entities in the Targets collection must be of the same type: "
            + ", ".join(sorted(names))
            + "."
        )
    table = ctx.org.table(names.pop())
    for right in access:
        ctx.org.check_privilege(ctx.caller, table, right)
    return table


def _run_each(
    items: Sequence[ItemT],
    apply: Callable[[int, ItemT], tuple[uuid.UUID | None, int]],
    id_of: Callable[[ItemT], uuid.UUID | None],
) -> None:
    """Apply every item; if any failed, raise the first failure with every item's status."""
    details: list[dict[str, Any]] = []
    first: errors.DataverseError | None = None
    for index, item in enumerate(items):
        try:
            row_id, status = apply(index, item)
        except errors.DataverseError as error:
            first = first or error
            row_id, status = id_of(item), error.http_status
        details.append(
            {"RequestIndex": index, "Id": str(row_id or _EMPTY_ID), "StatusCode": status}
        )
    if first is not None:
        raise first.with_details(**{BULK_ERROR_DETAILS: json.dumps(details, separators=(",", ":"))})


def _target_id(table: EntityMetadata) -> Callable[[Entity], uuid.UUID | None]:
    """Return how to read a target's id: ``Entity.id``, else its primary key column."""

    def id_of(entity: Entity) -> uuid.UUID | None:
        value = entity.id or entity.get(table.primary_id_attribute)
        return value if isinstance(value, uuid.UUID) else None

    return id_of


@MESSAGES.handler(CreateMultipleRequest)
def _create_multiple(
    ctx: ExecutionContext, request: CreateMultipleRequest
) -> CreateMultipleResponse:
    items, table = _entity_targets(ctx, request.targets, "Create")
    ids: list[uuid.UUID] = []

    def apply(_: int, entity: Entity) -> tuple[uuid.UUID | None, int]:
        row = create_row(ctx, table, entity)
        ids.append(row.id)
        return row.id, 200

    _run_each(items, apply, _target_id(table))
    return CreateMultipleResponse(
        "CreateMultiple", {"Ids": ids, SESSION_TOKEN: ctx.org.store.next_session_token()}
    )


def _identity(table: EntityMetadata, entity: Entity) -> tuple[Any, ...] | None:
    """Return which row a target names (None when it names none: its own write will fail)."""
    row_id = entity.id or entity.get(table.primary_id_attribute)
    try:
        values = dict(entity.attributes)
        return entity_address(table, entity, values, row_id).identity
    except errors.DataverseError:
        return None


@MESSAGES.handler(UpdateMultipleRequest)
def _update_multiple(ctx: ExecutionContext, request: UpdateMultipleRequest) -> OrganizationResponse:
    items, table = _entity_targets(ctx, request.targets, "Write")
    seen: set[tuple[Any, ...]] = set()

    def apply(_: int, entity: Entity) -> tuple[uuid.UUID | None, int]:
        key = _identity(table, entity)
        if key is not None:
            if key in seen:  # a later duplicate of a key is ignored: the first one wins
                return _target_id(table)(entity), 200
            seen.add(key)
        return update_row(ctx, table, entity).id, 200

    _run_each(items, apply, _target_id(table))
    return OrganizationResponse(
        "UpdateMultiple", {SESSION_TOKEN: ctx.org.store.next_session_token()}
    )


@MESSAGES.handler(UpsertMultipleRequest)
def _upsert_multiple(
    ctx: ExecutionContext, request: UpsertMultipleRequest
) -> UpsertMultipleResponse:
    items, table = _entity_targets(ctx, request.targets, "Create", "Write")
    keys = [_identity(table, entity) for entity in items]
    known = [k for k in keys if k is not None]
    if len(set(known)) != len(known):
        raise errors.InvalidArgument(
            "The Targets collection contains duplicate keys: each row may appear only once."
        )
    results: list[UpsertResponse] = []

    def apply(_: int, entity: Entity) -> tuple[uuid.UUID | None, int]:
        row, created = upsert_row(ctx, table, entity)
        reference = EntityReference(table.logical_name, row.id)
        results.append(UpsertResponse("Upsert", {"RecordCreated": created, "Target": reference}))
        return row.id, 200

    _run_each(items, apply, _target_id(table))
    return UpsertMultipleResponse(
        "UpsertMultiple", {"Results": results, SESSION_TOKEN: ctx.org.store.next_session_token()}
    )


def _delete_multiple_unsupported(_: str, table: str) -> Exception:
    return errors.DeleteMultipleNotImplemented()


@MESSAGES.handler(DeleteMultipleRequest, unsupported=_delete_multiple_unsupported)
def _delete_multiple(ctx: ExecutionContext, request: DeleteMultipleRequest) -> OrganizationResponse:
    targets = request.targets
    items = list(targets) if targets is not None else []
    table = _bulk_table(ctx, items, None, EntityReference, "Delete")
    # A partitionId parameter addresses every target, as Delete's does; one that is not text is
    # the request's shape, refused before any target is deleted.
    partition_value(request.parameters.get(PARTITION_ID))

    def apply(_: int, reference: EntityReference) -> tuple[uuid.UUID | None, int]:
        address = reference_address(table, reference, request.parameters)
        return delete_row(ctx, table, address), 200

    _run_each(items, apply, lambda reference: reference.id)
    return OrganizationResponse("DeleteMultiple")
