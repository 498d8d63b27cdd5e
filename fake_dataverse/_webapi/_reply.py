"""Building Web API responses: JSON bodies, the common headers, and Dataverse error bodies."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from fake_dataverse._model._errors import DataverseError
from fake_dataverse._storage._faults import GATEWAY_STATUSES
from fake_dataverse._webapi._http import HttpResponse
from fake_dataverse._webapi._prefer import Preferences

__all__ = ["JSON_TYPE", "empty_reply", "error_reply", "gateway_reply", "json_reply", "text_reply"]

JSON_TYPE = "application/json; odata.metadata=minimal"
_ERROR_DETAILS = "Microsoft.PowerApps.CDS.ErrorDetails."
_HELP_LINK = "Microsoft.PowerApps.CDS.HelpLink"
_INNER_MESSAGE = "Microsoft.PowerApps.CDS.InnerError.Message"


def _headers(extra: Mapping[str, str] | None) -> dict[str, str]:
    return {"OData-Version": "4.0", **extra} if extra else {"OData-Version": "4.0"}


def dumps(body: Any) -> bytes:
    """Serialise a JSON body compactly, as Dataverse does."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Return a JSON response with the OData headers."""
    all_headers = _headers(headers)
    all_headers["Content-Type"] = JSON_TYPE
    return HttpResponse(status, all_headers, dumps(body))


def empty_reply(status: int = 204, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Return a response without a body (204 No Content, 304 Not Modified)."""
    return HttpResponse(status, _headers(headers), b"")


def text_reply(status: int, text: str, content_type: str = "text/plain") -> HttpResponse:
    """Return a plain-text response (``/$count``)."""
    return HttpResponse(status, _headers({"Content-Type": content_type}), text.encode("utf-8"))


def gateway_reply(status: int, retry_after: float | None = None) -> HttpResponse:
    """Return a failing gateway's answer: a plain-text body naming the status (what Dataverse's
    front door sends is not documented; see docs/fidelity.md)."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if retry_after is not None:
        headers["Retry-After"] = str(math.ceil(retry_after))
    return HttpResponse(status, headers, f"{status} {GATEWAY_STATUSES[status]}".encode())


def _help_link(error: DataverseError) -> str:
    return (
        "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a"
        f"{error.code:08x}&client=platform"
    )


def error_reply(error: DataverseError, prefer: Preferences) -> HttpResponse:
    """Return ``{"error":{"code","message"}}`` with the fault's HTTP status.

    With ``Prefer: odata.include-annotations`` covering them, the fault's details appear as
    ``@Microsoft.PowerApps.CDS.ErrorDetails.<name>`` inside ``error``.
    """
    body: dict[str, Any] = {"code": error.hex_code, "message": error.message}
    for name, value in error.error_details.items():
        if prefer.wants(_ERROR_DETAILS + name):
            body["@" + _ERROR_DETAILS + name] = _detail_text(value)
    if prefer.wants(_HELP_LINK):
        body["@" + _HELP_LINK] = _help_link(error)
    if prefer.wants(_INNER_MESSAGE):
        body["@" + _INNER_MESSAGE] = error.message
    headers = {"Content-Type": "application/json; odata.metadata=minimal"}
    retry_after = error.error_details.get("Retry-After")
    if isinstance(retry_after, dt.timedelta):
        headers["Retry-After"] = str(max(1, math.ceil(retry_after.total_seconds())))
    return HttpResponse(error.http_status, _headers(headers), dumps({"error": body}))


def _detail_text(value: Any) -> str:
    """Return an error detail as the annotation's string (JSON for structures)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.timedelta):
        return _timespan(value)
    try:
        return dumps(value).decode("utf-8")
    except (TypeError, ValueError):
        return str(value)


def _timespan(value: dt.timedelta) -> str:
    """Return a duration as .NET prints a ``TimeSpan`` (``00:00:02.5000000``)."""
    ticks = round(value.total_seconds() * 10_000_000)
    seconds, fraction = divmod(ticks, 10_000_000)
    hours, rest = divmod(seconds, 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{fraction:07d}" if fraction else text
