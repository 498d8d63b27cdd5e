"""Binding a query to metadata: unknown columns, wrong value types, arity, operator types."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    ConditionExpression,
    ConditionOperator,
    Entity,
    EntityReference,
    FakeDataverse,
    FetchExpression,
    FilterExpression,
    LogicalOperator,
    OptionSetValue,
    OrderType,
    QueryExpression,
    RetrieveMultipleRequest,
)
from fake_dataverse._query._model import Condition, Filter, Not, Order, Query

from .conftest import ITEM, Rejects, names

Op = ConditionOperator


def query_with(attribute: str, op: ConditionOperator, *values: Any) -> QueryExpression:
    query = QueryExpression(ITEM, column_set=ColumnSet("name"))
    query.criteria.add_condition(attribute, op, *values)
    return query


class TestColumns:
    def test_unknown_condition_column(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], rejects: Rejects
    ) -> None:
        """A condition on a column the table lacks is 0x80041103, naming table and column."""
        with rejects("0x80041103") as info:
            dv.service.retrieve_multiple(query_with("nope", Op.EQUAL, 1))
        assert "'contoso_item' entity doesn't contain attribute with Name = 'nope'" in str(
            info.value
        )

    def test_column_names_are_case_sensitive(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """``Name`` is not ``name``: 0x80041103."""
        with rejects("0x80041103"):
            dv.service.retrieve_multiple(query_with("Name", Op.NULL))

    def test_unknown_column_in_column_set(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A column set naming an unknown column is 0x80041103."""
        with rejects("0x80041103"):
            dv.service.retrieve_multiple(QueryExpression(ITEM, column_set=ColumnSet("bogus")))

    def test_unknown_order_column(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Sorting on an unknown column is 0x80041103."""
        query = QueryExpression(ITEM)
        query.add_order("bogus")
        with rejects("0x80041103"):
            dv.service.retrieve_multiple(query)

    def test_sorting_on_a_lookup_of_an_elastic_table(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """Elastic tables cannot sort on lookup columns: 0x80044183."""
        query = QueryExpression("backgroundoperation")
        query.add_order("createdby")
        with rejects("0x80044183"):
            dv.service.retrieve_multiple(query)

    def test_unknown_table(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A query on a table the organization lacks is 0x80040217."""
        with rejects("0x80040217"):
            dv.service.retrieve_multiple(QueryExpression("account"))

    def test_not_a_query(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A Query parameter that is not a query is 0x80040203."""
        with rejects("0x80040203"):
            dv.service.execute(RetrieveMultipleRequest(query="select *"))  # type: ignore[arg-type]


WRONG_VALUES = [
    ("p", OptionSetValue(1), "Microsoft.Xrm.Sdk.OptionSetValue", "System.Int32"),
    ("i", "5", "System.String", "System.Int32"),
    ("i", True, "System.Boolean", "System.Int32"),
    ("i", 1.5, "System.Double", "System.Int32"),
    ("s", 5, "System.Int32", "System.String"),
    (
        "l",
        EntityReference("systemuser", uuid.UUID(int=1)),
        "Microsoft.Xrm.Sdk.EntityReference",
        "System.Guid",
    ),
    ("g", "not-a-guid", "System.String", "System.Guid"),
    ("d", "2026-01-01", "System.String", "System.DateTime"),
    ("f", 1, "System.Int32", "System.Boolean"),
]


class TestValues:
    @pytest.mark.parametrize(("attribute", "value", "received", "expected"), WRONG_VALUES)
    def test_wrong_value_type(
        self,
        dv: FakeDataverse,
        items: dict[str, uuid.UUID],
        rejects: Rejects,
        attribute: str,
        value: Any,
        received: str,
        expected: str,
    ) -> None:
        """A condition value of the wrong type is 0x80040203 naming both types."""
        with rejects("0x80040203") as info:
            dv.service.retrieve_multiple(query_with(attribute, Op.EQUAL, value))
        assert (
            f"Condition for attribute 'contoso_item.{attribute}': expected argument(s) of type "
            f"'{expected}' but received '{received}'."
        ) == info.value.message

    def test_null_value_is_rejected(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Equal null is 0x80040203 telling to use Null / NotNull."""
        with rejects("0x80040203") as info:
            dv.service.retrieve_multiple(query_with("s", Op.EQUAL, None))
        assert "Use 'Null' or 'NotNull' conditions instead." in info.value.message

    @pytest.mark.parametrize(
        ("op", "values", "expected"),
        [
            (Op.EQUAL, (), "1"),
            (Op.EQUAL, (1, 2), "1"),
            (Op.BETWEEN, (1,), "2"),
            (Op.BETWEEN, (1, 2, 3), "2"),
            (Op.IN, (), "at least 1"),
            (Op.NULL, (1,), "0"),
            (Op.LAST_X_DAYS, (), "1"),
        ],
    )
    def test_wrong_number_of_values(
        self,
        dv: FakeDataverse,
        rejects: Rejects,
        op: ConditionOperator,
        values: tuple[Any, ...],
        expected: str,
    ) -> None:
        """Each operator takes its number of values; another count is 0x80040203 saying how
        many it takes (at least one for In, which takes a list)."""
        attribute = "d" if op is Op.LAST_X_DAYS else "i"
        with rejects("0x80040203") as info:
            dv.service.retrieve_multiple(query_with(attribute, op, *values))
        assert info.value.message == (
            f"Condition for attribute 'contoso_item.{attribute}': expected {expected} "
            f"argument(s) but received {len(values)}."
        )

    @pytest.mark.parametrize(
        ("attribute", "op", "values"),
        [
            ("i", Op.LIKE, ("1%",)),
            ("d", Op.BEGINS_WITH, ("2026",)),
            ("s", Op.TODAY, ()),
            ("i", Op.LAST_X_DAYS, (2,)),
            ("s", Op.EQUAL_USER_ID, ()),
            ("f", Op.GREATER_THAN, (True,)),
            ("f", Op.BETWEEN, (False, True)),
        ],
    )
    def test_operator_not_valid_for_the_column_type(
        self,
        dv: FakeDataverse,
        rejects: Rejects,
        attribute: str,
        op: ConditionOperator,
        values: tuple[Any, ...],
    ) -> None:
        """An operator that does not apply to the column's type is 0x80040203."""
        with rejects("0x80040203") as info:
            dv.service.retrieve_multiple(query_with(attribute, op, *values))
        assert f"The condition operator '{op.value}' is not valid" in info.value.message

    def test_count_of_periods_must_be_an_integer(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """LastXDays takes an integer count: a string is 0x80040203."""
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(query_with("d", Op.LAST_X_DAYS, "2"))

    def test_naive_datetime_is_utc(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """A naive datetime value is taken as UTC, as on writes."""
        query = query_with("d", Op.EQUAL, dt.datetime(2026, 1, 1, 8))
        assert {"mid"} == names(dv.service.retrieve_multiple(query))


class TestFilterLogic:
    def test_or_and_nesting(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """Nested filters combine with AND and OR."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.criteria.filter_operator = LogicalOperator.OR
        query.criteria.add_condition("i", Op.EQUAL, 1)
        nested = query.criteria.add_filter(FilterExpression(LogicalOperator.AND))
        nested.add_condition("i", Op.GREATER_THAN, 1)
        nested.add_condition("f", Op.EQUAL, True)
        assert {"low", "mid", "high"} == names(dv.service.retrieve_multiple(query))

    def test_not_of_unknown_stays_unknown(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """``not (i eq 5)`` excludes the null row, as SQL's three-valued logic does."""
        bound = Query(
            table=ITEM,
            columns=("name",),
            filter=Not(Condition("i", Op.EQUAL, (5,))),
        )
        assert {"low", "high", "old"} == names(dv.service.retrieve_multiple(bound))

    def test_or_with_unknown_is_true_when_another_part_is(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """``i eq 5 or name eq 'null'`` returns the null row (unknown OR true is true)."""
        bound = Query(
            table=ITEM,
            columns=("name",),
            filter=Filter(
                "or", (Condition("i", Op.EQUAL, (5,)), Condition("name", Op.EQUAL, ("null",)))
            ),
        )
        assert {"mid", "null"} == names(dv.service.retrieve_multiple(bound))

    def test_bound_query_is_accepted_as_is(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """A Query already bound (raw values, the Web API's) runs unchanged."""
        bound = Query(
            table=ITEM,
            columns=("name",),
            filter=Condition("p", Op.IN, (1, 3)),
            orders=(Order("i", descending=True),),
        )
        rows = dv.service.retrieve_multiple(bound)
        assert ["high", "low", "old"] == [e["name"] for e in rows]

    def test_condition_on_another_table_is_a_link(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """A condition naming another entity needs a link entity: 0x80048d0b."""
        query = QueryExpression(ITEM)
        query.criteria.add_condition(
            ConditionExpression("fullname", Op.EQUAL, "x", entity_name="systemuser")
        )
        with rejects("0x80048d0b"):
            dv.service.retrieve_multiple(query)


class TestRelatedColumns:
    def test_filter_on_a_lookup_name_column(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """``createdbyname`` reads systemuser: filtering on it is a join, 0x80048d0b."""
        query = QueryExpression("backgroundoperation")
        query.criteria.add_condition("createdbyname", Op.EQUAL, "System Administrator")
        with rejects("0x80048d0b"):
            dv.service.retrieve_multiple(query)

    def test_sort_on_a_lookup_name_column(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Sorting on ``modifiedbyname`` is a join as well: 0x80048d0b."""
        query = QueryExpression("backgroundoperation")
        query.add_order("modifiedbyname")
        with rejects("0x80048d0b"):
            dv.service.retrieve_multiple(query)

    def test_name_column_can_be_selected(self, dv: FakeDataverse) -> None:
        """Selecting ``createdbyname`` (no filter) returns the creator's name."""
        dv.service.create(Entity("backgroundoperation", name="x"))
        (row,) = dv.service.retrieve_multiple(
            QueryExpression("backgroundoperation", column_set=ColumnSet("createdbyname"))
        )
        assert "System Administrator" == row["createdbyname"]


class TestElasticLimits:
    def test_order_with_group_by(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An elastic table does not order a grouped aggregate: 0x80044183."""
        text = (
            "<fetch aggregate='true'><entity name='backgroundoperation'>"
            "<attribute name='priority' alias='p' groupby='true'/>"
            "<attribute name='backgroundoperationid' alias='n' aggregate='count'/>"
            "<order alias='p'/></entity></fetch>"
        )
        with rejects("0x80044183"):
            dv.service.retrieve_multiple(FetchExpression(text))

    def test_distinct_with_several_orders(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Distinct with more than one order is 0x80044183 on an elastic table."""
        query = QueryExpression(
            "backgroundoperation", column_set=ColumnSet("name", "priority"), distinct=True
        )
        query.add_order("name")
        query.add_order("priority")
        with rejects("0x80044183"):
            dv.service.retrieve_multiple(query)

    def test_distinct_ordered_by_another_column(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Distinct on one column ordered by another is 0x80044183 on an elastic table."""
        query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"), distinct=True)
        query.add_order("priority")
        with rejects("0x80044183"):
            dv.service.retrieve_multiple(query)

    def test_distinct_ordered_by_its_column(self, dv: FakeDataverse) -> None:
        """Distinct ordered by the column it returns works."""
        for name in ("b", "a", "b"):
            dv.service.create(Entity("backgroundoperation", name=name))
        query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"), distinct=True)
        query.add_order("name", OrderType.DESCENDING)
        assert ["b", "a"] == [e["name"] for e in dv.service.retrieve_multiple(query)]

    def test_standard_tables_allow_them(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """A standard table runs distinct with several orders."""
        query = QueryExpression(ITEM, column_set=ColumnSet("f"), distinct=True)
        query.add_order("f")
        query.add_order("i")
        assert 3 == len(dv.service.retrieve_multiple(query))
