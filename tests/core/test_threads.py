"""Several threads calling one fake: no lost update, strictly increasing versions."""

from __future__ import annotations

import itertools
import threading
import uuid

from fake_dataverse import (
    ConcurrencyBehavior,
    DataverseError,
    Entity,
    FakeDataverse,
    UpdateRequest,
)

from .conftest import TABLE

THREADS = 8
ROWS_PER_THREAD = 15
INCREMENTS_PER_THREAD = 25


def _own_rows(dv: FakeDataverse, worker: int, created: dict[uuid.UUID, int]) -> None:
    service = dv.service
    for n in range(ROWS_PER_THREAD):
        row_id = service.create(Entity(TABLE, name=f"w{worker}-{n}", retrycount=0))
        for attempt in range(1, 4):
            service.update(Entity(TABLE, row_id, retrycount=attempt))
        created[row_id] = 3
        if n % 5 == 4:
            service.delete(TABLE, row_id)
            del created[row_id]


def _increment(dv: FakeDataverse, counter: uuid.UUID) -> None:
    """Increment the shared row's retrycount with optimistic concurrency, retrying on 412."""
    done = 0
    while done < INCREMENTS_PER_THREAD:
        row = dv.service.retrieve(TABLE, counter, ["retrycount"])
        bump = Entity(TABLE, counter, row_version=row.row_version,
                      retrycount=row["retrycount"] + 1)
        try:
            dv.service.execute(UpdateRequest(
                target=bump, concurrency_behavior=ConcurrencyBehavior.IF_ROW_VERSION_MATCHES))
        except DataverseError as error:
            if error.hex_code != "0x80060882":  # only a lost race may fail, and is retried
                raise
            continue
        done += 1


def test_eight_threads_of_mixed_writes() -> None:
    """8 threads create, update, delete and race on one counter: nothing is lost."""
    dv = FakeDataverse()
    counter = dv.service.create(Entity(TABLE, name="counter", retrycount=0))
    created: list[dict[uuid.UUID, int]] = [{} for _ in range(THREADS)]
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _own_rows(dv, worker, created[worker])
            _increment(dv, counter)
        except BaseException as error:  # surfaced below, so a thread failure fails the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [] == errors
    rows = {r.id: r for r in dv.rows()}
    assert THREADS * INCREMENTS_PER_THREAD == rows.pop(counter)["retrycount"]
    expected = {row_id: n for mine in created for row_id, n in mine.items()}
    assert expected == {row_id: r["retrycount"] for row_id, r in rows.items()}
    versions = [c.version for c in dv.organization.store.changes_since(TABLE, 0)]
    assert all(a < b for a, b in itertools.pairwise(versions))
    writes = 1 + THREADS * (ROWS_PER_THREAD * 4 + ROWS_PER_THREAD // 5 + INCREMENTS_PER_THREAD)
    assert writes == len(versions)
