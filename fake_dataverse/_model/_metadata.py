"""Table metadata as data: tables, columns, choices, keys and the state/status map.

Everything the engine knows about a table comes from an :class:`EntityMetadata`. The shipped
tables (``backgroundoperation`` and the small ``systemuser`` its lookups point to) are loaded from
JSON files in ``_tables/``; a user can describe a table of their own with the same dictionary
shape and hand it to :func:`entity_metadata_from_dict`.
"""

from __future__ import annotations

import enum
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from fake_dataverse._model._row import RowLayout

if TYPE_CHECKING:  # the module moved in Python 3.11; only the type is needed
    from importlib.resources.abc import Traversable

__all__ = [
    "AttributeMetadata",
    "AttributeRequiredLevel",
    "AttributeTypeCode",
    "EntityKeyMetadata",
    "EntityMetadata",
    "MetadataRegistry",
    "OptionMetadata",
    "default_metadata",
    "entity_metadata_from_dict",
    "tables_in",
]

_METADATA_NAMESPACE = uuid.UUID("6f1c2b1e-0d5a-4d8e-9c1a-5b7e2f3d4a10")
#: What :meth:`EntityMetadata.derived` returns: whatever its derive function does.
Derived = TypeVar("Derived")


class AttributeTypeCode(enum.Enum):
    """Column types, named as Dataverse's ``AttributeTypeCode``."""

    UNIQUEIDENTIFIER = "Uniqueidentifier"
    STRING = "String"
    MEMO = "Memo"
    INTEGER = "Integer"
    BIGINT = "BigInt"
    DATETIME = "DateTime"
    PICKLIST = "Picklist"
    LOOKUP = "Lookup"
    BOOLEAN = "Boolean"

    # Members are singletons compared by identity, so identity hashing agrees with equality;
    # Enum's own hash (of the member's name) is a Python call on every rule lookup.
    __hash__ = object.__hash__

    @property
    def edm_type(self) -> str:
        """Return the OData (CSDL) type the Web API uses for the column."""
        return _EDM_TYPES[self]


_EDM_TYPES = {
    AttributeTypeCode.UNIQUEIDENTIFIER: "Edm.Guid",
    AttributeTypeCode.STRING: "Edm.String",
    AttributeTypeCode.MEMO: "Edm.String",
    AttributeTypeCode.INTEGER: "Edm.Int32",
    AttributeTypeCode.BIGINT: "Edm.Int64",
    AttributeTypeCode.DATETIME: "Edm.DateTimeOffset",
    AttributeTypeCode.PICKLIST: "Edm.Int32",
    AttributeTypeCode.LOOKUP: "Edm.Guid",
    AttributeTypeCode.BOOLEAN: "Edm.Boolean",
}


class AttributeRequiredLevel(enum.Enum):
    """How required a column is; Dataverse itself enforces only ``SystemRequired``."""

    NONE = "None"
    RECOMMENDED = "Recommended"
    APPLICATION_REQUIRED = "ApplicationRequired"
    SYSTEM_REQUIRED = "SystemRequired"


@attrs.frozen
class OptionMetadata:
    """One choice value with its label; ``state`` says which state a status value belongs to."""

    value: int
    label: str
    state: int | None = None


@attrs.frozen
class AttributeMetadata:
    """One column of a table."""

    logical_name: str
    attribute_type: AttributeTypeCode
    schema_name: str = ""
    display_name: str = ""
    description: str = ""
    required_level: AttributeRequiredLevel = AttributeRequiredLevel.NONE
    is_valid_for_create: bool = True
    is_valid_for_update: bool = True
    is_valid_for_read: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    options: tuple[OptionMetadata, ...] = ()
    default_value: int | None = None
    targets: tuple[str, ...] = ()
    relationship_name: str | None = None
    attribute_of: str | None = None
    format: str | None = None
    date_time_behavior: str | None = None

    @property
    def is_read_only(self) -> bool:
        """Return True when the column can be neither created nor updated."""
        return not (self.is_valid_for_create or self.is_valid_for_update)

    @property
    def is_virtual(self) -> bool:
        """Return True for name columns computed from a lookup (``createdbyname``)."""
        return self.attribute_of is not None

    @property
    def odata_name(self) -> str:
        """Return the Web API property name (``_createdby_value`` for a lookup)."""
        if self.attribute_type is AttributeTypeCode.LOOKUP:
            return f"_{self.logical_name}_value"
        return self.logical_name

    @property
    def metadata_id(self) -> uuid.UUID:
        """Return a stable MetadataId for the column."""
        return uuid.uuid5(_METADATA_NAMESPACE, f"attribute:{self.logical_name}")

    def option(self, value: int) -> OptionMetadata | None:
        """Return the option with this value, or None."""
        for option in self.options:
            if option.value == value:
                return option
        return None


