"""``$select``: the columns a Web API read returns, named by their Web API properties.

One parser serves every read (collections, single rows, related rows, change tracking): a
comma list of properties (``name``, ``_createdby_value``); ``*`` (or nothing) selects every
column; a name is bound to its column once, here.
"""

from __future__ import annotations

from fake_dataverse._model._metadata import AttributeMetadata, EntityMetadata
from fake_dataverse._query._model import Query
from fake_dataverse._query.odata._binding import property_or_error
from fake_dataverse._query.odata._lexer import odata_error

__all__ = ["Selection", "parse_select", "selection_of"]

#: The columns a ``$select`` names, in order without repeats (None: every column).
Selection = tuple[AttributeMetadata, ...] | None

_PATH_IN_SELECT = (
    "Found a path with multiple navigation properties or a bad complex property path in a "
    "select clause. Please reword your query such that each level of select or expand only "
    "contains either TypeSegments or Properties."
)


def parse_select(table: EntityMetadata, text: str | None) -> Selection:
    """Return the columns a ``$select`` names (None: every column).

    Raises:
        ODataError: 0x0 ``Could not find a property named 'X' on type …`` for an unknown name,
            or the path fault for ``createdby/fullname``.
    """
    if text is None:
        return None
    names = [item.strip() for item in text.split(",")]
    if names == [""] or "*" in names:
        return None
    columns: list[AttributeMetadata] = []
    for name in names:
        if "/" in name:
            raise odata_error(_PATH_IN_SELECT)
        attr = property_or_error(table, name)
        if attr not in columns:
            columns.append(attr)
    return tuple(columns)


def selection_of(table: EntityMetadata, query: Query) -> Selection:
    """Return the columns a bound query returns (None: every column), for shaping its rows."""
    if query.columns is None:
        return None
    found = (table.attribute(name) for name in query.columns)
    return tuple(attr for attr in found if attr is not None)
