"""The store's alternate-key index: one row per key value, kept right by every kind of change."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse._model._metadata import EntityKeyMetadata
from fake_dataverse._storage._clock import Clock, IdFactory
from fake_dataverse._storage._store import Store, StoredRow
from fake_dataverse.errors import DuplicateRecordEntityKey

CODE = EntityKeyMetadata(schema_name="code_key", logical_name="code_key",
                         key_attributes=("code",), display_name="Code")
START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def new_store() -> Store:
    """A store whose table ``t`` has the alternate key ``code``."""
    return Store(Clock(START), IdFactory(), alternate_keys=lambda t: (CODE,) if t == "t" else ())


def row(number: int, code: Any, ttl: float | None = None, now: dt.datetime = START) -> StoredRow:
    row_id = uuid.UUID(int=number)
    expires = now + dt.timedelta(seconds=ttl) if ttl is not None else None
    return StoredRow(table="t", id=row_id, partition=str(row_id), values={"code": code},
                     expires_at=expires)


def holder(store: Store, code: str) -> int | None:
    found = store.find_by_key("t", CODE, (code,))
    return found.id.int if found is not None else None


class TestKeyIndex:
    def test_commit_indexes_and_refuses_a_clash_without_change(self) -> None:
        """A second row with the same value (any case) is refused and nothing is stored."""
        store = new_store()
        store.commit(row(1, "A1"), moment=START)
        version = store.last_version
        with pytest.raises(DuplicateRecordEntityKey):
            store.commit(row(2, "a1"), moment=START)
        assert (1, version, 1) == (holder(store, "A1"), store.last_version, len(list(
            store.rows("t"))))

    def test_delete_frees_the_value(self) -> None:
        """A deleted row's key value finds nothing and may be taken again."""
        store = new_store()
        store.commit(row(1, "A1"), moment=START)
        store.delete("t", row(1, "A1").key, moment=START)
        assert holder(store, "A1") is None
        store.commit(row(2, "A1"), moment=START)
        assert 2 == holder(store, "A1")

    def test_ttl_expiry_frees_the_value(self) -> None:
        """An expired row no longer holds its key: a new row may take it at once."""
        store = new_store()
        store.commit(row(1, "A1", ttl=10), moment=START)
        store.clock.advance(seconds=11)
        assert holder(store, "A1") is None
        store.commit(row(2, "A1"), moment=store.clock.now())
        assert 2 == holder(store, "A1")

    def test_commit_after_expiry_without_a_read_in_between(self) -> None:
        """A write purges expired rows first, so an expired row's value does not block it."""
        store = new_store()
        store.commit(row(1, "A1", ttl=10), moment=START)
        store.clock.advance(seconds=11)
        store.commit(row(2, "A1"), moment=store.clock.now())
        assert 2 == holder(store, "A1")

    def test_snapshot_and_clear(self) -> None:
        """Restore brings the index back with the rows; clear empties it."""
        store = new_store()
        store.commit(row(1, "A1"), moment=START)
        saved = store.snapshot()
        store.delete("t", row(1, "A1").key, moment=START)
        store.restore(saved)
        assert 1 == holder(store, "A1")
        store.clear()
        assert holder(store, "A1") is None

    @settings(max_examples=80)
    @given(st.lists(st.tuples(st.sampled_from(["put", "del"]), st.integers(0, 5),
                              st.sampled_from(["a", "A", "b", "c", None])), max_size=40))
    def test_the_index_always_agrees_with_the_rows(self, steps: list[tuple[str, int, Any]]) -> None:
        """After any writes and deletes, each value finds exactly the row holding it."""
        store = new_store()
        for action, number, code in steps:
            if action == "del":
                store.delete("t", row(number, code).key, moment=START)
                continue
            try:
                store.commit(row(number, code), moment=START)
            except DuplicateRecordEntityKey:
                held = {r.values["code"].casefold() for r in store.rows("t")
                        if r.id.int != number and r.values["code"] is not None}
                assert code is not None and code.casefold() in held
        rows = list(store.rows("t"))
        for value in ("a", "b", "c"):
            holding = [r.id.int for r in rows if (r.values["code"] or "").casefold() == value]
            assert len(holding) <= 1
            assert (holding[0] if holding else None) == holder(store, value)
