"""Savepoints (the undo log) and the bounded change log.

A rollback must put back exactly the state before the savepoint — rows in their order, values,
versions, etags, the change log, the id sequence, session tokens — however many rows the store
holds; the change log must stay within the live rows and the deletes of the expiry period.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    CreateMultipleRequest,
    DataverseError,
    Entity,
    FakeDataverse,
    RetrieveEntityChangesRequest,
)

from ..traces import store_state
from .conftest import TABLE

START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)


def state(dv: FakeDataverse) -> tuple[Any, ...]:
    """Return the store's state, the rows in their stored order, and the id sequence."""
    store = dv.organization.store
    order = [(r.id, r.partition) for r in store.rows(TABLE)]
    return (store_state(dv), order, store.ids.getstate())


def token_number(token: str) -> int:
    """Return the counter inside a session token (``207:8#<n>#7=-1``)."""
    return int(token.split("#")[1])


def some_writes(dv: FakeDataverse, ids: list[uuid.UUID]) -> None:
    """Create, update, upsert, delete, and create a row that expires (TTL)."""
    dv.service.create(Entity(TABLE, name="new"))
    dv.service.create(Entity(TABLE, name="in a partition", partitionid="tenant"))
    dv.service.update(Entity(TABLE, ids[1], retrycount=3))
    dv.service.upsert(Entity(TABLE, ids[2], name="replaced"))
    dv.service.delete(TABLE, ids[0])
    dv.service.delete(TABLE, ids[3])
    dv.service.create(Entity(TABLE, ids[3], name="created again", ttlinseconds=60))


@pytest.fixture
def filled(dv: FakeDataverse) -> list[uuid.UUID]:
    """Five rows in the fake; return their ids."""
    targets = [Entity(TABLE, name=f"row {n}") for n in range(5)]
    return list(dv.service.execute(CreateMultipleRequest(targets=targets))["Ids"])


class TestSavepoints:
    def test_rollback_puts_everything_back(
        self, dv: FakeDataverse, filled: list[uuid.UUID]
    ) -> None:
        """Every kind of write since the savepoint is undone; rows keep their order."""
        store = dv.organization.store
        before = state(dv)
        last_token = token_number(store.next_session_token())
        savepoint = store.savepoint()
        some_writes(dv, filled)
        store.rollback(savepoint)
        assert before == state(dv)
        assert last_token + 1 == token_number(store.next_session_token())

    def test_rolled_back_expiry_does_not_remove_a_later_row(
        self, dv: FakeDataverse, filled: list[uuid.UUID]
    ) -> None:
        """A TTL scheduled inside a rolled-back savepoint never expires the row written after."""
        store = dv.organization.store
        row_id = uuid.UUID(int=77)
        savepoint = store.savepoint()
        dv.service.create(Entity(TABLE, row_id, name="short-lived", ttlinseconds=10))
        store.rollback(savepoint)
        dv.service.create(Entity(TABLE, row_id, name="kept"))  # same key, same version
        dv.clock.advance(60)
        assert "kept" == dv.service.retrieve(TABLE, row_id, ["name"])["name"]

    def test_nested_savepoints(self, dv: FakeDataverse, filled: list[uuid.UUID]) -> None:
        """An inner rollback keeps the outer writes; an outer rollback undoes the released inner."""
        store = dv.organization.store
        outer = store.savepoint()
        dv.service.create(Entity(TABLE, name="outer"))
        inner = store.savepoint()
        dv.service.create(Entity(TABLE, name="inner"))
        store.rollback(inner)
        assert {"outer"} <= {r["name"] for r in dv.rows()}
        assert "inner" not in {r["name"] for r in dv.rows()}
        again = store.savepoint()
        dv.service.create(Entity(TABLE, name="released"))
        store.release(again)
        store.rollback(outer)
        assert [f"row {n}" for n in range(5)] == [r["name"] for r in dv.rows()]

    def test_atomic_block_rolls_back_on_an_exception(
        self, dv: FakeDataverse, filled: list[uuid.UUID]
    ) -> None:
        """An exception inside store.atomic() undoes the block's writes and propagates."""
        before = store_state(dv)

        def failing_block() -> None:
            with dv.organization.store.atomic():
                dv.service.delete(TABLE, filled[0])
                dv.service.create(Entity(TABLE, name="never"))
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            failing_block()
        assert before == store_state(dv)

    def test_closing_twice_is_harmless(self, dv: FakeDataverse) -> None:
        """A savepoint rolled back and then released (or the reverse) changes nothing more."""
        store = dv.organization.store
        savepoint = store.savepoint()
        dv.service.create(Entity(TABLE, name="gone"))
        store.rollback(savepoint)
        store.release(savepoint)
        kept = dv.service.create(Entity(TABLE, name="kept"))
        store.rollback(savepoint)
        assert [kept] == [r.id for r in dv.rows()]


