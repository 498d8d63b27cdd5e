"""Collection reads: ``GET <set>`` with OData options, ``fetchXml`` or ``sql``; ``/$count``.

The query options compile to the engine's one query model and run as ``RetrieveMultiple``, so
the Web API filters, sorts and pages exactly as the SDK surface does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import EntityCollection
from fake_dataverse._query._model import Query
from fake_dataverse._query._paging import fetchxml_paging_cookie_annotation
from fake_dataverse._query.fetchxml._parse import parse_fetchxml
from fake_dataverse._query.odata._options import check_options, compile_query_options
from fake_dataverse._query.odata._select import Selection, selection_of
from fake_dataverse._webapi._changes import delta_reply, is_tracking
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import entity_json
from fake_dataverse._webapi._pages import aggregate_row, paged, reply_with_next_link, run_query
from fake_dataverse._webapi._prefer import applied_header
from fake_dataverse._webapi._reply import json_reply, text_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._rowread import expanded, visible
from fake_dataverse._webapi._select import Expansion, context_url, fill_nulls, parse_expand
from fake_dataverse._webapi._sql import SQL_OPTION, sql_read

__all__ = ["ROUTES"]

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

TOTAL_COUNT = "Microsoft.Dynamics.CRM.totalrecordcount"
COUNT_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"
PAGING_COOKIE = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie"
MORE_RECORDS = "Microsoft.Dynamics.CRM.morerecords"


def _rows_json(
    ctx: RequestContext,
    table: EntityMetadata,
    rows: EntityCollection,
    query: Query,
    selected: Selection,
    *,
    nulls: bool = True,
    expansions: Sequence[Expansion] = (),
) -> list[dict[str, Any]]:
    """Return the page's rows as entity objects (or aggregate rows), each with its etag.

    ``selected`` is what the caller asked for (the query may read more: the lookups an
    expansion follows); each expansion's related row is read and put inline.
    """
    if query.aggregates or query.group_by:
        return [aggregate_row(table, query, row.attributes, nulls=nulls) for row in rows]
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


def _odata_read(ctx: RequestContext) -> HttpResponse:
    """Run the OData query options and answer one page of rows."""
    table = ctx.table
    query = paged(ctx, compile_query_options(table, ctx.url.query))
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
    body["value"] = _rows_json(ctx, table, rows, query, selected, expansions=expansions)
    return reply_with_next_link(ctx, query, rows, body)


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
    body["value"] = _rows_json(ctx, table, rows, query, selection_of(table, query), nulls=False)
    return json_reply(200, body, applied_header(ctx.prefer))


@ROUTES.route("collection", "GET")
def _read_collection(ctx: RequestContext) -> HttpResponse:
    """GET a collection: change tracking, ``fetchXml=``, ``sql=`` or OData query options."""
    if is_tracking(ctx):
        return delta_reply(ctx)
    if "fetchXml" in ctx.url.query:
        return _fetch_read(ctx)
    if SQL_OPTION in ctx.url.query:
        return sql_read(ctx)
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
