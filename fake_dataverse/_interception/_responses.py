"""The ``responses`` adapter: ``requests`` calls to an organization URL reach its fake.

Each ``responses`` mock a fake joins holds one router callback: it matches any HTTP method on any
URL whose organization is intercepted (see :mod:`._registry`) and calls that fake's Web API, so
all routing — and the 405 for a method the Web API does not serve — is the fake's. The router
goes into a :class:`responses.RequestsMock` the caller owns, or into one this module starts:
several fakes active at once share that one mock, and under an active ``@responses.activate``
the fake joins ``responses``' default mock, or else the latest started mock another fake joined
(the pytest plugin's) — nested mocks would hide each other. Any started mock with a router
answers for every intercepted fake, so a session-wide ``intercept()`` keeps answering inside a
test's own mock. Calls to other hosts raise ``requests.ConnectionError`` from ``responses``
without reaching the network.
"""

from __future__ import annotations

import contextlib
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any

import responses
from requests.structures import CaseInsensitiveDict

from fake_dataverse._interception._entra import ENTRA, ENTRA_URL
from fake_dataverse._interception._patching import answer_for, enter_libraries
from fake_dataverse._interception._registry import REGISTRY, Handler, Registration
from fake_dataverse._webapi._http import Headers, HttpRequest

__all__ = ["Interception"]

#: What ``responses`` prints for the router in its "no match" report (the router matches by its
#: own rule, never by this pattern).
_ROUTER_URL = re.compile(r"<every URL of an intercepted FakeDataverse>")


#: The handler a router's ``matches`` found, kept for its ``_answer`` of the same request:
#: ``responses`` matches and then answers on one thread, so the look-up runs once per request.
_MATCHED = threading.local()


class _Router(responses.CallbackResponse):
    """The fake's one callback on a mock: any method, any intercepted organization's URL.

    It never counts as an unfired mock: a caller's ``RequestsMock`` checks on exit that every
    registered mock was called, and the fake serves whole hosts, not one expected call.
    """

    def __init__(self, mock: responses.RequestsMock) -> None:
        super().__init__("ANY", _ROUTER_URL, callback=self._answer, content_type=None)
        self._mock = weakref.ref(mock)

    @property
    def call_count(self) -> int:
        """Return at least 1, so ``assert_all_requests_are_fired`` ignores the fake."""
        return max(1, len(self._calls))

    def matches(self, request: Any) -> tuple[bool, str]:
        """Match every method on a URL an intercepted fake serves."""
        handler = answer_for(str(request.url), self._mock())
        _MATCHED.found = (self, request, handler) if handler is not None else None
        if handler is None:
            return False, "URL is not on an intercepted FakeDataverse"
        return True, ""

    def _handler(self, prepared: Any) -> Handler | None:
        found: tuple[_Router, Any, Handler] | None = getattr(_MATCHED, "found", None)
        _MATCHED.found = None
        if found is not None and found[0] is self and found[1] is prepared:
            return found[2]  # what matching this very request found
        return answer_for(str(prepared.url), self._mock())

    def _answer(self, prepared: Any) -> tuple[int, dict[str, str], bytes] | Exception:
        handler = self._handler(prepared)
        if handler is None:  # the interception ended between matching and answering
            import requests

            return requests.ConnectionError(f"{prepared.url} is no longer intercepted")
        request = HttpRequest(
            method=str(prepared.method).upper(),
            url=str(prepared.url),
            headers=_headers(prepared.headers),
            body=_body(prepared),
        )
        response = handler(request)
        return response.status, dict(response.headers), response.body


def _started(mock: responses.RequestsMock) -> bool:
    return getattr(mock, "_patcher", None) is not None


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


def _headers(headers: Any) -> Headers:
    """Return a request's headers as the fake's own case-insensitive ``Headers``."""
    if type(headers) is CaseInsensitiveDict:
        # ``requests`` keeps ``{lower-cased name: (name, value)}``, the fake's own layout:
        # copied whole, not read back one name at a time (a third of the adapter's cost).
        return Headers.by_lowered_name(headers._store)  # type: ignore[attr-defined]
    return Headers(headers)


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
            if mock is not None and _started(mock):
                return mock
    return None


def _active_default_mock() -> responses.RequestsMock | None:
    """Return ``responses``' default mock when it is active (``@responses.activate``).

    Starting a second mock inside it would hide the caller's mocks, so the fake joins it.
    """
    default = responses.mock
    return default if _started(default) else None


def _router_on(mock: responses.RequestsMock) -> _Router | None:
    return next((r for r in mock.registered() if isinstance(r, _Router)), None)


