"""Building a test's organizations: the fake, its seeded rows and user, the factory.

Imported only when a ``dataverse*`` fixture is first used (it imports ``fake_dataverse``).
"""

from __future__ import annotations

import contextlib
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import responses

from conftest_plugin._config import DataverseSettings, MarkerError
from fake_dataverse import DataverseError, Entity, FakeDataverse
from fake_dataverse._interception._responses import Interception
from fake_dataverse._interception._server import LocalServer
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse.strategies._convert import json_to_entity

__all__ = [
    "DataverseFactoryImpl",
    "add_user",
    "as_user",
    "build",
    "intercept_as",
    "requests_mock",
    "seed_rows",
    "serve_as",
]

#: The headers by which a Web API request names its own caller (Dataverse's impersonation).
CALLER_HEADERS = ("CallerObjectId", "MSCRMCallerID")


def build(settings: DataverseSettings, **options: Any) -> FakeDataverse:
    """Return a fresh organization for the settings (options override them).

    Raises:
        MarkerError: for a URL or option the fake refuses.
    """
    arguments = settings.constructor_arguments()
    arguments.update(options)
    url = arguments.pop("url", settings.url)
    try:
        return FakeDataverse(url, **arguments)
    except (TypeError, ValueError) as error:
        raise MarkerError(f"the dataverse fixture cannot build FakeDataverse: {error}") from None


def seed_rows(dv: FakeDataverse, rows: tuple[Any, ...]) -> None:
    """Create the marker's rows (Web API JSON dicts or Entity objects) in order.

    Raises:
        MarkerError: naming the row the fake rejected, with the fault.
    """
    table = dv.organization.table("backgroundoperation")
    for index, row in enumerate(rows):
        try:
            entity = row if isinstance(row, Entity) else json_to_entity(table, row)
            dv.service.create(entity)
        except DataverseError as fault:
            raise MarkerError(
                f"@pytest.mark.dataverse(rows=...): rows[{index}] was rejected by the fake: "
                f"{fault.hex_code} {fault.message}"
            ) from None


def add_user(dv: FakeDataverse, user: str | Mapping[str, Any]) -> uuid.UUID:
    """Add the marker's user (a full name, or a dict with ``fullname`` and ``privileges``).

    Raises:
        MarkerError: for privileges the fake refuses (one string, a misspelt name), with its
            advice.
    """
    if isinstance(user, str):
        return dv.add_user(user)
    try:
        return dv.add_user(user["fullname"], privileges=user.get("privileges"))
    except (TypeError, ValueError) as error:
        raise MarkerError(f"@pytest.mark.dataverse(user=...): {error}") from None


def as_user(dv: FakeDataverse, user_id: uuid.UUID | None) -> Callable[[HttpRequest], HttpResponse]:
    """Return ``dv``'s Web API answering a request that names no caller as ``user_id``.

    With a ``user_id``, a request without ``CallerObjectId`` or ``MSCRMCallerID`` is answered
    as if it carried ``MSCRMCallerID: <user_id>``: the System Administrator impersonating the
    user, as ``dataverse_service`` does. The request the test's own mocks record is left as it
    was sent.
    """
    if user_id is None:
        return dv.handle

    def handle(request: HttpRequest) -> HttpResponse:
        if not any(name in request.headers for name in CALLER_HEADERS):
            headers = {**request.headers, "MSCRMCallerID": str(user_id)}
            request = attrs.evolve(request, headers=headers)
        return dv.handle(request)

    return handle


def intercept_as(
    dv: FakeDataverse, mock: responses.RequestsMock, user_id: uuid.UUID | None
) -> Interception:
    """Return the interception of ``dv`` on ``mock``, acting as the marker's user."""
    if user_id is None:
        return dv.intercept(mock)
    return Interception(dv.url, as_user(dv, user_id), mock, owner=dv)


def serve_as(dv: FakeDataverse, user_id: uuid.UUID | None) -> LocalServer[FakeDataverse]:
    """Return a running local server of ``dv``, acting as the marker's user."""
    return LocalServer(dv, as_user(dv, user_id))


@contextlib.contextmanager
def requests_mock(started_elsewhere: bool) -> Iterator[responses.RequestsMock]:
    """Yield ``responses``' default mock, the one the test's fakes register on.

    One mock for everything in the test: ``@responses.activate``, ``responses.add(...)``,
    ``responses.calls`` and ``dv.intercept()`` all use the default mock, and two started mocks
    would hide each other. It is started here and stopped (and emptied) after the test,
    unless ``started_elsewhere`` (by ``@responses.activate`` or an earlier
    ``responses.start()``), in which case whoever started it stops it.
    """
    mock = responses.mock
    if started_elsewhere:
        yield mock
        return
    mock.start()
    try:
        yield mock
    finally:
        mock.stop(allow_assert=False)
        mock.reset()


class DataverseFactoryImpl:
    """Makes more organizations for one test, each intercepted on the test's mock."""

    def __init__(
        self,
        settings: DataverseSettings,
        mock: responses.RequestsMock,
        nodeid: str,
        urls: set[str],
    ) -> None:
        self._settings = settings
        self._mock = mock
        self._nodeid = nodeid
        self._stack = contextlib.ExitStack()
        self._urls = urls  # shared with the dataverse fixture: every URL served in the test
        self._made: list[str] = []
        self._closed = False

    def __call__(self, url: str | None = None, **options: Any) -> FakeDataverse:
        """Return a new organization at ``url`` (default: the next ``orgN`` URL)."""
        if self._closed:
            raise RuntimeError(
                "dataverse_factory was called after its test finished; call it inside the "
                "test (or a function-scoped fixture) that requested it"
            )
        url = (url or self._next_url()).rstrip("/")
        if url.lower() in {served.lower() for served in self._urls}:
            raise ValueError(
                f"an organization at {url} already exists in this test; pass another url"
            )
        seed = zlib.crc32(f"{self._settings.seed}|{self._nodeid}|{url}".encode())
        options.setdefault("id_factory", seed)
        dv = build(self._settings, url=url, **options)
        self._urls.add(dv.url)
        self._made.append(dv.url)
        self._stack.enter_context(dv.intercept(self._mock))
        return dv

    def new_example(self) -> None:
        """Forget the organizations made so far (``isolate_examples`` calls this per example)."""
        self._stack.close()
        self._stack = contextlib.ExitStack()
        self._urls.difference_update(self._made)
        self._made.clear()

    def _next_url(self) -> str:
        number = 1
        while f"https://org{number}.crm.dynamics.com" in self._urls:
            number += 1
        return f"https://org{number}.crm.dynamics.com"

    def close(self) -> None:
        """Stop intercepting every organization made; later calls fail with a hint."""
        self._closed = True
        self._stack.close()
