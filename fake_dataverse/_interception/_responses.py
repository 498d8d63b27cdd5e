"""The ``responses`` adapter: ``requests`` calls to the organization URL reach the Web API.

One callback per HTTP method on the organization's URL (a regular expression); all routing is
the Web API's. The callbacks go into a :class:`responses.RequestsMock` the caller owns, or into
one this module starts: several fakes active at once share that one mock, and under an active
``@responses.activate`` the fake joins ``responses``' default mock, or else the latest started
mock another fake joined (the pytest plugin's) — nested mocks would hide each other. Calls to
any of their hosts work; calls to other hosts raise ``requests.ConnectionError`` from
``responses`` without reaching the network.
"""

from __future__ import annotations

import contextlib
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any

import responses

from fake_dataverse._webapi._http import HttpRequest, HttpResponse

__all__ = ["Interception"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
Handler = Callable[[HttpRequest], HttpResponse]


class _FakeCallback(responses.CallbackResponse):
    """The fake's callback on one method: never reported as an unfired mock.

    A caller's ``RequestsMock`` checks on exit that every registered mock was called; the fake
    serves a whole host, not one expected call, so it must not fail that check.
    """

    @property
    def call_count(self) -> int:
        """Return at least 1, so ``assert_all_requests_are_fired`` ignores the fake."""
        return max(1, len(self._calls))


class _SharedMock:
    """The one mock this module starts, shared by every fake intercepted without a mock."""

    lock = threading.Lock()
    mock: responses.RequestsMock | None = None
    users = 0

    @classmethod
    def acquire(cls) -> responses.RequestsMock:
        with cls.lock:
            if cls.mock is None:
                cls.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
                cls.mock.start()
            cls.users += 1
            return cls.mock

    @classmethod
    def release(cls) -> None:
        with cls.lock:
            cls.users -= 1
            if cls.users == 0 and cls.mock is not None:
                cls.mock.stop()
                cls.mock.reset()
                cls.mock = None

    @classmethod
    def callbacks(cls, other: responses.RequestsMock) -> list[_FakeCallback]:
        """Return the fakes' callbacks on the shared mock, if it is started and is not ``other``.

        A mock started later hides the shared one, so a fake joining it adopts these callbacks:
        a session-wide ``intercept()`` keeps answering inside a test's own mock.
        """
        with cls.lock:
            if cls.mock is None or cls.mock is other or getattr(cls.mock, "_patcher", None) is None:
                return []
            return [r for r in cls.mock.registered() if isinstance(r, _FakeCallback)]


def _body(request: Any) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(c if isinstance(c, bytes) else str(c).encode("utf-8") for c in body)


def url_pattern(org_url: str) -> re.Pattern[str]:
    """Return the pattern matching every URL on the organization's host."""
    scheme, host = org_url.split("://", 1)
    port = ":443" if scheme == "https" else ":80"
    return re.compile(
        rf"{re.escape(scheme)}://{re.escape(host)}(?:{port})?(?:[/?#].*)?$", re.IGNORECASE
    )


_JOINED: list[weakref.ref[responses.RequestsMock]] = []  # caller-owned mocks, oldest first
_JOINED_LOCK = threading.Lock()


def _remember_joined(mock: responses.RequestsMock) -> None:
    with _JOINED_LOCK:
        _JOINED[:] = [ref for ref in _JOINED if ref() not in (None, mock)]
        _JOINED.append(weakref.ref(mock))


def _active_joined_mock() -> responses.RequestsMock | None:
    """Return the latest started mock a fake joined with ``intercept(mock)``, if any.

    Inside a test whose ``dataverse`` fixture intercepts on its own mock, another fake's plain
    ``intercept()`` joins that mock: a second mock started inside it would hide it.
    """
    with _JOINED_LOCK:
        for ref in reversed(_JOINED):
            mock = ref()
            if mock is not None and getattr(mock, "_patcher", None) is not None:
                return mock
    return None


def _active_default_mock() -> responses.RequestsMock | None:
    """Return ``responses``' default mock when it is active (``@responses.activate``).

    Starting a second mock inside it would hide the caller's mocks, so the fake joins it.
    """
    default = responses.mock
    return default if getattr(default, "_patcher", None) is not None else None


class Interception(contextlib.ContextDecorator):
    """Route ``requests`` calls for one organization into its Web API while active.

    Use it as a context manager or a decorator. Given ``mock`` (a ``responses.RequestsMock``
    the caller owns), the callbacks are added to it at once and removed on exit.
    """

    def __init__(
        self, org_url: str, handler: Handler, mock: responses.RequestsMock | None = None
    ) -> None:
        self._org_url = org_url
        self._pattern = url_pattern(org_url)
        self._handler = handler
        self._owned = mock is None
        self._mock: responses.RequestsMock | None = mock
        self._registered: list[Any] = []
        self._borrowed = False
        if mock is not None:
            _remember_joined(mock)
            self._register(mock)
            self._adopt_shared(mock)

    def _callback(self, prepared: Any) -> tuple[int, dict[str, str], bytes]:
        request = HttpRequest(
            method=str(prepared.method).upper(),
            url=str(prepared.url),
            headers=dict(prepared.headers),
            body=_body(prepared),
        )
        response = self._handler(request)
        return response.status, dict(response.headers), response.body

    def _register(self, mock: responses.RequestsMock) -> None:
        for method in METHODS:
            callback = _FakeCallback(
                method, self._pattern, callback=self._callback, content_type=None
            )
            self._registered.append(mock.add(callback))

    def _adopt_shared(self, mock: responses.RequestsMock) -> None:
        present = mock.registered()
        for callback in _SharedMock.callbacks(mock):
            if not any(item is callback for item in present):
                self._registered.append(mock.add(callback))

    def _unregister(self) -> None:
        if self._mock is not None:
            for registered in self._registered:
                with contextlib.suppress(ValueError):
                    self._mock.remove(registered)
        self._registered = []

    def __enter__(self) -> Interception:
        if self._owned:
            active = _active_default_mock() or _active_joined_mock()
            self._borrowed = active is not None
            self._mock = active if active is not None else _SharedMock.acquire()
            self._register(self._mock)
        return self

    def __exit__(self, *exc: object) -> None:
        self._unregister()
        if self._owned:
            self._mock = None
            if not self._borrowed:
                _SharedMock.release()

    def __call__(self, func: Any) -> Any:
        """Decorate a function, or every ``test*`` method of a class (like ``mock_aws``)."""
        if isinstance(func, type):
            for name, member in list(vars(func).items()):
                if name.startswith("test") and callable(member):
                    setattr(func, name, Interception(self._org_url, self._handler)(member))
            return func
        return super().__call__(func)

    @property
    def mock(self) -> responses.RequestsMock | None:
        """The ``responses.RequestsMock`` the callbacks are in (None when inactive)."""
        return self._mock
