"""Single-row messages: Create, Retrieve, Update, Upsert, Delete.

Each handler checks privileges, resolves the row's key, validates the whole payload, and only
then commits. The write helpers (:func:`create_row`, :func:`update_row`, :func:`upsert_row`,
:func:`delete_row`) are shared with the bulk messages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import (
    SESSION_TOKEN,
    ConcurrencyBehavior,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DeleteResponse,
    RetrieveRequest,
    RetrieveResponse,
    UpdateRequest,
    UpdateResponse,
    UpsertRequest,
    UpsertResponse,
)
from fake_dataverse._messages._rows import (
    build_created_row,
    build_updated_row,
    check_partition_value,
    existing_row,
    project,
    resolve_key,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._validation import Operation, sdk_to_raw, validate_write
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._storage._store import RowKey, StoredRow

__all__ = ["create_row", "delete_row", "read_rule", "update_row", "update_rule", "upsert_row"]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

PARTITION_PARAMETER = "partitionId"

UpdateRule = Callable[[EntityMetadata, StoredRow, Mapping[str, Any]], None]
_UPDATE_RULES: dict[str, list[UpdateRule]] = {}
ReadRule = Callable[[ExecutionContext, StoredRow], None]
_READ_RULES: dict[str, list[ReadRule]] = {}
_EMPTY_GUID = uuid.UUID(int=0)


def update_rule(table: str) -> Callable[[UpdateRule], UpdateRule]:
    """Register a table's own business rule, run on every validated update before it commits."""

    def decorate(rule: UpdateRule) -> UpdateRule:
        _UPDATE_RULES.setdefault(table, []).append(rule)
        return rule

    return decorate


def read_rule(table: str) -> Callable[[ReadRule], ReadRule]:
    """Register what a table does when one of its rows is read (Retrieve, on every surface)."""

    def decorate(rule: ReadRule) -> ReadRule:
        _READ_RULES.setdefault(table, []).append(rule)
        return rule

    return decorate


def _commit(
    ctx: ExecutionContext, table: EntityMetadata, row: StoredRow, now: dt.datetime
) -> StoredRow:
    version_column = "versionnumber" if table.attribute("versionnumber") else None
    return ctx.org.store.commit(row, moment=now, version_column=version_column)


def _payload(table: EntityMetadata, entity: Entity) -> tuple[dict[str, Any], uuid.UUID | None]:
    """Split an Entity into its column values and its id (the id column may carry it too).

    ``Guid.Empty`` is no id, as in the SDK (an ``Entity``'s id defaults to it): a create makes
    a new one.
    """
    values = dict(entity.attributes)
    row_id = None if entity.id == _EMPTY_GUID else entity.id
    pk = table.primary_id_attribute
    if pk in values:
        given = values.pop(pk)
        given_id = None if given is None else sdk_to_raw(table, table.primary_id, given)
        if given_id is not None and given_id != _EMPTY_GUID:
            if row_id is not None and row_id != given_id:
                raise errors.InvalidArgument(
                    "Entity Id must be the same as the value set in property bag."
                )
            row_id = given_id
    return values, row_id


def _entity_key(
    table: EntityMetadata, entity: Entity, values: dict[str, Any], row_id: uuid.UUID | None
) -> RowKey:
    """Return the key an update/upsert addresses; a ``partitionid`` naming it is not a write."""
    part_name = table.partition_attribute
    partition = values.get(part_name) if part_name else None
    if part_name and partition is not None:
        attr = table.attribute(part_name)
        assert attr is not None
        sdk_to_raw(table, attr, partition)
    key = resolve_key(
        table, row_id=row_id, key_attributes=entity.key_attributes, partition=partition
    )
    if part_name and part_name in values:
        same = values[part_name] == key[1] or (values[part_name] is None and key[1] == str(key[0]))
        if same:
            del values[part_name]
    return key


