"""OData JSON: rows to entity objects (with annotations) and request bodies to SDK Entities.

Values are written by a formatter registered per column type; the ``FormattedValue`` annotation
by another table of formatters. Request bodies are parsed column by column with
:func:`fake_dataverse._model._validation.json_to_sdk`, so the Web API and the SDK check values
alike.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import json.scanner
import re
import uuid
from collections.abc import Callable
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import json_to_sdk
from fake_dataverse._model._values import Entity, EntityReference, OptionSetValue
from fake_dataverse._query.odata._binding import find_property
from fake_dataverse._webapi._prefer import Preferences

__all__ = [
    "FORMATTED_VALUE",
    "entity_from_json",
    "entity_json",
    "json_value",
    "load_json",
]

FORMATTED_VALUE = "OData.Community.Display.V1.FormattedValue"
LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
ASSOCIATED_NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
TYPE_PREFIX = "Microsoft.Dynamics.CRM."
_ANNOTATION_TERM = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_SURROGATE = re.compile("[\ud800-\udfff]")

_ValueWriter = Callable[[Any], Any]
_WRITERS: dict[AttributeTypeCode, _ValueWriter] = {}
_FormattedWriter = Callable[[AttributeMetadata, Any], "str | None"]
_FORMATTERS: dict[AttributeTypeCode, _FormattedWriter] = {}


def writes(*types: AttributeTypeCode) -> Callable[[_ValueWriter], _ValueWriter]:
    """Register the JSON writer of SDK values for column types."""

    def decorate(writer: _ValueWriter) -> _ValueWriter:
        for type_code in types:
            _WRITERS[type_code] = writer
        return writer

    return decorate


def formats(*types: AttributeTypeCode) -> Callable[[_FormattedWriter], _FormattedWriter]:
    """Register the ``FormattedValue`` writer for column types."""

    def decorate(writer: _FormattedWriter) -> _FormattedWriter:
        for type_code in types:
            _FORMATTERS[type_code] = writer
        return writer

    return decorate


@writes(AttributeTypeCode.STRING, AttributeTypeCode.MEMO, AttributeTypeCode.BOOLEAN)
@writes(AttributeTypeCode.INTEGER, AttributeTypeCode.BIGINT)
def _plain(value: Any) -> Any:
    return value


@writes(AttributeTypeCode.UNIQUEIDENTIFIER)
def _guid(value: Any) -> Any:
    return str(value)


@writes(AttributeTypeCode.DATETIME)
def _datetime(value: Any) -> Any:
    moment: dt.datetime = value
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@writes(AttributeTypeCode.PICKLIST)
def _choice(value: Any) -> Any:
    return value.value if isinstance(value, OptionSetValue) else value


@writes(AttributeTypeCode.LOOKUP)
def _lookup(value: Any) -> Any:
    return str(value.id) if isinstance(value, EntityReference) else str(value)


@formats(AttributeTypeCode.STRING, AttributeTypeCode.MEMO, AttributeTypeCode.UNIQUEIDENTIFIER)
def _no_label(attr: AttributeMetadata, value: Any) -> str | None:
    return None  # text and ids are shown as they are: Dataverse writes no FormattedValue


@formats(AttributeTypeCode.PICKLIST)
def _choice_label(attr: AttributeMetadata, value: Any) -> str | None:
    option = attr.option(value.value if isinstance(value, OptionSetValue) else value)
    return option.label if option is not None else None


@formats(AttributeTypeCode.DATETIME)
def _date_label(attr: AttributeMetadata, value: Any) -> str | None:
    moment: dt.datetime = value.astimezone(dt.timezone.utc)
    date = f"{moment.month}/{moment.day}/{moment.year}"
    if attr.format == "DateOnly":
        return date
    hour = moment.hour % 12 or 12
    return f"{date} {hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


@formats(AttributeTypeCode.INTEGER, AttributeTypeCode.BIGINT)
def _number_label(attr: AttributeMetadata, value: Any) -> str | None:
    return f"{value:,}"


@formats(AttributeTypeCode.BOOLEAN)
def _boolean_label(attr: AttributeMetadata, value: Any) -> str | None:
    return "Yes" if value else "No"


@formats(AttributeTypeCode.LOOKUP)
def _lookup_label(attr: AttributeMetadata, value: Any) -> str | None:
    return value.name if isinstance(value, EntityReference) else None


def json_value(attr: AttributeMetadata, value: Any) -> Any:
    """Return the JSON form of one SDK value (null stays null)."""
    return None if value is None else _WRITERS[attr.attribute_type](value)


def _annotations(attr: AttributeMetadata, value: Any, prefer: Preferences) -> dict[str, Any]:
    if value is None or not prefer.include_annotations:
        return {}
    found: dict[str, Any] = {}
    name = attr.odata_name
    label = _FORMATTERS[attr.attribute_type](attr, value)
    if label is not None and prefer.wants(FORMATTED_VALUE):
        found[f"{name}@{FORMATTED_VALUE}"] = label
    if attr.attribute_type is AttributeTypeCode.LOOKUP:
        if prefer.wants(ASSOCIATED_NAVIGATION):
            found[f"{name}@{ASSOCIATED_NAVIGATION}"] = attr.logical_name
        if prefer.wants(LOOKUP_LOGICAL_NAME):
            found[f"{name}@{LOOKUP_LOGICAL_NAME}"] = attr.targets[0]
    return found


def entity_json(
    table: EntityMetadata,
    entity: Entity,
    *,
    etag: str | None,
    prefer: Preferences,
    context: str | None = None,
) -> dict[str, Any]:
    """Return an entity object: ``@odata.context``, ``@odata.etag``, annotations and values."""
    body: dict[str, Any] = {}
    if context is not None:
        body["@odata.context"] = context
    if etag is not None:
        body["@odata.etag"] = etag
    for name, value in entity.attributes.items():
        attr = table.attribute(name)
        if attr is None or attr.is_virtual:
            continue
        body.update(_annotations(attr, value, prefer))
        body[attr.odata_name] = json_value(attr, value)
    return body


class _DuplicateNameError(Exception):
    """A JSON object names a property twice (turned into the payload fault by the caller)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _json_object(items: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(items)
    if len(found) != len(items):  # a name repeats: report the first repeat, in body order
        seen: set[str] = set()
        for name, _ in items:
            if name in seen:
                raise _DuplicateNameError(name)
            seen.add(name)
    return found


def _json_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


_BOM = codecs.BOM_UTF8
# One decoder for every body: ``json.loads`` with hooks builds a new decoder on each call.
_DECODER = json.JSONDecoder(object_pairs_hook=_json_object, parse_constant=_json_constant)
# What ``_DECODER.decode`` runs (the stubs type its argument as a scanner; a decoder is what
# ``json`` itself passes).
_SCAN = json.scanner.make_scanner(_DECODER)  # type: ignore[arg-type]
_JSON_SPACE = " \t\n\r"  # all JSON counts as white space


def _decoded(text: str) -> Any:
    """Parse a whole JSON text as ``_DECODER.decode`` does, through its scanner directly (two
    Python-level calls and two pattern matches fewer: every request body is parsed).

    Raises:
        ValueError: the text is not one JSON value (with white space around it).
    """
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = _SCAN(text, start)
    except StopIteration:
        raise ValueError("no JSON value") from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("extra data after the JSON value")
    return value


def load_json(body: bytes, entity_set: str) -> Any:
    """Parse a request body as JSON (no duplicate names, no NaN/Infinity).

    Raises:
        ODataClientPayloadError: 0x80048d19 for a body that is not valid JSON.
    """
    try:
        # A leading byte-order mark is allowed; checked here since the "utf-8-sig" codec is a
        # Python-level one, ten times the cost of plain UTF-8.
        text = body[3:].decode() if body.startswith(_BOM) else body.decode()
        value = _decoded(text)
        # Strict UTF-8 decoding refuses encoded surrogates, so only a ``\u`` escape can make
        # one: a body without any skips the walk over every value.
        if "\\u" in text and _has_lone_surrogate(value):
            raise ValueError("lone surrogate")
    except _DuplicateNameError as duplicate:
        raise _payload(
            entity_set, f"Duplicate property named '{duplicate.name}' was found."
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _payload(
            entity_set,
            "Invalid JSON. An unexpected character was found or the JSON content is not complete.",
        ) from None
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """Return True when a parsed JSON value holds text with an unpaired UTF-16 surrogate.

    The parser joins an escaped pair into one character, so any surrogate left is unpaired.
    """
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        for name, item in value.items():
            if _SURROGATE.search(name) is not None or _has_lone_surrogate(item):
                return True
        return False
    if isinstance(value, list):
        for item in value:
            if _has_lone_surrogate(item):
                return True
    return False


def _payload(entity_set: str, inner: str) -> errors.DataverseError:
    return errors.ODataClientPayloadError(
        entity_set=entity_set, inner=f"Microsoft.OData.ODataException: {inner}"
    )


def check_type(table: EntityMetadata, value: Any, entity_set: str) -> None:
    """Check an ``@odata.type`` annotation names the table.

    Raises:
        ODataClientPayloadError: 0x80048d19 for a type the model does not have or another table.
    """
    name = value[1:] if isinstance(value, str) and value.startswith("#") else value
    if name != TYPE_PREFIX + table.logical_name:
        raise _payload(
            entity_set,
            f"A type named '{name}' could not be resolved by the model. When a model is "
            "available, each type name must resolve to a valid type.",
        )


def _navigation(table: EntityMetadata, name: str) -> AttributeMetadata | None:
    attr = table.attribute(name)
    return attr if attr is not None and attr.attribute_type is AttributeTypeCode.LOOKUP else None


def _bind(table: EntityMetadata, name: str, value: Any, entity_set: str) -> tuple[str, Any]:
    attr = _navigation(table, name)
    if attr is None:
        raise _payload(
            entity_set,
            f"An undeclared property '{name}' which only has property annotations in the "
            "payload but no property value was found in the payload. In OData, only declared "
            "navigation properties and declared named streams can be represented as properties "
            "without values.",
        )
    if value is None:
        return attr.logical_name, None
    text = value if isinstance(value, str) else ""
    reference_id = text.rstrip(")").rpartition("(")[2]
    try:
        return attr.logical_name, EntityReference(attr.targets[0], uuid.UUID(reference_id))
    except ValueError:
        raise _payload(entity_set, f"The value '{value}' is not a valid entity URI.") from None


def _body_properties(table: EntityMetadata) -> dict[str, AttributeMetadata]:
    """Return the table's columns by every Web API property name that finds one.

    Only a column's logical name or ``_<name>_value`` can name it, so asking
    :func:`find_property` about each of those gives every property it would find.
    """
    found: dict[str, AttributeMetadata] = {}
    for attr in table.attributes:
        for name in (attr.logical_name, f"_{attr.logical_name}_value"):
            column = find_property(table, name)
            if column is not None:
                found[name] = column
    return found


def _column(
    table: EntityMetadata,
    properties: dict[str, AttributeMetadata],
    name: str,
    value: Any,
    entity_set: str,
) -> tuple[str, Any]:
    attr = properties.get(name)  # the table's _body_properties
    if attr is None:
        if _navigation(table, name) is not None:
            raise _payload(
                entity_set,
                f"Deep insert or update of the navigation property '{name}' is not supported.",
            )
        raise errors.InvalidPropertyInODataRequestBody(name=name, entity=table.logical_name)
    if attr.attribute_type is AttributeTypeCode.LOOKUP:
        if value is None:
            return attr.logical_name, None
        return _bind(table, attr.logical_name, f"({value})", entity_set)
    return attr.logical_name, json_to_sdk(table, attr, value)


def _check_annotated(table: EntityMetadata, name: str, entity_set: str) -> None:
    """Accept an instance annotation (``@odata.etag``) or one on a declared property.

    Raises:
        ODataClientPayloadError: 0x80048d19 for an annotation on an undeclared property.
    """
    target, _, term = name.partition("@")
    if _ANNOTATION_TERM.fullmatch(term) is None:
        raise _payload(entity_set, f"The annotation name '{term}' is not a valid qualified name.")
    if target and find_property(table, target) is None and _navigation(table, target) is None:
        _bind(table, target, None, entity_set)


def entity_from_json(table: EntityMetadata, payload: Any, entity_set: str) -> Entity:
    """Return the SDK Entity a JSON entity object describes (columns by logical name).

    Raises:
        ODataClientPayloadError: 0x80048d19 for a body that is not an object, a wrong value type
            or an unknown type or navigation property.
        InvalidPropertyInODataRequestBody: 0x80090801 for an unknown property.
    """
    if not isinstance(payload, dict):
        node = "StartArray" if isinstance(payload, list) else "PrimitiveValue"
        raise _payload(
            entity_set,
            f"A node of type '{node}' was read from the JSON reader when trying to read the "
            "start of an entry. A 'StartObject' node was expected.",
        )
    values: dict[str, Any] = {}
    # What find_property answers for the table's names, worked out once per table.
    properties = table.derived(_body_properties)
    for name, value in payload.items():
        if "@" not in name:  # a property: most names, so tested first
            column, sdk_value = _column(table, properties, name, value, entity_set)
            values[column] = sdk_value
        elif name == "@odata.type":
            check_type(table, value, entity_set)
        elif name.endswith("@odata.bind"):
            column, sdk_value = _bind(table, name[: -len("@odata.bind")], value, entity_set)
            values[column] = sdk_value
        else:
            _check_annotated(table, name, entity_set)
    return Entity(table.logical_name, attributes=values)


def request_json(content_type: str | None, body: bytes, entity_set: str) -> Any:
    """Return a request's JSON body, checking its ``Content-Type`` is ``application/json``.

    Raises:
        ODataClientPayloadError: 0x80048d19 for another content type or a body that is not JSON.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        shown = content_type or "(none)"
        raise _payload(
            entity_set,
            "A supported MIME type could not be found that matches the content type of the "
            f"request. The supported type(s) 'application/json' do not match the content type "
            f"'{shown}'.",
        )
    return load_json(body, entity_set)
