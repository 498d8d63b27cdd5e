"""Queries over tables large enough for the engine's shortcuts: the answers stay exact.

A first page in another order than the primary key picks its candidates by the first sort
column before sorting them, and a filtered read in primary-key order switches from following
the index to one pass over the table when matches are sparse. Both must return exactly the
rows and order a full sort of the table gives, ties, nulls and partitions included.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    CreateMultipleRequest,
    Entity,
    FakeDataverse,
    OrderType,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)

TABLE = "backgroundoperation"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
ROWS = 700


@pytest.fixture(scope="module")
def dv() -> FakeDataverse:
    """A fake with 700 rows: few distinct names (ties, some null, one rare), some partitioned."""
    fake = FakeDataverse(clock=NOW)
    chance = random.Random(13)
    targets = []
    for number in range(ROWS):
        name = chance.choice([None, "alpha", "Alpha", "beta", "gamma"])
        if number % 101 == 7:
            name = "rare"
        entity = Entity(TABLE, name=name, retrycount=number % 7)
        if number % 2 == 0:
            entity["partitionid"] = "tenant-0"
        targets.append(entity)
    fake.service.execute(CreateMultipleRequest(targets=targets))
    return fake


def everything(dv: FakeDataverse) -> list[dict[str, Any]]:
    """Return every row's id, partition, name and retry count."""
    return [
        {
            "id": row.id,
            "partition": row.get("partitionid") or str(row.id),
            "name": row.get("name"),
            "retrycount": row.get("retrycount"),
        }
        for row in dv.rows()
    ]


def by_name(descending: bool) -> Any:
    """Return the full sort key for ``name`` (nulls first ascending), then id and partition."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        name = row["name"]
        present = name is not None
        value = name.casefold() if present else ""
        head: tuple[Any, ...] = (present, value)
        if descending:
            head = (not present, _Reversed(value))
        return (*head, row["id"].int, row["partition"])

    return key


class _Reversed:
    """A string compared in reverse (for the descending reference order)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Reversed) -> bool:
        return self.text > other.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.text == other.text

    __hash__ = None  # type: ignore[assignment]


def first_page(dv: FakeDataverse, query: QueryExpression, size: int, **parameters: str) -> list:
    """Return the ids and partitions of a query's first page of ``size`` rows."""
    query.column_set = ColumnSet("name", "partitionid")
    query.page_info = PagingInfo(count=size, page_number=1)
    result = dv.service.execute(RetrieveMultipleRequest(query=query, **parameters))
    return [(e.id, e.get("partitionid") or str(e.id)) for e in result["EntityCollection"]]


class TestFirstPagesInAnotherOrder:
    @pytest.mark.parametrize("descending", [False, True])
    @pytest.mark.parametrize("size", [1, 7, 50])
    def test_first_page_by_name_is_the_full_sorts_head(
        self, dv: FakeDataverse, descending: bool, size: int
    ) -> None:
        """The first page by a column with ties and nulls is the head of the full sort."""
        query = QueryExpression(TABLE)
        query.add_order("name", OrderType.DESCENDING if descending else OrderType.ASCENDING)
        expected = sorted(everything(dv), key=by_name(descending))[:size]
        assert [(r["id"], r["partition"]) for r in expected] == first_page(dv, query, size)

    @pytest.mark.parametrize("descending", [False, True])
    def test_first_page_by_a_column_few_rows_hold(self, descending: bool) -> None:
        """Ordered by a column only three of 100 rows hold, a page of five is those three and
        then the first nulls (descending), or nulls only (ascending): as a full sort gives."""
        fake = FakeDataverse(clock=NOW)
        names = ["c", "a", "b", *[None] * 97]
        targets = [Entity(TABLE, name=name) for name in names]
        fake.service.execute(CreateMultipleRequest(targets=targets))
        query = QueryExpression(TABLE)
        query.add_order("name", OrderType.DESCENDING if descending else OrderType.ASCENDING)
        expected = sorted(everything(fake), key=by_name(descending))[:5]
        if descending:
            assert ["c", "b", "a", None, None] == [r["name"] for r in expected]
        assert [(r["id"], r["partition"]) for r in expected] == first_page(fake, query, 5)

    @pytest.mark.parametrize("descending", [False, True])
    def test_top_count_by_name_in_a_partition(self, dv: FakeDataverse, descending: bool) -> None:
        """A top count in one partition is the head of that partition's full sort."""
        query = QueryExpression(TABLE, column_set=ColumnSet("name", "partitionid"))
        query.add_order("name", OrderType.DESCENDING if descending else OrderType.ASCENDING)
        query.top_count = 5
        rows = [r for r in everything(dv) if r["partition"] == "tenant-0"]
        expected = sorted(rows, key=by_name(descending))[:5]
        result = dv.service.execute(
            RetrieveMultipleRequest(query=query, partitionId="tenant-0")
        )["EntityCollection"]
        assert [r["id"] for r in expected] == [e.id for e in result]


