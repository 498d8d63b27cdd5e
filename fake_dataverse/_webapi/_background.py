"""Background operations over HTTP: custom APIs with ``Prefer: respond-async``, and the status
monitor resource ``[org]/api/backgroundoperation/<id>`` (GET polls, DELETE cancels).

The status monitor is not part of the Web API proper: it lives outside ``/api/data/v9.2/``,
answers plain ``application/json`` without OData annotations, and takes only GET and DELETE.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fake_dataverse._messages._background import (
    CANCELING,
    ExecuteBackgroundOperationRequest,
    location_of,
    status_monitor_body,
)
from fake_dataverse._messages._requests import OrganizationRequest
from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._values import Entity, OptionSetValue
from fake_dataverse._storage._organization import Organization
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._json import load_json
from fake_dataverse._webapi._reply import dumps, json_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi._url import split_url

__all__ = ["handle_status_monitor", "is_status_monitor"]

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

TABLE = "backgroundoperation"
_MONITOR = re.compile(r"/api/backgroundoperation/(?P<id>[^/]*)/?")


def is_status_monitor(url: str) -> bool:
    """Return True for a URL on the status monitor resource."""
    return _MONITOR.fullmatch(split_url(url)[0]) is not None


def _plain_json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json; charset=utf-8"}, dumps(body))


def handle_status_monitor(
    org: Organization, service: OrganizationService, request: HttpRequest
) -> HttpResponse:
    """Answer the status monitor: GET polls an operation, DELETE asks to cancel it.

    Raises:
        RecordNotFound: 0x80048d02 for an unknown operation; MethodNotAllowed 0x80060888 for
            another method.
    """
    match = _MONITOR.fullmatch(split_url(request.url)[0])
    assert match is not None
    try:
        operation_id = uuid.UUID(match["id"])
    except ValueError:
        raise errors.RecordNotFound(id=match["id"]) from None
    method = request.method.upper()
    if method not in ("GET", "DELETE"):
        raise errors.MethodNotAllowed(method=method)
    if method == "DELETE":  # a cancel request is an update (Write privilege), not a read
        service.update(
            Entity(
                TABLE,
                operation_id,
                backgroundoperationstatecode=OptionSetValue(CANCELING[0]),
                backgroundoperationstatuscode=OptionSetValue(CANCELING[1]),
            )
        )
        return _plain_json(
            200,
            {
                "backgroundOperationStateCode": CANCELING[0],
                "backgroundOperationStatusCode": CANCELING[1],
            },
        )
    service.retrieve(TABLE, operation_id, ["backgroundoperationid"])  # privileges, existence
    row = org.store.get(TABLE, (operation_id, str(operation_id)))
    assert row is not None  # a poll moves the operation on only once it has been answered
    return _plain_json(200, status_monitor_body(row))


@ROUTES.route("custom_api", "POST")
def _custom_api(ctx: RequestContext) -> HttpResponse:
    """Run a custom API: in the background with ``Prefer: respond-async``, else at once (200
    with its outputs, or 204 when it has none)."""
    parameters = _json_object(ctx.request.body)
    inner = OrganizationRequest(ctx.resource.name, parameters)
    if not ctx.prefer.respond_async:
        response = ctx.service.execute(inner)
        if not response.results:
            return HttpResponse(204, {"OData-Version": "4.0"}, b"")  # an action without outputs
        body = {
            "@odata.context": f"{ctx.url.metadata_url}#Microsoft.Dynamics.CRM."
            f"{ctx.resource.name}Response",
            **response.results,
        }
        return json_reply(200, body)
    callback = ctx.prefer.callback_url
    started = ctx.service.execute(
        ExecuteBackgroundOperationRequest(request=inner, callback_uri=callback)
    )
    operation_id = started["BackgroundOperationId"]
    location = location_of(ctx.url.base, operation_id)
    headers = {
        "Location": location,
        "x-ms-dyn-backgroundoperationid": str(operation_id),
        "Preference-Applied": "callback" if callback else "respond-async",
    }
    if callback:
        return json_reply(
            202, {"backgroundOperationId": str(operation_id), "location": location}, headers
        )
    return HttpResponse(202, {"OData-Version": "4.0", **headers}, b"")


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    value = load_json(body, "")  # the one JSON reader: NaN, Infinity and duplicates refused
    if not isinstance(value, dict):
        raise errors.ODataClientPayloadError(
            entity_set="", inner="Microsoft.OData.ODataException: A JSON object was expected."
        )
    return value
