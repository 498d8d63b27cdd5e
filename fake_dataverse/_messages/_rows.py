"""Row plumbing shared by the message handlers: building rows and reading them back.

(Finding the row a request names is :mod:`._addressing`.)

- :func:`build_created_row` and :func:`build_updated_row` stamp the system columns.
- :func:`project` turns a stored row into an SDK :class:`Entity` for a column set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeTypeCode, EntityMetadata
from fake_dataverse._model._row import MISSING, RowValues
from fake_dataverse._model._validation import AttributeRule, raw_to_sdk, rule_for
from fake_dataverse._model._values import ColumnSet, Entity, EntityReference
from fake_dataverse._storage._clock import later
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import RowKey, StoredRow

__all__ = ["build_created_row", "build_updated_row", "project"]

def _set_if_column(table: EntityMetadata, values: dict[str, Any], name: str, value: Any) -> None:
    if name in table.row_layout.index:
        values[name] = value


def _expiry(
    table: EntityMetadata, values: Mapping[str, Any], now: dt.datetime
) -> dt.datetime | None:
    return _expiry_after(values.get(table.ttl_attribute) if table.ttl_attribute else None, now)


def _expiry_after(ttl: Any, now: dt.datetime) -> dt.datetime | None:
    return None if ttl is None else later(now, dt.timedelta(seconds=ttl))


#: The system columns a create stamps, in the order of the values :func:`build_created_row`
#: gives them: when, by whom, on whose behalf.
_CREATE_STAMPS = (
    "createdon",
    "modifiedon",
    "createdby",
    "modifiedby",
    "createdonbehalfby",
    "modifiedonbehalfby",
)
#: The creation columns a row replaced by an upsert keeps from the row it replaces.
_KEPT_ON_REPLACE = ("createdon", "createdby", "createdonbehalfby", "overriddencreatedon")


@attrs.frozen
class _CreatePlan:
    """What every create of one table starts from (derived once per table): positions in the
    table's row layout, so a new row is written straight into its tuple."""

    #: Every stored column's default (or None), in layout order.
    template: tuple[Any, ...]
    defaults: Mapping[str, Any]
    primary: int
    #: The positions of the create stamps the table has, and their places in _CREATE_STAMPS.
    stamps: tuple[tuple[int, int], ...]
    overridden: int | None
    ttl: int | None
    #: The partition column and its position (an elastic table's).
    partition: tuple[str, int] | None
    kept_on_replace: tuple[tuple[str, int], ...]


