"""QueryExpression and QueryByAttribute compile to the one model."""

from __future__ import annotations

import uuid

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    FakeDataverse,
    LinkEntity,
    OrderType,
    PagingInfo,
    QueryByAttribute,
    QueryExpression,
    RetrieveMultipleRequest,
    RetrieveMultipleResponse,
)

from .conftest import ITEM, Rejects, names


class TestQueryByAttribute:
    def test_equal_conditions_joined_by_and(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """Each attribute/value pair is an Equal condition; all must hold."""
        query = QueryByAttribute(ITEM, column_set=ColumnSet("name"))
        query.add_attribute_value("p", 1)
        query.add_attribute_value("f", False)
        query.add_order("i", OrderType.DESCENDING)
        assert ["low", "old"] == [e["name"] for e in dv.service.retrieve_multiple(query)]

    def test_paging(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """QueryByAttribute pages with PageInfo like QueryExpression."""
        query = QueryByAttribute(
            ITEM, column_set=ColumnSet("name"), page_info=PagingInfo(count=1, page_number=1)
        )
        query.add_attribute_value("p", 1)
        first = dv.service.retrieve_multiple(query)
        query.page_info = PagingInfo(count=1, page_number=2, paging_cookie=first.paging_cookie)
        second = dv.service.retrieve_multiple(query)
        assert {"low", "old"} == names(first) | names(second)
        assert (True, False) == (first.more_records, second.more_records)

    def test_needs_matching_attributes_and_values(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """Attributes and values of different lengths, or none, are 0x80040203."""
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(QueryByAttribute(ITEM, attributes=["p"], values=[]))
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(QueryByAttribute(ITEM))

    def test_wrong_value_type(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A value of the wrong type is 0x80040203, as in QueryExpression."""
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(QueryByAttribute(ITEM, attributes=["i"], values=["1"]))


class TestQueryExpression:
    def test_default_column_set_returns_only_the_id(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """A QueryExpression without columns returns each row's primary key only."""
        result = dv.service.retrieve_multiple(QueryExpression(ITEM))
        assert [{"contoso_itemid": i} for i in sorted(items.values())] == [dict(e) for e in result]

    def test_all_columns(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """ColumnSet(all_columns=True) returns every non-null column (the version too)."""
        query = QueryExpression(ITEM, column_set=ColumnSet(all_columns=True))
        query.criteria.add_condition("name", ConditionOperator.EQUAL, "null")
        (row,) = dv.service.retrieve_multiple(query)
        assert {"contoso_itemid", "name", "versionnumber"} == set(row)

    def test_distinct(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """distinct returns one row per distinct combination of the selected columns."""
        query = QueryExpression(ITEM, column_set=ColumnSet("p"), distinct=True)
        query.criteria.add_condition("p", ConditionOperator.NOT_NULL)
        assert 3 == len(dv.service.retrieve_multiple(query))

    def test_link_entity_is_rejected(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A QueryExpression with a link entity is 0x80048d0b on any table here."""
        query = QueryExpression("backgroundoperation")
        query.add_link(LinkEntity("backgroundoperation", "systemuser", "createdby", "systemuserid"))
        with rejects("0x80048d0b"):
            dv.service.retrieve_multiple(query)

    def test_execute_returns_a_typed_response(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """execute(RetrieveMultipleRequest) returns a RetrieveMultipleResponse."""
        response = dv.service.execute(RetrieveMultipleRequest(query=QueryExpression(ITEM)))
        assert isinstance(response, RetrieveMultipleResponse)
        assert ITEM == response.entity_collection.entity_name
        assert 5 == len(response.entity_collection)

    def test_systemuser_can_be_queried(self, dv: FakeDataverse) -> None:
        """The standard systemuser table supports RetrieveMultiple, booleans included."""
        query = QueryExpression("systemuser", column_set=ColumnSet("fullname"))
        query.criteria.add_condition("isdisabled", ConditionOperator.EQUAL, False)
        assert ["System Administrator"] == [
            e["fullname"] for e in dv.service.retrieve_multiple(query)
        ]
