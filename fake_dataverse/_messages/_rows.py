"""Row plumbing shared by the message handlers: addressing, building rows, reading them back.

- :func:`resolve_key` turns an id / key attributes / ``partitionId`` into the store's
  (id, partition) key, the way an elastic table addresses rows.
- :func:`build_created_row` and :func:`build_updated_row` stamp the system columns.
- :func:`project` turns a stored row into an SDK :class:`Entity` for a column set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import raw_to_sdk
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import RowKey, StoredRow

__all__ = [
    "build_created_row",
    "build_updated_row",
    "existing_row",
    "not_found",
    "project",
    "resolve_key",
]

_FORBIDDEN_PARTITION_CHARS = frozenset("/<>*%&:\\?+")


def not_found(table: EntityMetadata, row_id: uuid.UUID | None) -> errors.DataverseError:
    """Return the not-found fault for a table (the Cosmos DB one for an elastic table)."""
    if table.is_elastic:
        return errors.RecordNotFound(id=row_id)
    return errors.ObjectDoesNotExist(entity=table.logical_name, id=row_id)


def _as_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise errors.InvalidArgument(f"'{value}' is not a valid Guid.") from None


def resolve_key(
    table: EntityMetadata,
    *,
    row_id: uuid.UUID | None,
    key_attributes: Mapping[str, Any] | None = None,
    partition: str | None = None,
) -> RowKey:
    """Return the store key for a row given by id, or by the table's alternate key.

    ``partition`` is the ``partitionId`` parameter or the ``partitionid`` column of the payload;
    without one the row lives in the default partition, named by its own id.

    Raises:
        InvalidArgument: 0x80040203 for key attributes that are not a key of the table.
    """
    if key_attributes:
        pk = table.primary_id_attribute
        names = set(key_attributes)
        allowed = {frozenset(k.key_attributes) for k in table.keys} | {frozenset({pk})}
        if frozenset(names) not in allowed:
            raise errors.InvalidArgument(
                f"The specified key attributes are not a defined key for the {table.logical_name} "
                f"entity: {', '.join(sorted(names))}."
            )
        key_id = _as_uuid(key_attributes[pk])
        if row_id is not None and row_id != key_id:
            raise errors.InvalidArgument("Entity Id must be the same as the value set in the key.")
        row_id = key_id
        part_name = table.partition_attribute
        if part_name is not None and part_name in key_attributes:
            partition = key_attributes[part_name]
            if partition is not None and not isinstance(partition, str):
                raise errors.InvalidArgument(f"'{partition}' is not a valid partition id.")
    if row_id is None:
        raise errors.InvalidArgument(f"A {table.logical_name} id or key is required.")
    if not table.is_elastic or partition is None:
        return (row_id, str(row_id))
    return (row_id, partition)


def check_partition_value(table: EntityMetadata, partition: str | None) -> None:
    """Reject a ``partitionid`` Cosmos DB cannot key on.

    Raises:
        InvalidArgument: 0x80040203 for a value holding ``/ < > * % & : \\ ? +``.
    """
    if partition is not None and _FORBIDDEN_PARTITION_CHARS.intersection(partition):
        raise errors.InvalidArgument(
            f"The partitionid value '{partition}' contains a character that is not supported "
            "(/ < > * % & : \\ ? +)."
        )


def existing_row(org: Organization, table: EntityMetadata, key: RowKey) -> StoredRow:
    """Return the live row for a key.

    Raises:
        RecordNotFound: 0x80048d02 (ObjectDoesNotExist 0x80040217 on a standard table).
    """
    row = org.store.get(table.logical_name, key)
    if row is None:
        raise not_found(table, key[0])
    return row


def _set_if_column(table: EntityMetadata, values: dict[str, Any], name: str, value: Any) -> None:
    if table.attribute(name) is not None:
        values[name] = value


def _expiry(
    table: EntityMetadata, values: Mapping[str, Any], now: dt.datetime
) -> dt.datetime | None:
    ttl = values.get(table.ttl_attribute) if table.ttl_attribute else None
    return now + dt.timedelta(seconds=ttl) if ttl is not None else None


def build_created_row(
    table: EntityMetadata,
    kept: Mapping[str, Any],
    *,
    key: RowKey,
    caller: Caller,
    now: dt.datetime,
    keep_from: StoredRow | None = None,
) -> StoredRow:
    """Return a new row as a create makes it: payload, defaults and system columns.

    With ``keep_from`` (an upsert replacing a row) the row keeps that row's creation columns.
    """
    values: dict[str, Any] = dict.fromkeys(table.stored_names)
    values.update(kept)
    for name, default in table.default_values:
        if values[name] is None:
            values[name] = default
    values[table.primary_id_attribute] = key[0]
    created_on = now
    if keep_from is None and values.get("overriddencreatedon") is not None:
        created_on, values["overriddencreatedon"] = values["overriddencreatedon"], now
    for name, value in (
        ("createdon", created_on),
        ("modifiedon", now),
        ("createdby", caller.user_id),
        ("modifiedby", caller.user_id),
        ("createdonbehalfby", caller.on_behalf_of_id),
        ("modifiedonbehalfby", caller.on_behalf_of_id),
    ):
        _set_if_column(table, values, name, value)
    if keep_from is not None:
        for name in ("createdon", "createdby", "createdonbehalfby", "overriddencreatedon"):
            if name in keep_from.values:
                values[name] = keep_from.values[name]
        if table.partition_attribute:
            values[table.partition_attribute] = keep_from.values.get(table.partition_attribute)
    return StoredRow(
        table=table.logical_name,
        id=key[0],
        partition=key[1],
        values=values,
        expires_at=_expiry(table, values, now),
    )


def build_updated_row(
    table: EntityMetadata,
    current: StoredRow,
    kept: Mapping[str, Any],
    *,
    caller: Caller,
    now: dt.datetime,
) -> StoredRow:
    """Return the row an update makes: the current row with the kept columns changed."""
    values = dict(current.values)
    values.update(kept)
    for name, value in (
        ("modifiedon", now),
        ("modifiedby", caller.user_id),
        ("modifiedonbehalfby", caller.on_behalf_of_id),
    ):
        _set_if_column(table, values, name, value)
    return StoredRow(
        table=table.logical_name,
        id=current.id,
        partition=current.partition,
        values=values,
        expires_at=_expiry(table, values, now),
    )


def project(
    org: Organization,
    table: EntityMetadata,
    row: StoredRow,
    columns: ColumnSet,
    *,
    include_nulls: bool = False,
) -> Entity:
    """Return a stored row as an SDK Entity holding the column set's columns.

    As in the SDK, null columns are left out unless ``include_nulls``; the primary key is
    always there. Virtual name columns (``createdbyname``) read their lookup's name.

    Raises:
        QueryBuilderNoAttribute: 0x80041103 for a column the table does not have.
    """
    if columns.all_columns:
        names = list(table.stored_names)
    else:
        names = list(dict.fromkeys(columns.columns))
        for name in names:
            if table.attribute(name) is None:
                raise errors.QueryBuilderNoAttribute(entity=table.logical_name, name=name)
    entity = Entity(table.logical_name, row.id, row_version=str(row.version))
    entity.etag = row.etag
    entity[table.primary_id_attribute] = row.id
    for name in names:
        value = read_value(org, table, row, name)
        if value is not None or include_nulls:
            entity[name] = value
    if table.partition_attribute and row.values.get(table.partition_attribute) is not None:
        entity.key_attributes = {
            table.primary_id_attribute: row.id,
            table.partition_attribute: row.values[table.partition_attribute],
        }
    return entity


def read_value(org: Organization, table: EntityMetadata, row: StoredRow, name: str) -> Any:
    """Return one column of a stored row as an SDK value (None when null or unreadable)."""
    attr = table.attribute(name)
    if attr is None or not attr.is_valid_for_read:
        return None
    if attr.attribute_of is not None:
        target = row.values.get(attr.attribute_of)
        return org.user_name(target) if target is not None else None
    raw = row.values.get(name)
    if attr.attribute_type is AttributeTypeCode.LOOKUP and raw is not None:
        return EntityReference(attr.targets[0], raw, name=org.user_name(raw))
    return raw_to_sdk(attr, raw)
