"""Paging in primary-key order through the store's index: same rows as a full sort, stable.

Queries in the default order (by primary key) read the store's (id, partition) index instead of
sorting the table; these tests pin that both ways of paging agree, and that rows sharing an id
in different partitions are never skipped at a page boundary.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    DataverseError,
    Entity,
    FakeDataverse,
    OrderType,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)

from .conftest import Rejects

TABLE = "backgroundoperation"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
SHARED = uuid.UUID("5d2b0c1e-0000-4000-8000-000000000001")


def pages(
    dv: FakeDataverse, query: QueryExpression, size: int, **parameters: str
) -> Iterator[list[tuple[uuid.UUID, str | None]]]:
    """Yield every page of a query as (id, partitionid) pairs, following the cookies."""
    query.column_set = ColumnSet(*query.column_set.columns, "partitionid")
    cookie, number = None, 1
    while True:
        query.page_info = PagingInfo(count=size, page_number=number, paging_cookie=cookie)
        result = dv.service.execute(RetrieveMultipleRequest(query=query, **parameters))
        collection = result["EntityCollection"]
        yield [(e.id, e.get("partitionid")) for e in collection]
        if not collection.more_records:
            return
        cookie, number = collection.paging_cookie, number + 1


def read_all(dv: FakeDataverse, query: QueryExpression, size: int, **parameters: str) -> list:
    """Return every row of every page, in order."""
    return [row for page in pages(dv, query, size, **parameters) for row in page]


def shared_id_rows(dv: FakeDataverse) -> None:
    """Create one id in three partitions (one of them the default) and two other rows."""
    dv.service.create(Entity(TABLE, SHARED, name="b", partitionid="tenant-b"))
    dv.service.create(Entity(TABLE, SHARED, name="a", partitionid="tenant-a"))
    dv.service.create(Entity(TABLE, SHARED, name="d"))
    dv.service.create(Entity(TABLE, uuid.UUID(int=1), name="low"))
    dv.service.create(Entity(TABLE, uuid.UUID(int=2**128 - 1), name="high"))


class TestSharedIds:
    @pytest.mark.parametrize("size", [1, 2, 3])
    def test_default_order_returns_every_partition_once(self, dv: FakeDataverse, size: int) -> None:
        """Rows with one id in several partitions all come back once, whatever the page size."""
        shared_id_rows(dv)
        rows = read_all(dv, QueryExpression(TABLE, column_set=ColumnSet("name")), size)
        expected = [
            (uuid.UUID(int=1), None),
            (SHARED, None),
            (SHARED, "tenant-a"),
            (SHARED, "tenant-b"),
            (uuid.UUID(int=2**128 - 1), None),
        ]
        assert sorted(expected, key=lambda r: (r[0].int, r[1] or str(r[0]))) == rows

    @pytest.mark.parametrize("size", [1, 2])
    def test_ordered_by_a_column_returns_every_partition_once(
        self, dv: FakeDataverse, size: int
    ) -> None:
        """With an order on another column the shared id's rows are not skipped either."""
        shared_id_rows(dv)
        query = QueryExpression(TABLE, column_set=ColumnSet("priority"))
        query.add_order("priority")
        rows = read_all(dv, query, size)
        assert 5 == len(rows)
        assert 5 == len(set(rows))

    @pytest.mark.parametrize("size", [1, 2])
    def test_partitions_differing_in_case_ordered_by_partition(
        self, dv: FakeDataverse, size: int
    ) -> None:
        """One id in partitions ``a`` and ``A`` (equal in a case-insensitive order) both come."""
        for partition in ("a", "A", "b"):
            dv.service.create(Entity(TABLE, SHARED, partitionid=partition))
        query = QueryExpression(TABLE)
        query.add_order("partitionid")
        rows = read_all(dv, query, size)
        assert [(SHARED, "A"), (SHARED, "a"), (SHARED, "b")] == rows

    def test_cookie_names_a_custom_partition(self, dv: FakeDataverse) -> None:
        """A page ending on a row in a custom partition adds that partition to its cookie."""
        dv.service.create(Entity(TABLE, SHARED, name="a", partitionid="tenant-a"))
        dv.service.create(Entity(TABLE, SHARED, name="b", partitionid="tenant-b"))
        query = QueryExpression(TABLE, page_info=PagingInfo(count=1, page_number=1))
        result = dv.service.retrieve_multiple(query)
        guid = "{" + str(SHARED).upper() + "}"
        assert (
            f'<cookie page="1"><backgroundoperationid last="{guid}" first="{guid}" />'
            '<partitionid last="tenant-a" first="tenant-a" /></cookie>'
        ) == result.paging_cookie

    def test_cookie_of_a_default_partition_row_has_no_partition(self, dv: FakeDataverse) -> None:
        """A page ending on a row in its default partition keeps the plain cookie."""
        dv.service.create(Entity(TABLE, SHARED, name="a"))
        query = QueryExpression(TABLE, page_info=PagingInfo(count=1, page_number=1))
        cookie = dv.service.retrieve_multiple(query).paging_cookie
        assert cookie is not None
        assert "partitionid" not in cookie

    def test_partition_element_without_a_value_is_rejected(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """A cookie's partition element must hold a partition: lastnull there is 0x8004112a."""
        cookie = (
            f"<cookie page='1'><backgroundoperationid last='{{{SHARED}}}'/>"
            "<partitionid lastnull='1'/></cookie>"
        )
        query = QueryExpression(
            TABLE, page_info=PagingInfo(count=1, page_number=2, paging_cookie=cookie)
        )
        with rejects("0x8004112a"):
            dv.service.retrieve_multiple(query)


class TestIndexedPaging:
    def test_partition_scope_pages_in_id_order(self, dv: FakeDataverse) -> None:
        """A partition-scoped query pages through that partition only, in id order."""
        ids = [uuid.UUID(int=n * 7919) for n in range(1, 12)]
        for n, row_id in enumerate(ids):
            dv.service.create(Entity(TABLE, row_id, partitionid=f"p{n % 2}"))
        dv.service.create(Entity(TABLE, name="default"))
        rows = read_all(dv, QueryExpression(TABLE), 2, partitionId="p1")
        assert [(i, "p1") for i in ids[1::2]] == rows

    def test_default_partition_scope(self, dv: FakeDataverse) -> None:
        """Scoping to a row's own id as partition returns that default-partition row."""
        dv.service.create(Entity(TABLE, SHARED, partitionid="tenant-a"))
        dv.service.create(Entity(TABLE, SHARED))
        rows = read_all(dv, QueryExpression(TABLE), 5, partitionId=str(SHARED))
        assert [(SHARED, None)] == rows

    def test_deleted_and_expired_rows_leave_the_index(self, dv: FakeDataverse) -> None:
        """Deleted rows and rows past their TTL are not returned, and paging still resumes."""
        ids = [dv.service.create(Entity(TABLE, uuid.UUID(int=n))) for n in range(1, 7)]
        dv.service.update(Entity(TABLE, ids[2], ttlinseconds=60))
        first = dv.service.retrieve_multiple(
            QueryExpression(TABLE, page_info=PagingInfo(count=2, page_number=1))
        )
        dv.service.delete(TABLE, ids[1])
        dv.service.delete(TABLE, ids[3])
        dv.clock.advance(61)
        second = QueryExpression(
            TABLE,
            page_info=PagingInfo(count=2, page_number=2, paging_cookie=first.paging_cookie),
        )
        assert [ids[4], ids[5]] == [e.id for e in dv.service.retrieve_multiple(second)]
        assert [ids[0], ids[4], ids[5]] == [
            e.id for e in dv.service.retrieve_multiple(QueryExpression(TABLE))
        ]

    def test_restore_brings_back_the_index(self, dv: FakeDataverse) -> None:
        """After restore() the default order sees exactly the snapshot's rows."""
        kept = dv.service.create(Entity(TABLE, uuid.UUID(int=5)))
        snapshot = dv.snapshot()
        dv.service.create(Entity(TABLE, uuid.UUID(int=3)))
        dv.service.delete(TABLE, kept)
        dv.restore(snapshot)
        assert [kept] == [e.id for e in dv.service.retrieve_multiple(QueryExpression(TABLE))]

    def test_filter_with_cookie(self, dv: FakeDataverse) -> None:
        """A filtered query in id order pages over the matching rows only."""
        for n in range(1, 21):
            dv.service.create(Entity(TABLE, uuid.UUID(int=n), priority=n % 3))
        query = QueryExpression(TABLE)
        query.criteria.add_condition("priority", ConditionOperator.EQUAL, 0)
        assert [[3, 6, 9, 12], [15, 18]] == [
            [row_id.int for row_id, _ in page] for page in pages(dv, query, 4)
        ]

    def test_page_number_without_cookie_skips(self, dv: FakeDataverse) -> None:
        """Page 3 without a cookie in id order skips the first two pages."""
        for n in range(1, 8):
            dv.service.create(Entity(TABLE, uuid.UUID(int=n)))
        query = QueryExpression(TABLE, page_info=PagingInfo(count=2, page_number=3))
        result = dv.service.retrieve_multiple(query)
        assert ([5, 6], True) == ([e.id.int for e in result], result.more_records)

    def test_top_count_in_id_order(self, dv: FakeDataverse) -> None:
        """TopCount in id order returns the smallest ids, without a cookie."""
        for n in (4, 2, 9, 1):
            dv.service.create(Entity(TABLE, uuid.UUID(int=n)))
        query = QueryExpression(TABLE, top_count=2)
        result = dv.service.retrieve_multiple(query)
        assert ([1, 2], None) == ([e.id.int for e in result], result.paging_cookie)

    def test_rejected_cookie_changes_nothing(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A cookie for another page is 0x8004112a in id order too, and the store is as it was."""
        for n in range(1, 6):
            dv.service.create(Entity(TABLE, uuid.UUID(int=n)))
        first = dv.service.retrieve_multiple(
            QueryExpression(TABLE, page_info=PagingInfo(count=2, page_number=1))
        )
        query = QueryExpression(
            TABLE, page_info=PagingInfo(count=2, page_number=3, paging_cookie=first.paging_cookie)
        )
        with rejects("0x8004112a"):
            dv.service.retrieve_multiple(query)


_ROW = st.tuples(
    st.integers(1, 6),  # id
    st.sampled_from([None, "a", "b"]),  # partition
    st.integers(0, 3),  # priority
)


class TestAgreesWithFullSort:
    @settings(max_examples=40, deadline=None)
    @given(rows=st.lists(_ROW, max_size=14), size=st.integers(1, 4), priority=st.integers(0, 3))
    def test_indexed_pages_match_a_descending_reverse(
        self, rows: list[tuple[int, str | None, int]], size: int, priority: int
    ) -> None:
        """Paging by id ascending returns the reverse of paging by id descending (full sort)."""
        dv = FakeDataverse(clock=NOW)
        for number, partition, value in rows:
            entity = Entity(TABLE, uuid.UUID(int=number), priority=value)
            if partition is not None:
                entity["partitionid"] = partition
            try:
                dv.service.create(entity)
            except DataverseError:  # a duplicate (id, partition): skip it
                continue
        ascending = QueryExpression(TABLE, column_set=ColumnSet("priority"))
        ascending.criteria.add_condition("priority", ConditionOperator.NOT_EQUAL, priority)
        descending = QueryExpression(TABLE, column_set=ColumnSet("priority"))
        descending.criteria.add_condition("priority", ConditionOperator.NOT_EQUAL, priority)
        descending.add_order("backgroundoperationid", OrderType.DESCENDING)
        up = read_all(dv, ascending, size)
        down = read_all(dv, descending, size)
        assert len(up) == len(set(up))
        assert sorted(up, key=lambda r: r[0].int) == sorted(down, key=lambda r: r[0].int)
        assert [r[0] for r in up] == sorted(r[0] for r in up)