def _create_plan(table: EntityMetadata) -> _CreatePlan:
    index = table.row_layout.index
    defaults = dict(table.default_values)
    return _CreatePlan(
        template=tuple(defaults.get(name) for name in table.stored_names),
        defaults=defaults,
        primary=index[table.primary_id_attribute],
        stamps=tuple(
            (index[name], n) for n, name in enumerate(_CREATE_STAMPS) if name in index
        ),
        overridden=index.get("overriddencreatedon"),
        ttl=index[table.ttl_attribute] if table.ttl_attribute else None,
        partition=(
            (table.partition_attribute, index[table.partition_attribute])
            if table.partition_attribute
            else None
        ),
        kept_on_replace=tuple((name, index[name]) for name in _KEPT_ON_REPLACE if name in index),
    )


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

    A column left null takes its default. With ``keep_from`` (an upsert replacing a row) the
    row keeps that row's creation columns.
    """
    plan = table.derived(_create_plan)
    layout = table.row_layout
    index, defaults = layout.index, plan.defaults
    data = list(plan.template)
    for name, value in kept.items():
        if value is None:
            value = defaults.get(name)
        number = index[name]  # (a name the table lacks is the caller's bug: KeyError)
        if number >= len(data):  # a virtual column: the tuple grows to hold it
            data.extend([MISSING] * (number + 1 - len(data)))
        data[number] = value
    data[plan.primary] = key[0]
    created_on = now
    overridden = plan.overridden
    if keep_from is None and overridden is not None and data[overridden] is not None:
        created_on, data[overridden] = data[overridden], now
    user, on_behalf = caller.user_id, caller.on_behalf_of_id
    stamps = (created_on, now, user, user, on_behalf, on_behalf)
    for number, which in plan.stamps:
        data[number] = stamps[which]
    if keep_from is not None:
        previous = keep_from.values
        for name, number in plan.kept_on_replace:
            if name in previous:
                data[number] = previous[name]
        if plan.partition is not None:
            name, number = plan.partition
            data[number] = previous.get(name)
    return StoredRow(
        table=table.logical_name,
        id=key[0],
        partition=key[1],
        values=RowValues(layout, tuple(data)),
        expires_at=_expiry_after(data[plan.ttl] if plan.ttl is not None else None, now),
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
    key = None if columns.all_columns else columns.columns
    plans = table.derived(_read_plans)
    plan = plans.get(key)
    if plan is None:
        plan = _read_plan(table, key)
        if len(plans) >= _PLANS_KEPT:
            plans.clear()
        plans[key] = plan
    row_id = row.key[0]
    attributes = {table.primary_id_attribute: row_id}
    data = row.values.data
    for name, reader in plan:
        value = reader(org, data)
        if value is not None or include_nulls:
            attributes[name] = value
    key_attributes = None
    partition = table.partition_attribute
    if partition:
        value = data[table.row_layout.index[partition]]
        if value is not None and value is not MISSING:
            key_attributes = {table.primary_id_attribute: row_id, partition: value}
    return Entity.read(
        table.logical_name, row_id, attributes, str(row.version), row.etag, key_attributes
    )


#: Reads one column's SDK value from a stored row's tuple (the organization names users).
Reader = Callable[[Organization, tuple[Any, ...]], Any]
#: The columns a column set reads, each with its reader, in the order an Entity holds them.
ReadPlan = tuple[tuple[str, Reader], ...]
_PLANS_KEPT = 256  # column sets remembered per table (a program uses a few)


def _read_plans(table: EntityMetadata) -> dict[tuple[str, ...] | None, ReadPlan]:
    return {}  # filled by :func:`project`, one column set (None: all columns) at a time


def _read_plan(table: EntityMetadata, names: tuple[str, ...] | None) -> ReadPlan:
    """Work out how a column set reads (None: every stored column).

    Raises:
        QueryBuilderNoAttribute: 0x80041103 for a column the table does not have.
    """
    if names is None:
        names = table.stored_names
    plan = []
    for name in dict.fromkeys(names):
        if table.attribute(name) is None:
            raise errors.QueryBuilderNoAttribute(entity=table.logical_name, name=name)
        plan.append((name, _reader(table, name)))
    return tuple(plan)


def _readers(table: EntityMetadata) -> dict[str, Reader]:
    return {}  # filled by :func:`_reader`, one column at a time, as rows are read


def _reader(table: EntityMetadata, name: str) -> Reader:
    """Return how a row's raw value of one column reads as an SDK value (worked out once per
    column)."""
    known = table.derived(_readers).get(name)
    if known is not None:
        return known
    attr = table.attribute(name)
    if attr is None:
        return _null  # not kept: a name the table lacks is the caller's error to report
    reader: Reader
    if not attr.is_valid_for_read:
        reader = _null
    elif attr.attribute_of is not None:
        user = table.row_layout.getter(attr.attribute_of)

        def reader(org: Organization, data: tuple[Any, ...]) -> Any:
            target = user(data)
            return org.user_name(target) if target is not None else None

    else:
        raw = table.row_layout.getter(name)
        if attr.attribute_type is AttributeTypeCode.LOOKUP:
            target_table = attr.targets[0]

            def reader(org: Organization, data: tuple[Any, ...]) -> Any:
                value = raw(data)
                if value is None:
                    return None
                return EntityReference(target_table, value, name=org.user_name(value))

        elif (
            type(rule_for(attr)).to_sdk is AttributeRule.to_sdk  # stored as the SDK reads it
            and table.row_layout.index[name] < table.row_layout.fixed  # in every row's tuple
        ):
            number = table.row_layout.index[name]

            def reader(org: Organization, data: tuple[Any, ...]) -> Any:
                value = data[number]  # what the layout's getter reads, in one call
                return None if value is MISSING else value

        else:

            def reader(org: Organization, data: tuple[Any, ...]) -> Any:
                return raw_to_sdk(attr, raw(data))

    table.derived(_readers)[name] = reader
    return reader


def _null(org: Organization, data: tuple[Any, ...]) -> Any:
    return None