class TestBoundedChangeLog:
    def test_superseded_entries_are_compacted_away(self, dv: FakeDataverse) -> None:
        """Thousands of updates to a few rows leave about one entry per row, not one per update."""
        ids = [dv.service.create(Entity(TABLE, name=f"row {n}")) for n in range(10)]
        for round_number in range(300):
            for row_id in ids:
                dv.service.update(Entity(TABLE, row_id, retrycount=round_number % 5))
        assert dv.organization.store.change_log_size(TABLE) < 1500  # 3,010 written

    def test_a_token_still_gets_each_change_once(self, dv: FakeDataverse) -> None:
        """After compaction a token from before the updates gets each row once, in its latest
        state, and the deletes."""
        ids = [dv.service.create(Entity(TABLE, name=f"row {n}")) for n in range(10)]
        first = dv.service.execute(
            RetrieveEntityChangesRequest(entity_name=TABLE, columns=ColumnSet("retrycount"))
        )
        token = first["EntityChanges"].data_token
        for round_number in range(1, 201):
            for row_id in ids[:8]:
                dv.service.update(Entity(TABLE, row_id, retrycount=round_number % 7))
        dv.service.delete(TABLE, ids[8])
        changes = dv.service.execute(
            RetrieveEntityChangesRequest(
                entity_name=TABLE, columns=ColumnSet("retrycount"), data_version=token
            )
        )["EntityChanges"].changes
        updated = [c.new_or_updated_entity for c in changes if hasattr(c, "new_or_updated_entity")]
        assert ids[:8] == [e.id for e in updated]
        assert [200 % 7] * 8 == [e["retrycount"] for e in updated]
        assert [ids[8]] == [c.removed_item.id for c in changes if hasattr(c, "removed_item")]

    def test_deletes_older_than_the_expiry_are_dropped(self) -> None:
        """A delete older than change_tracking_expiry_days leaves the log at the next compaction."""
        dv = FakeDataverse(clock=START, change_tracking_expiry_days=1)
        gone = [dv.service.create(Entity(TABLE, name=f"gone {n}")) for n in range(600)]
        for row_id in gone:
            dv.service.delete(TABLE, row_id)
        dv.clock.advance(days=2)
        kept = dv.service.create(Entity(TABLE, name="kept"))
        for n in range(1100):
            dv.service.update(Entity(TABLE, kept, retrycount=n % 3))
        assert dv.organization.store.change_log_size(TABLE) < 600

    def test_a_token_whose_deletes_are_compacted_is_expired(self) -> None:
        """A token the compacted log can no longer answer in full is refused as expired.

        Only a clock set backwards makes one: the token is younger than the expiry, yet older
        (by version) than a delete written at an earlier fake time.
        """
        dv = FakeDataverse(clock=START + dt.timedelta(days=10), change_tracking_expiry_days=30)
        row_id = dv.service.create(Entity(TABLE, name="a"))
        token = dv.service.execute(
            RetrieveEntityChangesRequest(entity_name=TABLE, columns=ColumnSet("name"))
        )["EntityChanges"].data_token
        dv.clock.set(START)
        dv.service.delete(TABLE, row_id)
        dv.clock.set(START + dt.timedelta(days=35))
        other = dv.service.create(Entity(TABLE, name="b"))
        for n in range(1100):
            dv.service.update(Entity(TABLE, other, retrycount=n % 3))
        with pytest.raises(DataverseError) as info:
            dv.service.execute(
                RetrieveEntityChangesRequest(
                    entity_name=TABLE, columns=ColumnSet("name"), data_version=token
                )
            )
        assert "0x80044352" == info.value.hex_code
