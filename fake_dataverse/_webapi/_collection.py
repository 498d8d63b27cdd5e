"""Collection reads: ``GET <set>`` with OData options or ``fetchXml``, paging, ``/$count``.

The query options compile to the engine's one query model and run as ``RetrieveMultiple``, so
the Web API filters, sorts and pages exactly as the SDK surface does.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fake_dataverse._messages._query_requests import (
    RetrieveMultipleRequest,
    RetrieveMultipleResponse,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import PARTITION_ID
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import EntityCollection
from fake_dataverse._query._expression import AliasedValue
from fake_dataverse._query._model import Query
from fake_dataverse._query._paging import fetchxml_paging_cookie_annotation
from fake_dataverse._query.fetchxml._parse import parse_fetchxml
from fake_dataverse._query.odata._options import check_options, compile_query_options
from fake_dataverse._query.odata._select import Selection, selection_of
from fake_dataverse._webapi._changes import delta_reply, is_tracking
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import entity_json, json_value
from fake_dataverse._webapi._links import next_link, parse_skiptoken, skiptoken
from fake_dataverse._webapi._prefer import applied_header
from fake_dataverse._webapi._reply import json_reply, text_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._rowread import expanded, visible
from fake_dataverse._webapi._select import Expansion, context_url, fill_nulls, parse_expand

__all__ = ["run_query"]

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

TOTAL_COUNT = "Microsoft.Dynamics.CRM.totalrecordcount"
COUNT_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"
PAGING_COOKIE = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie"
MORE_RECORDS = "Microsoft.Dynamics.CRM.morerecords"


def run_query(ctx: RequestContext, query: Query) -> EntityCollection:
    """Run a bound query as RetrieveMultiple (scoped by ``?partitionId=``)."""
    request = RetrieveMultipleRequest(query=query)
    partition = ctx.url.query.get(PARTITION_ID)
    if partition is not None:
        request.parameters[PARTITION_ID] = partition
    response = ctx.service.execute(request)
    assert isinstance(response, RetrieveMultipleResponse)
    return response.entity_collection


def _paged(ctx: RequestContext, query: Query) -> Query:
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


def _aggregate_row(
    table: EntityMetadata, query: Query, values: Mapping[str, Any], *, nulls: bool
) -> dict[str, Any]:
    """Return one aggregate row; with ``nulls`` every alias appears (null without values)."""
    row: dict[str, Any] = {}
    if nulls:
        aliases = [g.alias for g in query.group_by] + [a.alias for a in query.aggregates]
        row = dict.fromkeys(aliases)
    row.update({alias: _aliased(table, value) for alias, value in values.items()})
    return row


def _rows_json(
    ctx: RequestContext,
    table: EntityMetadata,
    rows: EntityCollection,
    query: Query,
    *,
    nulls: bool = True,
    selected: Selection = None,
    expansions: Sequence[Expansion] = (),
) -> list[dict[str, Any]]:
    """Return the page's rows as entity objects (or aggregate rows), each with its etag.

    ``selected`` is what the caller asked for when the query reads more (the lookups an
    expansion follows); each expansion's related row is read and put inline.
    """
    if query.aggregates or query.group_by:
        return [_aggregate_row(table, query, row.attributes, nulls=nulls) for row in rows]
    if not expansions:
        selected = selection_of(table, query)
    items = []
    for entity in rows:
        shown = visible(entity, selected, list(expansions)) if expansions else entity
        if nulls:
            fill_nulls(table, shown, selected)
        item = entity_json(table, shown, etag=entity.etag, prefer=ctx.prefer)
        for expansion in expansions:
            item[expansion.attribute.logical_name] = expanded(ctx, entity, expansion)
        items.append(item)
    return items


def _expanding(table: EntityMetadata, query: Query, text: str | None) -> tuple[
    Query, Selection, list[Expansion]
]:
    """Return the query reading what ``$expand`` follows too, the selection asked, the expansions.

    Raises:
        ODataError: 0x0 for an unknown navigation property or an option other than ``$select``.
    """
    selected = selection_of(table, query)
    expansions = parse_expand(table, text)
    if expansions and query.columns is not None:
        names = [e.attribute.logical_name for e in expansions]
        query = attrs.evolve(query, columns=tuple(dict.fromkeys([*query.columns, *names])))
    return query, selected, expansions


def _collection_reply(
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


def _odata_read(ctx: RequestContext) -> HttpResponse:
    """Run the OData query options and answer one page of rows."""
    table = ctx.table
    query = _paged(ctx, compile_query_options(table, ctx.url.query))
    query, selected, expansions = _expanding(table, query, ctx.url.query.get("$expand"))
    rows = run_query(ctx, query)
    aggregate = bool(query.aggregates or query.group_by)
    context = context_url(ctx.url.metadata_url, table, None if aggregate else selected, expansions)
    body: dict[str, Any] = {"@odata.context": context}
    if ctx.prefer.wants(TOTAL_COUNT):
        body["@" + TOTAL_COUNT] = rows.total_record_count
    if ctx.prefer.wants(COUNT_EXCEEDED):
        body["@" + COUNT_EXCEEDED] = rows.total_record_count_limit_exceeded
    if query.return_total_record_count:
        body["@odata.count"] = rows.total_record_count
    body["value"] = _rows_json(ctx, table, rows, query, selected=selected, expansions=expansions)
    return _collection_reply(ctx, query, rows, body)


def _fetch_read(ctx: RequestContext) -> HttpResponse:
    """Run ``fetchXml=`` and answer its rows (nulls left out), with paging annotations.

    Raises:
        InvalidFetchXml: 0x80040303; InvalidArgument 0x80040203 for another table.
    """
    table = ctx.table
    check_options(ctx.url.query, ())
    query = parse_fetchxml(ctx.org, ctx.url.query["fetchXml"])
    if query.table != table.logical_name:
        raise errors.InvalidArgument(
            f"The entity '{query.table}' in the FetchXml does not match the entity set "
            f"'{table.entity_set_name}'."
        )
    rows = run_query(ctx, query)
    body: dict[str, Any] = {"@odata.context": context_url(ctx.url.metadata_url, table, None)}
    if rows.more_records and rows.paging_cookie and ctx.prefer.wants(PAGING_COOKIE):
        body["@" + PAGING_COOKIE] = fetchxml_paging_cookie_annotation(
            rows.paging_cookie, query.page_number
        )
    if rows.more_records and ctx.prefer.wants(MORE_RECORDS):
        body["@" + MORE_RECORDS] = True
    body["value"] = _rows_json(ctx, table, rows, query, nulls=False)
    return json_reply(200, body, applied_header(ctx.prefer))


@ROUTES.route("collection", "GET")
def _read_collection(ctx: RequestContext) -> HttpResponse:
    """GET a collection: change tracking, ``fetchXml=``, or OData query options."""
    if is_tracking(ctx):
        return delta_reply(ctx)
    if "fetchXml" in ctx.url.query:
        return _fetch_read(ctx)
    return _odata_read(ctx)


@ROUTES.route("count", "GET")
def _count(ctx: RequestContext) -> HttpResponse:
    """GET ``…/$count``: the number of rows the filter selects, as plain text."""
    if is_tracking(ctx):
        return delta_reply(ctx, count_only=True)
    options: Mapping[str, str] = {
        k: v for k, v in ctx.url.query.items() if k not in ("$top", "$count", "$select")
    }
    query = compile_query_options(ctx.table, options)
    query = attrs.evolve(
        query,
        columns=(ctx.table.primary_id_attribute,),
        page_size=1,
        return_total_record_count=True,
    )
    rows = run_query(ctx, query)
    return text_reply(200, str(max(rows.total_record_count, 0)))