# ---- write helpers (shared with the bulk messages) ---------------------------------------
def create_row(ctx: ExecutionContext, table: EntityMetadata, entity: Entity) -> StoredRow:
    """Validate and store a new row.

    Raises:
        DuplicateRecord: 0x80040237 when a row with the same id and partition exists; and
            every validation fault.
    """
    _require_table_match(table, entity.logical_name)
    values, row_id = _payload(table, entity)
    kept = validate_write(
        table, values, operation=Operation.CREATE, settings=ctx.org.settings.writes
    )
    partition = kept.get(table.partition_attribute) if table.partition_attribute else None
    check_partition_value(table, partition)
    row_id = row_id or ctx.org.ids.new_id()
    key = resolve_key(table, row_id=row_id, partition=partition)
    if ctx.org.store.get(table.logical_name, key) is not None:
        raise errors.DuplicateRecord()
    now = ctx.org.clock.now()
    row = build_created_row(table, kept, key=key, caller=ctx.caller, now=now)
    return _commit(ctx, table, row, now)


def update_row(
    ctx: ExecutionContext,
    table: EntityMetadata,
    entity: Entity,
    behavior: ConcurrencyBehavior = ConcurrencyBehavior.DEFAULT,
) -> StoredRow:
    """Validate and apply an update to an existing row.

    Raises:
        RecordNotFound: 0x80048d02; ConcurrencyVersionMismatch 0x80060882; validation faults.
    """
    _require_table_match(table, entity.logical_name)
    values, row_id = _payload(table, entity)
    key = _entity_key(table, entity, values, row_id)
    kept = validate_write(
        table, values, operation=Operation.UPDATE, settings=ctx.org.settings.writes
    )
    current = existing_row(ctx.org, table, key)
    check_row_version(current, entity.row_version, behavior)
    for rule in _UPDATE_RULES.get(table.logical_name, ()):
        rule(table, current, kept)
    now = ctx.org.clock.now()
    return _commit(
        ctx, table, build_updated_row(table, current, kept, caller=ctx.caller, now=now), now
    )


def upsert_row(
    ctx: ExecutionContext, table: EntityMetadata, entity: Entity
) -> tuple[StoredRow, bool]:
    """Create a row, or replace an existing one whole; return it and whether it was created."""
    _require_table_match(table, entity.logical_name)
    values, row_id = _payload(table, entity)
    row_id = row_id or (None if entity.key_attributes else ctx.org.ids.new_id())
    key = _entity_key(table, entity, values, row_id)
    if table.partition_attribute:
        values.pop(table.partition_attribute, None)
        if key[1] != str(key[0]):
            values[table.partition_attribute] = key[1]
    kept = validate_write(
        table, values, operation=Operation.CREATE, settings=ctx.org.settings.writes
    )
    check_partition_value(table, kept.get(table.partition_attribute or ""))
    current = ctx.org.store.get(table.logical_name, key)
    ctx.org.check_privilege(ctx.caller, table, "Create" if current is None else "Write")
    now = ctx.org.clock.now()
    row = build_created_row(table, kept, key=key, caller=ctx.caller, now=now, keep_from=current)
    return _commit(ctx, table, row, now), current is None


def delete_row(
    ctx: ExecutionContext,
    table: EntityMetadata,
    key: RowKey,
    *,
    row_version: str | None = None,
    behavior: ConcurrencyBehavior = ConcurrencyBehavior.DEFAULT,
) -> None:
    """Delete an existing row.

    Raises:
        RecordNotFound: 0x80048d02; ConcurrencyVersionMismatch 0x80060882.
    """
    current = existing_row(ctx.org, table, key)
    check_row_version(current, row_version, behavior)
    ctx.org.store.delete(table.logical_name, key, moment=ctx.org.clock.now())


def check_row_version(
    current: StoredRow, row_version: str | None, behavior: ConcurrencyBehavior
) -> None:
    """Enforce ``ConcurrencyBehavior.IfRowVersionMatches`` (a version number or an etag).

    Raises:
        ConcurrencyVersionNotProvided: 0x80060883 without a row version.
        ConcurrencyVersionMismatch: 0x80060882 when it is not the row's.
    """
    if behavior is not ConcurrencyBehavior.IF_ROW_VERSION_MATCHES:
        return
    if not row_version:
        raise errors.ConcurrencyVersionNotProvided()
    if row_version not in (str(current.version), current.etag):
        raise errors.ConcurrencyVersionMismatch()


