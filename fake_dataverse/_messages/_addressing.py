"""Finding the row a message names: the one place requests are turned into stored rows.

Every handler (single-row, bulk, and through them the Web API) builds an
:class:`~fake_dataverse._model._address.Address` here and resolves it against the store: by id
(and partition) with one dictionary probe, by alternate key through the store's unique index.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import (
    PARTITION_ID,
    Address,
    address,
    default_partition,
    row_key,
)
from fake_dataverse._model._metadata import AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import sdk_to_raw
from fake_dataverse._model._values import Entity, EntityReference
from fake_dataverse._storage._organization import Organization
from fake_dataverse._storage._store import StoredRow

__all__ = [
    "by_id",
    "entity_address",
    "existing_row",
    "find_row",
    "not_found",
    "reference_address",
]


def not_found(address: Address) -> errors.DataverseError:
    """Return the not-found fault for an address.

    By alternate key: RecordNotFoundByEntityKey; by id: the Cosmos DB fault on an elastic table,
    ObjectDoesNotExist on a standard one.
    """
    table = address.table
    if address.key is not None:
        return errors.RecordNotFoundByEntityKey(entity=table.logical_name)
    if table.is_elastic:
        return errors.RecordNotFound(id=address.id)
    return errors.ObjectDoesNotExist(entity=table.logical_name, id=address.id)


def find_row(org: Organization, address: Address) -> StoredRow | None:
    """Return the live row an address names, or None."""
    name = address.table.logical_name
    if address.key is not None:
        return org.store.find_by_key(name, address.key, address.values)
    assert address.id is not None  # an address is by id when it is not by key
    return org.store.get(name, row_key(address.table, address.id, address.partition))


def existing_row(org: Organization, address: Address) -> StoredRow:
    """Return the live row an address names.

    Raises:
        RecordNotFound: 0x80048d02 (ObjectDoesNotExist 0x80040217 on a standard table;
            RecordNotFoundByEntityKey 0x80060891 by alternate key).
    """
    row = find_row(org, address)
    if row is None:
        raise not_found(address)
    return row


def reference_address(
    table: EntityMetadata, reference: EntityReference, parameters: Mapping[str, Any]
) -> Address:
    """Return the address of a Retrieve/Delete target (its ``partitionId`` parameter too).

    Raises:
        EntityKeyNotDefined: 0x80060890; InvalidArgument: 0x80040203 (see :func:`address`).
    """
    return address(
        table,
        row_id=reference.id,
        key_attributes=reference.key_attributes,
        partition=parameters.get(PARTITION_ID),
    )


def entity_address(
    table: EntityMetadata, entity: Entity, values: dict[str, Any], row_id: uuid.UUID | None
) -> Address:
    """Return the address of an Update/Upsert target.

    The payload's ``partitionid`` names the row's partition (it is never a write): when it is
    the partition the address names, it is taken out of ``values``.

    Raises:
        IncorrectAttributeValueType: 0x80040203 for a ``partitionid`` that is not text; and the
            faults of :func:`address`.
    """
    part_name = table.partition_attribute
    partition = values.get(part_name) if part_name else None
    if part_name and partition is not None:
        attr = table.attribute(part_name)
        assert attr is not None
        sdk_to_raw(table, attr, partition)
    found = address(
        table, row_id=row_id, key_attributes=entity.key_attributes, partition=partition
    )
    if part_name and part_name in values and found.key is None:
        own = found.row_key
        given = values[part_name]
        if given == own[1] or (given is None and own[1] == default_partition(own[0])):
            del values[part_name]
    return found


def by_id(org: Organization, table: EntityMetadata, values: dict[str, Any]) -> None:
    """Replace lookup values given by alternate key with references by id, in place.

    As in the SDK, an ``EntityReference`` with ``key_attributes`` and no id sets a lookup to
    the row holding those key values. A value that is not such a reference is left for
    validation to judge.

    Raises:
        RecordNotFoundByEntityKey: 0x80060891 when no row holds the key; EntityKeyNotDefined
            0x80060890 for names that form no key of the referenced table.
    """
    for name, value in values.items():
        if not isinstance(value, EntityReference) or value.id is not None:
            continue
        attr = table.attribute(name)
        target = org.metadata.get(value.logical_name)
        lookup = attr is not None and attr.attribute_type is AttributeTypeCode.LOOKUP
        if not value.key_attributes or target is None or not lookup:
            continue
        row = existing_row(org, address(target, key_attributes=value.key_attributes))
        values[name] = EntityReference(value.logical_name, row.id, name=value.name)