@attrs.frozen
class EntityKeyMetadata:
    """An alternate key: on an elastic table, the primary key plus ``partitionid``."""

    schema_name: str
    logical_name: str
    key_attributes: tuple[str, ...]
    display_name: str = ""


@attrs.frozen
class EntityMetadata:
    """One table: its names, columns, keys, messages and state/status pairs."""

    logical_name: str
    entity_set_name: str
    primary_id_attribute: str
    primary_name_attribute: str
    attributes: tuple[AttributeMetadata, ...]
    schema_name: str = ""
    display_name: str = ""
    display_collection_name: str = ""
    table_type: str = "Standard"
    ownership_type: str = "OrganizationOwned"
    object_type_code: int = 10000
    keys: tuple[EntityKeyMetadata, ...] = ()
    messages: frozenset[str] = frozenset()
    state_attribute: str | None = None
    status_attribute: str | None = None
    change_tracking_enabled: bool = False
    partition_attribute: str | None = None
    ttl_attribute: str | None = None
    # Derived once: metadata is immutable, and writes and reads consult these on every row.
    _by_name: Mapping[str, AttributeMetadata] = attrs.field(
        init=False, repr=False, eq=False, alias="_by_name"
    )
    _stored: tuple[AttributeMetadata, ...] = attrs.field(
        init=False, repr=False, eq=False, alias="_stored"
    )
    _defaults: tuple[tuple[str, int], ...] = attrs.field(
        init=False, repr=False, eq=False, alias="_defaults"
    )
    _stored_names: tuple[str, ...] = attrs.field(
        init=False, repr=False, eq=False, alias="_stored_names"
    )
    _layout: RowLayout = attrs.field(init=False, repr=False, eq=False, alias="_layout")
    #: What higher layers derive from the table, by the function deriving it (see
    #: :meth:`derived`).
    _derived: dict[Callable[[Any], Any], Any] = attrs.field(
        init=False, repr=False, eq=False, factory=dict, alias="_derived"
    )
    #: Privilege names by access right.
    _privileges: dict[str, str] = attrs.field(
        init=False, repr=False, eq=False, factory=dict, alias="_privileges"
    )

    def __attrs_post_init__(self) -> None:
        stored = tuple(a for a in self.attributes if not a.is_virtual)
        defaults = tuple((a.logical_name, a.default_value) for a in stored
                         if a.default_value is not None)
        object.__setattr__(self, "_by_name", {a.logical_name: a for a in self.attributes})
        object.__setattr__(self, "_stored", stored)
        object.__setattr__(self, "_defaults", defaults)
        object.__setattr__(self, "_stored_names", tuple(a.logical_name for a in stored))
        _check_table_keys(self)
        if self.is_elastic and self.partition_attribute:
            object.__setattr__(self, "keys", _with_elastic_key(self))
        virtual = tuple(a.logical_name for a in self.attributes if a.is_virtual)
        object.__setattr__(self, "_layout", RowLayout(self._stored_names + virtual, len(stored)))

    @property
    def is_elastic(self) -> bool:
        """Return True for an elastic (Cosmos DB-backed) table."""
        return self.table_type == "Elastic"

    def derived(self, derive: Callable[[EntityMetadata], Derived]) -> Derived:
        """Return ``derive(self)``, computed once per table and kept with its metadata.

        Metadata never changes, so what a layer works out from it (which columns a create
        stamps, how a row reads back) is worked out on the first row, not on every one.
        ``derive`` is a module-level function: it is the cache's key.
        """
        try:
            found: Derived = self._derived[derive]  # (no ``cast``: a call on every read)
            return found
        except KeyError:
            value = self._derived[derive] = derive(self)
            return value

    @property
    def metadata_id(self) -> uuid.UUID:
        """Return a stable MetadataId for the table."""
        return uuid.uuid5(_METADATA_NAMESPACE, f"entity:{self.logical_name}")

    @property
    def primary_id(self) -> AttributeMetadata:
        """Return the primary key column."""
        return self._by_name[self.primary_id_attribute]

    def attribute(self, logical_name: str) -> AttributeMetadata | None:
        """Return the column with this exact (case-sensitive) logical name, or None."""
        return self._by_name.get(logical_name)

    @property
    def row_key_attributes(self) -> frozenset[str]:
        """Return the columns that make the store's own key: the id (and the partition)."""
        return frozenset(filter(None, (self.primary_id_attribute, self.partition_attribute)))

    @property
    def alternate_keys(self) -> tuple[EntityKeyMetadata, ...]:
        """Return the keys other than the row's own (id, partition) key: those kept unique."""
        own = self.row_key_attributes
        return tuple(k for k in self.keys if not set(k.key_attributes) <= own)

    def stored_attributes(self) -> tuple[AttributeMetadata, ...]:
        """Return the columns that hold a value in a row (every column but virtual ones)."""
        return self._stored

    @property
    def stored_names(self) -> tuple[str, ...]:
        """Return the logical names of :meth:`stored_attributes`, in metadata order."""
        return self._stored_names

    @property
    def row_layout(self) -> RowLayout:
        """Return the column order of the table's stored rows (stored columns, then virtual)."""
        return self._layout

    @property
    def default_values(self) -> tuple[tuple[str, int], ...]:
        """Return (column, default) for each stored column with a default, in metadata order."""
        return self._defaults

    def status_options_for(self, state: int) -> tuple[int, ...]:
        """Return the status values that belong to a state, in metadata order."""
        status = self.attribute(self.status_attribute) if self.status_attribute else None
        if status is None:
            return ()
        return tuple(o.value for o in status.options if o.state == state)

    def state_of_status(self, status_value: int) -> int | None:
        """Return the state a status value belongs to, or None."""
        status = self.attribute(self.status_attribute) if self.status_attribute else None
        option = status.option(status_value) if status is not None else None
        return option.state if option is not None else None

    def privilege_name(self, access: str) -> str:
        """Return the privilege for an access right (``Read``: ``prvReadbackgroundoperation``)."""
        name = self._privileges.get(access)
        if name is None:
            name = self._privileges[access] = f"prv{access}{self.logical_name}"
        return name


