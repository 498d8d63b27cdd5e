"""A real local HTTP server onto the Web API, for clients in another process or language.

The standard library's threaded HTTP server is enough: the Web API is a function of one request,
the store's lock serializes writes, and nothing else needs a framework (no new dependency). Each
connection gets a thread and HTTP/1.1 keep-alive. URLs the fake writes into answers start with
the URL the request was sent to (the server's own), so clients follow them back here. Paths
under ``/_fake/`` are the admin API.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

from fake_dataverse._interception._admin import ADMIN_PREFIX, AdminApi, Fake
from fake_dataverse._interception._patching import serve_origin, unserve_origin
from fake_dataverse._model import _errors as errors
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._prefer import parse_prefer
from fake_dataverse._webapi._reply import error_reply

__all__ = ["LocalServer"]

_MAX_BODY = 256 * 1024 * 1024
FakeT = TypeVar("FakeT", bound=Fake)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: Callable[[HttpRequest], HttpResponse]
    base_url: str
    log: Callable[[str], None] | None

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a connection's failure, except a client that went away mid-answer (it hung
        up or timed out: nothing is wrong with the server, and nobody is left to answer)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Close every kept-alive connection, so no request is answered after stop()."""
        with self.sockets_lock:
            sockets, self.open_sockets = list(self.open_sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a kept-alive client waits
    # for the delayed ACK (~40 ms) on every request.
    disable_nagle_algorithm = True
    server: _Server

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method goes to the Web API, which answers 405
            return self._serve
        raise AttributeError(name)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                # Checked before reading: a read of a negative size waits for the client to
                # close, and one of a huge size allocates it first.
                if size < 0:
                    raise ValueError("bad chunk size")
                if len(data) + size > _MAX_BODY:
                    raise ValueError("request body too large")
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        scheme, _, own_host = self.server.base_url.partition("://")
        # A request line may carry the absolute URL (as sent to a proxy): it names the base.
        base = f"{scheme}://{self.headers.get('Host') or own_host}"
        url = self.path if self.path.startswith(("http://", "https://")) else base + self.path
        try:
            body = self._body()
        except ValueError as error:
            self._reply(HttpResponse(400, {"Content-Type": "text/plain"}, str(error).encode()))
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():  # a repeated header joins as HTTP allows
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        request = HttpRequest(self.command, url, headers, body)
        try:
            response = self.server.app(request)
        except Exception as error:  # a bug in the fake: say so, never hang the client
            message = f"fake-dataverse internal error: {type(error).__name__}: {error}"
            response = error_reply(errors.DataverseError(message), parse_prefer(None))
        self._reply(response)

    def _reply(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        no_body = self.command == "HEAD" or response.status in (204, 304)
        if response.status not in (204, 304):
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not no_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")


class LocalServer(Generic[FakeT]):
    """A running local server of one fake: ``.url``, ``.fake``, ``.stop()``; a context manager.

    ``serve_forever=False`` (the default) runs it in a daemon thread; the CLI runs it in the
    foreground with :meth:`serve_forever`.
    """

    def __init__(
        self,
        fake: FakeT,
        handler: Callable[[HttpRequest], HttpResponse],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
        background: bool = True,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.fake = fake
        self._handler = handler
        self.admin = AdminApi(fake)
        self._server = _Server((host, port))
        bound_port = self._server.server_address[1]
        shown = host if host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        if ":" in shown:
            shown = f"[{shown}]"
        if ssl_context is not None:
            # The handshake runs on the connection's own thread, at its first read, so a
            # client that never completes it cannot hold up the accept loop.
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        scheme = "http" if ssl_context is None else "https"
        self.url = f"{scheme}://{shown}:{bound_port}"
        self._server.app = self._answer
        self._server.base_url = self.url
        self._server.log = log
        self._thread: threading.Thread | None = None
        self._stopped = False
        serve_origin(self.url, self._answer)
        if background:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name=f"fake-dataverse {self.url}", daemon=True
            )
            self._thread.start()

    def _answer(self, request: HttpRequest) -> HttpResponse:
        path = request.url.split("://", 1)[-1].partition("/")[2]
        if ("/" + path).startswith(ADMIN_PREFIX):
            return self.admin.handle(request, path[len(ADMIN_PREFIX) - 1 :].split("?")[0])
        return self._handler(request)

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` (or Ctrl-C) ends it."""
        try:
            self._server.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, close every connection and free the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.close_connections()
        self._server.server_close()
        unserve_origin(self.url, self._answer)

    def __enter__(self) -> LocalServer[FakeT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "serving"
        return f"<LocalServer {self.url} {state} {self.fake.url}>"


def print_log(line: str) -> None:
    """Write one access-log line to standard error (the CLI's log)."""
    print(line, file=sys.stderr, flush=True)
