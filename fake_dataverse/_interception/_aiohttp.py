"""The aiohttp adapter: a connection to an intercepted organization is an in-memory one.

aiohttp itself builds the request (session headers, cookies, auth, JSON, redirects, middlewares)
and parses the answer, so a fake's reply is read exactly as a server's would be: the fake
replaces only the socket. ``TCPConnector._create_connection`` opens, for an intercepted
organization, a transport that reads the HTTP/1.1 request aiohttp writes, answers it from the
fake's Web API and feeds the response back; it refuses every other host (never the network)
except the fake's own local servers. ``ClientSession._request`` sends an organization's URL
straight to aiohttp's own code, past a session mock such as aioresponses, which keeps answering
for every other URL.
"""

from __future__ import annotations

import asyncio
import errno
import http
import unittest.mock
from collections.abc import Callable
from typing import Any

import aiohttp
import aiohttp.client
import aiohttp.connector
from yarl import URL

from fake_dataverse._interception._patching import ClassPatch, answer_for, genuine
from fake_dataverse._interception._registry import REGISTRY, origin
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

__all__ = ["patches"]

_NO_BODY_STATUSES = (204, 304)


class _IncompleteError(Exception):
    """More bytes are needed before the request is whole."""


def _chunked(data: bytes) -> tuple[bytes, int]:
    """Return the decoded chunked body and the bytes it took.

    Raises:
        _IncompleteError: the last chunk has not arrived.
    """
    body, position = bytearray(), 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            raise _IncompleteError()
        size = int(data[position:end].split(b";", 1)[0].strip() or b"0", 16)
        position = end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n", position)
            while trailer_end > position:  # skip trailer fields up to the empty line
                position = trailer_end + 2
                trailer_end = data.find(b"\r\n", position)
            if trailer_end < 0:
                raise _IncompleteError()
            return bytes(body), trailer_end + 2
        if len(data) < position + size + 2:
            raise _IncompleteError()
        body += data[position : position + size]
        position += size + 2


def parse_request(data: bytes, base: str) -> tuple[HttpRequest, int]:
    """Return the first whole request in ``data`` and the bytes it took.

    Raises:
        _IncompleteError: the request is not whole yet (its argument: the client waits for
            ``100 Continue`` before it sends the body).
    """
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise _IncompleteError()
    lines = data[:head_end].decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = next((k for k in headers if k.lower() == name.strip().lower()), name.strip())
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    lowered = {k.lower(): v for k, v in headers.items()}
    rest = data[head_end + 4 :]
    expects = lowered.get("expect", "").lower() == "100-continue"
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        try:
            body, used = _chunked(rest)
        except _IncompleteError:
            raise _IncompleteError(expects) from None
    else:
        used = int(lowered.get("content-length", "0") or 0)
        if len(rest) < used:
            raise _IncompleteError(expects)
        body = rest[:used]
    url = target if "://" in target else base + target
    return HttpRequest(method, url, headers, body), head_end + 4 + used


