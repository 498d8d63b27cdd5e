"""Row addressing, written once for every surface: ids, partitions and alternate keys.

A request names a row by its id (and, on an elastic table, its partition) or by the values of
one of the table's alternate keys. The SDK surface passes ``Entity.id`` / ``key_attributes`` and
the ``partitionId`` parameter; the Web API translates its key segment and ``?partitionId=`` into
the same inputs. :func:`address` checks them against the table's keys and turns them into an
:class:`Address`; the message layer resolves that against the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityKeyMetadata, EntityMetadata
from fake_dataverse._model._validation import sdk_to_raw

__all__ = [
    "PARTITION_ID",
    "Address",
    "address",
    "check_partition_value",
    "compared_values",
    "default_partition",
    "defined_key",
    "id_text",
    "key_values",
    "partition_value",
    "row_key",
]

#: The request parameter (SDK) and query option (Web API) that names an elastic row's partition.
PARTITION_ID = "partitionId"

_FORBIDDEN_PARTITION_CHARS = frozenset("/<>*%&:\\?+")

#: The last id formatted, by value, and its text: a write names its row's key several times
#: (address, store, index, the reply's URL), a polling client reads one row again and again,
#: and formatting a GUID is a Python-level call each time. One entry: a table of them would
#: cost a new entry (memory the cache does not hold) for every row created.
_last_text: tuple[int, str] = (-1, "")


def id_text(row_id: uuid.UUID) -> str:
    """Return a row id as text (``str(row_id)``), kept for the id used last."""
    global _last_text
    number, text = _last_text
    if number != row_id.int:
        text = str(row_id)
        _last_text = (row_id.int, text)
    return text


#: The partition of a row stored without one: its own id as text (:func:`id_text`). A standard
#: table's rows, and an elastic table's rows created without ``partitionid``, are all keyed
#: this way.
default_partition = id_text


def compared_values(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Return key values as keys compare them (text without regard to case, as Dataverse's
    collation and the query engine compare it), or None when one is null (a null never
    matches)."""
    if any(value is None for value in values):
        return None
    return tuple(value.casefold() if isinstance(value, str) else value for value in values)


@attrs.define
class Address:
    """A row as a request names it: by ``id`` (and ``partition``), or by an alternate ``key``.

    ``values`` are the key's raw values in the order of ``key.key_attributes``. Never changed
    once made (``attrs.evolve`` makes another): slotted rather than frozen, since every
    single-row message makes one.
    """

    table: EntityMetadata
    id: uuid.UUID | None = None
    partition: str | None = None
    key: EntityKeyMetadata | None = None
    values: tuple[Any, ...] = ()

    @property
    def identity(self) -> tuple[Any, ...]:
        """Return what two addresses of the same row (in one request) have in common."""
        if self.key is not None:
            return (self.key.logical_name, compared_values(self.values))
        return self.row_key

    @property
    def row_key(self) -> tuple[uuid.UUID, str]:
        """Return the store key of an address by id: (id, partition or the id's own text)."""
        assert self.id is not None, "an address by alternate key has no row key of its own"
        return row_key(self.table, self.id, self.partition)


def row_key(
    table: EntityMetadata, row_id: uuid.UUID, partition: str | None
) -> tuple[uuid.UUID, str]:
    """Return the store key of a row by id: (id, partition or the id's own text).

    Only an elastic table's rows have partitions; a standard table ignores one.
    """
    if partition is None or not table.is_elastic:
        return (row_id, default_partition(row_id))
    return (row_id, partition)


def partition_value(value: Any) -> str | None:
    """Return a ``partitionId`` (parameter, query option or key part) as text.

    Raises:
        InvalidArgument: 0x80040203 for a value that is not a string.
    """
    if value is not None and not isinstance(value, str):
        raise errors.InvalidArgument(f"'{value}' is not a valid partition id.")
    return value


def check_partition_value(partition: str | None) -> None:
    """Reject a ``partitionid`` Cosmos DB cannot key on.

    Raises:
        InvalidArgument: 0x80040203 for a value holding ``/ < > * % & : \\ ? +``.
    """
    if partition is not None and _FORBIDDEN_PARTITION_CHARS.intersection(partition):
        raise errors.InvalidArgument(
            f"The partitionid value '{partition}' contains a character that is not supported "
            "(/ < > * % & : \\ ? +)."
        )


def defined_key(table: EntityMetadata, names: Collection[str]) -> EntityKeyMetadata | None:
    """Return the key that exactly these column names form, or None when they form none.

    The primary key alone, and on an elastic table the primary key with ``partitionid``, are
    keys too: the returned key then has no alternate attributes (see :func:`address`).
    """
    wanted = frozenset(names)
    if wanted == {table.primary_id_attribute}:
        pk = table.primary_id_attribute
        return EntityKeyMetadata(schema_name=pk, logical_name=pk, key_attributes=(pk,))
    return next((k for k in table.keys if frozenset(k.key_attributes) == wanted), None)


def _as_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise errors.InvalidArgument(f"'{value}' is not a valid Guid.") from None


def key_values(table: EntityMetadata, key: EntityKeyMetadata, given: Mapping[str, Any]) -> tuple[
    Any, ...
]:
    """Return the raw values of an alternate key given as SDK values, in the key's order.

    Raises:
        IncorrectAttributeValueType: 0x80040203 for a value of the wrong type for its column.
    """
    values = []
    for name in key.key_attributes:
        attr = table.attribute(name)
        assert attr is not None  # metadata loading checks that key columns exist
        values.append(sdk_to_raw(table, attr, given[name]))
    return tuple(values)


def address(
    table: EntityMetadata,
    *,
    row_id: uuid.UUID | None = None,
    key_attributes: Mapping[str, Any] | None = None,
    partition: Any = None,
) -> Address:
    """Return the address of a row given by id, by key attributes, and/or by partition.

    ``partition`` is the ``partitionId`` parameter (or the ``partitionid`` a payload carries);
    a ``partitionid`` among the key attributes wins over it. As in the SDK, an id given beside
    an alternate key is what addresses the row (the key is still checked).

    Raises:
        EntityKeyNotDefined: 0x80060890 when the key attributes form no key of the table.
        InvalidArgument: 0x80040203 for a non-text partition, an id that differs from the key's,
            or neither id nor key.
    """
    if partition is not None:
        partition = partition_value(partition)
    if not key_attributes:
        if row_id is None:
            raise errors.InvalidArgument(f"A {table.logical_name} id or key is required.")
        return Address(table, row_id, partition)
    key = defined_key(table, key_attributes)
    if key is None:
        raise errors.EntityKeyNotDefined(entity=table.logical_name)
    if key in table.alternate_keys:
        values = key_values(table, key, key_attributes)
        if row_id is not None:
            return Address(table, row_id, partition)
        return Address(table, key=key, values=values)
    key_id = _as_uuid(key_attributes[table.primary_id_attribute])
    if row_id is not None and row_id != key_id:
        raise errors.InvalidArgument("Entity Id must be the same as the value set in the key.")
    part_name = table.partition_attribute
    if part_name is not None and part_name in key_attributes:
        partition = partition_value(key_attributes[part_name])
    return Address(table, key_id, partition)
