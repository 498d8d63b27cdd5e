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

from fake_dataverse._messages._addressing import (
    by_id,
    entity_address,
    existing_row,
    find_row,
    reference_address,
)
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
from fake_dataverse._messages._rows import build_created_row, build_updated_row, project
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import (
    Address,
    check_partition_value,
    default_partition,
    row_key,
)
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._validation import Operation, sdk_to_raw, validate_write
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._storage._store import StoredRow

__all__ = ["create_row", "delete_row", "read_rule", "update_row", "update_rule", "upsert_row"]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

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
    row_id = entity.id
    if row_id is not None and row_id == _EMPTY_GUID:
        row_id = None
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


# ---- write helpers (shared with the bulk messages) ---------------------------------------
def create_row(ctx: ExecutionContext, table: EntityMetadata, entity: Entity) -> StoredRow:
    """Validate and store a new row.

    Raises:
        DuplicateRecord: 0x80040237 when a row with the same id and partition exists; and
            every validation fault.
    """
    _require_table_match(table, entity.logical_name)
    values, row_id = _payload(table, entity)
    by_id(ctx.org, table, values)
    kept = validate_write(
        table, values, operation=Operation.CREATE, settings=ctx.org.settings.writes
    )
    partition = kept.get(table.partition_attribute) if table.partition_attribute else None
    if partition is not None:
        check_partition_value(partition)
    row_id = row_id or ctx.org.ids.new_id()
    key = row_key(table, row_id, partition)
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
    by_id(ctx.org, table, values)
    target = entity_address(table, entity, values, row_id)
    kept = validate_write(
        table, values, operation=Operation.UPDATE, settings=ctx.org.settings.writes
    )
    current = existing_row(ctx.org, target)
    check_row_version(current, entity.row_version, behavior)
    return _apply_update(ctx, table, current, kept)


def _apply_update(
    ctx: ExecutionContext, table: EntityMetadata, current: StoredRow, kept: dict[str, Any]
) -> StoredRow:
    for rule in _UPDATE_RULES.get(table.logical_name, ()):
        rule(table, current, kept)
    now = ctx.org.clock.now()
    return _commit(
        ctx, table, build_updated_row(table, current, kept, caller=ctx.caller, now=now), now
    )


def upsert_row(
    ctx: ExecutionContext, table: EntityMetadata, entity: Entity
) -> tuple[StoredRow, bool]:
    """Create a row, or change an existing one; return it and whether it was created.

    On an elastic table an existing row is replaced whole (as a create with the same payload
    would make it); on a standard table it is updated. A row named by an alternate key that no
    row holds is created with a new id and the key's values.
    """
    _require_table_match(table, entity.logical_name)
    values, row_id = _payload(table, entity)
    by_id(ctx.org, table, values)
    row_id = row_id or (None if entity.key_attributes else ctx.org.ids.new_id())
    target = entity_address(table, entity, values, row_id)
    if target.key is not None:
        return _upsert_by_key(ctx, table, entity, values, target)
    key = target.row_key
    current = ctx.org.store.get(table.logical_name, key)
    if current is not None and not table.is_elastic:
        return _update_existing(ctx, table, current, values), False
    if table.partition_attribute:
        values.pop(table.partition_attribute, None)
        if key[1] != default_partition(key[0]):
            values[table.partition_attribute] = key[1]
    kept = validate_write(
        table, values, operation=Operation.CREATE, settings=ctx.org.settings.writes
    )
    check_partition_value(kept.get(table.partition_attribute or ""))
    ctx.org.check_privilege(ctx.caller, table, "Create" if current is None else "Write")
    now = ctx.org.clock.now()
    row = build_created_row(table, kept, key=key, caller=ctx.caller, now=now, keep_from=current)
    return _commit(ctx, table, row, now), current is None


def _update_existing(
    ctx: ExecutionContext, table: EntityMetadata, current: StoredRow, values: dict[str, Any]
) -> StoredRow:
    """Apply an upsert's payload to an existing row of a standard table, as an update."""
    kept = validate_write(
        table, values, operation=Operation.UPDATE, settings=ctx.org.settings.writes
    )
    ctx.org.check_privilege(ctx.caller, table, "Write")
    return _apply_update(ctx, table, current, kept)


def _upsert_by_key(
    ctx: ExecutionContext,
    table: EntityMetadata,
    entity: Entity,
    values: dict[str, Any],
    target: Address,
) -> tuple[StoredRow, bool]:
    """Upsert a standard table's row named by an alternate key: update it, or create it."""
    current = find_row(ctx.org, target)
    if current is not None:
        return _update_existing(ctx, table, current, values), False
    for name in target.key.key_attributes if target.key else ():
        values.setdefault(name, entity.key_attributes[name])
    kept = validate_write(
        table, values, operation=Operation.CREATE, settings=ctx.org.settings.writes
    )
    ctx.org.check_privilege(ctx.caller, table, "Create")
    row_id = ctx.org.ids.new_id()
    now = ctx.org.clock.now()
    key = (row_id, default_partition(row_id))
    row = build_created_row(table, kept, key=key, caller=ctx.caller, now=now)
    return _commit(ctx, table, row, now), True


def delete_row(
    ctx: ExecutionContext,
    table: EntityMetadata,
    target: Address,
    *,
    row_version: str | None = None,
    behavior: ConcurrencyBehavior = ConcurrencyBehavior.DEFAULT,
) -> uuid.UUID:
    """Delete an existing row; return its id.

    Raises:
        RecordNotFound: 0x80048d02; ConcurrencyVersionMismatch 0x80060882.
    """
    current = existing_row(ctx.org, target)
    check_row_version(current, row_version, behavior)
    ctx.org.store.delete(table.logical_name, current.key, moment=ctx.org.clock.now())
    return current.id


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
    return CreateResponse._with_results(
        "Create", {"id": row.id, SESSION_TOKEN: ctx.org.store.next_session_token()}
    )


@MESSAGES.handler(RetrieveRequest)
def _retrieve(ctx: ExecutionContext, request: RetrieveRequest) -> RetrieveResponse:
    target = _require(request.target, EntityReference, "Target")
    org = ctx.org
    table = org.table(target.logical_name)
    org.check_privilege(ctx.caller, table, "Read")
    columns = request.column_set
    if columns is None:
        raise errors.InvalidArgument("Required field 'ColumnSet' is missing.")
    if not isinstance(columns, ColumnSet):
        columns = ColumnSet.coerce(columns)
    row = existing_row(org, reference_address(table, target, request.parameters))
    entity = project(org, table, row, columns)
    for rule in _READ_RULES.get(table.logical_name, ()):
        rule(ctx, row)
    return RetrieveResponse._with_results("Retrieve", {"Entity": entity})


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
    delete_row(
        ctx,
        table,
        reference_address(table, target, request.parameters),
        row_version=target.row_version, behavior=request.concurrency_behavior
    )
    return DeleteResponse("Delete")


def _key_attributes(table: EntityMetadata, row: StoredRow) -> dict[str, Any]:
    part = table.partition_attribute
    if part and row.values.get(part) is not None:
        return {table.primary_id_attribute: row.id, part: row.values[part]}
    return {}