def serialize_response(reply: HttpResponse, method: str) -> bytes:
    """Return the HTTP/1.1 bytes of a reply."""
    try:
        reason = http.HTTPStatus(reply.status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {reply.status} {reason}"]
    lines += [
        f"{name}: {value}"
        for name, value in reply.headers.items()
        if name.lower() not in ("content-length", "transfer-encoding")
    ]
    body = b"" if method == "HEAD" or reply.status in _NO_BODY_STATUSES else reply.body
    if reply.status not in _NO_BODY_STATUSES:
        lines.append(f"Content-Length: {len(reply.body) if method == 'HEAD' else len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class FakeTransport(asyncio.Transport):
    """An in-memory connection to one intercepted organization.

    It stays open for keep-alive while the organization is intercepted; after that a pooled
    connection reports itself closing, so aiohttp drops it instead of reaching the fake.
    """

    def __init__(self, protocol: asyncio.Protocol, base: str, peer: tuple[str, int]) -> None:
        super().__init__({"peername": peer, "sockname": ("127.0.0.1", 0)})
        self._protocol = protocol
        self._base = base
        self._buffer = bytearray()
        self._closed = False
        self._continued = False
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Take request bytes; answer each request as soon as it is whole."""
        if self._closed:
            return
        self._buffer += data
        while self._buffer:
            try:
                request, used = parse_request(bytes(self._buffer), self._base)
            except _IncompleteError as waiting:
                if waiting.args and waiting.args[0] and not self._continued:
                    self._continued = True
                    self._deliver(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            del self._buffer[:used]
            self._continued = False
            handler = answer_for(request.url)
            if handler is None:  # the interception ended while the request was being written
                self._loop.call_soon(self._lose, ConnectionResetError(errno.ECONNRESET, "closed"))
                return
            self._deliver(serialize_response(handler(request), request.method.upper()))

    def _deliver(self, data: bytes) -> None:
        self._loop.call_soon(self._receive, data)

    def _receive(self, data: bytes) -> None:
        if not self._closed:
            self._protocol.data_received(data)

    def _lose(self, error: Exception | None) -> None:
        if not self._closed:
            self._closed = True
            self._protocol.connection_lost(error)

    def is_closing(self) -> bool:
        """Return True once closed, or when the organization is no longer intercepted."""
        return self._closed or answer_for(self._base) is None

    def close(self) -> None:
        """Close the connection (the protocol learns of it on the next loop turn)."""
        if not self._closed:
            self._closed = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        """Close at once."""
        self.close()

    def get_write_buffer_size(self) -> int:
        """Nothing is ever buffered."""
        return 0

    def is_reading(self) -> bool:
        """Return True while open."""
        return not self._closed

    def pause_reading(self) -> None:
        """Flow control has nothing to pause: the answer is delivered whole."""

    def resume_reading(self) -> None:
        """See :meth:`pause_reading`."""

    def can_write_eof(self) -> bool:
        """Half-closing is not supported (as on a TLS connection)."""
        return False


def _refusal(req: Any) -> aiohttp.ClientConnectorError:
    served = ", ".join(REGISTRY.urls()) or "none"
    error = ConnectionRefusedError(
        errno.ECONNREFUSED,
        f"fake-dataverse: {origin(str(req.url))} is not an intercepted organization and the "
        f"network is off inside intercept() (intercepted: {served}); mock it (aioresponses) "
        "or intercept a FakeDataverse at that URL",
    )
    return aiohttp.ClientConnectorError(req.connection_key, error)


def _connect(previous: Any) -> Callable[..., Any]:
    async def _create_connection(self: Any, req: Any, traces: Any, timeout: Any) -> Any:
        base = origin(str(req.url))
        if not REGISTRY.urls():  # nothing intercepted (a wrapper left under another patch)
            return await previous(self, req, traces, timeout)
        if answer_for(base) is None:
            raise _refusal(req)
        protocol = self._factory()
        peer = (req.url.raw_host or "", req.url.port or 0)
        protocol.connection_made(FakeTransport(protocol, base, peer))
        return protocol

    return _create_connection


_GENUINE: list[Any] = []


def _genuine_request(current: Any) -> Any:
    """Return aiohttp's own ``ClientSession._request``, beneath any mock patched over it.

    A session mock started before the fake (aioresponses) replaced it through
    ``unittest.mock.patch``, which keeps the replaced function on its started patchers.
    """
    if _GENUINE:
        return _GENUINE[0]
    candidates = [current] + [
        patcher.temp_original
        for patcher in getattr(unittest.mock._patch, "_active_patches", [])
        if getattr(patcher, "attribute", None) == "_request"
    ]
    for candidate in candidates:
        if genuine(candidate, "aiohttp"):
            _GENUINE.append(candidate)
            return candidate
    return None


def _session_url(session: Any, str_or_url: Any) -> str:
    build = getattr(session, "_build_url", None)
    try:
        return str(build(str_or_url) if build is not None else URL(str_or_url))
    except (TypeError, ValueError):
        return ""


def _route_session(previous: Any) -> Callable[..., Any]:
    own = _genuine_request(previous)

    async def _request(self: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
        routed = REGISTRY.urls() and answer_for(_session_url(self, str_or_url)) is not None
        if own is not None and routed:
            return await own(self, method, str_or_url, **kwargs)
        return await previous(self, method, str_or_url, **kwargs)

    return _request


def patches() -> list[ClassPatch]:
    """Return the patches that route aiohttp sessions to intercepted organizations."""
    return [
        ClassPatch(aiohttp.connector.TCPConnector, "_create_connection", _connect),
        ClassPatch(aiohttp.client.ClientSession, "_request", _route_session),
    ]
