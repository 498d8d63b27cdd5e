"""Storage: rows keyed by (id, partition), versions, the change log, TTL expiry, one lock.

The store knows nothing of messages or HTTP. Callers validate first and then commit a finished
row; a commit either happens whole or not at all, and never gives two rows the same alternate-key
values (:mod:`._key_index`). Every commit and every delete appends a
:class:`ChangeRecord` to the table's change log, in strictly increasing version order, which is
what change tracking reads.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import heapq
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityKeyMetadata
from fake_dataverse._storage._clock import Clock, IdFactory, dotnet_ticks
from fake_dataverse._storage._key_index import KeyIndex
from fake_dataverse._storage._store_index import IndexKey, TableIndex, index_key

__all__ = ["ChangeRecord", "RowKey", "Store", "StoreSnapshot", "StoredRow", "etag_for"]

RowKey = tuple[uuid.UUID, str]


def etag_for(version: int, moment: dt.datetime) -> str:
    """Return a Cosmos-style weak etag: new for every version, ending in the write's Unix time."""
    head = (version * 2654435761) & 0xFFFFFFFF
    return f'W/"{head:08x}-0000-0200-0000-{int(moment.timestamp()) & 0xFFFFFFFF:08x}0000"'


@attrs.define(kw_only=True)
class StoredRow:
    """One row as stored: raw column values plus its version, etag and expiry."""

    table: str
    id: uuid.UUID
    partition: str
    values: dict[str, Any]
    version: int = 0
    etag: str = ""
    expires_at: dt.datetime | None = None

    @property
    def key(self) -> RowKey:
        """Return the row's (id, partition) key."""
        return (self.id, self.partition)


@attrs.frozen
class ChangeRecord:
    """One entry of a table's change log."""

    version: int
    key: RowKey
    deleted: bool
    at: dt.datetime


@attrs.define
class _TableData:
    rows: dict[RowKey, StoredRow] = attrs.field(factory=dict)
    changes: list[ChangeRecord] = attrs.field(factory=list)
    change_versions: list[int] = attrs.field(factory=list)
    expiry: list[tuple[dt.datetime, int, RowKey]] = attrs.field(factory=list)
    index: TableIndex = attrs.field(factory=TableIndex)
    keys: KeyIndex = attrs.field(factory=KeyIndex)


def _walk(data: _TableData, keys: Iterator[IndexKey]) -> Iterator[StoredRow]:
    for key in keys:
        row = data.rows.get((key[2], key[1]))
        if row is not None:
            yield row


