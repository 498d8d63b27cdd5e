"""Service document, ``$metadata`` and the ``EntityDefinitions`` routes.

Everything is answered from the same metadata the engine validates with, so what a client
reads about a column (type, limits, choices, keys) is what the fake enforces.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._reply import json_reply, text_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._select import options_shape
from fake_dataverse._webapi._url import parse_key, parse_segment, split_top_level
from fake_dataverse._webapi.metadata._csdl import csdl
from fake_dataverse._webapi.metadata._definitions import (
    TYPE_PREFIX,
    attribute_definition,
    entity_definition,
    key_definitions,
    odata_type_of,
    option_set,
    relationship_definitions,
)
from fake_dataverse._webapi.metadata._filter import metadata_filter

__all__: list[str] = []

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

_OPTIONS = ("$select", "$filter", "$expand")
_RELATED = ("Keys", "ManyToOneRelationships", "OneToManyRelationships", "ManyToManyRelationships")


@ROUTES.route("service", "GET")
def _service_document(ctx: RequestContext) -> HttpResponse:
    """GET the service root: the entity sets."""
    sets = [
        {"name": t.entity_set_name, "kind": "EntitySet", "url": t.entity_set_name}
        for t in ctx.org.metadata
    ]
    sets.append({"name": "EntityDefinitions", "kind": "EntitySet", "url": "EntityDefinitions"})
    return json_reply(200, {"@odata.context": ctx.url.metadata_url, "value": sets})


@ROUTES.route("metadata", "GET")
def _metadata_document(ctx: RequestContext) -> HttpResponse:
    """GET ``$metadata``: the CSDL document (``?annotations=true`` or the ``Prefer`` header adds
    the annotations left out by default)."""
    annotations = ctx.url.query.get("annotations") == "true" or ctx.prefer.wants(
        "Org.OData.Capabilities.V1.ChangeTracking"
    )
    return text_reply(200, csdl(ctx.org.metadata, annotations=annotations), "application/xml")


def _select(item: dict[str, Any], text: str | None, type_name: str) -> dict[str, Any]:
    """Keep the ``$select``ed properties of a definition (and ``MetadataId``)."""
    if text is None:
        return item
    kept = {k: v for k, v in item.items() if k.startswith("@") or k == "MetadataId"}
    for name in (n.strip() for n in text.split(",")):
        if name not in item:
            raise errors.ODataError(
                f"Could not find a property named '{name}' on type '{TYPE_PREFIX}{type_name}'."
            )
        kept[name] = item[name]
    return kept


def _expand_options(text: str | None) -> dict[str, dict[str, str]]:
    """Parse ``$expand=A($select=…;$filter=…),B`` into options per name."""
    found: dict[str, dict[str, str]] = {}
    for item in split_top_level(text, ",") if text else []:
        name, _, rest = item.strip().partition("(")
        options = {}
        for option in split_top_level(rest[:-1], ";") if rest else []:
            key, _, value = option.partition("=")
            options[key.strip()] = value
        found[name.strip()] = options
    return found


def _shape(
    items: list[dict[str, Any]],
    options: Mapping[str, str],
    type_name: str,
    expanded: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Filter and select definition objects; expanded collections survive ``$select``."""
    check_options(options, _OPTIONS)
    pairs = list(zip(items, expanded or [{} for _ in items], strict=True))
    if options.get("$filter"):
        predicate = metadata_filter(options["$filter"], type_name)
        pairs = [(item, extra) for item, extra in pairs if predicate(item)]
    return [{**_select(item, options.get("$select"), type_name), **extra} for item, extra in pairs]


