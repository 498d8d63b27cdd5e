"""Row plumbing shared by the message handlers: building rows and reading them back.

(Finding the row a request names is :mod:`._addressing`.)

- :func:`build_created_row` and :func:`build_updated_row` stamp the system columns.
- :func:`project` turns a stored row into an SDK :class:`Entity` for a column set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import raw_to_sdk
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import RowKey, StoredRow

__all__ = ["build_created_row", "build_updated_row", "project", "read_value"]

def _set_if_column(table: EntityMetadata, values: dict[str, Any], name: str, value: Any) -> None:
    if name in table.row_layout.index:
        values[name] = value


def _expiry(
    table: EntityMetadata, values: Mapping[str, Any], now: dt.datetime
) -> dt.datetime | None:
    ttl = values.get(table.ttl_attribute) if table.ttl_attribute else None
    if ttl is None:
        return None
    try:
        return now + dt.timedelta(seconds=ttl)
    except OverflowError:
        return None  # an expiry past the last date a clock can show never comes


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
    columns = table.row_layout.index
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
        if name in columns:
            values[name] = value
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
        values=table.row_layout.pack(values),
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
    values = current.values.to_dict()
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
        values=table.row_layout.pack(values),
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
