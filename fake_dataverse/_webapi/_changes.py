"""Change tracking over HTTP: ``Prefer: odata.track-changes`` and ``$deltatoken`` links.

Both run the engine's ``RetrieveEntityChanges``: the first read returns every row and a delta
link; the delta link returns the rows changed since, and ``$deletedEntity`` entries.
"""

from __future__ import annotations

from typing import Any

from fake_dataverse._messages._query_requests import (
    EntityChanges,
    NewOrUpdatedItem,
    RetrieveEntityChangesRequest,
    RetrieveEntityChangesResponse,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._values import ColumnSet
from fake_dataverse._query._expression import PagingInfo
from fake_dataverse._query.odata._options import check_options
from fake_dataverse._query.odata._select import parse_select
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._json import entity_json
from fake_dataverse._webapi._links import (
    delta_link,
    is_tracking_skiptoken,
    next_link,
    parse_skiptoken,
    skiptoken,
)
from fake_dataverse._webapi._prefer import applied_header
from fake_dataverse._webapi._reply import json_reply, text_reply
from fake_dataverse._webapi._router import RequestContext
from fake_dataverse._webapi._select import column_set, context_url, fill_nulls

__all__ = ["delta_reply", "is_tracking"]

_NOT_WITH_TRACKING = ("$filter", "$orderby", "$expand", "$top", "$apply", "$count")
_PAGE = 5000


def is_tracking(ctx: RequestContext) -> bool:
    """Return True for a change-tracking read: the preference, a delta token, or a next page of
    one (its ``$skiptoken`` says ``istracking="True"``; clients follow next links verbatim,
    often without repeating the preference)."""
    return (
        ctx.prefer.track_changes
        or "$deltatoken" in ctx.url.query
        or is_tracking_skiptoken(ctx.url.query.get("$skiptoken"))
    )


def _fetch(ctx: RequestContext, columns: ColumnSet, token: str | None,
           page_info: PagingInfo) -> EntityChanges:
    """Run RetrieveEntityChanges for one page."""
    response = ctx.service.execute(RetrieveEntityChangesRequest(
        entity_name=ctx.table.logical_name, columns=columns, data_version=token,
        page_info=page_info,
    ))
    assert isinstance(response, RetrieveEntityChangesResponse)
    return response.entity_changes


def _changes(ctx: RequestContext, columns: ColumnSet, token: str | None) -> tuple[list[Any], str]:
    """Return every change since a token (all pages) and the new data token."""
    items: list[Any] = []
    page, cookie = 1, None
    while True:
        changes = _fetch(ctx, columns, token, PagingInfo(count=_PAGE, page_number=page,
                                                         paging_cookie=cookie))
        items.extend(changes.changes)
        if not changes.more_records:
            return items, changes.data_token
        page, cookie = page + 1, changes.paging_cookie


def _change_page(
    ctx: RequestContext, columns: ColumnSet, token: str | None
) -> tuple[list[Any], str, str | None]:
    """Return one page of changes, the data token, and the next page's skiptoken (or None)."""
    page, cookie = 1, None
    if "$skiptoken" in ctx.url.query:
        page, cookie = parse_skiptoken(ctx.url.query["$skiptoken"])
    size = min(ctx.prefer.max_page_size or _PAGE, _PAGE)
    changes = _fetch(ctx, columns, token, PagingInfo(count=size, page_number=page,
                                                     paging_cookie=cookie))
    following = None
    if changes.more_records and changes.paging_cookie:
        following = skiptoken(page + 1, changes.paging_cookie, tracking=True)
    return list(changes.changes), changes.data_token, following


def _change_json(ctx: RequestContext, item: Any, selected: Any) -> dict[str, Any]:
    """Return a changed row as an entity object, or a deleted one as ``$deletedEntity``."""
    table = ctx.table
    if isinstance(item, NewOrUpdatedItem):
        entity = item.new_or_updated_entity
        etag = entity.etag
        if selected is not None:  # like a collection read: the key and the selected columns
            kept = {table.primary_id_attribute, *(a.logical_name for a in selected)}
            entity = entity.copy()
            for name in set(entity.attributes) - kept:
                del entity.attributes[name]
        fill_nulls(table, entity, selected)
        return entity_json(table, entity, etag=etag, prefer=ctx.prefer)
    return {
        "@odata.context": f"{ctx.url.metadata_url}#{table.entity_set_name}/$deletedEntity",
        "id": str(item.removed_item.id),
        "reason": "deleted",
    }


def delta_reply(ctx: RequestContext, *, count_only: bool = False) -> HttpResponse:
    """Answer a tracked read: rows (or changes since ``$deltatoken``) and a delta link.

    Raises:
        ODataError: 0x0 for ``$filter``, ``$orderby``, ``$expand``, ``$top`` with tracking.
        InvalidArgument: 0x80040203 for a malformed token; ExpiredVersionStamp 0x80044352.
    """
    options, table = ctx.url.query, ctx.table
    for name in _NOT_WITH_TRACKING:
        if name in options:
            raise errors.ODataError(
                f'The "{name}" query parameter isn\'t supported when Change Tracking is enabled.'
            )
    check_options(options, ("$select", "$deltatoken", "$skiptoken"))
    selected = parse_select(table, options.get("$select"))
    token = options.get("$deltatoken")
    if count_only:
        return text_reply(200, str(len(_changes(ctx, column_set(table, selected), token)[0])))
    changes, data_token, following = _change_page(ctx, column_set(table, selected), token)
    value = [_change_json(ctx, item, selected) for item in changes]
    suffix = "/$delta" if token is not None else ""
    resource = f"{ctx.url.root}/{table.entity_set_name}"
    body: dict[str, Any] = {
        "@odata.context": context_url(ctx.url.metadata_url, table, selected, suffix=suffix),
        "value": value,
    }
    if following is not None:
        body["@odata.nextLink"] = next_link(resource, ctx.url.raw_query, following)
    else:
        body["@odata.deltaLink"] = delta_link(resource, ctx.url.raw_query, data_token)
    applied = ["odata.track-changes"] if ctx.prefer.track_changes else []
    if ctx.prefer.max_page_size is not None:
        applied.append(f"odata.maxpagesize={ctx.prefer.max_page_size}")
    headers = applied_header(ctx.prefer, *applied)
    return json_reply(200, body, headers)