def _installer(
    mock: responses.RequestsMock,
) -> Callable[[], tuple[Callable[[], bool], Callable[[], None]]]:
    """Return the install step for a first registration on ``mock`` (under the registry lock)."""

    def install() -> tuple[Callable[[], bool], Callable[[], None]]:
        router = _router_on(mock)
        if router is None:
            router = _Router(mock)
            mock.add(router)
        started_at_install = _started(mock)

        def alive() -> bool:  # asked on every request: a plain loop, the cheapest scan
            for item in mock.registered():
                if item is router:
                    return _started(mock) or not started_at_install
            return False

        def uninstall() -> None:
            if not REGISTRY.registrations(mock):
                with contextlib.suppress(ValueError):
                    mock.remove(router)

        return alive, uninstall

    return install


class Interception(contextlib.ContextDecorator):
    """Route ``requests`` calls for one organization into its Web API while active.

    Use it as a context manager or a decorator; it nests and overlaps with other interceptions
    of the same fake (each entry is counted), from any thread. Given ``mock`` (a
    ``responses.RequestsMock`` the caller owns), the fake joins it at once and leaves it on exit.
    ``owner`` is the fake the handler answers for (default: the handler's object).

    Raises:
        RuntimeError: another fake is intercepted at the same URL.
    """

    def __init__(
        self,
        org_url: str,
        handler: Handler,
        mock: responses.RequestsMock | None = None,
        *,
        owner: object | None = None,
    ) -> None:
        self._org_url = org_url
        self._handler = handler
        self._owner = owner if owner is not None else getattr(handler, "__self__", handler)
        self._caller_mock = mock
        self._lock = threading.Lock()
        self._entries: list[tuple[Registration, bool]] = []  # (registration, shared mock?)
        self._libraries: list[list[Registration]] = []  # per entry: httpx, aiohttp, …
        self._joined_early = False
        if mock is not None:
            _remember_joined(mock)
            self._join(mock, shared=False)
            self._joined_early = True

    def _join(self, mock: responses.RequestsMock, *, shared: bool) -> None:
        registration = REGISTRY.enter(
            self._org_url,
            owner=self._owner,
            handler=self._handler,
            target=mock,
            install=_installer(mock),
        )
        with self._lock:
            self._entries.append((registration, shared))

    def _enter_libraries(self) -> None:
        """Route the other installed HTTP libraries too (only inside ``with``/the decorator:
        a fake that only joins a mock leaves them alone)."""
        libraries = enter_libraries(self._org_url, owner=self._owner, handler=self._handler)
        with self._lock:
            self._libraries.append(libraries)

    def __enter__(self) -> Interception:
        self._enter_libraries()
        try:
            self._enter_requests()
            self._enter_entra()
        except BaseException:
            self._exit_libraries()
            raise
        return self

    def _enter_entra(self) -> None:
        """Answer Microsoft Entra's token endpoints too (shared by every fake), so credentials
        such as azure-identity's ``ClientSecretCredential`` run unmodified."""
        with self._lock:
            mock = self._entries[-1][0].target
            held = self._libraries[-1]
        assert isinstance(mock, responses.RequestsMock)
        held.append(
            REGISTRY.enter(ENTRA_URL, owner=ENTRA, handler=ENTRA.handle, target=mock,
                           install=_installer(mock))
        )
        held.extend(enter_libraries(ENTRA_URL, owner=ENTRA, handler=ENTRA.handle))

    def _enter_requests(self) -> None:
        if self._caller_mock is not None:
            with self._lock:
                joined_early, self._joined_early = self._joined_early, False
            if not joined_early:
                self._join(self._caller_mock, shared=False)
            return
        active = _active_default_mock() or _active_joined_mock()
        if active is not None:
            self._join(active, shared=False)
            return
        mock = _SharedMock.acquire()
        try:
            self._join(mock, shared=True)
        except BaseException:
            _SharedMock.release()
            raise

    def _exit_libraries(self) -> None:
        with self._lock:
            libraries = self._libraries.pop() if self._libraries else []
        for registration in reversed(libraries):
            REGISTRY.exit(registration)

    def __exit__(self, *exc: object) -> None:
        self._exit_libraries()
        with self._lock:
            if not self._entries:
                return
            registration, shared = self._entries.pop()
        REGISTRY.exit(registration)
        if shared:
            _SharedMock.release()

    def _recreate_cm(self) -> Interception:
        """Give each decorated call its own entry (calls may overlap across threads)."""
        if self._caller_mock is not None:
            return self
        return Interception(self._org_url, self._handler, owner=self._owner)

    def __call__(self, func: Any) -> Any:
        """Decorate a function, or every ``test*`` method of a class (like ``mock_aws``)."""
        if isinstance(func, type):
            for name, member in list(vars(func).items()):
                if name.startswith("test") and callable(member):
                    copy = Interception(self._org_url, self._handler, owner=self._owner)
                    setattr(func, name, copy(member))
            return func
        return super().__call__(func)

    @property
    def mock(self) -> responses.RequestsMock | None:
        """The ``responses.RequestsMock`` the fake joined last (None when inactive)."""
        with self._lock:
            if not self._entries:
                return None
            target = self._entries[-1][0].target
        assert isinstance(target, responses.RequestsMock)
        return target
