"""One table's stored state: rows, their (id, partition) index, the change log, TTL expiry.

Every change goes through :class:`TableData`'s few mutations (:meth:`~TableData.put_row`,
:meth:`~TableData.log`, :meth:`~TableData.push_expiry`, :meth:`~TableData.pop_expiry`); while a
savepoint is open each one appends its inverse to the store's undo log, so a rollback undoes
exactly what happened since: in time that does not grow with the table, but for a deleted row,
whose place in the row order takes one pass to find and one to restore.

The change log holds each row's latest change in version order. An entry superseded by a later
change of the same row is never read again (change tracking reports a row's latest state once),
and a delete older than the change-tracking expiry is never read again (older tokens are
refused): :meth:`~TableData.compact` drops both, so the log stays within the live rows plus the
deletes of the expiry period.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import operator
import uuid
from collections.abc import Iterator
from typing import Any

import attrs

from fake_dataverse._model._row import RowValues
from fake_dataverse._storage._key_index import KeyIndex
from fake_dataverse._storage._store_index import IndexKey, TableIndex

__all__ = ["ChangeRecord", "RowKey", "StoredRow", "TableData", "Undo", "etag_for"]

RowKey = tuple[uuid.UUID, str]
ExpiryEntry = tuple[dt.datetime, int, RowKey]
#: Inverses of the changes made since the oldest open savepoint, oldest first.
Undo = list[tuple[Any, ...]]


def etag_for(version: int, moment: dt.datetime) -> str:
    """Return a Cosmos-style weak etag: new for every version, ending in the write's Unix time."""
    head = (version * 2654435761) & 0xFFFFFFFF
    return f'W/"{head:08x}-0000-0200-0000-{int(moment.timestamp()) & 0xFFFFFFFF:08x}0000"'


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class StoredRow:
    """One row as stored: compact column values plus its key, version, write time and expiry.

    The etag is derived from the version and the write time when first read, then kept.
    """

    __slots__ = ("_etag", "expires_at", "key", "moment", "table", "values", "version")

    def __init__(
        self,
        *,
        table: str,
        id: uuid.UUID,
        partition: str,
        values: RowValues,
        version: int = 0,
        moment: dt.datetime = _EPOCH,
        expires_at: dt.datetime | None = None,
    ) -> None:
        self.table = table
        self.key: RowKey = (id, partition)
        self.values = values
        self.version = version
        self.moment = moment
        self.expires_at = expires_at
        self._etag: str | None = None

    @property
    def id(self) -> uuid.UUID:
        """Return the row's id."""
        return self.key[0]

    @property
    def partition(self) -> str:
        """Return the row's partition (its own id as text in the default partition)."""
        return self.key[1]

    def stamp(self, version: int, moment: dt.datetime) -> None:
        """Give the row the version and write time of its commit."""
        self.version, self.moment, self._etag = version, moment, None

    @property
    def etag(self) -> str:
        """Return the row's etag (``W/"…"``), new for every version."""
        etag = self._etag
        if etag is None:
            etag = self._etag = etag_for(self.version, self.moment)
        return etag

    def __repr__(self) -> str:
        return (
            f"StoredRow(table={self.table!r}, id={self.id}, partition={self.partition!r}, "
            f"version={self.version}, values={self.values!r})"
        )


@attrs.define
class ChangeRecord:
    """One entry of a table's change log (never changed once logged: slotted rather than frozen,
    since every write makes one)."""

    version: int
    key: RowKey
    deleted: bool
    at: dt.datetime


_version_of = operator.attrgetter("version")

# Undo entry kinds (the first item of each entry).
_ROW, _LOG, _DELETED, _EXPIRY_PUSH, _EXPIRY_POP = range(5)
_COMPACT_AT_LEAST = 1024