def _option_sets(
    table: EntityMetadata, attr: AttributeMetadata, expand: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """Return the expanded option sets of a choice column."""
    found: dict[str, Any] = {}
    if attr.attribute_type is not AttributeTypeCode.PICKLIST:
        return found
    for name, nested in expand.items():
        if name == "OptionSet":
            found[name] = _select(
                option_set(table, attr), nested.get("$select"), "OptionSetMetadata"
            )
        elif name == "GlobalOptionSet":
            found[name] = None
    return found


def _attributes(
    table: EntityMetadata, cast: str | None, options: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return a table's column definitions (of one metadata class with a cast)."""
    expand = _expand_options(options.get("$expand"))
    chosen = [a for a in table.attributes if cast is None or odata_type_of(a) == cast]
    items = [attribute_definition(table, attr) for attr in chosen]
    extras = [_option_sets(table, attr, expand) for attr in chosen]
    type_name = cast or "AttributeMetadata"
    plain = {k: v for k, v in options.items() if k != "$expand"}
    return _shape(items, plain, type_name, extras)


def _related(ctx: RequestContext, table: EntityMetadata, name: str) -> list[dict[str, Any]]:
    """Return a table's keys or relationships."""
    if name == "Keys":
        return key_definitions(table)
    return relationship_definitions(ctx.org.metadata, table, name)


def _entity_expansions(
    ctx: RequestContext, table: EntityMetadata, options: Mapping[str, str]
) -> dict[str, Any]:
    """Return the ``$expand``ed collections of a table definition."""
    found: dict[str, Any] = {}
    for name, nested in _expand_options(options.get("$expand")).items():
        if name == "Attributes":
            found[name] = _attributes(table, None, nested)
        elif name in _RELATED:
            found[name] = _shape(_related(ctx, table, name), nested, "MetadataBase")
        else:
            raise errors.ODataError(
                f"Could not find a property named '{name}' on type '{TYPE_PREFIX}EntityMetadata'."
            )
    return found


def _find_table(ctx: RequestContext, key: Mapping[str, Any]) -> EntityMetadata:
    """Return the table a definition key names."""
    value = key.get("logicalname", key.get("", key.get("metadataid")))
    for table in ctx.org.metadata:
        if value in (table.logical_name, table.metadata_id):
            return table
    shown = value if not isinstance(value, uuid.UUID) else str(value)
    raise errors.EntityNotFound(entity=shown)


def _collection_reply(ctx: RequestContext, context: str, items: Sequence[Any]) -> HttpResponse:
    """Answer a collection of definitions."""
    return json_reply(200, {"@odata.context": f"{ctx.url.metadata_url}#{context}", "value": items})


def _entity_definitions(ctx: RequestContext) -> HttpResponse:
    """Answer ``EntityDefinitions`` (filtered, selected, expanded)."""
    options = ctx.url.query
    tables = list(ctx.org.metadata)
    items = [entity_definition(t) for t in tables]
    extras = [_entity_expansions(ctx, t, options) for t in tables]
    plain = {k: v for k, v in options.items() if k != "$expand"}
    shaped = _shape(items, plain, "EntityMetadata", extras)
    return _collection_reply(ctx, "EntityDefinitions" + options_shape(options), shaped)


def _attribute_route(
    ctx: RequestContext, table: EntityMetadata, segment: str, cast: str | None
) -> HttpResponse:
    """Answer ``…/Attributes``, a cast of it, or one attribute by key."""
    parsed = parse_segment(segment)
    key = parse_key(parsed.key) if parsed is not None and parsed.key else None
    items = _attributes(table, cast, ctx.url.query)
    context = f"EntityDefinitions('{table.logical_name}')/Attributes"
    context += (f"/{TYPE_PREFIX}{cast}" if cast else "") + options_shape(ctx.url.query)
    if key is None and parsed is not None and parsed.key is None:
        return _collection_reply(ctx, context, items)
    wanted = (key or {}).get("logicalname", (key or {}).get(""))
    for item in items:
        if wanted in (item.get("LogicalName"), _as_uuid(item.get("MetadataId"))):
            body = {"@odata.context": f"{ctx.url.metadata_url}#{context}/$entity", **item}
            return json_reply(200, body)
    raise errors.ResourceNotFound(segment=segment)


def _as_uuid(value: Any) -> uuid.UUID | None:
    """Return a value as a UUID, or None."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


_SubRoute = Callable[[RequestContext, EntityMetadata, Sequence[str]], HttpResponse]


def _definition_children(
    ctx: RequestContext, table: EntityMetadata, rest: Sequence[str]
) -> HttpResponse:
    """Answer the segments below one definition."""
    head = rest[0]
    if head.startswith("Attributes") and len(rest) <= 2:
        cast = None
        if len(rest) == 2:
            if not rest[1].startswith(TYPE_PREFIX):
                raise errors.ResourceNotFound(segment=rest[1])
            cast = rest[1][len(TYPE_PREFIX) :]
        return _attribute_route(ctx, table, head, cast)
    if head in _RELATED and len(rest) == 1:
        items = _shape(_related(ctx, table, head), ctx.url.query, "MetadataBase")
        shape = options_shape(ctx.url.query)
        return _collection_reply(
            ctx, f"EntityDefinitions('{table.logical_name}')/{head}{shape}", items
        )
    raise errors.ResourceNotFound(segment=head)


@ROUTES.route("definitions", "GET")
def _definitions(ctx: RequestContext) -> HttpResponse:
    """GET ``EntityDefinitions`` and what hangs below a definition.

    Raises:
        EntityNotFound: 0x80040217; ResourceNotFound 0x8006088a; ODataError 0x0.
    """
    key, rest = ctx.resource.key, ctx.resource.rest
    if key is None:
        if rest:
            raise errors.ResourceNotFound(segment=rest[0])
        return _entity_definitions(ctx)
    table = _find_table(ctx, key)
    if rest:
        return _definition_children(ctx, table, rest)
    options = ctx.url.query
    check_options(options, _OPTIONS)
    body = _select(entity_definition(table), options.get("$select"), "EntityMetadata")
    body.update(_entity_expansions(ctx, table, options))
    context = f"{ctx.url.metadata_url}#EntityDefinitions{options_shape(options)}/$entity"
    return json_reply(200, {"@odata.context": context, **body})
