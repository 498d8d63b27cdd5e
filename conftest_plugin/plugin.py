"""The fake-dataverse pytest plugin: ``dataverse`` fixtures, the ``dataverse`` marker, options.

Registered through the ``pytest11`` entry point ``fake_dataverse`` (disable it with
``-p no:fake_dataverse``). Importing this module is cheap: ``fake_dataverse``, ``responses``
and ``hypothesis`` are imported only when a fixture is used.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from conftest_plugin._config import (
    MARKER_HELP,
    DataverseSettings,
    MarkerError,
    add_options,
    resolve,
)

if TYPE_CHECKING:
    import responses

    from conftest_plugin import DataverseFactory, DataverseServer
    from fake_dataverse import FakeDataverse, OrganizationService

_SETTINGS = pytest.StashKey[DataverseSettings]()
_USER = pytest.StashKey[uuid.UUID]()
_URLS = pytest.StashKey[set[str]]()
_CALL_FAILED = pytest.StashKey[bool]()
_NEVER_CALLED = (
    "require_calls: the test set up the organization {url} but its code never called it "
    "(no Web API request, no SDK message). Call it, drop the dataverse fixture, or turn the "
    "check off: @pytest.mark.dataverse(require_calls=False) or dataverse_require_calls = false."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--dataverse-*`` options and ``dataverse_*`` ini values."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``dataverse`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", MARKER_HELP)


def _resolve(item: pytest.Item) -> DataverseSettings:
    """Return (and keep) the test's settings; fail its setup, once, with a wrong marker's fix."""
    if _SETTINGS not in item.stash:
        try:
            item.stash[_SETTINGS] = resolve(item)
        except MarkerError as error:
            problem = str(error)
        else:
            problem = ""
        if problem:  # failed outside the except block: no "during handling" second copy
            pytest.fail(problem, pytrace=False)
    return item.stash[_SETTINGS]


def _settings(request: pytest.FixtureRequest) -> DataverseSettings:
    settings: DataverseSettings = _resolve(request.node)
    return settings


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Remember whether the test itself failed (the ``require_calls`` check then stays quiet)."""
    outcome = yield
    if call.when == "call":
        item.stash[_CALL_FAILED] = bool(getattr(outcome.get_result(), "failed", False))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a test whose ``dataverse`` marker is wrong, even if it uses no fixture."""
    if item.get_closest_marker("dataverse") is not None:
        _resolve(item)


_ISOLATE_HINT = (
    "A @given test shares its function-scoped `dataverse` fixture between examples. Put "
    "@fake_dataverse.strategies.isolate_examples above @given (and @settings): every example "
    "then starts from the fixture's fresh organization."
)


def pytest_exception_interact(
    node: pytest.Item | pytest.Collector, call: pytest.CallInfo[object], report: pytest.TestReport
) -> None:
    """Say how to fix Hypothesis' function-scoped-fixture complaint about ``dataverse``."""
    fixtures = getattr(node, "fixturenames", ())
    error = call.excinfo.value if call.excinfo is not None else None
    if error is not None and "function_scoped_fixture" in str(error) and "dataverse" in fixtures:
        report.sections.append(("fake-dataverse", _ISOLATE_HINT))


def _uses_default_mock(request: pytest.FixtureRequest) -> bool:
    """Return True when ``responses``' default mock is (or will be) active in the test.

    It is active already when a fixture or another plugin called ``responses.start()``, and
    will be when the test is decorated with ``@responses.activate``.
    """
    import responses

    if getattr(responses.mock, "_patcher", None) is not None:
        return True
    function = getattr(request.node, "function", None)
    code = getattr(function, "__code__", None)
    return code is not None and code.co_filename == responses.__file__


@pytest.fixture
def dataverse_responses(request: pytest.FixtureRequest) -> Iterator[responses.RequestsMock]:
    """The ``responses`` mock the test's fakes are registered on: add your own mocks to it.

    It is ``responses``' default mock (``responses.mock``), started for the test unless
    ``@responses.activate`` or an earlier ``responses.start()`` does it, and emptied after:
    ``responses.add(...)``, ``responses.calls`` and ``dv.intercept()`` all meet the fake in
    it (one started mock would hide another). Override this fixture to hand in your own.
    """
    from conftest_plugin._session import requests_mock

    with requests_mock(_uses_default_mock(request)) as mock:
        yield mock


