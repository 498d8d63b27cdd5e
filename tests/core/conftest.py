"""Fixtures for the core engine tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from fake_dataverse import DataverseError, FakeDataverse

from ..traces import store_state

TABLE = "backgroundoperation"




Rejects = Callable[[str], contextlib.AbstractContextManager[pytest.ExceptionInfo[DataverseError]]]


@pytest.fixture
def dv() -> FakeDataverse:
    """A fresh fake organization."""
    return FakeDataverse()


@pytest.fixture
def rejects(dv: FakeDataverse) -> Rejects:
    """Return ``rejects(hex_code)``: the block must raise that fault and change nothing."""

    @contextlib.contextmanager
    def check(code: str) -> Iterator[pytest.ExceptionInfo[DataverseError]]:
        before = store_state(dv)
        with pytest.raises(DataverseError) as info:
            yield info
        assert code == info.value.hex_code, info.value.message
        assert before == store_state(dv)

    return check
