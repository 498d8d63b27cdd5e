"""Running a collection query and answering one page of it, shared by every collection read.

The query runs as ``RetrieveMultiple`` (scoped by ``?partitionId=``); ``odata.maxpagesize`` and
``$skiptoken`` page it; a page that leaves rows behind carries an ``@odata.nextLink`` repeating
the request's options.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

import attrs

from fake_dataverse._messages._query_requests import (
    RetrieveMultipleRequest,
    RetrieveMultipleResponse,
)
from fake_dataverse._model._address import PARTITION_ID
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import EntityCollection
from fake_dataverse._query._expression import AliasedValue
from fake_dataverse._query._model import Query
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import json_value
from fake_dataverse._webapi._links import next_link, parse_skiptoken, skiptoken
from fake_dataverse._webapi._prefer import applied_header
from fake_dataverse._webapi._reply import json_reply
from fake_dataverse._webapi._router import RequestContext

__all__ = ["aggregate_row", "paged", "reply_with_next_link", "run_query"]


def run_query(ctx: RequestContext, query: Query) -> EntityCollection:
    """Run a bound query as RetrieveMultiple (scoped by ``?partitionId=``)."""
    request = RetrieveMultipleRequest(query=query)
    partition = ctx.url.query.get(PARTITION_ID)
    if partition is not None:
        request.parameters[PARTITION_ID] = partition
    response = ctx.service.execute(request)
    assert isinstance(response, RetrieveMultipleResponse)
    return response.entity_collection


def paged(ctx: RequestContext, query: Query) -> Query:
    """Apply ``odata.maxpagesize`` and ``$skiptoken`` to a query."""
    size = ctx.prefer.max_page_size
    if size is not None:
        query = attrs.evolve(query, top=None, page_size=min(size, ctx.org.settings.max_page_size))
    token = ctx.url.query.get("$skiptoken")
    if token is not None:
        page, cookie = parse_skiptoken(token)
        query = attrs.evolve(query, page_number=page, paging_cookie=cookie, top=None)
    return query


def _aliased(table: EntityMetadata, value: AliasedValue) -> Any:
    """Return an aggregate or group-by value as JSON."""
    attr = table.attribute(value.attribute_logical_name)
    inner = value.value
    if isinstance(inner, decimal.Decimal):
        return float(inner)
    if attr is not None and not isinstance(inner, (int, float)):
        return json_value(attr, inner)
    return inner


def aggregate_row(
    table: EntityMetadata, query: Query, values: Mapping[str, Any], *, nulls: bool
) -> dict[str, Any]:
    """Return one aggregate row; with ``nulls`` every alias appears (null without values)."""
    row: dict[str, Any] = {}
    if nulls:
        aliases = [g.alias for g in query.group_by] + [a.alias for a in query.aggregates]
        row = dict.fromkeys(aliases)
    row.update({alias: _aliased(table, value) for alias, value in values.items()})
    return row


def reply_with_next_link(
    ctx: RequestContext, query: Query, rows: EntityCollection, body: dict[str, Any]
) -> HttpResponse:
    """Answer a collection page, with ``@odata.nextLink`` when more rows exist."""
    extra = []
    if ctx.prefer.max_page_size is not None:
        extra.append(f"odata.maxpagesize={ctx.prefer.max_page_size}")
    if rows.more_records and rows.paging_cookie and query.top is None:
        token = skiptoken(query.page_number + 1, rows.paging_cookie)
        resource = f"{ctx.url.root}/{ctx.table.entity_set_name}"
        body["@odata.nextLink"] = next_link(resource, ctx.url.raw_query, token)
    return json_reply(200, body, applied_header(ctx.prefer, *extra))
