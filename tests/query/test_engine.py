"""Paging, ordering, top count, total record count and partition scope of RetrieveMultiple."""

from __future__ import annotations

import uuid

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

from ..traces import store_state
from .conftest import ITEM, Rejects, names

TABLE = "backgroundoperation"
ONE = "{00000000-0000-0000-0000-000000000001}"


def seed(dv: FakeDataverse, count: int, **values: object) -> list[uuid.UUID]:
    """Create ``count`` background operations named op000, op001, …"""
    return [
        dv.service.create(Entity(TABLE, name=f"op{n:03}", priority=n % 4, **values))
        for n in range(count)
    ]


def by_name(page_info: PagingInfo | None = None) -> QueryExpression:
    query = QueryExpression(
        TABLE, column_set=ColumnSet("name"), page_info=page_info or PagingInfo()
    )
    query.add_order("name")
    return query


def read_all(dv: FakeDataverse, query: QueryExpression, size: int) -> list[list[str]]:
    """Read every page by following paging cookies."""
    pages, cookie, number = [], None, 1
    while True:
        query.page_info = PagingInfo(count=size, page_number=number, paging_cookie=cookie)
        result = dv.service.retrieve_multiple(query)
        pages.append([e["name"] for e in result])
        if not result.more_records:
            return pages
        cookie, number = result.paging_cookie, number + 1


