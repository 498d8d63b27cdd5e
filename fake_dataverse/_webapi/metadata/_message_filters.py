"""``GET sdkmessagefilters``: which messages a table supports, as clients check before bulk use.

Clients ask ``sdkmessagefilters?$select=sdkmessagefilterid&$expand=sdkmessageid($select=name)``
``&$filter=(sdkmessageid/name eq 'CreateMultiple' or …) and primaryobjecttypecode eq '<table>'``.
The answer is read from each table's message list, so it says what the fake executes.
"""

from __future__ import annotations

import uuid
from typing import Any

from fake_dataverse._query.odata._options import check_options
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._reply import json_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._select import options_shape
from fake_dataverse._webapi.metadata._filter import metadata_filter

__all__: list[str] = []

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

_NAMESPACE = uuid.UUID("5f0e3c1e-8d1b-4c55-9f0e-2b8c7d6a4e31")


def _etag(row_id: uuid.UUID) -> str:
    """Return a standard table's weak etag (``W/"<version>"``), stable for one row."""
    return f'W/"{row_id.int % 10**7}"'


def _filters(ctx: RequestContext) -> list[dict[str, Any]]:
    """Return one message filter per table and message."""
    items = []
    for table in ctx.org.metadata:
        for name in sorted(table.messages):
            filter_id = uuid.uuid5(_NAMESPACE, f"{table.logical_name}:{name}")
            message_id = uuid.uuid5(_NAMESPACE, name)
            items.append(
                {
                    "@odata.etag": _etag(filter_id),
                    "sdkmessagefilterid": str(filter_id),
                    "primaryobjecttypecode": table.logical_name,
                    "sdkmessageid": {
                        "@odata.etag": _etag(message_id),
                        "sdkmessageid": str(message_id),
                        "name": name,
                    },
                }
            )
    return items


def _shape(item: dict[str, Any], select: str | None, expand: str | None) -> dict[str, Any]:
    """Keep the selected properties and the expanded message."""
    names = [n.strip() for n in select.split(",")] if select else list(item)
    body = {"@odata.etag": item["@odata.etag"], "sdkmessagefilterid": item["sdkmessagefilterid"]}
    body.update(
        {n: item[n] for n in names if n in item and n not in ("sdkmessageid", "@odata.etag")}
    )
    if expand and expand.strip().startswith("sdkmessageid"):
        body["sdkmessageid"] = item["sdkmessageid"]
    return body


@ROUTES.route("message_filters", "GET")
def _message_filters(ctx: RequestContext) -> HttpResponse:
    """GET ``sdkmessagefilters``: the messages each table supports."""
    options = ctx.url.query
    check_options(options, ("$select", "$filter", "$expand"))
    items = _filters(ctx)
    if options.get("$filter"):
        predicate = metadata_filter(options["$filter"], "sdkmessagefilter")
        items = [item for item in items if predicate(item)]
    value = [_shape(item, options.get("$select"), options.get("$expand")) for item in items]
    context = f"{ctx.url.metadata_url}#sdkmessagefilters{options_shape(options)}"
    return json_reply(200, {"@odata.context": context, "value": value})
