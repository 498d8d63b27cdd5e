"""Storage: rows keyed by (id, partition), versions, the change log, TTL expiry, one lock.

The store knows nothing of messages or HTTP. Callers validate first and then commit a finished
row; a commit either happens whole or not at all, and never gives two rows the same alternate-key
values (:mod:`._key_index`). Every commit and every delete appends a
:class:`ChangeRecord` to the table's change log, in strictly increasing version order, which is
what change tracking reads.

Savepoints make a group of writes atomic (atomic change sets, ``ExecuteTransaction``): while one
is open every change records its inverse in an undo log, and :meth:`Store.rollback` applies them
backwards — the cost follows what the group changed, not the size of the store (but for a
deleted row, whose place in the table's row order is found and restored by one pass).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityKeyMetadata
from fake_dataverse._storage._clock import Clock, IdFactory, dotnet_ticks
from fake_dataverse._storage._key_index import KeyIndex
from fake_dataverse._storage._store_index import IndexKey, index_key
from fake_dataverse._storage._table import (
    ChangeRecord,
    RowKey,
    StoredRow,
    TableData,
    Undo,
    etag_for,
    undo_one,
)

__all__ = [
    "ChangeRecord",
    "RowKey",
    "Savepoint",
    "Store",
    "StoreSnapshot",
    "StoredRow",
    "etag_for",
]


def _walk(data: TableData, keys: Iterator[IndexKey]) -> Iterator[StoredRow]:
    rows = data.rows
    for key in keys:
        row = rows.get(key)
        if row is not None:
            yield row


@attrs.frozen
class StoreSnapshot:
    """An opaque copy of a store's state, for :meth:`Store.restore`."""

    tables: dict[str, TableData]
    last_version: int
    session_counter: int
    ids_state: object
    now: dt.datetime
    version_floor: int = 0


@attrs.define
class Savepoint:
    """Where :meth:`Store.rollback` returns to: the undo log's length and the counters then."""

    mark: int
    last_version: int
    session_counter: int
    ids_state: object
    now: dt.datetime
    closed: bool = False


