"""SDK value types: ``Entity``, ``EntityReference``, ``OptionSetValue``, ``ColumnSet`` and friends.

They mirror ``Microsoft.Xrm.Sdk`` in Python casing. An :class:`Entity` is a mutable mapping of
column logical name to SDK value; ``id``, ``key_attributes`` and ``row_version`` identify the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

import attrs

__all__ = [
    "ColumnSet",
    "Entity",
    "EntityCollection",
    "EntityReference",
    "EntityReferenceCollection",
    "OptionSetValue",
    "coerce_id",
]


@attrs.frozen
class OptionSetValue:
    """A choice value (``OptionSetValue(3)``)."""

    value: int


def coerce_id(value: uuid.UUID | str | None) -> uuid.UUID | None:
    """Return a row id given as a ``uuid.UUID`` or as GUID text (None stays None).

    Raises:
        TypeError: the id is neither (columns go in keyword arguments, not in the id's place).
        ValueError: the text is not a GUID.
    """
    if value is None or isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"a row id is a uuid.UUID or GUID text, not {type(value).__name__} {value!r} "
            "(columns are keyword arguments: Entity('backgroundoperation', name='export'))"
        )
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"a row id is a uuid.UUID or GUID text, not {value!r}") from None


@attrs.frozen(init=False)
class EntityReference:
    """A reference to a row: by ``id``, or by ``key_attributes`` (``{"backgroundoperationid": …,
    "partitionid": "p1"}``)."""

    logical_name: str
    id: uuid.UUID | None = None
    key_attributes: Mapping[str, Any] = attrs.field(factory=dict, eq=False)
    name: str | None = attrs.field(default=None, eq=False)
    row_version: str | None = attrs.field(default=None, eq=False)

    def __init__(
        self,
        logical_name: str,
        id: uuid.UUID | str | None = None,
        key_attributes: Mapping[str, Any] | None = None,
        name: str | None = None,
        row_version: str | None = None,
    ) -> None:
        # Written out rather than generated: every read by id makes one, and the generated
        # one runs a converter per field and copies a fresh empty key dictionary.
        set_field = object.__setattr__
        set_field(self, "logical_name", logical_name)
        set_field(self, "id", id if id is None or type(id) is uuid.UUID else coerce_id(id))
        set_field(self, "key_attributes", dict(key_attributes) if key_attributes else {})
        set_field(self, "name", name)
        set_field(self, "row_version", row_version)

    @property
    def _keys(self) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted(self.key_attributes.items()))

    def __hash__(self) -> int:
        return hash((self.logical_name, self.id, self._keys))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EntityReference):
            return NotImplemented
        return (self.logical_name, self.id, self._keys) == (
            other.logical_name,
            other.id,
            other._keys,
        )


@attrs.frozen(init=False)
class ColumnSet:
    """The columns to return: ``ColumnSet("name", "priority")``, ``ColumnSet(all_columns=True)``."""

    columns: tuple[str, ...]
    all_columns: bool

    def __init__(self, *columns: str, all_columns: bool = False) -> None:
        if len(columns) == 1 and not isinstance(columns[0], str):
            columns = tuple(columns[0])
        object.__setattr__(self, "columns", tuple(columns))
        object.__setattr__(self, "all_columns", all_columns)

    @classmethod
    def coerce(cls, value: ColumnSet | Iterable[str] | bool | None) -> ColumnSet:
        """Return a ColumnSet from a ColumnSet, a list of names, True (all) or None (all)."""
        if isinstance(value, ColumnSet):
            return value
        if (type(value) is list or type(value) is tuple) and (
            len(value) != 1 or type(value[0]) is str
        ):  # a list of names, the common case: what the constructor makes, shared (immutable)
            names = tuple(value)
            made = _COLUMN_SETS.get(names)
            if made is None:
                made = cls(*names)
                if len(_COLUMN_SETS) >= 256:
                    _COLUMN_SETS.clear()
                _COLUMN_SETS[names] = made
            return made
        if value is None or value is True:
            return cls(all_columns=True)
        if value is False:
            return cls()
        if isinstance(value, str):
            return cls(value)
        return cls(*value)


class Entity(MutableMapping[str, Any]):
    """A row: a mapping of column logical name to SDK value.

    ``Entity("backgroundoperation", name="export", priority=3)``; ``id`` may be given as a
    ``uuid.UUID`` or a string.
    """

    __slots__ = (
        "_attributes",
        "etag",
        "formatted_values",
        "id",
        "key_attributes",
        "logical_name",
        "row_version",
    )

    def __init__(
        self,
        logical_name: str,
        id: uuid.UUID | str | None = None,
        *,
        key_attributes: Mapping[str, Any] | None = None,
        row_version: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **columns: Any,
    ) -> None:
        self.logical_name = logical_name
        self.id: uuid.UUID | None = id if id is None else coerce_id(id)
        self.key_attributes: dict[str, Any] = dict(key_attributes) if key_attributes else {}
        self.row_version = row_version
        #: The row's concurrency token when it was read (the Web API's ``@odata.etag``); None
        #: for an entity the caller builds.
        self.etag: str | None = None
        self.formatted_values: dict[str, str] = {}
        # ``columns`` is this call's own dictionary: it becomes the entity's.
        self._attributes: dict[str, Any] = {**attributes, **columns} if attributes else columns

    @classmethod
    def read(
        cls,
        logical_name: str,
        id: uuid.UUID,
        attributes: dict[str, Any],
        row_version: str,
        etag: str,
        key_attributes: dict[str, Any] | None = None,
    ) -> Entity:
        """Return a row as read from the store, taking ``attributes`` (and ``key_attributes``)
        as its own dictionaries.

        The reading surfaces make one for every row they return; this skips the checks and
        copies of the constructor, which are for a caller's input.
        """
        entity = cls.__new__(cls)
        entity.logical_name = logical_name
        entity.id = id
        entity.key_attributes = {} if key_attributes is None else key_attributes
        entity.row_version = row_version
        entity.etag = etag
        entity.formatted_values = {}
        entity._attributes = attributes
        return entity

    @property
    def attributes(self) -> dict[str, Any]:
        """Return the underlying attribute dictionary (live, like the SDK's ``Attributes``)."""
        return self._attributes

    def to_entity_reference(self) -> EntityReference:
        """Return a reference to this row (by id and key attributes)."""
        return EntityReference(self.logical_name, self.id, self.key_attributes)

    def __getitem__(self, key: str) -> Any:
        return self._attributes[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._attributes[key] = value

    def __delitem__(self, key: str) -> None:
        del self._attributes[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._attributes)

    def __len__(self) -> int:
        return len(self._attributes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entity):
            return NotImplemented
        return (self.logical_name, self.id, self._attributes) == (
            other.logical_name,
            other.id,
            other._attributes,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entity({self.logical_name!r}, id={self.id!s}, {self._attributes!r})"

    def copy(self) -> Entity:
        """Return a shallow copy."""
        clone = Entity(
            self.logical_name,
            self.id,
            key_attributes=self.key_attributes,
            row_version=self.row_version,
            attributes=self._attributes,
        )
        clone.formatted_values = dict(self.formatted_values)
        clone.etag = self.etag
        return clone


#: Column sets made from lists of names, by the names (a program asks for a few, often). Shared
#: by every fake in the process: a ColumnSet never changes once made.
_COLUMN_SETS: dict[tuple[str, ...], ColumnSet] = {}


def _entity_list(items: Iterable[Entity]) -> list[Entity]:
    return list(items)


def _reference_list(items: Iterable[EntityReference]) -> list[EntityReference]:
    return list(items)


@attrs.define
class EntityCollection:
    """A list of rows with paging state (``RetrieveMultiple`` results, bulk ``Targets``)."""

    entities: list[Entity] = attrs.field(factory=list, converter=_entity_list)
    entity_name: str | None = None
    more_records: bool = False
    paging_cookie: str | None = None
    total_record_count: int = -1
    total_record_count_limit_exceeded: bool = False
    min_active_row_version: str | None = None

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __getitem__(self, index: int) -> Entity:
        return self.entities[index]


@attrs.define
class EntityReferenceCollection:
    """A list of row references (``DeleteMultiple`` ``Targets``)."""

    references: list[EntityReference] = attrs.field(factory=list, converter=_reference_list)

    def __iter__(self) -> Iterator[EntityReference]:
        return iter(self.references)

    def __len__(self) -> int:
        return len(self.references)