@attrs.define
class MetadataRegistry:
    """The tables an organization holds, by logical name and by entity set name."""

    _tables: dict[str, EntityMetadata] = attrs.field(factory=dict, alias="_tables")
    # Entity set name -> table: every Web API request looks its table up so. Rebuilt whole by
    # every ``add`` (tables are few, adds rare), so it always agrees with ``_tables``.
    _by_set: dict[str, EntityMetadata] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    #: A new object whenever the tables change (and one per registry): what was worked out
    #: from the tables may be kept while the revision it was worked out under is current.
    revision: object = attrs.field(factory=object, init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._index_entity_sets()

    def _index_entity_sets(self) -> None:
        by_set: dict[str, EntityMetadata] = {}
        for table in self._tables.values():  # the first table holding a name keeps it
            by_set.setdefault(table.entity_set_name, table)
        self._by_set = by_set
        self.revision = object()

    def add(self, table: EntityMetadata) -> None:
        """Add (or replace) a table."""
        self._tables[table.logical_name] = table
        self._index_entity_sets()

    def get(self, logical_name: str) -> EntityMetadata | None:
        """Return the table with this logical name, or None."""
        return self._tables.get(logical_name)

    def by_entity_set(self, entity_set_name: str) -> EntityMetadata | None:
        """Return the table whose entity set has this (case-sensitive) name, or None."""
        return self._by_set.get(entity_set_name)

    def __iter__(self) -> Iterator[EntityMetadata]:
        return iter(self._tables.values())

    def __contains__(self, logical_name: object) -> bool:
        return logical_name in self._tables


_TABLE_KEYS = (
    ("logical_name", "entity_set_name", "primary_id_attribute", "primary_name_attribute",
     "attributes"),
    ("schema_name", "display_name", "display_collection_name", "table_type", "ownership_type",
     "object_type_code", "keys", "messages", "state_attribute", "status_attribute",
     "change_tracking_enabled", "partition_attribute", "ttl_attribute"),
)
_ATTRIBUTE_KEYS = (
    ("logical_name", "type"),
    ("schema_name", "display_name", "description", "required_level", "valid_for_create",
     "valid_for_update", "valid_for_read", "max_length", "min_value", "max_value", "options",
     "default_value", "targets", "relationship_name", "attribute_of", "format",
     "date_time_behavior"),
)
_KEY_KEYS = (("schema_name", "key_attributes"), ("logical_name", "display_name"))
_OPTION_KEYS = (("value", "label"), ("state",))


def _check_keys(raw: Mapping[str, Any], known: tuple[tuple[str, ...], tuple[str, ...]],
                where: str) -> None:
    """Reject a description that lacks a required key or holds an unknown one.

    Keys starting with ``_`` (such as ``_source``) are comments and always allowed.

    Raises:
        ValueError: naming the missing and unknown keys, and the keys the shape takes.
    """
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a dictionary, not {type(raw).__name__}")
    required, optional = known
    missing = [key for key in required if key not in raw]
    unknown = sorted(k for k in raw if k not in required and k not in optional
                     and not str(k).startswith("_"))
    if missing or unknown:
        problems = [f"missing {', '.join(map(repr, missing))}"] if missing else []
        problems += [f"unknown {', '.join(map(repr, unknown))}"] if unknown else []
        raise ValueError(
            f"{where}: {'; '.join(problems)} (required: {', '.join(required)}; "
            f"optional: {', '.join(optional)})"
        )


def _option(raw: Mapping[str, Any]) -> OptionMetadata:
    _check_keys(raw, _OPTION_KEYS, "option")
    return OptionMetadata(value=int(raw["value"]), label=str(raw["label"]), state=raw.get("state"))


def _attribute_type(raw: Mapping[str, Any]) -> AttributeTypeCode:
    """Return an attribute's type code.

    Raises:
        ValueError: the type is not an ``AttributeTypeCode`` name, listing the names.
    """
    try:
        return AttributeTypeCode(raw["type"])
    except ValueError:
        names = ", ".join(code.value for code in AttributeTypeCode)
        raise ValueError(
            f"attribute {raw['logical_name']!r}: type {raw['type']!r} is not one of {names}"
        ) from None


def _attribute(raw: Mapping[str, Any]) -> AttributeMetadata:
    _check_keys(raw, _ATTRIBUTE_KEYS, f"attribute {raw.get('logical_name', '?')!r}"
                if isinstance(raw, Mapping) else "attribute")
    return AttributeMetadata(
        logical_name=raw["logical_name"],
        attribute_type=_attribute_type(raw),
        schema_name=raw.get("schema_name", raw["logical_name"]),
        display_name=raw.get("display_name", ""),
        description=raw.get("description", ""),
        required_level=AttributeRequiredLevel(raw.get("required_level", "None")),
        is_valid_for_create=raw.get("valid_for_create", True),
        is_valid_for_update=raw.get("valid_for_update", True),
        is_valid_for_read=raw.get("valid_for_read", True),
        max_length=raw.get("max_length"),
        min_value=raw.get("min_value"),
        max_value=raw.get("max_value"),
        options=tuple(_option(o) for o in raw.get("options", ())),
        default_value=raw.get("default_value"),
        targets=tuple(raw.get("targets", ())),
        relationship_name=raw.get("relationship_name"),
        attribute_of=raw.get("attribute_of"),
        format=raw.get("format"),
        date_time_behavior=raw.get("date_time_behavior"),
    )


def entity_metadata_from_dict(raw: Mapping[str, Any]) -> EntityMetadata:
    """Build a table's metadata from its dictionary description (the ``_tables/*.json`` shape).

    Raises:
        ValueError: a required key is missing, a key is unknown, or a type is not a type code.
    """
    where = f"table {raw.get('logical_name', '?')!r}" if isinstance(raw, Mapping) else "table"
    _check_keys(raw, _TABLE_KEYS, where)
    for k in raw.get("keys", ()):
        _check_keys(k, _KEY_KEYS, f"{where} key")
    keys = tuple(
        EntityKeyMetadata(
            schema_name=k["schema_name"],
            logical_name=k.get("logical_name", k["schema_name"].lower()),
            key_attributes=tuple(k["key_attributes"]),
            display_name=k.get("display_name", ""),
        )
        for k in raw.get("keys", ())
    )
    return EntityMetadata(
        logical_name=raw["logical_name"],
        entity_set_name=raw["entity_set_name"],
        primary_id_attribute=raw["primary_id_attribute"],
        primary_name_attribute=raw["primary_name_attribute"],
        attributes=tuple(_attribute(a) for a in raw["attributes"]),
        schema_name=raw.get("schema_name", raw["logical_name"]),
        display_name=raw.get("display_name", ""),
        display_collection_name=raw.get("display_collection_name", ""),
        table_type=raw.get("table_type", "Standard"),
        ownership_type=raw.get("ownership_type", "OrganizationOwned"),
        object_type_code=raw.get("object_type_code", 10000),
        keys=keys,
        messages=frozenset(raw.get("messages", ())),
        state_attribute=raw.get("state_attribute"),
        status_attribute=raw.get("status_attribute"),
        change_tracking_enabled=raw.get("change_tracking_enabled", False),
        partition_attribute=raw.get("partition_attribute"),
        ttl_attribute=raw.get("ttl_attribute"),
    )


def _check_table_keys(table: EntityMetadata) -> None:
    """Reject a key naming a column the table lacks, or a custom key on an elastic table.

    Raises:
        ValueError: naming the key and the problem.
    """
    for key in table.keys:
        missing = [name for name in key.key_attributes if table.attribute(name) is None]
        if missing or not key.key_attributes:
            raise ValueError(
                f"table {table.logical_name!r} key {key.schema_name!r}: key_attributes must name "
                f"columns of the table (unknown: {', '.join(map(repr, missing)) or 'none given'})"
            )
    if table.is_elastic and table.alternate_keys:
        raise ValueError(
            f"table {table.logical_name!r} key {table.alternate_keys[0].schema_name!r}: an "
            "elastic table has no alternate keys besides its primary key and partitionid"
        )


def _with_elastic_key(table: EntityMetadata) -> tuple[EntityKeyMetadata, ...]:
    """Return the table's keys with the one key every elastic table gets: its primary key and
    partition column (added when the description leaves it out)."""
    pair = frozenset((table.primary_id_attribute, table.partition_attribute))
    if any(frozenset(key.key_attributes) == pair for key in table.keys):
        return table.keys
    assert table.partition_attribute is not None
    return (
        *table.keys,
        EntityKeyMetadata(
            schema_name="KeyForNoSqlEntityWithPKPartitionId",
            logical_name="keyfornosqlentitywithpkpartitionid",
            key_attributes=(table.primary_id_attribute, table.partition_attribute),
            display_name="Entity key for NoSql Entity that contains PrimaryKey and PartitionId "
            "attributes",
        ),
    )


def tables_in(folder: Traversable) -> tuple[EntityMetadata, ...]:
    """Return the tables the ``*.json`` files of a folder describe, in file-name order.

    Raises:
        ValueError: a description is not a table (see :func:`entity_metadata_from_dict`).
    """
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return tuple(entity_metadata_from_dict(json.loads(f.read_text("utf-8"))) for f in files)


@functools.cache
def _shipped() -> tuple[EntityMetadata, ...]:
    # Every description in ``_tables/`` ships: adding a table is adding its file.
    return tables_in(resources.files("fake_dataverse").joinpath("_tables"))


def default_metadata() -> MetadataRegistry:
    """Return a new registry holding the shipped tables (parsed once: metadata is immutable)."""
    registry = MetadataRegistry()
    for table in _shipped():
        registry.add(table)
    return registry