@attrs.frozen
class StoreSnapshot:
    """An opaque copy of a store's state, for :meth:`Store.restore`."""

    tables: dict[str, _TableData]
    last_version: int
    session_counter: int
    ids_state: object
    now: dt.datetime
    version_floor: int = 0


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
        alternate_keys: Callable[[str], tuple[EntityKeyMetadata, ...]] = lambda _: (),
    ) -> None:
        self.lock = threading.RLock()
        self.alternate_keys = alternate_keys
        self.clock = clock
        self.ids = ids
        self.ttl_emits_deletes = ttl_emits_deletes
        self._tables: dict[str, _TableData] = {}
        self._last_version = 0
        self._version_floor = 0
        self._session_counter = 0

    # ---- versions and tokens -------------------------------------------------------------
    def next_version(self, moment: dt.datetime) -> int:
        """Return a new version: the write's .NET ticks, bumped past the last one on ties."""
        with self.lock:
            self._last_version = max(dotnet_ticks(moment), self._last_version + 1)
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
    def _table(self, table: str) -> _TableData:
        data = self._tables.get(table)
        if data is None:
            data = self._tables[table] = _TableData(keys=KeyIndex(self.alternate_keys(table)))
        return data

    def get(self, table: str, key: RowKey) -> StoredRow | None:
        """Return the live row with this key, or None (expired rows are gone)."""
        with self.lock:
            data = self._table(table)
            self._purge(table, data)
            return data.rows.get(key)

    def find_by_key(
        self, table: str, key: EntityKeyMetadata, values: tuple[Any, ...]
    ) -> StoredRow | None:
        """Return the live row holding an alternate key's raw values, or None (one probe)."""
        with self.lock:
            data = self._table(table)
            self._purge(table, data)
            row_key = data.keys.find(key, values)
            return data.rows.get(row_key) if row_key is not None else None

    def rows(self, table: str) -> Iterator[StoredRow]:
        """Yield every live row of a table (a snapshot of the current rows)."""
        with self.lock:
            data = self._table(table)
            self._purge(table, data)
            return iter(list(data.rows.values()))

    def ordered_rows(
        self, table: str, *, after: RowKey | None = None, partition: str | None = None
    ) -> Iterator[StoredRow]:
        """Yield live rows in (id, partition) order, strictly after ``after``, lazily.

        ``partition`` keeps only that partition's rows. Call it under :attr:`lock` and read the
        rows before the next write.
        """
        with self.lock:
            data = self._table(table)
            self._purge(table, data)
        start: IndexKey | None = None if after is None else index_key(*after)
        return _walk(data, data.index.after(start, partition))

    def expire(self, table: str) -> None:
        """Remove the table's rows whose time to live has passed (logging their deletes when
        ``ttl_emits_deletes``), so a reader of :attr:`last_version` sees them."""
        with self.lock:
            self._purge(table, self._table(table))

    def changes_since(self, table: str, version: int) -> list[ChangeRecord]:
        """Return the change-log entries with a version above ``version``, oldest first."""
        with self.lock:
            data = self._table(table)
            self._purge(table, data)
            start = bisect.bisect_right(data.change_versions, version)
            return data.changes[start:]

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
        """Store a finished row (insert or replace), stamping its version and etag.

        ``version_column`` names the column that reads the version (``versionnumber``). An
        ``initial`` row, one the organization starts with (its administrator), predates every
        write: it takes the next number in sequence rather than the clock's ticks, so a clock
        set back before the first write is where versions start.

        Raises:
            DuplicateRecordEntityKey: 0x80060892 when another row holds the row's values of an
                alternate key; nothing is stored.
        """
        with self.lock:
            data = self._table(row.table)
            self._purge(row.table, data)
            clash = data.keys.clash(row.key, row.values)
            if clash is not None:
                raise errors.DuplicateRecordEntityKey(
                    key=clash.display_name or clash.schema_name,
                    attributes=", ".join(clash.key_attributes),
                )
            previous = data.rows.get(row.key)
            if initial:
                self._last_version += 1
                row.version = self._last_version
            else:
                row.version = self.next_version(moment)
            row.etag = etag_for(row.version, moment)
            if version_column is not None:
                row.values[version_column] = row.version
            if previous is None:
                data.index.add(*row.key)
            data.keys.replace(row.key, previous.values if previous else None, row.values)
            data.rows[row.key] = row
            self._log(data, ChangeRecord(row.version, row.key, deleted=False, at=moment))
            if row.expires_at is not None:
                heapq.heappush(data.expiry, (row.expires_at, row.version, row.key))
            return row

    def delete(self, table: str, key: RowKey, *, moment: dt.datetime) -> None:
        """Remove a row and record the delete in the change log."""
        with self.lock:
            data = self._table(table)
            row = data.rows.pop(key, None)
            if row is not None:
                data.index.remove(*key)
                data.keys.replace(key, row.values, None)
                self._log(data, ChangeRecord(self.next_version(moment), key, True, moment))

    def _log(self, data: _TableData, record: ChangeRecord) -> None:
        data.changes.append(record)
        data.change_versions.append(record.version)

    def _purge(self, table: str, data: _TableData) -> None:
        now = self.clock.now()
        while data.expiry and data.expiry[0][0] <= now:
            _, version, key = heapq.heappop(data.expiry)
            row = data.rows.get(key)
            if row is None or row.version != version:
                continue  # rewritten or deleted since: that later write decides
            del data.rows[key]
            data.index.remove(*key)
            data.keys.replace(key, row.values, None)
            if self.ttl_emits_deletes:
                self._log(data, ChangeRecord(self.next_version(now), key, True, now))

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
            self.clock.set(snapshot.now)
