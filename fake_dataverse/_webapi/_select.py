"""Shaping rows for ``$select`` (parsed in ``_query/odata``) and ``$expand``, entity URLs, and
the ``@odata.context`` of results."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import id_text
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._values import ColumnSet, Entity
from fake_dataverse._query.odata._select import Selection
from fake_dataverse._webapi._url import split_top_level

__all__ = [
    "Expansion",
    "always_returned",
    "column_set",
    "context_url",
    "entity_path",
    "options_shape",
    "parse_expand",
]


def no_property(table: EntityMetadata, name: str) -> errors.DataverseError:
    """Return the OData fault for a property the table does not have."""
    return errors.ODataError(
        f"Could not find a property named '{name}' on type "
        f"'Microsoft.Dynamics.CRM.{table.logical_name}'."
    )


def always_returned(table: EntityMetadata) -> list[str]:
    """Return the columns every entity body carries: the key, version and partition."""
    names = [table.primary_id_attribute]
    for name in ("versionnumber", table.partition_attribute):
        if name and table.attribute(name) is not None:
            names.append(name)
    return names


def column_set(table: EntityMetadata, selected: Selection) -> ColumnSet:
    """Return the ColumnSet to read for a ``$select`` (plus the always-returned columns)."""
    if selected is None:
        return ColumnSet(all_columns=True)
    names = [a.logical_name for a in selected] + always_returned(table)
    return ColumnSet(*dict.fromkeys(names))


def fill_nulls(
    table: EntityMetadata, entity: Entity, selected: Selection
) -> None:
    """Give every selected column a value (OData returns nulls; the SDK leaves them out)."""
    names = (
        list(table.stored_names)
        if selected is None
        else [a.logical_name for a in selected]
    )
    for name in names:
        entity.attributes.setdefault(name, None)


@attrs.frozen
class Expansion:
    """One ``$expand`` item: a single-valued navigation property and its ``$select``."""

    attribute: AttributeMetadata
    select: str | None

    @property
    def selection(self) -> str | None:
        """Return ``createdby(fullname)`` for an expansion with ``$select`` (else None)."""
        return f"{self.attribute.logical_name}({self.select})" if self.select else None


def parse_expand(table: EntityMetadata, text: str | None) -> list[Expansion]:
    """Parse ``$expand=createdby($select=fullname),modifiedby``.

    Raises:
        ODataError: 0x0 for an unknown navigation property or an option other than ``$select``.
    """
    if not text:
        return []
    expansions: list[Expansion] = []
    for item in split_top_level(text, ","):
        name, _, options = item.strip().partition("(")
        attr = table.attribute(name.strip())
        if attr is None or attr.attribute_type is not AttributeTypeCode.LOOKUP:
            raise no_property(table, name.strip())
        select = None
        for option in split_top_level(options[:-1], ";") if options else []:
            option_name, _, value = option.partition("=")
            if option_name.strip() != "$select":
                raise errors.ODataError(
                    f"The query parameter {option_name.strip()} is not supported"
                )
            select = value.strip()
        expansions.append(Expansion(attr, select))
    return expansions


#: What RFC 3986 allows unencoded in a path segment besides letters and digits.
_PATH_SAFE = "-._~!$&'()*+,;=:@"


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def entity_path(table: EntityMetadata, row_id: uuid.UUID, partition: str | None) -> str:
    """Return ``backgroundoperations(<id>)``, or the alternate-key form for a partitioned row.

    The partition is percent-encoded (``a#b`` → ``'a%23b'``), so the URL reaches the row when a
    client follows it; quotes, parentheses and the other characters legal in a path stay.
    """
    if partition is None or table.partition_attribute is None:
        return f"{table.entity_set_name}({id_text(row_id)})"
    literal = quote(_literal(partition), safe=_PATH_SAFE)
    return (
        f"{table.entity_set_name}({table.primary_id_attribute}={id_text(row_id)},"
        f"{table.partition_attribute}={literal})"
    )


def options_shape(options: Mapping[str, str]) -> str:
    """Return the ``(A,B,Nav,Nav(C))`` part of ``@odata.context`` for raw ``$select``/``$expand``.

    Used where the options are not bound to a table's columns (metadata, system tables).
    """
    selected = [n.strip() for n in (options.get("$select") or "").split(",") if n.strip()]
    names: list[str] = []
    nested: list[str] = []
    for item in split_top_level(options.get("$expand") or "", ","):
        name, _, rest = item.strip().partition("(")
        if not name.strip():
            continue
        names.append(name.strip())
        for option in split_top_level(rest[:-1], ";") if rest else []:
            key, _, value = option.partition("=")
            if key.strip() == "$select" and value.strip():
                nested.append(f"{name.strip()}({value.strip()})")
    parts = selected + names + nested
    return f"({','.join(parts)})" if parts else ""


def context_url(
    metadata_url: str,
    table: EntityMetadata,
    selected: Selection,
    expansions: Sequence[Expansion] = (),
    *,
    suffix: str = "",
) -> str:
    """Return ``…/$metadata#backgroundoperations(a,b)/$entity`` and its variants.

    Expanded properties follow the selected ones, then their own selections, as Dataverse
    writes them: ``(name,createdby,modifiedby,createdby(fullname),modifiedby(fullname))``.
    """
    parts = [a.odata_name for a in selected] if selected is not None else []
    parts += [e.attribute.logical_name for e in expansions]
    parts += [e.selection for e in expansions if e.selection is not None]
    shape = f"({','.join(parts)})" if parts else ""
    return f"{metadata_url}#{table.entity_set_name}{shape}{suffix}"