class Store:
    """All rows of one organization, with versions, change logs and TTL expiry.

    Thread-safe through one re-entrant lock (:attr:`lock`); the service holds it for a whole
    message so that validation and commit see the same state.
    """

    def __init__(
        self,
        clock: Clock,
        ids: IdFactory,
        *,
        ttl_emits_deletes: bool = False,
        change_tracking_expiry_days: int = 30,
        alternate_keys: Callable[[str], tuple[EntityKeyMetadata, ...]] = lambda _: (),
    ) -> None:
        self.lock = threading.RLock()
        self.alternate_keys = alternate_keys
        self.clock = clock
        self.ids = ids
        self.ttl_emits_deletes = ttl_emits_deletes
        self.change_tracking_expiry = dt.timedelta(days=change_tracking_expiry_days)
        self._tables: dict[str, TableData] = {}
        self._last_version = 0
        self._ticks_of: tuple[dt.datetime | None, int] = (None, 0)
        self._version_floor = 0
        self._session_counter = 0
        self._undo: Undo | None = None
        self._open_savepoints = 0

    # ---- versions and tokens -------------------------------------------------------------
    def next_version(self, moment: dt.datetime) -> int:
        """Return a new version: the write's .NET ticks, bumped past the last one on ties."""
        with self.lock:
            return self._next_version(moment)

    def _next_version(self, moment: dt.datetime) -> int:
        # (under the lock)
        if moment is not self._ticks_of[0]:  # a frozen clock gives every write one moment
            self._ticks_of = (moment, dotnet_ticks(moment))
        self._last_version = max(self._ticks_of[1], self._last_version + 1)
        return self._last_version

    @property
    def last_version(self) -> int:
        """Return the highest version handed out so far (0 when none)."""
        return self._last_version

    @property
    def version_floor(self) -> int:
        """Return the lowest version a data token may hold: tokens taken before the last
        :meth:`clear` are below it (they describe rows that are gone)."""
        return self._version_floor

    def next_session_token(self) -> str:
        """Return a new elastic session token (``<n>:<m>#<counter>#7=-1``)."""
        with self.lock:
            self._session_counter += 1
            return f"207:8#{142_973_457 + self._session_counter}#7=-1"

    # ---- reads ------------------------------------------------------------------------
    def _table(self, table: str) -> TableData:
        data = self._tables.get(table)
        if data is None:
            data = self._tables[table] = TableData(keys=KeyIndex(self.alternate_keys(table)))
        return data

    def _live(self, table: str) -> TableData:
        data = self._table(table)
        if data.expiry:
            self._purge(data)
        return data

    def get(self, table: str, key: RowKey) -> StoredRow | None:
        """Return the live row with this key, or None (expired rows are gone)."""
        with self.lock:
            data = self._tables.get(table)
            if data is None or data.expiry:  # what :meth:`_live` does first
                data = self._live(table)
            return data.get(key)

    def find_by_key(
        self, table: str, key: EntityKeyMetadata, values: tuple[Any, ...]
    ) -> StoredRow | None:
        """Return the live row holding an alternate key's raw values, or None (one probe)."""
        with self.lock:
            data = self._live(table)
            row_key = data.keys.find(key, values)
            return data.get(row_key) if row_key is not None else None

    def rows(self, table: str) -> list[StoredRow]:
        """Return every live row of a table, as a new list (a snapshot of the current rows)."""
        with self.lock:
            return list(self._live(table).rows.values())

    def count(self, table: str) -> int:
        """Return how many live rows a table holds (without reading them)."""
        with self.lock:
            return len(self._live(table).rows)

    def ordered_rows(
        self, table: str, *, after: RowKey | None = None, partition: str | None = None
    ) -> Iterator[StoredRow]:
        """Yield live rows in (id, partition) order, strictly after ``after``, lazily.

        ``partition`` keeps only that partition's rows. Call it under :attr:`lock` and read the
        rows before the next write.
        """
        start: IndexKey | None = None if after is None else index_key(*after)
        with self.lock:  # (reading the index first sorts in the keys written since)
            data = self._live(table)
            return _walk(data, data.index.after(start, partition))

    def expire(self, table: str) -> None:
        """Remove the table's rows whose time to live has passed (logging their deletes when
        ``ttl_emits_deletes``), so a reader of :attr:`last_version` sees them."""
        with self.lock:
            self._live(table)

    def live_by_version(self, table: str, *, after: int, as_of: int) -> Iterator[StoredRow]:
        """Yield the live rows last written after version ``after`` up to ``as_of``, by version.

        Lazily, from the change log: a page costs about its rows. Call it under :attr:`lock`
        and read the rows before the next write.
        """
        with self.lock:
            return self._live(table).live_by_version(after, as_of)

    def changes_since(self, table: str, version: int) -> list[ChangeRecord]:
        """Return the change-log entries with a version above ``version``, oldest first.

        Entries superseded by a later change of the same row may have been dropped.
        """
        with self.lock:
            return self._live(table).changes_since(version)

    def oldest_answerable_version(self, table: str) -> int:
        """Return the lowest data-token version the change log can still answer from."""
        with self.lock:
            return self._table(table).compacted_through

    def change_log_size(self, table: str) -> int:
        """Return how many entries a table's change log holds."""
        with self.lock:
            return len(self._table(table).changes)

    # ---- writes -----------------------------------------------------------------------
    def commit(
        self,
        row: StoredRow,
        *,
        moment: dt.datetime,
        version_column: str | None = None,
        initial: bool = False,
    ) -> StoredRow:
        """Store a finished row (insert or replace), stamping its version and write time.

        ``version_column`` names the column that reads the version (``versionnumber``). An
        ``initial`` row, one the organization starts with (its administrator), predates every
        write: it takes the next number in sequence rather than the clock's ticks, so a clock
        set back before the first write is where versions start.

        Raises:
            DuplicateRecordEntityKey: 0x80060892 when another row holds the row's values of an
                alternate key; nothing is stored.
        """
        with self.lock:
            data = self._tables.get(row.table)
            if data is None or data.expiry:  # what :meth:`_live` does first
                data = self._live(row.table)
            clash = data.keys.clash(row.key, row.values) if data.keys.keys else None
            if clash is not None:
                raise errors.DuplicateRecordEntityKey(
                    key=clash.display_name or clash.schema_name,
                    attributes=", ".join(clash.key_attributes),
                )
            if initial:
                self._last_version += 1
                row.stamp(self._last_version, moment)
            else:
                row.stamp(self._next_version(moment), moment)
            if version_column is not None:
                row.values = row.values.with_value(version_column, row.version)
            data.put_row(row.key, row, self._undo)
            self._log(data, ChangeRecord(row.version, row.key, deleted=False, at=moment))
            if row.expires_at is not None:
                data.push_expiry((row.expires_at, row.version, row.key), self._undo)
            return row

    def delete(self, table: str, key: RowKey, *, moment: dt.datetime) -> None:
        """Remove a row and record the delete in the change log."""
        with self.lock:
            data = self._table(table)
            row = data.get(key)
            if row is not None:
                data.put_row(key, None, self._undo)
                self._log(data, ChangeRecord(self.next_version(moment), row.key, True, moment))

    def _log(self, data: TableData, record: ChangeRecord) -> None:
        if data.log(record, self._undo) and self._undo is None:
            data.compact(self.clock.now() - self.change_tracking_expiry)

    def _purge(self, data: TableData) -> None:
        now = self.clock.now()
        while data.expiry and data.expiry[0][0] <= now:
            _, version, key = data.pop_expiry(self._undo)
            row = data.get(key)
            if row is None or row.version != version:
                continue  # rewritten or deleted since: that later write decides
            data.put_row(key, None, self._undo)
            if self.ttl_emits_deletes:
                self._log(data, ChangeRecord(self.next_version(now), row.key, True, now))

    # ---- savepoints --------------------------------------------------------------------------
    def savepoint(self) -> Savepoint:
        """Open a savepoint: :meth:`rollback` undoes every change made after it.

        Savepoints nest; close each (with :meth:`rollback` or :meth:`release`), innermost first.
        """
        with self.lock:
            for data in self._tables.values():
                if data.expiry:
                    self._purge(data)  # what expired before the savepoint stays expired
            if self._undo is None:
                self._undo = []
            self._open_savepoints += 1
            return Savepoint(
                mark=len(self._undo),
                last_version=self._last_version,
                session_counter=self._session_counter,
                ids_state=self.ids.getstate(),
                now=self.clock.now(),
            )

    def rollback(self, savepoint: Savepoint) -> None:
        """Undo every change made since ``savepoint`` and close it (nothing if already closed)."""
        with self.lock:
            if savepoint.closed:
                return
            try:
                undo = self._undo
                while undo is not None and len(undo) > savepoint.mark:
                    undo_one(undo.pop())
                self._last_version = savepoint.last_version
                self._session_counter = savepoint.session_counter
                self.ids.setstate(savepoint.ids_state)
                self.clock.return_to(savepoint.now)
            finally:
                self._close(savepoint)

    def release(self, savepoint: Savepoint) -> None:
        """Close ``savepoint`` keeping its changes (an enclosing savepoint can still undo them)."""
        with self.lock:
            if not savepoint.closed:
                self._close(savepoint)

    def _close(self, savepoint: Savepoint) -> None:
        savepoint.closed = True
        self._open_savepoints = max(0, self._open_savepoints - 1)
        if self._open_savepoints == 0:
            self._undo = None

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Savepoint]:
        """Run a block all-or-nothing: an exception rolls back its changes and propagates.

        The block may also call :meth:`rollback` itself (a failure that is not an exception).
        """
        with self.lock:
            savepoint = self.savepoint()
            try:
                yield savepoint
            except BaseException:
                self.rollback(savepoint)
                raise
            self.release(savepoint)

    # ---- whole-store state -------------------------------------------------------------
    def clear(self) -> None:
        """Remove every row and change, and start session tokens again.

        Versions keep rising past the floor, as a database's row versions never go back: a data
        token taken before is then below :attr:`version_floor` and refused, not answered with
        the changes of rows it never saw.
        """
        with self.lock:
            self._tables.clear()
            self._last_version += 1
            self._version_floor = self._last_version
            self._session_counter = 0

    def snapshot(self) -> StoreSnapshot:
        """Return a copy of the whole state (rows, change logs, counters, id sequence, time)."""
        with self.lock:
            return StoreSnapshot(
                tables=copy.deepcopy(self._tables),
                last_version=self._last_version,
                version_floor=self._version_floor,
                session_counter=self._session_counter,
                ids_state=self.ids.getstate(),
                now=self.clock.now(),
            )

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Put back a state returned by :meth:`snapshot`."""
        with self.lock:
            self._tables = copy.deepcopy(snapshot.tables)
            self._last_version = snapshot.last_version
            self._version_floor = snapshot.version_floor
            self._session_counter = snapshot.session_counter
            self.ids.setstate(snapshot.ids_state)
            self.clock.return_to(snapshot.now)
