"""pytest plugin: fixtures for fake-dataverse.

Importing this module is cheap: ``fake_dataverse`` is imported only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fake_dataverse import FakeDataverse, OrganizationService


@pytest.fixture
def dataverse() -> Iterator[FakeDataverse]:
    """A fresh fake Dataverse organization for one test."""
    from fake_dataverse import FakeDataverse

    yield FakeDataverse()


@pytest.fixture
def dataverse_service(dataverse: FakeDataverse) -> OrganizationService:
    """The SDK-style service of the test's fake organization (System Administrator)."""
    return dataverse.service
