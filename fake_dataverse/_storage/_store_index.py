"""A table's rows in primary-key order, kept up to date by the store, for cheap paging.

Rows are ordered by (id, partition): the id by its 128-bit value (as queries sort GUIDs), then the
partition key, the order of a query's default sort. Reading the rows after a given key costs
``O(log n)`` to find the start and then the rows read, so a page resumed from a paging cookie
costs about the page, not the table. Rows in a custom partition are also kept per partition, so a
partition-scoped query reads only that partition.
"""

from __future__ import annotations

import bisect
import heapq
import uuid
from collections.abc import Iterator

import attrs

from fake_dataverse._model._address import default_partition

__all__ = ["IndexKey", "SortedKeys", "TableIndex", "index_key"]

#: (id as an int, partition): ordered by id value, then partition. The store keys its rows by
#: the same tuple, which hashes and compares without calling into ``uuid``.
IndexKey = tuple[int, str]

_LOAD = 512


def index_key(row_id: uuid.UUID, partition: str) -> IndexKey:
    """Return the index key of the row stored under (``row_id``, ``partition``)."""
    return (row_id.int, partition)


@attrs.define
class SortedKeys:
    """A sorted collection of index keys in chunks, so inserts and deletes stay cheap.

    New keys wait, unsorted, in ``pending`` until the order is next read: a write then costs an
    append, not a search through a large table's chunks (each step of which reaches memory the
    cache no longer holds), and many writes between two reads are sorted in one go.
    """

    chunks: list[list[IndexKey]] = attrs.field(factory=list)
    maxes: list[IndexKey] = attrs.field(factory=list)
    pending: list[IndexKey] = attrs.field(factory=list)

    def add(self, key: IndexKey) -> None:
        """Insert a key (not already present)."""
        self.pending.append(key)

    def _settle(self) -> None:
        """Move the pending keys into their places."""
        pending = sorted(self.pending)
        self.pending = []
        if len(pending) > _LOAD and len(pending) * 4 > len(self.maxes) * _LOAD:
            # Many keys at once (a bulk load): merge everything and cut it into chunks again.
            merged = sorted([*(key for chunk in self.chunks for key in chunk), *pending])
            self.chunks = [merged[i : i + _LOAD] for i in range(0, len(merged), _LOAD)]
            self.maxes = [chunk[-1] for chunk in self.chunks]
            return
        for key in pending:
            self._insert(key)

    def _insert(self, key: IndexKey) -> None:
        if not self.maxes:
            self.chunks.append([key])
            self.maxes.append(key)
            return
        i = bisect.bisect_left(self.maxes, key)
        if i == len(self.maxes):
            i -= 1  # above every key: the last chunk
        chunk = self.chunks[i]
        bisect.insort(chunk, key)
        self.maxes[i] = chunk[-1]
        if len(chunk) > 2 * _LOAD:
            tail = chunk[_LOAD:]
            del chunk[_LOAD:]
            self.chunks.insert(i + 1, tail)
            self.maxes[i] = chunk[-1]
            self.maxes.insert(i + 1, tail[-1])

    def discard(self, key: IndexKey) -> None:
        """Remove a key if present."""
        if self.pending:
            self._settle()
        i = bisect.bisect_left(self.maxes, key)
        if i == len(self.maxes):
            return
        chunk = self.chunks[i]
        j = bisect.bisect_left(chunk, key)
        if j == len(chunk) or chunk[j] != key:
            return
        del chunk[j]
        if chunk:
            self.maxes[i] = chunk[-1]
        else:
            del self.chunks[i]
            del self.maxes[i]

    def after(self, key: IndexKey | None) -> Iterator[IndexKey]:
        """Yield the keys strictly greater than ``key`` (every key for None), in order."""
        if self.pending:
            self._settle()
        return self._walk(key)

    def _walk(self, key: IndexKey | None) -> Iterator[IndexKey]:
        i = 0 if key is None else bisect.bisect_right(self.maxes, key)
        if i == len(self.maxes):
            return
        start = 0 if key is None else bisect.bisect_right(self.chunks[i], key)
        for number in range(i, len(self.chunks)):
            yield from self.chunks[number][start:]
            start = 0


@attrs.define
class TableIndex:
    """One table's rows in (id, partition) order, overall and per custom partition."""

    ordered: SortedKeys = attrs.field(factory=SortedKeys)
    partitions: dict[str, list[IndexKey]] = attrs.field(factory=dict)

    def add(self, row_id: uuid.UUID, partition: str) -> IndexKey:
        """Record a new row; return its index key."""
        key = (row_id.int, partition)  # index_key, inline: one per write
        self.ordered.add(key)
        if partition != default_partition(row_id):
            bisect.insort(self.partitions.setdefault(partition, []), key)
        return key

    def remove(self, row_id: uuid.UUID, partition: str) -> None:
        """Forget a removed row."""
        key = index_key(row_id, partition)
        self.ordered.discard(key)
        keys = self.partitions.get(partition)
        if keys is not None:
            i = bisect.bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                del keys[i]
            if not keys:
                del self.partitions[partition]

    def after(self, key: IndexKey | None, partition: str | None = None) -> Iterator[IndexKey]:
        """Yield the keys after ``key`` in order, only those of ``partition`` when given."""
        if partition is None:
            return self.ordered.after(key)
        keys = self.partitions.get(partition, [])
        start = 0 if key is None else bisect.bisect_right(keys, key)
        tail = (keys[i] for i in range(start, len(keys)))
        default = _default_key(partition)
        if default is None or (key is not None and default <= key):
            return tail
        return heapq.merge(tail, [default])  # the row whose own id names this partition


def _default_key(partition: str) -> IndexKey | None:
    try:
        row_id = uuid.UUID(partition)
    except ValueError:
        return None
    return index_key(row_id, partition) if default_partition(row_id) == partition else None
