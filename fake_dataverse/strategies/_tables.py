"""Which table and which columns a strategy works on, read from metadata only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

from hypothesis.errors import InvalidArgument

from fake_dataverse._model._metadata import (
    AttributeMetadata,
    AttributeRequiredLevel,
    EntityMetadata,
    default_metadata,
    entity_metadata_from_dict,
)

__all__ = [
    "Operation",
    "Surface",
    "TableArg",
    "check_flag",
    "check_operation",
    "check_rule_names",
    "resolve_table",
    "writable_columns",
]

Operation = Literal["create", "update", "upsert"]
Surface = Literal["webapi", "sdk"]

#: A table as strategies take it: a shipped table's logical name, its metadata, or a table
#: description in the ``_tables/*.json`` shape (as ``FakeDataverse(tables=[...])`` takes).
TableArg: TypeAlias = "str | EntityMetadata | Mapping[str, Any]"

_OPERATIONS: tuple[str, ...] = ("create", "update", "upsert")


def resolve_table(table: TableArg) -> EntityMetadata:
    """Return the metadata of a shipped table by logical name, of a description, or as given.

    Raises:
        InvalidArgument: for a name that is not a shipped table, or a description that
            ``entity_metadata_from_dict`` refuses (its message says what is wrong).
    """
    if isinstance(table, EntityMetadata):
        return table
    if isinstance(table, Mapping):
        try:
            return entity_metadata_from_dict(table)
        except ValueError as error:
            raise InvalidArgument(f"table: {error}") from None
    found = default_metadata().get(table) if isinstance(table, str) else None
    if found is None:
        shipped = ", ".join(sorted(t.logical_name for t in default_metadata()))
        raise InvalidArgument(
            f"table={table!r} is not a shipped table ({shipped}); pass a table description "
            "(the dictionary FakeDataverse(tables=[...]) takes) or an EntityMetadata for a "
            "table of your own"
        )
    return found


def check_operation(for_: str) -> Operation:
    """Return ``for_`` when it names a write operation.

    Raises:
        InvalidArgument: for anything but ``create``, ``update`` or ``upsert``.
    """
    if for_ not in _OPERATIONS:
        raise InvalidArgument(f"for_={for_!r} must be one of {', '.join(_OPERATIONS)}")
    return for_  # type: ignore[return-value]


def check_flag(name: str, value: Any) -> bool:
    """Return ``value`` when it is a bool.

    Raises:
        InvalidArgument: for anything else (``"yes"``, ``1``, None).
    """
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def check_rule_names(rules: Iterable[str] | None) -> list[str] | None:
    """Return the rule names as a list (None stays None: every rule).

    Raises:
        InvalidArgument: for a single string or a name that is not a string.
    """
    if rules is None:
        return None
    if isinstance(rules, str) or not isinstance(rules, Iterable):
        raise InvalidArgument(f"rules={rules!r} must be a list of rule names, e.g. [{rules!r}]")
    names = list(rules)
    if not all(isinstance(name, str) for name in names):
        raise InvalidArgument(f"rules={names!r} must hold rule names (strings)")
    return names


def valid_for(attr: AttributeMetadata, operation: Operation) -> bool:
    """Return True when a write of this kind stores the column (an upsert replaces: create)."""
    return attr.is_valid_for_update if operation == "update" else attr.is_valid_for_create


def writable_columns(table: EntityMetadata, operation: Operation) -> tuple[AttributeMetadata, ...]:
    """Return the columns a generated payload may set for an operation (on either surface).

    Leaves out the primary key (a generated id could repeat across examples), virtual name
    columns and the partition column on updates (it only addresses the row). Lookups are in:
    the Web API sets them through ``<column>@odata.bind``.
    """
    return tuple(
        attr
        for attr in table.stored_attributes()
        if valid_for(attr, operation)
        and attr.logical_name != table.primary_id_attribute
        and not (operation != "create" and attr.logical_name == table.partition_attribute)
    )


def is_required(attr: AttributeMetadata) -> bool:
    """Return True when a create must carry the column under ``strict_writes``."""
    return (
        attr.required_level
        in (AttributeRequiredLevel.APPLICATION_REQUIRED, AttributeRequiredLevel.SYSTEM_REQUIRED)
        and attr.default_value is None
    )


def names(columns: Iterable[AttributeMetadata]) -> frozenset[str]:
    """Return the logical names of some columns."""
    return frozenset(attr.logical_name for attr in columns)
