"""The read-only SQL endpoint: ``GET <set>?sql=SELECT …``.

The statement compiles to the engine's one query model (``_query/sql/``) and runs as
``RetrieveMultiple``, so it filters, sorts, pages and checks privileges exactly as ``$filter`` and
``fetchXml`` do. Each result row holds the select list's columns, in order, under the names the
statement gives them; a page without ``TOP`` or ``OFFSET`` that leaves rows behind carries an
``@odata.nextLink`` repeating the statement with a ``$skiptoken``.
"""

from __future__ import annotations

from typing import Any

import attrs

from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import Entity, EntityCollection
from fake_dataverse._query._model import Query
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._query.sql._compile import SqlQuery, compile_sql
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import json_value
from fake_dataverse._webapi._pages import aggregate_row, paged, reply_with_next_link, run_query
from fake_dataverse._webapi._router import RequestContext
from fake_dataverse._webapi._select import context_url

__all__ = ["SQL_OPTION", "sql_read"]

SQL_OPTION = "sql"


def _entity_row(table: EntityMetadata, sql: SqlQuery, entity: Entity) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for output in sql.outputs:
        attr = table.attribute(output.source)
        value = entity.attributes.get(output.source)
        row[output.name] = None if attr is None else json_value(attr, value)
    return row


def _rows(table: EntityMetadata, sql: SqlQuery, rows: EntityCollection) -> list[dict[str, Any]]:
    query = sql.query
    if query.aggregates or query.group_by:
        found = [aggregate_row(table, query, row.attributes, nulls=True) for row in rows]
        keys = {group.attribute: group.alias for group in query.group_by}
        # TOP and OFFSET … FETCH count result rows, which here are the groups.
        return [
            {o.name: values.get(keys.get(o.source, o.source)) for o in sql.outputs}
            for values in found[sql.offset : query.top]
        ]
    return [_entity_row(table, sql, entity) for entity in list(rows)[sql.offset :]]


def _paged_sql(ctx: RequestContext, query: Query) -> Query:
    """Page a statement without TOP/OFFSET or aggregates as collection reads are paged."""
    if query.top is not None or query.aggregates or query.group_by:
        return query
    return paged(ctx, query)


def sql_read(ctx: RequestContext) -> HttpResponse:
    """Run ``?sql=`` and answer its rows, with ``@odata.nextLink`` when more rows exist.

    Raises:
        InvalidArgument: 0x80040203 naming a construct outside the subset; the faults of the
            query's binding, paging and privilege checks.
    """
    table = ctx.table
    check_options(ctx.url.query, ("$skiptoken",))
    sql = compile_sql(table, ctx.url.query[SQL_OPTION])
    query = _paged_sql(ctx, sql.query)
    rows = run_query(ctx, query)
    body: dict[str, Any] = {"@odata.context": context_url(ctx.url.metadata_url, table, None)}
    body["value"] = _rows(table, attrs.evolve(sql, query=query), rows)
    return reply_with_next_link(ctx, query, rows, body)