class TestCookiePagesInAnotherOrder:
    @pytest.mark.parametrize("descending", [False, True])
    def test_following_the_cookies_reads_the_full_sort(
        self, dv: FakeDataverse, descending: bool
    ) -> None:
        """Every page after a cookie, by a column with ties and nulls, continues the full sort."""
        query = QueryExpression(TABLE, column_set=ColumnSet("name", "partitionid"))
        query.add_order("name", OrderType.DESCENDING if descending else OrderType.ASCENDING)
        seen, cookie, number = [], None, 1
        while True:
            query.page_info = PagingInfo(count=60, page_number=number, paging_cookie=cookie)
            page = dv.service.execute(RetrieveMultipleRequest(query=query))["EntityCollection"]
            seen += [(e.id, e.get("partitionid") or str(e.id)) for e in page]
            if not page.more_records:
                break
            cookie, number = page.paging_cookie, number + 1
        expected = sorted(everything(dv), key=by_name(descending))
        assert [(r["id"], r["partition"]) for r in expected] == seen


class TestSparseFiltersInPrimaryKeyOrder:
    @pytest.mark.parametrize("partition", [None, "tenant-0"])
    def test_pages_of_a_sparse_filter_follow_the_primary_key(
        self, dv: FakeDataverse, partition: str | None
    ) -> None:
        """Every page of a filter matching few rows is the next slice in (id, partition) order."""
        query = QueryExpression(TABLE, column_set=ColumnSet("name", "partitionid"))
        query.criteria.add_condition("name", ConditionOperator.IN, "RARE", "none such")
        expected = sorted(
            (
                r
                for r in everything(dv)
                if r["name"] == "rare" and partition in (None, r["partition"])
            ),
            key=lambda r: (r["id"].int, r["partition"]),
        )
        scope = {} if partition is None else {"partitionId": partition}
        seen, cookie, number = [], None, 1
        while True:
            query.page_info = PagingInfo(count=2, page_number=number, paging_cookie=cookie)
            request = RetrieveMultipleRequest(query=query, **scope)
            page = dv.service.execute(request)["EntityCollection"]
            seen += [(e.id, e.get("partitionid") or str(e.id)) for e in page]
            if not page.more_records:
                break
            cookie, number = page.paging_cookie, number + 1
        assert [(r["id"], r["partition"]) for r in expected] == seen
        assert len(expected) > 2  # several pages, each past a long stretch of the index

    def test_top_count_of_a_rare_value_in_a_partition(self, dv: FakeDataverse) -> None:
        """A top count of a rare match in one partition is its smallest ids."""
        query = QueryExpression(TABLE, column_set=ColumnSet("name"))
        query.criteria.add_condition("name", ConditionOperator.EQUAL, "Rare")
        query.top_count = 3
        rows = [
            r for r in everything(dv) if r["name"] == "rare" and r["partition"] == "tenant-0"
        ]
        expected = sorted(r["id"].int for r in rows)[:3]
        assert len(rows) >= 3
        result = dv.service.execute(
            RetrieveMultipleRequest(query=query, partitionId="tenant-0")
        )["EntityCollection"]
        assert expected == [e.id.int for e in result]


def test_the_kth_best_value_matches_a_full_sort() -> None:
    """The bound taken from a sample never changes which value is the k-th best."""
    from fake_dataverse._query._engine import _kth_best

    chance = random.Random(1)
    for _ in range(200):
        values = [chance.randint(0, chance.choice([3, 50, 10**6])) for _ in range(2000)]
        ordered = sorted(values)
        for need in (1, 7, 100, 250):
            assert ordered[-need] == _kth_best(values, need, descending=True)
            assert ordered[need - 1] == _kth_best(values, need, descending=False)
            assert ordered[-need] == _kth_best(ordered, need, descending=True)
