"""Valid values of one column: a strategy per column type (registered), and its two forms.

Strategies draw *raw* values (what the store keeps: ``int`` for choices, ``uuid.UUID``,
aware UTC ``datetime``…) and then encode them for a surface: Web API JSON
(``"2026-01-01T09:00:00Z"``, GUID strings, plain numbers for choices) or SDK values
(``OptionSetValue``, ``EntityReference``, ``uuid.UUID``, aware ``datetime``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse._model._literals import INT32, INT64, MAX_DATETIME, MIN_DATETIME
from fake_dataverse._model._metadata import (
    AttributeMetadata,
    AttributeTypeCode,
    EntityMetadata,
    default_metadata,
)
from fake_dataverse._model._validation import raw_to_sdk, utf16_length
from fake_dataverse.strategies._tables import Surface, TableArg, resolve_table

__all__ = [
    "column_of",
    "encode",
    "format_datetime",
    "payload_key",
    "raw_values",
    "to_json",
    "values",
]

_SHORT_TEXT = 40
# Characters Dataverse can carry through both the Web API (JSON) and the SDK (XML): no lone
# surrogates, no unassigned code points, no control characters but tab, line feed and return.
_TEXT_CHARACTERS = st.characters(exclude_categories=("Cs", "Cn", "Cc"), include_characters="\t\n\r")
PARTITION_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

RawStrategy = Callable[[AttributeMetadata, EntityMetadata], st.SearchStrategy[Any]]
_RAW: dict[AttributeTypeCode, RawStrategy] = {}


def _raw_for(*types: AttributeTypeCode) -> Callable[[RawStrategy], RawStrategy]:
    def decorate(build: RawStrategy) -> RawStrategy:
        for type_code in types:
            _RAW[type_code] = build
        return build

    return decorate


def fit_utf16(text: str, max_length: int) -> str:
    """Return ``text`` cut to at most ``max_length`` UTF-16 code units."""
    while utf16_length(text) > max_length:
        text = text[:-1]
    return text


@_raw_for(AttributeTypeCode.STRING, AttributeTypeCode.MEMO)
def _text(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[str]:
    limit = attr.max_length if attr.max_length is not None else 4000
    if attr.logical_name == table.partition_attribute:
        return st.text(PARTITION_ALPHABET, min_size=1, max_size=min(limit, _SHORT_TEXT))
    drawn = st.text(_TEXT_CHARACTERS, max_size=min(limit, _SHORT_TEXT))
    fitted = drawn.map(lambda text: fit_utf16(text, limit))
    if limit > 4096:
        return fitted
    return st.one_of(fitted, fitted, fitted, st.just("x" * limit))


def _int_bounds(attr: AttributeMetadata, default: tuple[int, int]) -> tuple[int, int]:
    low = attr.min_value if attr.min_value is not None else default[0]
    high = attr.max_value if attr.max_value is not None else default[1]
    return low, high


@_raw_for(AttributeTypeCode.INTEGER)
def _integer(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[int]:
    low, high = _int_bounds(attr, INT32)
    return st.integers(low, high)


@_raw_for(AttributeTypeCode.BIGINT)
def _bigint(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[int]:
    low, high = _int_bounds(attr, INT64)
    return st.integers(low, high)


@_raw_for(AttributeTypeCode.BOOLEAN)
def _boolean(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[bool]:
    return st.booleans()


@_raw_for(AttributeTypeCode.UNIQUEIDENTIFIER, AttributeTypeCode.LOOKUP)
def _guid(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[uuid.UUID]:
    return st.uuids()


@_raw_for(AttributeTypeCode.PICKLIST)
def _choice(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[int]:
    return st.sampled_from([option.value for option in attr.options])


@_raw_for(AttributeTypeCode.DATETIME)
def _moment(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[dt.datetime]:
    naive = st.datetimes(
        min_value=MIN_DATETIME.replace(tzinfo=None), max_value=MAX_DATETIME.replace(tzinfo=None)
    )
    if attr.format == "DateOnly":
        return naive.map(
            lambda moment: dt.datetime.combine(moment.date(), dt.time(), dt.timezone.utc)
        )
    return naive.map(lambda moment: moment.replace(microsecond=0, fold=0, tzinfo=dt.timezone.utc))


def raw_values(attr: AttributeMetadata, table: EntityMetadata) -> st.SearchStrategy[Any]:
    """Return a strategy of valid raw (stored-form) values for a column."""
    return _RAW[attr.attribute_type](attr, table)


def to_json(attr: AttributeMetadata, raw: Any) -> Any:
    """Return the Web API JSON form of a raw value (None stays None)."""
    if raw is None:
        return None
    if isinstance(raw, uuid.UUID):
        return str(raw)
    if isinstance(raw, dt.datetime):
        return format_datetime(raw)
    return raw


def format_datetime(moment: dt.datetime) -> str:
    """Return an aware datetime as the Web API writes it (``2026-01-01T09:00:00Z``)."""
    utc = moment.astimezone(dt.timezone.utc)
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


def _is_lookup(attr: AttributeMetadata) -> bool:
    return attr.attribute_type is AttributeTypeCode.LOOKUP


def payload_key(attr: AttributeMetadata, surface: Surface) -> str:
    """Return the name a column has in a write payload.

    The SDK uses the logical name; the Web API the property name, except for a lookup, which
    is written through its navigation property: ``<logical name>@odata.bind``.
    """
    if surface == "sdk":
        return attr.logical_name
    return f"{attr.logical_name}@odata.bind" if _is_lookup(attr) else attr.odata_name


def bind_path(attr: AttributeMetadata, raw: uuid.UUID) -> str:
    """Return the ``@odata.bind`` value of a lookup: ``/systemusers(<id>)``."""
    target = attr.targets[0]
    shipped = default_metadata().get(target)
    entity_set = shipped.entity_set_name if shipped is not None else f"{target}s"
    return f"/{entity_set}({raw})"


def encode(attr: AttributeMetadata, raw: Any, surface: Surface) -> Any:
    """Return a raw value in a surface's form: Web API JSON or SDK value.

    A lookup's Web API form is its ``@odata.bind`` path (see :func:`payload_key`).
    """
    if surface == "sdk":
        return raw_to_sdk(attr, raw)
    if raw is not None and _is_lookup(attr):
        return bind_path(attr, raw)
    return to_json(attr, raw)


def column_of(table: EntityMetadata, name: str | AttributeMetadata) -> AttributeMetadata:
    """Return a column's metadata from its logical name (or the metadata given).

    Raises:
        InvalidArgument: for a name the table does not have.
    """
    if isinstance(name, AttributeMetadata):
        return name
    attr = table.attribute(name)
    if attr is None:
        raise InvalidArgument(f"{table.logical_name} has no column {name!r}")
    return attr


def values(
    column: str | AttributeMetadata,
    *,
    table: TableArg = "backgroundoperation",
    surface: Surface = "sdk",
) -> st.SearchStrategy[Any]:
    """Return a strategy of values the column accepts, in SDK form or Web API JSON form.

    ``values("priority")`` draws 0..10; ``values("backgroundoperationstatecode")`` draws
    ``OptionSetValue(0|2|3)`` (``surface="webapi"``: ``0|2|3``). A lookup draws
    ``EntityReference`` objects, or on the Web API the ``/<entity set>(<id>)`` paths its
    ``<column>@odata.bind`` property takes.

    Raises:
        InvalidArgument: for an unknown table, column or surface.
    """
    if surface not in ("sdk", "webapi"):
        raise InvalidArgument(f"surface={surface!r} must be 'sdk' or 'webapi'")
    metadata = resolve_table(table)
    attr = column_of(metadata, column)
    return raw_values(attr, metadata).map(lambda raw: encode(attr, raw, surface))
