"""FetchXML: attributes, filters with fetch operator names, order, top, paging, aggregates."""

from __future__ import annotations

import urllib.parse
import uuid
from xml.sax.saxutils import quoteattr

import pytest

from fake_dataverse import (
    AliasedValue,
    Entity,
    FakeDataverse,
    FetchExpression,
    OptionSetValue,
)
from fake_dataverse._query import _aggregate
from fake_dataverse._query._model import Condition, ConditionOperator, Filter, Query
from fake_dataverse._query._paging import fetchxml_paging_cookie_annotation
from fake_dataverse._query.fetchxml._parse import parse_fetchxml

from .conftest import ITEM, Rejects, names

TABLE = "backgroundoperation"


def fetch(
    dv: FakeDataverse, entity_body: str, table: str = ITEM, **attributes: str
) -> list[Entity]:
    head = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attributes.items())
    text = f'<fetch{head}><entity name="{table}">{entity_body}</entity></fetch>'
    return list(dv.service.retrieve_multiple(FetchExpression(text)))


class TestParse:
    def test_parse_to_the_model(self, dv: FakeDataverse) -> None:
        """parse_fetchxml compiles FetchXML text to a bound Query with raw values."""
        query = parse_fetchxml(
            dv.organization,
            f'<fetch count="3"><entity name="{ITEM}"><attribute name="name"/>'
            '<filter><condition attribute="i" operator="ge" value="2"/></filter>'
            "</entity></fetch>",
        )
        assert (
            Query(
                table=ITEM,
                columns=("name",),
                filter=Filter("and", (Condition("i", ConditionOperator.GREATER_EQUAL, (2,)),)),
                page_size=3,
            )
            == query
        )

    @pytest.mark.parametrize(
        "text",
        [
            "<fetch><entity name='x'>",
            "not xml",
            "<query/>",
            "<fetch><entity name='contoso_item'/><entity name='contoso_item'/></fetch>",
            "<fetch><entity name='contoso_item'><bogus/></entity></fetch>",
            "<fetch bogus='1'><entity name='contoso_item'/></fetch>",
            "<fetch><entity name='contoso_item'><filter type='xor'/></entity></fetch>",
            "<fetch><entity name='contoso_item'><filter>"
            "<condition attribute='i' operator='sounds-like' value='1'/></filter></entity></fetch>",
            "<fetch count='many'><entity name='contoso_item'/></fetch>",
            "<!DOCTYPE x [<!ENTITY a 'b'>]><fetch><entity name='contoso_item'/></fetch>",
            "<fetch><entity name='contoso_item'><attribute name='i' aggregate='sum' alias='s'/>"
            "</entity></fetch>",
        ],
    )
    def test_malformed_fetchxml(self, dv: FakeDataverse, rejects: Rejects, text: str) -> None:
        """FetchXML that is not well-formed or not valid is 0x80040303."""
        with rejects("0x80040303") as info:
            dv.service.retrieve_multiple(FetchExpression(text))
        assert info.value.message.startswith("Malformed FetchXml.")

    @pytest.mark.parametrize(
        "body",
        [
            "<link-entity name='systemuser' from='systemuserid' to='createdby'/>",
            "<filter><link-entity name='systemuser' from='systemuserid' to='createdby'/></filter>",
            "<filter><condition entityname='u' attribute='fullname' operator='eq' value='x'/>"
            "</filter>",
        ],
    )
    def test_link_entities_are_not_supported(
        self, dv: FakeDataverse, rejects: Rejects, body: str
    ) -> None:
        """Any link-entity (or a condition on one) is 0x80048d0b."""
        with rejects("0x80048d0b") as info:
            fetch(dv, body, TABLE)
        assert "Link entities are not supported" == info.value.message

    def test_value_that_does_not_convert(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A condition value that is not of the column's type is 0x80040203."""
        with rejects("0x80040203") as info:
            fetch(dv, "<filter><condition attribute='i' operator='eq' value='many'/></filter>")
        assert "convert input value 'many' to attribute 'contoso_item.i'" in info.value.message

    def test_unknown_attribute(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An unknown attribute is 0x80041103."""
        with rejects("0x80041103"):
            fetch(dv, "<attribute name='nope'/>")

    def test_unknown_table(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An unknown entity is 0x80040217."""
        with rejects("0x80040217"):
            fetch(dv, "", "account")


class TestQueries:
    def test_attributes_filter_and_order(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """Attributes select columns; filters and orders work as in QueryExpression."""
        rows = fetch(
            dv,
            "<attribute name='name'/><attribute name='p'/>"
            "<filter type='or'><condition attribute='s' operator='like' value='al%'/>"
            "<condition attribute='i' operator='in'><value>10</value><value>99</value></condition>"
            "</filter><order attribute='i' descending='true'/>",
        )
        assert ["high", "low", "old"] == [r["name"] for r in rows]
        assert {"contoso_itemid", "name", "p"} == set(rows[0])
        assert OptionSetValue(3) == rows[0]["p"]

    def test_all_attributes(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """all-attributes returns every non-null column."""
        (row,) = fetch(
            dv,
            "<all-attributes/><filter><condition attribute='name' operator='eq' value='mid'/>"
            "</filter>",
        )
        assert {"s", "m", "i", "b", "d", "p", "l", "g", "f", "name"} <= set(row)

    def test_text_values_of_every_type(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], user2: uuid.UUID
    ) -> None:
        """Text values convert to each column's type (dates, GUIDs, booleans, choices)."""
        conditions = {
            "d": "on' value='2026-01-01",
            "l": f"eq' value='{{{str(user2).upper()}}}",
            "f": "eq' value='1",
            "p": "between'><value>2</value><value>3</value></condition><condition attribute='b' "
            "operator='gt' value='0",
            "g": "not-null",
        }
        body = "".join(
            f"<condition attribute='{k}' operator='{v}'/>" for k, v in conditions.items()
        )
        assert {"mid"} == names(fetch(dv, f"<attribute name='name'/><filter>{body}</filter>"))

    def test_top(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """top returns that many rows of the sort."""
        rows = fetch(dv, "<attribute name='name'/><order attribute='name'/>", top="2")
        assert ["high", "low"] == [r["name"] for r in rows]

    def test_paging_with_cookie(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """count/page/paging-cookie page through the rows like PageInfo."""
        body = "<attribute name='name'/><order attribute='name'/>"
        text = f'<fetch count="2" page="1"><entity name="{ITEM}">{body}</entity></fetch>'
        first = dv.service.retrieve_multiple(FetchExpression(text))
        assert first.more_records and first.paging_cookie is not None
        text2 = (
            f'<fetch count="2" page="2" paging-cookie={quoteattr(first.paging_cookie)}>'
            f'<entity name="{ITEM}">{body}</entity></fetch>'
        )
        second = dv.service.retrieve_multiple(FetchExpression(text2))
        assert (["high", "low"], ["mid", "null"]) == (
            [r["name"] for r in first],
            [r["name"] for r in second],
        )

    def test_returntotalrecordcount(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """returntotalrecordcount fills total_record_count."""
        text = f'<fetch count="1" returntotalrecordcount="true"><entity name="{ITEM}"/></fetch>'
        assert 5 == dv.service.retrieve_multiple(FetchExpression(text)).total_record_count

    def test_paging_cookie_annotation(self) -> None:
        """The Web API annotation holds the next page number and the double-encoded cookie."""
        cookie = '<cookie page="1"><x last="a b" first="c" /></cookie>'
        annotation = fetchxml_paging_cookie_annotation(cookie, 1)
        encoded = urllib.parse.quote(urllib.parse.quote(cookie, safe=""), safe="")
        assert (
            f'<cookie pagenumber="2" pagingcookie="{encoded}" istracking="False" />' == annotation
        )
        assert cookie == urllib.parse.unquote(urllib.parse.unquote(encoded))


def aliased(rows: list[Entity]) -> list[dict[str, object]]:
    return [{k: v.value for k, v in row.items() if isinstance(v, AliasedValue)} for row in rows]


class TestAggregates:
    def test_whole_table_aggregates(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """count, countcolumn, sum, avg, min, max over every row; nulls skipped but by count."""
        body = "".join(
            f"<attribute name='{col}' alias='{alias}' aggregate='{fn}'/>"
            for alias, col, fn in [
                ("n", "contoso_itemid", "count"),
                ("nc", "i", "countcolumn"),
                ("total", "i", "sum"),
                ("mean", "i", "avg"),
                ("low", "i", "min"),
                ("top", "s", "max"),
            ]
        )
        assert [
            {"n": 5, "nc": 4, "total": 13, "mean": 3.25, "low": -3, "top": "Gamma_1"}
        ] == aliased(fetch(dv, body, aggregate="true"))

    def test_group_by(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """groupby makes one row per value (null included), ordered by the group value."""
        body = (
            "<attribute name='p' alias='choice' groupby='true'/>"
            "<attribute name='i' alias='total' aggregate='sum'/>"
            "<attribute name='contoso_itemid' alias='n' aggregate='count'/>"
        )
        rows = aliased(fetch(dv, body, aggregate="true"))
        assert [
            {"n": 1},
            {"choice": OptionSetValue(1), "total": -2, "n": 2},
            {"choice": OptionSetValue(2), "total": 5, "n": 1},
            {"choice": OptionSetValue(3), "total": 10, "n": 1},
        ] == rows

    def test_order_by_aggregate_alias(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """An order on an alias sorts the groups."""
        body = (
            "<attribute name='f' alias='flag' groupby='true'/>"
            "<attribute name='i' alias='total' aggregate='sum'/>"
            "<order alias='total' descending='true'/>"
        )
        assert [
            {"flag": True, "total": 15},
            {"flag": False, "total": -2},
            {"flag": None, "total": None},
        ] == [
            {"flag": r.get("flag"), "total": r.get("total")}
            for r in aliased(fetch(dv, body, aggregate="true"))
        ]

    def test_distinct_count(self, dv: FakeDataverse, items: dict[str, uuid.UUID]) -> None:
        """countcolumn with distinct counts distinct non-null values."""
        body = "<attribute name='p' alias='kinds' aggregate='countcolumn' distinct='true'/>"
        assert [{"kinds": 3}] == aliased(fetch(dv, body, aggregate="true"))

    def test_aggregate_on_empty_result(self, dv: FakeDataverse) -> None:
        """With no rows, count is 0 and sum is left out (null)."""
        body = (
            "<attribute name='contoso_itemid' alias='n' aggregate='count'/>"
            "<attribute name='i' alias='total' aggregate='sum'/>"
        )
        assert [{"n": 0}] == aliased(fetch(dv, body, aggregate="true"))

    @pytest.mark.parametrize(
        "body",
        [
            "<attribute name='s' alias='x' aggregate='sum'/>",
            "<attribute name='d' alias='x' groupby='true'/>",
            "<attribute name='f' alias='x' aggregate='max'/>",
        ],
    )
    def test_invalid_aggregates(self, dv: FakeDataverse, rejects: Rejects, body: str) -> None:
        """sum on text, max on a boolean and group-by on a date are 0x80044183."""
        with rejects("0x80044183"):
            fetch(dv, body, aggregate="true")

    def test_unknown_aggregate_function(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An unknown aggregate function is 0x80040303."""
        with rejects("0x80040303"):
            fetch(dv, "<attribute name='i' alias='x' aggregate='median'/>", aggregate="true")

    def test_aggregate_record_limit(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """More than 50,000 matching rows is 0x8004e023."""
        limit = _aggregate.AGGREGATE_RECORD_LIMIT
        _aggregate.AGGREGATE_RECORD_LIMIT = 2
        try:
            for n in range(3):
                dv.service.create(Entity(ITEM, name=f"r{n}"))
            with rejects("0x8004e023"):
                fetch(dv, "<attribute name='i' alias='x' aggregate='count'/>", aggregate="true")
        finally:
            _aggregate.AGGREGATE_RECORD_LIMIT = limit
