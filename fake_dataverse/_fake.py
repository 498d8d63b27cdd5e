"""``FakeDataverse``: the object a user holds — one fake organization and its surfaces."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from fake_dataverse._messages._background_runner import BackgroundRunner
from fake_dataverse._messages._background_state import state_of
from fake_dataverse._messages._registry import message_names
from fake_dataverse._messages._rows import project
from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model._metadata import (
    EntityMetadata,
    default_metadata,
    entity_metadata_from_dict,
)
from fake_dataverse._model._values import ColumnSet, Entity, coerce_id
from fake_dataverse._storage._clock import Clock, IdFactory
from fake_dataverse._storage._faults import FaultInjector
from fake_dataverse._storage._organization import Caller, Organization, Settings, User
from fake_dataverse._storage._store import StoreSnapshot
from fake_dataverse._webapi._calls import Call, RequestLog
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    import ssl

    import responses

    from fake_dataverse._interception._httpx import AsyncHttpxTransport, HttpxTransport
    from fake_dataverse._interception._responses import Interception
    from fake_dataverse._interception._server import LocalServer
    from fake_dataverse._webapi._app import WebApi

__all__ = ["FakeDataverse", "Snapshot"]

DEFAULT_URL = "https://contoso.crm.dynamics.com"


@attrs.frozen
class Snapshot:
    """A saved state of a fake (rows, change logs, users, counters, time, the request log) for
    ``restore``."""

    store: StoreSnapshot
    users: Mapping[uuid.UUID, User]
    background: object = None
    requests: tuple[Call, ...] = ()  # the request log as it was


def _background_mode(mode: str) -> bool:
    """Return whether a ``background=`` mode runs operations by themselves.

    Raises:
        ValueError: for a mode other than "manual" or "auto".
    """
    if mode not in ("manual", "auto"):
        raise ValueError(f'background must be "manual" or "auto", not {mode!r}')
    return mode == "auto"


def _deliver_callback(url: str, body: Mapping[str, Any]) -> tuple[int | None, str | None]:
    from fake_dataverse._interception._callbacks import deliver_callback

    return deliver_callback(url, body)


def _normalise_url(url: str) -> str:
    url = url.rstrip("/")
    if not url.startswith(("https://", "http://")) or "/" in url.split("://", 1)[1]:
        raise ValueError(f"url must be an organization root such as {DEFAULT_URL!r}, not {url!r}")
    return url


class FakeDataverse:
    """An in-memory Dataverse organization with the ``backgroundoperation`` table.

    ``FakeDataverse()`` holds the shipped tables; ``tables=[…]`` adds tables of your own, as
    :class:`EntityMetadata` or in the ``_tables/*.json`` dictionary shape. ``clock`` is a
    :class:`Clock` or where one starts (an aware datetime or ISO-8601 text such as
    ``"2027-01-01T00:00:00Z"``). Settings are named as in ``docs/fidelity.md``.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        clock: Clock | dt.datetime | str | None = None,
        id_factory: IdFactory | int | str | None = None,
        tables: Iterable[EntityMetadata | Mapping[str, Any]] = (),
        strict_writes: bool = False,
        enforce_state_status: bool = True,
        atomic_changesets: bool = False,
        ttl_emits_deletes: bool = False,
        change_tracking_expiry_days: int = 30,
        max_page_size: int = 5000,
        require_auth: bool = True,
        background: str = "manual",
        advance_on_poll: int | None = None,
    ) -> None:
        self.url = _normalise_url(url)
        self.settings = Settings(
            strict_writes=strict_writes,
            enforce_state_status=enforce_state_status,
            atomic_changesets=atomic_changesets,
            ttl_emits_deletes=ttl_emits_deletes,
            change_tracking_expiry_days=change_tracking_expiry_days,
            max_page_size=max_page_size,
            require_auth=require_auth,
        )
        self.clock = clock if isinstance(clock, Clock) else Clock(clock)
        if not isinstance(id_factory, IdFactory):
            seed = id_factory if id_factory is not None else zlib.crc32(self.url.encode())
            id_factory = IdFactory(seed)
        metadata = default_metadata()
        for table in tables:
            metadata.add(
                table if isinstance(table, EntityMetadata) else entity_metadata_from_dict(table)
            )
        self._webapi: WebApi | None = None
        self._org = Organization(
            url=self.url,
            metadata=metadata,
            settings=self.settings,
            clock=self.clock,
            ids=id_factory,
        )
        self._org.faults.message_names = lambda: [*message_names(), *self._org.custom_apis]
        self._background = BackgroundRunner(self._org)
        self._background.auto_run = _background_mode(background)
        self._background.advance_on_poll = advance_on_poll
        state_of(self._org).deliver = _deliver_callback

    @property
    def organization(self) -> Organization:
        """The organization's state (for adapters built on the fake)."""
        return self._org

    @property
    def metadata(self) -> list[EntityMetadata]:
        """The tables this organization holds."""
        return list(self._org.metadata)

    @property
    def admin_id(self) -> uuid.UUID:
        """The id of the default caller, a System Administrator."""
        return self._org.admin_id

    @property
    def service(self) -> OrganizationService:
        """The SDK-style service, as the System Administrator."""
        return OrganizationService(self._org, Caller(self._org.admin_id))

    @property
    def faults(self) -> FaultInjector:
        """Inject faults into the next messages: ``throttle()``, ``fail_next(error)``."""
        return self._org.faults

    @property
    def requests(self) -> RequestLog:
        """Every request this organization answered, oldest first: Web API requests through
        any transport (``$batch`` parts too) and messages run through ``service``."""
        return RequestLog(self._org.request_log)

    def assert_called(
        self, method: str, path_or_pattern: str | re.Pattern[str], times: int | None = None
    ) -> list[Call]:
        """Check that this organization answered matching requests (``times=None``: at least
        once) and return them; see :meth:`RequestLog.assert_called`.

        Raises:
            AssertionError: listing every request the organization answered.
        """
        return self.requests.assert_called(method, path_or_pattern, times)

    @property
    def background(self) -> BackgroundRunner:
        """Register custom APIs and drive background operations (start, finish, run, run_all,
        advance), or let them move by themselves (``auto_run``, ``advance_on_poll``)."""
        return self._background

    def service_for(self, user_id: uuid.UUID | str) -> OrganizationService:
        """Return the SDK-style service acting as another user (see :meth:`add_user`).

        Raises:
            CallerNotFound: 0x80040217 for an id no user has.
        """
        user = self._org.user(coerce_id(user_id) or uuid.UUID(int=0))
        return OrganizationService(self._org, Caller(user.id))

    def add_user(self, fullname: str, *, privileges: Iterable[str] | None = None) -> uuid.UUID:
        """Add a user holding ``privileges`` (None: every one); return its ``systemuserid``.

        Privilege names are Dataverse's: ``prvCreatebackgroundoperation``,
        ``prvReadbackgroundoperation``, ``prvWritebackgroundoperation``,
        ``prvDeletebackgroundoperation``, ``prvActOnBehalfOfAnotherUser``.
        """
        return self._org.add_user(fullname, privileges=privileges)

    def rows(self, table: str = "backgroundoperation") -> list[Entity]:
        """Return the live rows of a table as Entities with every column (nulls included)."""
        metadata = self._org.table(table)
        with self._org.store.lock:
            return [
                project(self._org, metadata, row, ColumnSet(all_columns=True), include_nulls=True)
                for row in self._org.store.rows(table)
            ]

    def reset(self) -> None:
        """Empty the organization: no rows, no added users, ids from the start.

        Row versions keep rising, so a delta link taken before the reset is refused
        (0x80044352, "perform a full sync") instead of answering with part of the changes.
        """
        self._org.reset()

    def snapshot(self) -> Snapshot:
        """Save the whole state, to put back with :meth:`restore`."""
        with self._org.store.lock:
            return Snapshot(self._org.store.snapshot(), dict(self._org.users),
                            state_of(self._org).snapshot(), tuple(self._org.request_log.entries))

    def restore(self, snapshot: Snapshot) -> None:
        """Put back a state saved with :meth:`snapshot`."""
        with self._org.store.lock:
            self._org.store.restore(snapshot.store)
            self._org.users = dict(snapshot.users)
            if snapshot.background is not None:
                state_of(self._org).restore(snapshot.background)
            self._org.request_log.restore(snapshot.requests)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one Web API request (the transport-free entry point adapters use)."""
        if self._webapi is None:
            from fake_dataverse._webapi._app import WebApi

            self._webapi = WebApi(self._org)
        return self._webapi.handle(request)

    def intercept(self, mock: responses.RequestsMock | None = None) -> Interception:
        """Route calls to :attr:`url` into this fake's Web API, from every HTTP library.

        ``with dv.intercept(): …`` or ``@dv.intercept()``: ``requests``, ``httpx.Client``,
        ``httpx.AsyncClient`` and ``aiohttp.ClientSession`` (those installed) reach the fake,
        clients built inside libraries included. ``dv.intercept(rsps)`` adds the fake to a
        ``responses.RequestsMock`` you already have, so your other mocks keep working; respx,
        pytest-httpx and aioresponses keep answering for their hosts. Calls to other hosts never
        reach the network: they fail with a connection error naming the host.
        """
        from fake_dataverse._interception._responses import Interception

        return Interception(self.url, self.handle, mock)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None
    ) -> LocalServer[FakeDataverse]:
        """Serve this fake's Web API over real HTTP until ``.stop()``; return the server.

        ``with dv.serve() as server: …`` — ``server.url`` is ``http://127.0.0.1:<port>`` (port 0:
        any free port), every URL in the answers starts with it, and ``/_fake/`` is the admin
        API (reset, snapshots, clock, background operations, faults). Requests run on threads;
        the store's lock keeps each one whole. Inside ``intercept()`` clients may reach it.
        With ``ssl_context`` (a server-side :class:`ssl.SSLContext` holding a certificate) it
        serves HTTPS and the URL starts ``https://``: for clients that refuse plain HTTP, such as
        Microsoft's ``DataverseClient``.
        """
        from fake_dataverse._interception._server import LocalServer

        return LocalServer(self, self.handle, host=host, port=port, ssl_context=ssl_context)

    def httpx_transport(self) -> HttpxTransport:
        """Return an ``httpx.BaseTransport`` answering from this fake's Web API.

        ``httpx.Client(transport=dv.httpx_transport())`` reaches the fake at any URL, without
        ``intercept()``. Needs httpx (the ``httpx`` extra).
        """
        from fake_dataverse._interception._httpx import HttpxTransport

        return HttpxTransport(self.handle)

    def async_httpx_transport(self) -> AsyncHttpxTransport:
        """Return an ``httpx.AsyncBaseTransport`` answering from this fake's Web API."""
        from fake_dataverse._interception._httpx import AsyncHttpxTransport

        return AsyncHttpxTransport(self.handle)

    def __repr__(self) -> str:
        return f"FakeDataverse({self.url!r})"
