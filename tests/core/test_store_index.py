"""The store's (id, partition) index: sorted keys that survive inserts, deletes and splits."""

from __future__ import annotations

import random
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse._storage._store_index import SortedKeys, TableIndex, index_key


def key(number: int, partition: str = "") -> tuple[int, str, uuid.UUID]:
    """Return the index key of id ``number`` in ``partition`` (its default one when empty)."""
    row_id = uuid.UUID(int=number)
    return index_key(row_id, partition or str(row_id))


class TestSortedKeys:
    def test_thousands_of_keys_stay_sorted_across_chunks(self) -> None:
        """5,000 keys in random order, half removed again, read back sorted from any start."""
        keys = SortedKeys()
        numbers = list(range(5000))
        random.Random(7).shuffle(numbers)
        for number in numbers:
            keys.add(key(number))
        for number in numbers[::2]:
            keys.discard(key(number))
        kept = sorted(key(n) for n in numbers[1::2])
        assert kept == list(keys.after(None))
        assert kept[1001:] == list(keys.after(kept[1000]))
        assert [k for k in kept if k > key(2500)] == list(keys.after(key(2500)))
        assert len(keys.chunks) > 1

    @settings(max_examples=60, deadline=None)
    @given(
        operations=st.lists(st.tuples(st.booleans(), st.integers(0, 40)), max_size=60),
        start=st.none() | st.integers(-1, 41),
    )
    def test_matches_a_sorted_set(
        self, operations: list[tuple[bool, int]], start: int | None
    ) -> None:
        """Any adds and discards read back like a sorted set, from any starting key."""
        keys, model = SortedKeys(), set()
        for adding, number in operations:
            if adding and key(number) not in model:
                keys.add(key(number))
                model.add(key(number))
            elif not adding:
                keys.discard(key(number))
                model.discard(key(number))
        after = None if start is None else (start, "", uuid.UUID(int=0))
        assert [k for k in sorted(model) if after is None or k > after] == list(keys.after(after))


    @settings(max_examples=60, deadline=None)
    @given(
        operations=st.lists(
            st.tuples(st.sampled_from(["add", "discard", "read"]), st.integers(0, 3000)),
            max_size=80,
        ),
        bulk=st.integers(0, 1500),
    )
    def test_reads_between_writes_see_every_write(
        self, operations: list[tuple[str, int]], bulk: int
    ) -> None:
        """Keys added since the last read (a bulk load of up to 1,500, then single writes) are
        in order at the next read, from any starting key, whatever reads came between."""
        keys, model = SortedKeys(), set()
        for number in random.Random(bulk).sample(range(3000), bulk):
            keys.add(key(number))
            model.add(key(number))
        for action, number in operations:
            if action == "add" and key(number) not in model:
                keys.add(key(number))
                model.add(key(number))
            elif action == "discard":
                keys.discard(key(number))
                model.discard(key(number))
            elif action == "read":
                start = key(number)
                assert [k for k in sorted(model) if k > start] == list(keys.after(start))
        assert sorted(model) == list(keys.after(None))


class TestTableIndex:
    def test_partition_reads_custom_and_default_rows(self) -> None:
        """A partition yields its custom rows and the row whose own id names it, in id order."""
        index = TableIndex()
        shared = uuid.UUID(int=9)
        index.add(uuid.UUID(int=3), str(shared))  # custom partition spelled like an id
        index.add(shared, str(shared))  # default partition of row 9
        index.add(uuid.UUID(int=20), str(shared))
        index.add(uuid.UUID(int=4), "other")
        assert [3, 9, 20] == [k[0] for k in index.after(None, str(shared))]
        assert [20] == [k[0] for k in index.after(key(9), str(shared))]
        index.remove(uuid.UUID(int=4), "other")
        assert [] == list(index.after(None, "other"))
        assert "other" not in index.partitions
