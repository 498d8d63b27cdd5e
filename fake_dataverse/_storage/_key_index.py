"""A table's alternate keys: each key's values map to the one row holding them.

Dataverse backs every alternate key with a unique index, so a write that would give two rows the
same key values fails, and a lookup by key costs one probe whatever the table's size. Text is
compared without regard to case, as Dataverse's collation (and the query engine) compares it. A
row with a null key column is not in that key's index: it can be neither found by the key nor
clash with another row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import attrs

from fake_dataverse._model._address import compared_values
from fake_dataverse._model._metadata import EntityKeyMetadata

__all__ = ["KeyIndex"]

RowKey = tuple[uuid.UUID, str]
KeyValues = tuple[Any, ...]


def _row_values(key: EntityKeyMetadata, row: Mapping[str, Any]) -> KeyValues | None:
    return compared_values(tuple(row.get(name) for name in key.key_attributes))


@attrs.define
class KeyIndex:
    """The unique indexes of one table's alternate keys, kept by the store on every write."""

    keys: tuple[EntityKeyMetadata, ...] = ()
    entries: dict[str, dict[KeyValues, RowKey]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for key in self.keys:
            self.entries.setdefault(key.logical_name, {})

    def find(self, key: EntityKeyMetadata, values: tuple[Any, ...]) -> RowKey | None:
        """Return the key of the row holding these raw key values, or None."""
        folded = compared_values(values)
        if folded is None:
            return None
        return self.entries.get(key.logical_name, {}).get(folded)

    def clash(self, row_key: RowKey, row: Mapping[str, Any]) -> EntityKeyMetadata | None:
        """Return the first key whose values another row already holds, or None."""
        for key in self.keys:
            values = _row_values(key, row)
            if values is None:
                continue
            holder = self.entries[key.logical_name].get(values)
            if holder is not None and holder != row_key:
                return key
        return None

    def replace(
        self, row_key: RowKey, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
    ) -> None:
        """Move a row's entries from its old values to its new ones (None: absent)."""
        for key in self.keys:
            entries = self.entries[key.logical_name]
            before = _row_values(key, old) if old is not None else None
            after = _row_values(key, new) if new is not None else None
            if before == after:
                continue
            if before is not None and entries.get(before) == row_key:
                del entries[before]
            if after is not None:
                entries[after] = row_key
