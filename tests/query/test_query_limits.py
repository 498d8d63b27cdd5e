"""Query limits against the spec: simple paging, top with paging, orders, comparisons.

Each rejected query must leave the store exactly as it was (the ``rejects`` fixture checks).
"""

from __future__ import annotations

import pytest

from fake_dataverse import (
    ColumnSet,
    Entity,
    FakeDataverse,
    FetchExpression,
    OrderType,
    PagingInfo,
    QueryExpression,
)

from .conftest import Rejects

TABLE = "backgroundoperation"


def seed(dv: FakeDataverse, count: int) -> None:
    """Create ``count`` background operations."""
    for n in range(count):
        dv.service.create(Entity(TABLE, name=f"op{n}"))


class TestSimplePagingLimit:
    @pytest.mark.parametrize(("count", "page"), [(5000, 11), (1000, 51), (2500, 21)])
    def test_page_past_50000_rows_without_cookie(
        self, dv: FakeDataverse, rejects: Rejects, count: int, page: int
    ) -> None:
        """A page number reaching past row 50,000 without a paging cookie is 0x8004430a."""
        seed(dv, 2)
        query = QueryExpression(TABLE, page_info=PagingInfo(count=count, page_number=page))
        with rejects("0x8004430a") as info:
            dv.service.retrieve_multiple(query)
        assert (
            "Over upper limit of records that can be requested without a paging cookie. "
            "A paging cookie is required when retrieving a high page number."
        ) == info.value.message

    def test_fetchxml_simple_paging_limit(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """FetchXML ``page`` without ``paging-cookie`` has the same 50,000-row limit."""
        fetch = "<fetch count='5000' page='11'><entity name='backgroundoperation'/></fetch>"
        with rejects("0x8004430a"):
            dv.service.retrieve_multiple(FetchExpression(fetch))

    def test_last_page_within_the_limit(self, dv: FakeDataverse) -> None:
        """Page 10 of 5000 (rows 45,001–50,000) is still simple paging: an empty page here."""
        seed(dv, 2)
        query = QueryExpression(TABLE, page_info=PagingInfo(count=5000, page_number=10))
        result = dv.service.retrieve_multiple(query)
        assert ([], False) == (list(result), result.more_records)

    def test_high_page_with_a_cookie_is_allowed(self, dv: FakeDataverse) -> None:
        """With a paging cookie a high page number is fine (the cookie must fit the page)."""
        seed(dv, 3)
        first = dv.service.retrieve_multiple(
            QueryExpression(TABLE, page_info=PagingInfo(count=1, page_number=1))
        )
        cookie = first.paging_cookie
        assert cookie is not None
        second = QueryExpression(
            TABLE, page_info=PagingInfo(count=1, page_number=2, paging_cookie=cookie)
        )
        assert 1 == len(dv.service.retrieve_multiple(second))


class TestTopWithPaging:
    def test_fetchxml_top_with_page(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """FetchXML ``top`` with a ``page`` above 1 (no ``count``) is 0x80040203, as with count."""
        seed(dv, 3)
        fetch = "<fetch top='2' page='2'><entity name='backgroundoperation'/></fetch>"
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(FetchExpression(fetch))

    def test_fetchxml_top_alone(self, dv: FakeDataverse) -> None:
        """``top`` alone still returns that many rows."""
        seed(dv, 3)
        fetch = "<fetch top='2'><entity name='backgroundoperation'/></fetch>"
        assert 2 == len(dv.service.retrieve_multiple(FetchExpression(fetch)))


class TestUniqueOrders:
    def test_query_expression_orders_a_column_twice(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """Ordering on one column twice is 0x80048d16 OrderByColumnsMustBeUnique."""
        seed(dv, 2)
        query = QueryExpression(TABLE, column_set=ColumnSet("name"))
        query.add_order("name")
        query.add_order("name", OrderType.DESCENDING)
        with rejects("0x80048d16") as info:
            dv.service.retrieve_multiple(query)
        assert (
            "A column has been specified more than once in the order by list. "
            "Columns in the order by list must be unique."
        ) == info.value.message

    def test_fetchxml_orders_a_column_twice(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """FetchXML with two ``order`` elements on one attribute is 0x80048d16."""
        fetch = (
            "<fetch><entity name='backgroundoperation'><order attribute='priority'/>"
            "<order attribute='priority' descending='true'/></entity></fetch>"
        )
        with rejects("0x80048d16"):
            dv.service.retrieve_multiple(FetchExpression(fetch))

    def test_primary_key_then_another_column(self, dv: FakeDataverse) -> None:
        """Different columns, the primary key among them, are fine."""
        seed(dv, 2)
        query = QueryExpression(TABLE, column_set=ColumnSet("name"))
        query.add_order("backgroundoperationid")
        query.add_order("name")
        assert 2 == len(dv.service.retrieve_multiple(query))


class TestColumnComparison:
    def test_fetchxml_valueof(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A condition comparing two columns (``valueof``) is 0x80044183: elastic tables lack it."""
        seed(dv, 1)
        fetch = (
            "<fetch><entity name='backgroundoperation'><filter>"
            "<condition attribute='priority' operator='eq' valueof='retrycount'/>"
            "</filter></entity></fetch>"
        )
        with rejects("0x80044183"):
            dv.service.retrieve_multiple(FetchExpression(fetch))
