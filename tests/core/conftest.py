"""Fixtures for the core engine tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fake_dataverse import DataverseError, FakeDataverse

TABLE = "backgroundoperation"


def store_state(dv: FakeDataverse, table: str = TABLE) -> tuple[Any, ...]:
    """Return everything a rejected request must leave as it was: rows, versions, change log."""
    store = dv.organization.store
    rows = sorted(
        (
            (str(r.id), r.partition, sorted(r.values.items(), key=lambda kv: kv[0]), r.version,
             r.etag)
            for r in store.rows(table)
        ),
        key=repr,
    )
    return (rows, store.last_version, list(store.changes_since(table, 0)))


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
