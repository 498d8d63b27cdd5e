"""The httpx adapter: transports onto the Web API, and the hook that routes clients to them.

``HttpxTransport`` / ``AsyncHttpxTransport`` are the whole translation (``httpx.Request`` →
``HttpRequest`` → handler → ``httpx.Response``), for code that takes a transport. For code that
builds its own clients, ``intercept()`` replaces ``Client._transport_for_url`` (and the async
client's): a URL on an intercepted organization gets the fake's transport; any other URL gets
what the client would have used — a transport mocked by respx or pytest-httpx keeps answering —
unless that transport would open a real connection, which is refused naming the host.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from fake_dataverse._interception._patching import ClassPatch, answer_for, genuine
from fake_dataverse._interception._registry import REGISTRY, Handler, origin
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

__all__ = ["AsyncHttpxTransport", "HttpxTransport", "patches"]


def _request(request: httpx.Request, body: bytes) -> HttpRequest:
    return HttpRequest(
        method=request.method,
        url=str(request.url),
        headers=dict(request.headers.items()),
        body=body,
    )


def _response(reply: HttpResponse) -> httpx.Response:
    return httpx.Response(reply.status, headers=list(reply.headers.items()), content=reply.body)


class HttpxTransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` answering every request from a Web API handler."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self._handler = handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request."""
        return _response(self._handler(_request(request, request.read())))


class AsyncHttpxTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` answering every request from a Web API handler."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self._handler = handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request."""
        return _response(self._handler(_request(request, await request.aread())))


def _refusal(url: httpx.URL) -> str:
    host = origin(str(url))
    served = ", ".join(REGISTRY.urls()) or "none"
    return (
        f"fake-dataverse: {host} is not an intercepted organization and the network is off "
        f"inside intercept() (intercepted: {served}). Mock it (respx, pytest-httpx) or "
        "intercept a FakeDataverse at that URL."
    )


class _Refused(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(_refusal(request.url), request=request)


class _AsyncRefused(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(_refusal(request.url), request=request)


def _opens_connections(transport: Any, method: str) -> bool:
    """Return True when ``transport`` is httpx's own network transport with nothing mocked.

    A transport the caller chose (``MockTransport``, a subclass) is theirs to answer; httpx's
    transport answers from a mock when its method (pytest-httpx) or its connection pool's
    (respx) is not the library's own code.
    """
    if type(transport) not in (httpx.HTTPTransport, httpx.AsyncHTTPTransport):
        return False
    if not genuine(getattr(type(transport), method), "httpx"):
        return False
    pool = getattr(transport, "_pool", None)
    return pool is None or genuine(getattr(type(pool), method, None), "httpcore")


def _route(previous: Any, *, asynchronous: bool) -> Callable[..., Any]:
    method = "handle_async_request" if asynchronous else "handle_request"
    fake: Callable[[Handler], Any] = AsyncHttpxTransport if asynchronous else HttpxTransport
    refused: type = _AsyncRefused if asynchronous else _Refused

    def _transport_for_url(self: Any, url: httpx.URL) -> Any:
        transport = previous(self, url)
        if not REGISTRY.urls():  # nothing intercepted (a wrapper left under another patch)
            return transport
        handler = answer_for(str(url))
        if handler is not None:
            return fake(handler)
        return refused() if _opens_connections(transport, method) else transport

    return _transport_for_url


def patches() -> list[ClassPatch]:
    """Return the patches that route both clients' requests to intercepted organizations."""
    return [
        ClassPatch(httpx.Client, "_transport_for_url", lambda p: _route(p, asynchronous=False)),
        ClassPatch(
            httpx.AsyncClient, "_transport_for_url", lambda p: _route(p, asynchronous=True)
        ),
    ]