@attrs.define
class TableData:
    """One table's rows, index, change log and expiry heap."""

    #: Rows by index key (``(id.int, partition)``): hashing it never calls into ``uuid``.
    rows: dict[IndexKey, StoredRow] = attrs.field(factory=dict)
    index: TableIndex = attrs.field(factory=TableIndex)
    changes: list[ChangeRecord] = attrs.field(factory=list)
    #: The version of each absent row's latest delete (the deletes the log still reports).
    deleted: dict[RowKey, int] = attrs.field(factory=dict)
    expiry: list[ExpiryEntry] = attrs.field(factory=list)
    keys: KeyIndex = attrs.field(factory=KeyIndex)
    appended: int = 0
    #: The highest version of a delete compacted away: older tokens cannot be answered.
    compacted_through: int = 0

    # ---- mutations (each records its inverse while a savepoint is open) ------------------
    def get(self, key: RowKey) -> StoredRow | None:
        """Return the row stored under (id, partition), or None."""
        return self.rows.get((key[0].int, key[1]))

    def put_row(self, key: RowKey, row: StoredRow | None, undo: Undo | None) -> None:
        """Store ``row`` under ``key`` (a new row goes last), or remove the key's row (None)."""
        rows = self.rows
        stored = (key[0].int, key[1])
        old = rows.get(stored)
        if undo is not None:
            position = _position(rows, old) if row is None and old is not None else None
            undo.append((_ROW, self, key, old, position))
        if old is None and row is None:
            return
        if self.keys.keys:  # only a table with alternate keys has entries to move
            self.keys.replace(key, _values(old), _values(row))
        if row is None:
            del rows[stored]
            self.index.remove(*key)
            return
        if old is None:
            rows[self.index.add(*key)] = row  # the index's key tuple, shared
        else:
            row.key = old.key  # one key tuple per row
            rows[stored] = row

    def log(self, record: ChangeRecord, undo: Undo | None) -> bool:
        """Append a change (versions only grow) and keep the deletes the log reports; return
        True once the log has grown by half since its last compaction (time to compact)."""
        self.changes.append(record)
        # Most tables have no deletes to report: skip hashing the key (a GUID's hash is a
        # Python-level call).
        previous = self.deleted.get(record.key) if self.deleted else None
        if record.deleted:
            self.deleted[record.key] = record.version
        elif previous is not None:
            del self.deleted[record.key]
        if undo is not None:
            undo.append((_LOG, self))
            undo.append((_DELETED, self, record.key, previous))
        self.appended += 1
        return self.appended >= _COMPACT_AT_LEAST and self.appended >= len(self.changes) // 2

    def push_expiry(self, entry: ExpiryEntry, undo: Undo | None) -> None:
        """Schedule a row's TTL expiry."""
        heapq.heappush(self.expiry, entry)
        if undo is not None:
            undo.append((_EXPIRY_PUSH, self, entry))

    def pop_expiry(self, undo: Undo | None) -> ExpiryEntry:
        """Take the earliest scheduled expiry."""
        entry = heapq.heappop(self.expiry)
        if undo is not None:
            undo.append((_EXPIRY_POP, self, entry))
        return entry

    # ---- reads ---------------------------------------------------------------------------
    def changes_since(self, version: int) -> list[ChangeRecord]:
        """Return the log's entries above ``version``, oldest first."""
        start = bisect.bisect_right(self.changes, version, key=_version_of)
        return self.changes[start:]

    def is_latest(self, record: ChangeRecord) -> bool:
        """Return True when a log entry is its row's latest change."""
        if record.deleted:
            return self.deleted.get(record.key) == record.version
        row = self.get(record.key)
        return row is not None and row.version == record.version

    def live_by_version(self, after: int, as_of: int) -> Iterator[StoredRow]:
        """Yield the live rows last written after ``after`` and up to ``as_of``, by version.

        The walk costs the rows yielded plus the entries superseded since the last compaction.
        """
        changes, rows = self.changes, self.rows
        for number in range(bisect.bisect_right(changes, after, key=_version_of), len(changes)):
            record = changes[number]
            if record.version > as_of:
                return
            if record.deleted:
                continue
            key = record.key
            row = rows.get((key[0].int, key[1]))
            if row is not None and row.version == record.version:
                yield row

    # ---- compaction --------------------------------------------------------------------------
    def compact(self, cutoff: dt.datetime) -> None:
        """Drop superseded entries and deletes written before ``cutoff``."""
        kept = []
        for record in self.changes:
            if not self.is_latest(record):
                continue
            if record.deleted and record.at < cutoff:
                del self.deleted[record.key]
                self.compacted_through = max(self.compacted_through, record.version)
                continue
            kept.append(record)
        self.changes = kept
        self.appended = 0


def _values(row: StoredRow | None) -> RowValues | None:
    return None if row is None else row.values


def _position(rows: dict[IndexKey, StoredRow], row: StoredRow) -> int:
    """Return where a row sits in the table's row order (to put it back there on rollback)."""
    for number, candidate in enumerate(rows.values()):
        if candidate is row:
            return number
    raise LookupError("the row is not stored")  # pragma: no cover - callers pass a stored row


def undo_one(entry: tuple[Any, ...]) -> None:
    """Apply one undo-log entry (the inverse of one mutation)."""
    kind, data = entry[0], entry[1]
    if kind == _ROW:
        _undo_row(data, entry[2], entry[3], entry[4])
    elif kind == _LOG:
        data.changes.pop()
        data.appended = max(0, data.appended - 1)
    elif kind == _DELETED:
        key, previous = entry[2], entry[3]
        if previous is None:
            data.deleted.pop(key, None)
        else:
            data.deleted[key] = previous
    elif kind == _EXPIRY_PUSH:
        data.expiry.remove(entry[2])
        heapq.heapify(data.expiry)
    else:  # _EXPIRY_POP
        heapq.heappush(data.expiry, entry[2])


def _undo_row(data: TableData, key: RowKey, old: StoredRow | None, position: int | None) -> None:
    rows = data.rows
    stored = (key[0].int, key[1])
    current = rows.get(stored)
    if old is not None or current is not None:
        data.keys.replace(key, _values(current), _values(old))
    if old is None:
        if current is not None:
            del rows[stored]
            data.index.remove(*key)
        return
    if current is not None:
        rows[stored] = old
        return
    stored = data.index.add(*key)
    if position is None or position >= len(rows):
        rows[stored] = old
        return
    items = list(rows.items())
    items.insert(position, (stored, old))
    rows.clear()
    rows.update(items)