def _require_table_match(table: EntityMetadata, logical_name: str) -> None:
    if logical_name != table.logical_name:
        raise errors.InvalidArgument(
            f"The entity '{logical_name}' does not match the request's entity "
            f"'{table.logical_name}'."
        )


def _reference_key(
    table: EntityMetadata, reference: EntityReference, parameters: dict[str, Any]
) -> RowKey:
    partition = parameters.get(PARTITION_PARAMETER)
    if partition is not None and not isinstance(partition, str):
        raise errors.InvalidArgument("The partitionId parameter must be a string.")
    return resolve_key(
        table, row_id=reference.id, key_attributes=reference.key_attributes, partition=partition
    )


def _require(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind):
        raise errors.InvalidArgument(
            f"Required field '{name}' is missing or not a {kind.__name__}."
        )
    return value


# ---- handlers ---------------------------------------------------------------------------------
@MESSAGES.handler(CreateRequest)
def _create(ctx: ExecutionContext, request: CreateRequest) -> CreateResponse:
    target = _require(request.target, Entity, "Target")
    table = ctx.org.table(target.logical_name)
    ctx.org.check_privilege(ctx.caller, table, "Create")
    row = create_row(ctx, table, target)
    return CreateResponse(
        "Create", {"id": row.id, SESSION_TOKEN: ctx.org.store.next_session_token()}
    )


@MESSAGES.handler(RetrieveRequest)
def _retrieve(ctx: ExecutionContext, request: RetrieveRequest) -> RetrieveResponse:
    target = _require(request.target, EntityReference, "Target")
    table = ctx.org.table(target.logical_name)
    ctx.org.check_privilege(ctx.caller, table, "Read")
    columns = request.column_set
    if columns is None:
        raise errors.InvalidArgument("Required field 'ColumnSet' is missing.")
    columns = ColumnSet.coerce(columns)
    row = existing_row(ctx.org, table, _reference_key(table, target, request.parameters))
    entity = project(ctx.org, table, row, columns)
    for rule in _READ_RULES.get(table.logical_name, ()):
        rule(ctx, row)
    return RetrieveResponse("Retrieve", {"Entity": entity})


@MESSAGES.handler(UpdateRequest)
def _update(ctx: ExecutionContext, request: UpdateRequest) -> UpdateResponse:
    target = _require(request.target, Entity, "Target")
    table = ctx.org.table(target.logical_name)
    ctx.org.check_privilege(ctx.caller, table, "Write")
    update_row(ctx, table, target, request.concurrency_behavior)
    return UpdateResponse("Update", {SESSION_TOKEN: ctx.org.store.next_session_token()})


@MESSAGES.handler(UpsertRequest)
def _upsert(ctx: ExecutionContext, request: UpsertRequest) -> UpsertResponse:
    target = _require(request.target, Entity, "Target")
    table = ctx.org.table(target.logical_name)
    row, created = upsert_row(ctx, table, target)
    reference = EntityReference(table.logical_name, row.id, _key_attributes(table, row))
    return UpsertResponse(
        "Upsert",
        {
            "RecordCreated": created,
            "Target": reference,
            SESSION_TOKEN: ctx.org.store.next_session_token(),
        },
    )


@MESSAGES.handler(DeleteRequest)
def _delete(ctx: ExecutionContext, request: DeleteRequest) -> DeleteResponse:
    target = _require(request.target, EntityReference, "Target")
    table = ctx.org.table(target.logical_name)
    ctx.org.check_privilege(ctx.caller, table, "Delete")
    key = _reference_key(table, target, request.parameters)
    delete_row(
        ctx, table, key, row_version=target.row_version, behavior=request.concurrency_behavior
    )
    return DeleteResponse("Delete")


def _key_attributes(table: EntityMetadata, row: StoredRow) -> dict[str, Any]:
    part = table.partition_attribute
    if part and row.values.get(part) is not None:
        return {table.primary_id_attribute: row.id, part: row.values[part]}
    return {}
