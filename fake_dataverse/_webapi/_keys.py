"""Key segments: ``(<guid>)`` or ``(name=<literal>,…)`` translated into SDK key attributes.

The Web API only translates syntax here: each key property (matched without regard to case, a
lookup by its ``_<name>_value`` property) becomes the column's logical name and each literal the
SDK value of the column's type. Which names form a key, and everything after, is the address
model's (:mod:`fake_dataverse._model._address`), shared with the SDK surface.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import defined_key
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import raw_to_sdk
from fake_dataverse._webapi._url import KeyLiteral, parse_key

__all__ = ["key_attributes"]

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: Column type -> the literal type its key part takes (the column's rule makes it an SDK value).
_LITERALS: dict[AttributeTypeCode, type] = {
    AttributeTypeCode.UNIQUEIDENTIFIER: uuid.UUID,
    AttributeTypeCode.LOOKUP: uuid.UUID,
    AttributeTypeCode.STRING: str,
    AttributeTypeCode.MEMO: str,
    AttributeTypeCode.INTEGER: int,
    AttributeTypeCode.BIGINT: int,
    AttributeTypeCode.PICKLIST: int,
    AttributeTypeCode.DATETIME: dt.datetime,
}


def _syntax_error() -> errors.DataverseError:
    return errors.ODataError("Bad Request - Error in query syntax.")


def _invalid_key(table: EntityMetadata) -> errors.DataverseError:
    resource = f"'Microsoft.Dynamics.CRM.{table.logical_name}'"
    return errors.ODataError(
        f"The key in the request URI is not valid for resource {resource}. Ensure that the names "
        f"and number of key properties match the declared or alternate key properties for the "
        f"resource {resource}."
    )


def _sdk_value(attr: AttributeMetadata, literal: KeyLiteral) -> Any:
    """Return the SDK value a key literal stands for in a column, or raise a syntax error.

    A Uniqueidentifier key part also takes its GUID quoted (``id='<guid>'``): Microsoft's Python
    SDK quotes every text value it puts in a key segment.
    """
    kind = attr.attribute_type
    quoted_guid = isinstance(literal, str) and _GUID.fullmatch(literal) is not None
    if kind is AttributeTypeCode.UNIQUEIDENTIFIER and quoted_guid:
        literal = uuid.UUID(str(literal))
    wanted = _LITERALS.get(kind)
    if wanted is None or not isinstance(literal, wanted):
        raise _syntax_error()
    return raw_to_sdk(attr, literal)


def _property_names(table: EntityMetadata) -> dict[str, AttributeMetadata]:
    names = {a.logical_name: a for a in table.attributes}
    names.update({a.odata_name: a for a in table.attributes})
    return names


def key_attributes(table: EntityMetadata, text: str) -> dict[str, Any]:
    """Return ``{logical name: SDK value}`` for a row's key segment text.

    Raises:
        ODataError: 0x0 "Error in query syntax" for a malformed key or a literal of the wrong
            type; 0x0 naming the resource for names that form no key of the table.
    """
    key = parse_key(text)
    if key is None:
        raise _syntax_error()
    if "" in key:
        if not isinstance(key[""], uuid.UUID):
            raise _syntax_error()
        return {table.primary_id_attribute: key[""]}
    columns = _property_names(table)
    named = {name: columns.get(name) for name in key}
    if any(attr is None for attr in named.values()):
        raise _invalid_key(table)
    given = {attr.logical_name: key[name] for name, attr in named.items() if attr is not None}
    if defined_key(table, given) is None:
        raise _invalid_key(table)
    return {
        name: _sdk_value(attr, given[name])
        for name, attr in ((n, columns[n]) for n in given)
    }