class TestOrdering:
    def test_default_order_is_the_primary_key(self, dv: FakeDataverse) -> None:
        """Without orders, rows come sorted by primary key."""
        ids = seed(dv, 6)
        result = dv.service.retrieve_multiple(QueryExpression(TABLE))
        assert sorted(ids) == [e.id for e in result]

    def test_nulls_sort_first_ascending_and_last_descending(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """Null values sort before every value ascending and after every value descending."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.add_order("i")
        assert ["null", "old", "low", "mid", "high"] == [
            e["name"] for e in dv.service.retrieve_multiple(query)
        ]
        query.orders.clear()
        query.add_order("i", OrderType.DESCENDING)
        assert ["high", "mid", "low", "old", "null"] == [
            e["name"] for e in dv.service.retrieve_multiple(query)
        ]

    def test_strings_sort_case_insensitively(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """``Alpha`` < ``alphabet`` < ``beta`` < ``Gamma_1``, whatever the case."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name", "s"))
        query.criteria.add_condition("s", ConditionOperator.NOT_NULL)
        query.add_order("s")
        assert ["Alpha", "alphabet", "beta", "Gamma_1"] == [
            e["s"] for e in dv.service.retrieve_multiple(query)
        ]

    def test_multiple_orders(self, dv: FakeDataverse) -> None:
        """Later orders break ties of earlier ones."""
        seed(dv, 8)
        query = QueryExpression(TABLE, column_set=ColumnSet("name", "priority"))
        query.add_order("priority", OrderType.DESCENDING)
        query.add_order("name", OrderType.DESCENDING)
        assert ["op007", "op003", "op006", "op002"] == [
            e["name"] for e in dv.service.retrieve_multiple(query)
        ][:4]

    def test_null_columns_are_left_out(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """Returned entities omit null columns but always hold the primary key."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name", "i"))
        query.criteria.add_condition("name", ConditionOperator.EQUAL, "null")
        (row,) = dv.service.retrieve_multiple(query)
        assert {"name": "null", "contoso_itemid": items["null"]} == dict(row)


class TestPaging:
    def test_pages_follow_the_cookie(self, dv: FakeDataverse) -> None:
        """Pages of 4 over 10 rows: 4, 4, 2; more_records until the last."""
        seed(dv, 10)
        pages = read_all(dv, by_name(), 4)
        assert [[f"op{n:03}" for n in range(k, min(k + 4, 10))] for k in (0, 4, 8)] == pages

    def test_cookie_format(self, dv: FakeDataverse) -> None:
        """The cookie names the page, then each sort column's last and first values."""
        ids = seed(dv, 3)
        result = dv.service.retrieve_multiple(by_name(PagingInfo(count=2, page_number=1)))
        first, last = ids[0], ids[1]
        expected = (
            f'<cookie page="1"><name last="op001" first="op000" />'
            f'<backgroundoperationid last="{{{str(last).upper()}}}" '
            f'first="{{{str(first).upper()}}}" /></cookie>'
        )
        assert expected == result.paging_cookie
        assert result.more_records

    def test_page_number_without_cookie_skips_rows(self, dv: FakeDataverse) -> None:
        """Page 2 without a cookie is rows 3 and 4 of the sorted result."""
        seed(dv, 5)
        result = dv.service.retrieve_multiple(by_name(PagingInfo(count=2, page_number=2)))
        assert ["op002", "op003"] == [e["name"] for e in result]
        assert result.more_records

    def test_inserts_and_deletes_between_pages(self, dv: FakeDataverse) -> None:
        """Rows inserted or deleted between page reads are neither skipped nor repeated."""
        ids = seed(dv, 6)
        query = by_name(PagingInfo(count=3, page_number=1))
        first = dv.service.retrieve_multiple(query)
        dv.service.delete(TABLE, ids[3])
        dv.service.create(Entity(TABLE, name="op000a"))
        dv.service.create(Entity(TABLE, name="op004a"))
        query.page_info = PagingInfo(count=3, page_number=2, paging_cookie=first.paging_cookie)
        second = dv.service.retrieve_multiple(query)
        assert ["op000", "op001", "op002"] == [e["name"] for e in first]
        assert ["op004", "op004a", "op005"] == [e["name"] for e in second]
        assert not second.more_records

    def test_no_page_info_returns_the_first_page_with_more_records(self) -> None:
        """Without PageInfo a query returns max_page_size rows and more_records."""
        dv = FakeDataverse(max_page_size=3)
        seed(dv, 5)
        result = dv.service.retrieve_multiple(by_name())
        assert (["op000", "op001", "op002"], True) == (
            [e["name"] for e in result],
            result.more_records,
        )
        assert result.paging_cookie is not None

    def test_max_page_size_caps_a_larger_count(self) -> None:
        """max_page_size caps each page even when PageInfo asks for more."""
        dv = FakeDataverse(max_page_size=2)
        seed(dv, 5)
        assert [2, 2, 1] == [len(p) for p in read_all(dv, by_name(), 10)]

    @pytest.mark.parametrize("count", [0, -1, 5001])
    def test_page_size_out_of_range(self, dv: FakeDataverse, rejects: Rejects, count: int) -> None:
        """Count below 1 (with a page number) or above 5000 is rejected."""
        seed(dv, 1)
        code = "0x80040203" if count > 5000 else "0x8004110c"
        with rejects(code):
            dv.service.retrieve_multiple(by_name(PagingInfo(count=count, page_number=1)))

    @pytest.mark.parametrize(
        "cookie",
        [
            "garbage",
            f"<cookie page='x'><name last='a'/><backgroundoperationid last='{ONE}'/></cookie>",
            f"<cookie page='1'><backgroundoperationid last='{ONE}'/></cookie>",
            "<cookie page='1'><name last='a'/><backgroundoperationid last='nope'/></cookie>",
            "<other page='1'/>",
        ],
    )
    def test_malformed_cookie(self, dv: FakeDataverse, rejects: Rejects, cookie: str) -> None:
        """A cookie that does not parse or does not fit the sort is 0x8004112a."""
        seed(dv, 3)
        with rejects("0x8004112a"):
            dv.service.retrieve_multiple(
                by_name(PagingInfo(count=2, page_number=2, paging_cookie=cookie))
            )

    def test_cookie_for_another_page(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A page-1 cookie sent with page number 3 is 0x8004112a."""
        seed(dv, 5)
        first = dv.service.retrieve_multiple(by_name(PagingInfo(count=2, page_number=1)))
        with rejects("0x8004112a") as info:
            dv.service.retrieve_multiple(
                by_name(PagingInfo(count=2, page_number=3, paging_cookie=first.paging_cookie))
            )
        assert "Invalid page number in paging cookie." == info.value.message

    def test_cookie_resumes_after_null_sort_values(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """A cookie whose last row has a null sort value resumes correctly."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.add_order("i")
        pages, cookie, number = [], None, 1
        while True:
            query.page_info = PagingInfo(count=1, page_number=number, paging_cookie=cookie)
            result = dv.service.retrieve_multiple(query)
            pages.extend(e["name"] for e in result)
            if not result.more_records:
                break
            cookie, number = result.paging_cookie, number + 1
        assert ["null", "old", "low", "mid", "high"] == pages


class TestTopAndCount:
    def test_top_count(self, dv: FakeDataverse) -> None:
        """TopCount returns that many rows, no more_records and no cookie."""
        seed(dv, 5)
        query = by_name()
        query.top_count = 2
        result = dv.service.retrieve_multiple(query)
        assert (["op000", "op001"], False, None) == (
            [e["name"] for e in result],
            result.more_records,
            result.paging_cookie,
        )

    def test_top_count_with_paging(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """TopCount together with PageInfo is 0x80040203."""
        query = by_name(PagingInfo(count=2, page_number=1))
        query.top_count = 2
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(query)

    @pytest.mark.parametrize(("top", "code"), [(0, "0x8004110c"), (5001, "0x80040203")])
    def test_top_count_out_of_range(
        self, dv: FakeDataverse, rejects: Rejects, top: int, code: str
    ) -> None:
        """TopCount below 1 or above 5000 is rejected."""
        query = by_name()
        query.top_count = top
        with rejects(code):
            dv.service.retrieve_multiple(query)

    def test_total_record_count(self, dv: FakeDataverse) -> None:
        """ReturnTotalRecordCount counts every matching row, not just the page."""
        seed(dv, 7)
        query = by_name(PagingInfo(count=2, page_number=1, return_total_record_count=True))
        query.criteria.add_condition("priority", ConditionOperator.LESS_THAN, 3)
        result = dv.service.retrieve_multiple(query)
        assert (2, 6, False) == (
            len(result),
            result.total_record_count,
            result.total_record_count_limit_exceeded,
        )

    def test_total_record_count_not_asked(self, dv: FakeDataverse) -> None:
        """Without ReturnTotalRecordCount the count is -1."""
        seed(dv, 2)
        assert -1 == dv.service.retrieve_multiple(by_name()).total_record_count

    def test_total_record_count_is_capped_at_5000(self) -> None:
        """Above 5000 matching rows the count is 5000 and the limit is flagged."""
        dv = FakeDataverse(max_page_size=10)
        targets = [Entity(TABLE, name=f"r{n}") for n in range(5001)]
        dv.service.execute(CreateMultipleRequest(targets=targets))
        query = by_name(PagingInfo(count=10, page_number=1, return_total_record_count=True))
        result = dv.service.retrieve_multiple(query)
        assert (5000, True, True) == (
            result.total_record_count,
            result.total_record_count_limit_exceeded,
            result.more_records,
        )


class TestPartitions:
    def test_partition_id_scopes_the_query(self, dv: FakeDataverse) -> None:
        """The partitionId parameter returns only that partition's rows."""
        dv.service.create(Entity(TABLE, name="a1", partitionid="tenant-a"))
        dv.service.create(Entity(TABLE, name="b1", partitionid="tenant-b"))
        dv.service.create(Entity(TABLE, name="a2", partitionid="tenant-a"))
        default = dv.service.create(Entity(TABLE, name="default"))
        query = QueryExpression(TABLE, column_set=ColumnSet("name"))
        assert {"a1", "a2"} == names(dv.service.retrieve_multiple(query, partition_id="tenant-a"))
        assert {"default"} == names(dv.service.retrieve_multiple(query, partition_id=str(default)))
        assert set() == names(dv.service.retrieve_multiple(query, partition_id="nobody"))

    def test_partition_id_must_be_text(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A partitionId that is not a string is 0x80040203."""
        request = RetrieveMultipleRequest(query=QueryExpression(TABLE))
        request.parameters["partitionId"] = 7
        with rejects("0x80040203"):
            dv.service.execute(request)


class TestPrivileges:
    def test_read_privilege_is_needed(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A caller without prvReadbackgroundoperation gets 0x80040220."""
        seed(dv, 1)
        user = dv.add_user("No Read", privileges=["prvCreatebackgroundoperation"])
        with rejects("0x80040220"):
            dv.service_for(user).retrieve_multiple(QueryExpression(TABLE))

    def test_reads_do_not_change_the_store(self, dv: FakeDataverse) -> None:
        """A successful query leaves rows, versions and the change log as they were."""
        seed(dv, 4)
        before = store_state(dv, TABLE)
        dv.service.retrieve_multiple(by_name(PagingInfo(count=2, page_number=1)))
        assert before == store_state(dv, TABLE)
