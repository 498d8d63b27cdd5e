"""Routing: a resource path becomes a :class:`Resource`; handlers register per (kind, method).

``@ROUTES.route("entity", "GET")`` fills a module's :class:`RouteTable`; ``_catalogue`` adds
every module's table to :data:`BUILT_IN`, in one place; :func:`dispatch` looks the handler up. A
resource whose kind has no handler for the method answers 405; an unknown path answers 404
``Resource not found for the segment '…'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._storage._organization import Organization
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._keys import key_attributes
from fake_dataverse._webapi._prefer import Preferences
from fake_dataverse._webapi._url import (
    ODataUrl,
    parse_key,
    parse_segment,
    parse_url,
    path_segments,
)

__all__ = [
    "BUILT_IN",
    "RequestContext",
    "ResolvedUrls",
    "Resource",
    "RouteTable",
    "dispatch",
    "resolve",
]

ACTION_PREFIX = "Microsoft.Dynamics.CRM."


@attrs.frozen
class Resource:
    """What a URL addresses: its ``kind``, the table, the key and the segments after it.

    A row's ``key`` holds its key attributes as SDK values (``{"backgroundoperationid": UUID}``).
    """

    kind: str
    table: EntityMetadata | None = None
    key: Mapping[str, Any] | None = None
    name: str = ""
    rest: tuple[str, ...] = ()


@attrs.define
class RequestContext:
    """Everything a route handler works with.

    Never changed once made: slotted rather than frozen, since every request makes one.
    """

    request: HttpRequest
    url: ODataUrl
    prefer: Preferences
    org: Organization
    service: OrganizationService
    resource: Resource
    extras: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def table(self) -> EntityMetadata:
        """Return the table the resource belongs to."""
        assert self.resource.table is not None
        return self.resource.table


Handler = Callable[[RequestContext], HttpResponse]
_SPECIAL: dict[str, str] = {
    "": "service",
    "$metadata": "metadata",
    "$batch": "batch",
    "sdkmessagefilters": "message_filters",
}


class RouteTable:
    """Handlers by (resource kind, HTTP method), and the unbound functions served.

    Each resource family's module fills its own table with :meth:`route`;
    ``_catalogue.register_all()`` adds every family to :data:`BUILT_IN`, which the app
    resolves and dispatches through.
    """

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Handler] = {}
        self.functions: set[str] = set()

    def route(self, kind: str, *methods: str) -> Callable[[Handler], Handler]:
        """Decorate a handler of a resource kind for HTTP methods."""

        def decorate(handler: Handler) -> Handler:
            for method in methods:
                self.handlers[(kind, method)] = handler
            return handler

        return decorate

    def unbound_function(self, name: str) -> None:
        """Serve an unbound function (``GET WhoAmI``) through the ``function`` route."""
        self.functions.add(name)

    def update(self, *others: RouteTable) -> None:
        """Add every route and function of other tables."""
        for other in others:
            self.handlers.update(other.handlers)
            self.functions |= other.functions


#: The Web API's routes, filled once by ``_catalogue.register_all()``.
BUILT_IN = RouteTable()


def dispatch(ctx: RequestContext) -> HttpResponse:
    """Run the handler registered for the request's resource kind and method.

    Raises:
        MethodNotAllowed: 0x80060888 (405) for a method the resource does not take.
        NoHttpResource: 404 for an action (bound or a custom API) called with another method
            than POST.
    """
    method = ctx.request.method.upper()
    handler = BUILT_IN.handlers.get((ctx.resource.kind, method))
    if handler is not None:
        return handler(ctx)
    if ctx.resource.kind in ("action", "custom_api", "function"):
        raise errors.NoHttpResource(uri=ctx.request.url)
    raise errors.MethodNotAllowed(method=method)


def _not_found(segment: str) -> errors.DataverseError:
    return errors.ResourceNotFound(segment=segment)


def resolve(org: Organization, path: str) -> Resource:
    """Return the resource a path (below ``/api/data/v9.2/``) addresses.

    Raises:
        ResourceNotFound: 0x8006088a (404) for a segment the service does not have.
    """
    segments = path_segments(path.rstrip("/")) if path.strip("/") else [""]
    first = segments[0]
    if first in _SPECIAL and len(segments) == 1:
        return Resource(_SPECIAL[first])
    head = parse_segment(first)
    if head is None:
        raise _not_found(first)
    if head.name == "EntityDefinitions":
        return Resource("definitions", key=_definition_key(head.key), rest=tuple(segments[1:]))
    table = org.metadata.by_entity_set(head.name)
    if table is None and head.key is None and len(segments) == 1 and head.name in org.custom_apis:
        return Resource("custom_api", name=head.name)  # an unbound custom API
    unbound = table is None and head.name in BUILT_IN.functions
    if unbound and head.key in (None, "") and len(segments) == 1:
        return Resource("function", name=head.name)  # an unbound function: WhoAmI, WhoAmI()
    if table is None:
        raise _not_found(head.name)
    if head.key is None:
        return _collection_resource(table, segments[1:])
    key = key_attributes(table, head.key)
    return _row_resource(table, key, segments[1:])


class ResolvedUrls:
    """The request URLs one organization's Web API has resolved to a table's resource.

    A client sends most requests to a few URLs (every create to one collection), so each is
    parsed and resolved once. Only resources of a table without a key are kept (a collection,
    its ``$count``, its actions): a row's URL is seldom sent twice. What a URL resolves to then
    depends only on the organization's tables, so each entry is used only while the metadata
    revision it was resolved under is current; methods, headers, settings and rows are read
    by the handler, afresh on every request.
    """

    _LIMIT = 256  # distinct URLs kept; all are dropped when a client sends more

    def __init__(self, org: Organization) -> None:
        self._org = org
        self._found: dict[str, tuple[object, ODataUrl, Resource]] = {}

    def resolve(self, url: str) -> tuple[ODataUrl, Resource] | None:
        """Return a request URL's parts and the resource it addresses; None off the API root.

        Raises:
            ODataError: 0x0 when a query option appears twice.
            ResourceNotFound: 0x8006088a (404) for a segment the service does not have.
        """
        revision = self._org.metadata.revision
        found = self._found.get(url)
        if found is not None and found[0] is revision:
            return found[1], found[2]
        parsed = parse_url(self._org.url, url)
        if parsed is None:
            return None
        resource = resolve(self._org, parsed.path)
        if resource.table is not None and resource.key is None:
            if len(self._found) >= self._LIMIT:
                self._found.clear()
            self._found[url] = (revision, parsed, resource)
        return parsed, resource


def _definition_key(text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    key = parse_key(text)
    if key is None:
        raise _not_found(f"EntityDefinitions({text})")
    return key


def _collection_resource(table: EntityMetadata, rest: list[str]) -> Resource:
    if not rest:
        return Resource("collection", table)
    if rest == ["$count"]:
        return Resource("count", table)
    if len(rest) == 1 and rest[0].startswith(ACTION_PREFIX):
        return Resource("action", table, name=rest[0][len(ACTION_PREFIX) :])
    raise _not_found(rest[0])


_PROPERTY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _row_resource(table: EntityMetadata, key: Mapping[str, Any], rest: list[str]) -> Resource:
    if not rest:
        return Resource("entity", table, key)
    if _PROPERTY.fullmatch(rest[0]) is None or len(rest) > 2:
        raise _not_found(rest[0])
    if len(rest) == 2:
        if rest[1] != "$value":
            raise _not_found(rest[1])
        return Resource("property_value", table, key, name=rest[0])
    return Resource("property", table, key, name=rest[0])
