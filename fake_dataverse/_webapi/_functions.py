"""Unbound functions of the Web API (``GET [org]/api/data/v9.2/WhoAmI``).

A function is answered by running its message through the service and writing the response's
results as the ``Microsoft.Dynamics.CRM.<Name>Response`` complex type.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fake_dataverse._messages._requests import OrganizationRequest
from fake_dataverse._messages._whoami import WhoAmIRequest
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._reply import json_reply
from fake_dataverse._webapi._router import RequestContext, RouteTable

__all__ = ["FUNCTIONS"]

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()

FUNCTIONS: dict[str, Callable[[], OrganizationRequest]] = {"WhoAmI": WhoAmIRequest}
for _name in FUNCTIONS:
    ROUTES.unbound_function(_name)


@ROUTES.route("function", "GET")
def _function(ctx: RequestContext) -> HttpResponse:
    """Run an unbound function and answer its response type."""
    response = ctx.service.execute(FUNCTIONS[ctx.resource.name]())
    body = {"@odata.context": f"{ctx.url.metadata_url}#Microsoft.Dynamics.CRM."
                              f"{ctx.resource.name}Response"}
    body.update({name: _json(value) for name, value in response.results.items()})
    return json_reply(200, body)


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value
