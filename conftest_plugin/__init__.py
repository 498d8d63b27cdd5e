"""The fake-dataverse pytest plugin (entry point ``fake_dataverse``).

Fixture types, for annotations::

    from conftest_plugin import DataverseFactory
    from fake_dataverse import FakeDataverse, OrganizationService

    def test_sync(dataverse: FakeDataverse, dataverse_factory: DataverseFactory) -> None: ...

``dataverse`` is a :class:`fake_dataverse.FakeDataverse`, ``dataverse_service`` an
:class:`fake_dataverse.OrganizationService`, ``dataverse_user_id`` a :class:`uuid.UUID` and
``dataverse_responses`` a ``responses.RequestsMock``; ``dataverse_server`` and
``dataverse_session_server`` are :class:`DataverseServer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fake_dataverse import FakeDataverse

__all__ = ["DataverseFactory", "DataverseServer"]


class DataverseFactory(Protocol):
    """The ``dataverse_factory`` fixture: makes more organizations in one test."""

    def __call__(self, url: str | None = None, **options: Any) -> FakeDataverse:
        """Return a new organization at ``url``, intercepted like ``dataverse``.

        The default URL is the first free ``https://org<N>.crm.dynamics.com``; ``options`` go
        to ``FakeDataverse``.
        """


class DataverseServer(Protocol):
    """The ``dataverse_server`` / ``dataverse_session_server`` fixtures: a running local server."""

    url: str
    """``http://127.0.0.1:<port>``: every URL in its answers starts with it."""

    fake: FakeDataverse
    """The organization it serves."""

    def stop(self) -> None:
        """Stop serving (the fixture does it after the test)."""