@pytest.fixture
def dataverse_factory(
    request: pytest.FixtureRequest, dataverse_responses: responses.RequestsMock
) -> Iterator[DataverseFactory]:
    """Make more organizations in one test: ``dataverse_factory(url="https://fabrikam…")``."""
    from conftest_plugin._session import DataverseFactoryImpl

    urls = request.node.stash.setdefault(_URLS, set())
    factory = DataverseFactoryImpl(
        _settings(request), dataverse_responses, request.node.nodeid, urls
    )
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def dataverse(
    request: pytest.FixtureRequest, dataverse_responses: responses.RequestsMock
) -> Iterator[FakeDataverse]:
    """A fresh fake Dataverse organization for one test, with ``requests`` intercepted.

    With the marker's ``user=``, Web API requests that name no caller run on behalf of that
    user (as if they carried ``MSCRMCallerID``). Deterministic: the clock starts at
    2026-01-01T09:00:00Z (or ``now=``) and ids come from a seed derived from the test's node
    id (or ``seed=``). Configure it with ``@pytest.mark.dataverse(...)``, ``--dataverse-*``
    options or ``dataverse_*`` ini values.
    """
    from conftest_plugin._session import add_user, build, intercept_as, seed_rows

    settings = _settings(request)
    user_id: uuid.UUID | None = None
    problem = ""
    try:
        dv = build(settings)
        seed_rows(dv, settings.rows)
        if settings.user is not None:
            user_id = request.node.stash[_USER] = add_user(dv, settings.user)
    except MarkerError as error:
        problem = str(error)
    if problem:  # failed outside the except block: the report shows the message once
        pytest.fail(problem, pytrace=False)
    request.node.stash.setdefault(_URLS, set()).add(dv.url)
    request.node.add_report_section("setup", "fake-dataverse", settings.describe())
    answered_in_setup = dv.requests.answered
    with intercept_as(dv, dataverse_responses, user_id):
        yield dv
    never_called = settings.require_calls and dv.requests.answered == answered_in_setup
    if never_called and not request.node.stash.get(_CALL_FAILED, False):  # a failure says more
        pytest.fail(_NEVER_CALLED.format(url=dv.url), pytrace=False)


@pytest.fixture
def dataverse_server(
    request: pytest.FixtureRequest, dataverse: FakeDataverse
) -> Iterator[DataverseServer]:
    """The test's organization (the ``dataverse`` fixture's fake) on a local HTTP server.

    ``.url`` is ``http://127.0.0.1:<port>``, ``.fake`` the ``FakeDataverse``; the marker's
    settings, rows and ``user=`` apply as to ``dataverse``. The server stops after the test.
    """
    from conftest_plugin._session import serve_as

    with serve_as(dataverse, request.node.stash.get(_USER, None)) as server:
        yield server


@pytest.fixture(scope="session")
def dataverse_session_server(request: pytest.FixtureRequest) -> Iterator[DataverseServer]:
    """One organization on a local HTTP server for the whole session (its state is shared by
    every test that uses it: reset it through ``.fake`` or ``POST /_fake/reset``).

    ``--dataverse-*`` options and ``dataverse_*`` ini values apply; markers cannot (they
    belong to single tests).
    """
    from conftest_plugin._session import build, serve_as

    problem = ""
    try:
        dv = build(resolve(request.node))  # the session: options and ini values only
    except MarkerError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    with serve_as(dv, None) as server:
        yield server


@pytest.fixture
def dataverse_user_id(request: pytest.FixtureRequest, dataverse: FakeDataverse) -> uuid.UUID:
    """The ``systemuserid`` the test's requests run as: the marker's ``user=``, else the
    System Administrator's."""
    user_id: uuid.UUID | None = request.node.stash.get(_USER, None)
    return dataverse.admin_id if user_id is None else user_id


@pytest.fixture
def dataverse_service(
    request: pytest.FixtureRequest, dataverse: FakeDataverse
) -> OrganizationService:
    """The SDK-style service of the test's organization: the System Administrator, acting on
    behalf of the marker's ``user=`` when there is one (as the Web API requests do)."""
    user_id = request.node.stash.get(_USER, None)
    return dataverse.service if user_id is None else dataverse.service.impersonate(user_id)
