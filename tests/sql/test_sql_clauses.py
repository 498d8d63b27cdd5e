"""``?sql=``: every supported clause answers as the same query written as $filter or FetchXML.

One engine runs all three front ends, so on the same rows they must return the same rows in
the same order; each test writes the query twice and compares.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_dataverse import FakeDataverse

from .conftest import Reader, seed


def pick(rows: list[dict[str, Any]], *names: str) -> list[tuple[Any, ...]]:
    """Return each row's values for ``names`` (missing: null, as FetchXML omits nulls)."""
    return [tuple(row.get(name) for name in names) for row in rows]


def fetch(body: str, **fetch_attributes: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in fetch_attributes.items())
    return f'<fetch{extra}><entity name="backgroundoperation">{body}</entity></fetch>'


class TestSelectAndWhere:
    @pytest.mark.parametrize(
        ("sql_operator", "odata_operator"),
        [
            ("=", "eq"),
            ("<>", "ne"),
            ("!=", "ne"),
            ("<", "lt"),
            ("<=", "le"),
            (">", "gt"),
            (">=", "ge"),
        ],
    )
    def test_comparison_equals_odata(
        self, read: Reader, sql_operator: str, odata_operator: str
    ) -> None:
        """Each comparison operator selects the rows its OData counterpart selects."""
        sql = read.sql_rows(
            f"SELECT name, priority FROM backgroundoperation WHERE priority {sql_operator} 2"
        )
        odata = read.odata_rows(f"$select=name,priority&$filter=priority {odata_operator} 2")
        assert pick(odata, "name", "priority") == pick(sql, "name", "priority")
        assert sql  # the comparison selects something on these rows

    def test_string_comparison_is_case_insensitive_like_odata(self, read: Reader) -> None:
        """A string constant (with an escaped quote) compares as $filter's does."""
        for text in ("'gamma'", "'o''brien'"):
            sql = read.sql_rows(f"SELECT name FROM backgroundoperation WHERE name = {text}")
            odata = read.odata_rows(f"$select=name&$filter=name eq {text}")
            assert pick(odata, "name") == pick(sql, "name") != []

    def test_constant_on_the_left(self, read: Reader) -> None:
        """``2 < priority`` is ``priority > 2``."""
        left = read.sql_rows("SELECT name FROM backgroundoperation WHERE 2 < priority")
        right = read.sql_rows("SELECT name FROM backgroundoperation WHERE priority > 2")
        assert left == right != []

    @pytest.mark.parametrize(
        ("predicate", "condition"),
        [
            ("name LIKE 'al%'", '<condition attribute="name" operator="like" value="al%"/>'),
            ("name NOT LIKE '%a'", '<condition attribute="name" operator="not-like" value="%a"/>'),
            ("name LIKE '_eta'", '<condition attribute="name" operator="like" value="_eta"/>'),
            (
                "priority IN (1, 3)",
                '<condition attribute="priority" operator="in"><value>1</value>'
                "<value>3</value></condition>",
            ),
            (
                "priority NOT IN (1, 3)",
                '<condition attribute="priority" operator="not-in"><value>1</value>'
                "<value>3</value></condition>",
            ),
            ("retrycount IS NULL", '<condition attribute="retrycount" operator="null"/>'),
            ("retrycount IS NOT NULL", '<condition attribute="retrycount" operator="not-null"/>'),
            (
                "retrycount BETWEEN 1 AND 2",
                '<condition attribute="retrycount" operator="between"><value>1</value>'
                "<value>2</value></condition>",
            ),
            (
                "retrycount NOT BETWEEN 1 AND 2",
                '<condition attribute="retrycount" operator="not-between"><value>1</value>'
                "<value>2</value></condition>",
            ),
        ],
    )
    def test_operator_equals_fetchxml(self, read: Reader, predicate: str, condition: str) -> None:
        """LIKE, IN, IS NULL and BETWEEN (and their negations) select FetchXML's rows."""
        sql = read.sql_rows(
            f"SELECT backgroundoperationid, name FROM backgroundoperation WHERE {predicate}"
        )
        xml = fetch(
            '<attribute name="backgroundoperationid"/><attribute name="name"/>'
            f"<filter>{condition}</filter>"
        )
        fetched = read.fetch_rows(xml)
        assert pick(fetched, "backgroundoperationid", "name") == pick(
            sql, "backgroundoperationid", "name"
        )
        assert sql

    def test_and_or_parentheses_and_not(self, read: Reader) -> None:
        """AND binds tighter than OR; parentheses and NOT nest as $filter's do."""
        cases = [
            (
                "priority = 1 OR priority = 3 AND retrycount = 1",
                "priority eq 1 or (priority eq 3 and retrycount eq 1)",
            ),
            (
                "(priority = 1 OR priority = 3) AND retrycount = 1",
                "(priority eq 1 or priority eq 3) and retrycount eq 1",
            ),
            (
                "NOT (priority = 2 OR retrycount IS NULL)",
                "not (priority eq 2 or retrycount eq null)",
            ),
        ]
        for where, odata_filter in cases:
            sql = read.sql_rows(f"SELECT name, priority FROM backgroundoperation WHERE {where}")
            odata = read.odata_rows(f"$select=name,priority&$filter={odata_filter}")
            assert pick(odata, "name", "priority") == pick(sql, "name", "priority"), where

    def test_rows_hold_the_select_list_in_order_with_nulls(self, read: Reader) -> None:
        """Each row has exactly the selected columns, in order; a missing value is null."""
        rows = read.sql_rows("SELECT retrycount, name FROM backgroundoperation")
        assert [list(row) for row in rows] == [["retrycount", "name"]] * 7
        assert {"retrycount": None, "name": "o'brien"} in rows

    def test_lookup_and_id_columns_read_as_odata_values(self, dv: FakeDataverse) -> None:
        """A lookup column (createdby) holds the user's id, as $filter's _createdby_value."""
        read = Reader(dv)
        sql = read.sql_rows("SELECT backgroundoperationid, createdby FROM backgroundoperation")
        odata = read.odata_rows("$select=backgroundoperationid,_createdby_value")
        assert pick(odata, "backgroundoperationid", "_createdby_value") == pick(
            sql, "backgroundoperationid", "createdby"
        )

    def test_names_are_case_insensitive(self, read: Reader) -> None:
        """Keywords, the table and column names match in any case (SQL Server's collation)."""
        upper = read.sql_rows("select NAME from BackgroundOperation where Priority = 2")
        lower = read.sql_rows("SELECT name FROM backgroundoperation WHERE priority = 2")
        assert pick(upper, "name") == pick(lower, "name") != []


class TestAliases:
    def test_column_alias_names_the_output(self, read: Reader) -> None:
        """``col AS alias`` (or ``col alias``, ``[a b]``) renames the output column."""
        rows = read.sql_rows(
            "SELECT name AS n, priority p, retrycount [retry count] FROM backgroundoperation"
        )
        odata = read.odata_rows("$select=name,priority,retrycount")
        assert pick(rows, "n", "p", "retry count") == pick(odata, "name", "priority", "retrycount")

    def test_table_alias_qualifies_columns(self, read: Reader) -> None:
        """``FROM table b`` lets ``b.col`` (and ``table.col``) name the table's columns."""
        rows = read.sql_rows(
            "SELECT b.name, backgroundoperation.priority FROM backgroundoperation AS b "
            "WHERE b.priority = 2 ORDER BY b.name"
        )
        odata = read.odata_rows("$select=name,priority&$filter=priority eq 2&$orderby=name")
        assert pick(rows, "name", "priority") == pick(odata, "name", "priority") != []

    def test_order_by_an_output_alias(self, read: Reader) -> None:
        """ORDER BY may name a column by its alias."""
        rows = read.sql_rows("SELECT name AS n FROM backgroundoperation ORDER BY n DESC")
        odata = read.odata_rows("$select=name&$orderby=name desc")
        assert pick(rows, "n") == pick(odata, "name")


class TestOrderTopDistinctOffset:
    def test_order_by_asc_and_desc(self, read: Reader) -> None:
        """ORDER BY col [ASC|DESC], … sorts as $orderby does."""
        sql = read.sql_rows(
            "SELECT name, priority FROM backgroundoperation ORDER BY priority DESC, name ASC"
        )
        odata = read.odata_rows("$select=name,priority&$orderby=priority desc,name asc")
        assert pick(sql, "name", "priority") == pick(odata, "name", "priority")

    def test_top(self, read: Reader) -> None:
        """TOP n returns the first n rows, as $top does."""
        sql = read.sql_rows("SELECT TOP 3 name FROM backgroundoperation ORDER BY name")
        odata = read.odata_rows("$select=name&$orderby=name&$top=3")
        assert pick(sql, "name") == pick(odata, "name")
        assert len(sql) == 3

    def test_distinct(self, read: Reader) -> None:
        """SELECT DISTINCT drops repeated rows, as FetchXML's distinct does."""
        sql = read.sql_rows("SELECT DISTINCT priority FROM backgroundoperation ORDER BY priority")
        fetched = read.fetch_rows(
            fetch('<attribute name="priority"/><order attribute="priority"/>', distinct="true")
        )
        assert pick(sql, "priority") == pick(fetched, "priority") == [(0,), (1,), (2,), (3,)]

    def test_offset_fetch(self, read: Reader) -> None:
        """OFFSET n ROWS FETCH NEXT m ROWS ONLY is FetchXML's page n/m+1 of m rows."""
        sql = read.sql_rows(
            "SELECT name, priority FROM backgroundoperation ORDER BY priority, name "
            "OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY"
        )
        fetched = read.fetch_rows(
            fetch(
                '<attribute name="name"/><attribute name="priority"/>'
                '<order attribute="priority"/><order attribute="name"/>',
                count="2",
                page="2",
            )
        )
        assert pick(sql, "name", "priority") == pick(fetched, "name", "priority")
        assert len(sql) == 2

    def test_offset_past_the_rows_is_empty(self, read: Reader) -> None:
        """An OFFSET beyond the last row returns no rows."""
        rows = read.sql_rows(
            "SELECT name FROM backgroundoperation ORDER BY name "
            "OFFSET 50 ROWS FETCH NEXT 5 ROWS ONLY"
        )
        assert rows == []


class TestAggregates:
    def test_count_star(self, read: Reader) -> None:
        """COUNT(*) counts the rows the WHERE selects, as FetchXML's count aggregate."""
        sql = read.sql_rows("SELECT COUNT(*) AS n FROM backgroundoperation WHERE priority >= 2")
        fetched = read.fetch_rows(
            fetch(
                '<attribute name="backgroundoperationid" aggregate="count" alias="n"/>'
                '<filter><condition attribute="priority" operator="ge" value="2"/></filter>',
                aggregate="true",
            )
        )
        assert sql == [{"n": 4}]
        assert pick(fetched, "n") == [(4,)]

    def test_aggregates_with_group_by(self, read: Reader) -> None:
        """SUM/AVG/MIN/MAX/COUNT(col) grouped by a column equal FetchXML's aggregate."""
        sql = read.sql_rows(
            "SELECT priority, SUM(retrycount) AS s, AVG(retrycount) AS a, MIN(name) AS lo, "
            "MAX(name) AS hi, COUNT(retrycount) AS c FROM backgroundoperation GROUP BY priority"
        )
        fetched = read.fetch_rows(
            fetch(
                '<attribute name="priority" groupby="true" alias="priority"/>'
                '<attribute name="retrycount" aggregate="sum" alias="s"/>'
                '<attribute name="retrycount" aggregate="avg" alias="a"/>'
                '<attribute name="name" aggregate="min" alias="lo"/>'
                '<attribute name="name" aggregate="max" alias="hi"/>'
                '<attribute name="retrycount" aggregate="countcolumn" alias="c"/>',
                aggregate="true",
            )
        )
        names = ("priority", "s", "a", "lo", "hi", "c")
        assert pick(sql, *names) == pick(fetched, *names)
        assert len(sql) == 4

    def test_group_by_alias_and_count_distinct(self, read: Reader) -> None:
        """A grouped column keeps its alias; COUNT(DISTINCT col) counts distinct values."""
        sql = read.sql_rows(
            "SELECT runas AS who, COUNT(DISTINCT priority) AS kinds FROM backgroundoperation "
            "GROUP BY runas"
        )
        fetched = read.fetch_rows(
            fetch(
                '<attribute name="runas" groupby="true" alias="who"/>'
                '<attribute name="priority" aggregate="countcolumn" distinct="true" '
                'alias="kinds"/>',
                aggregate="true",
            )
        )
        assert pick(sql, "who", "kinds") == pick(fetched, "who", "kinds")

    def test_top_and_offset_count_groups(self, read: Reader) -> None:
        """TOP n and OFFSET … FETCH take result rows: with GROUP BY, the groups."""
        grouped = "SELECT priority, COUNT(*) AS n FROM backgroundoperation GROUP BY priority"
        every = read.sql_rows(grouped)
        assert len(every) == 4
        top = read.sql_rows(grouped.replace("SELECT", "SELECT TOP 2"))
        assert top == every[:2]
        counted = read.sql_rows(
            "SELECT COUNT(*) AS n FROM backgroundoperation ORDER BY n "
            "OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY"
        )
        assert counted == []

    def test_unaliased_aggregates_get_a_name(self, read: Reader) -> None:
        """Without AS, COUNT(*) is ``count`` and SUM(col) is ``sum_col``."""
        rows = read.sql_rows("SELECT COUNT(*), SUM(retrycount) FROM backgroundoperation")
        assert rows == [{"count": 7, "sum_retrycount": 7}]


class TestPaging:
    def test_pages_follow_next_links(self, read: Reader) -> None:
        """With odata.maxpagesize a statement pages through @odata.nextLink like $filter."""
        prefer = {"Prefer": "odata.maxpagesize=3"}
        first = json.loads(read.sql("SELECT name FROM backgroundoperation", prefer).body)
        assert len(first["value"]) == 3
        assert "sql=SELECT" in first["@odata.nextLink"]
        assert "$skiptoken=" in first["@odata.nextLink"]
        sql = read.sql_rows("SELECT name FROM backgroundoperation", prefer)
        odata = read.odata_rows("$select=name", prefer)
        assert pick(sql, "name") == pick(odata, "name")
        assert len(sql) == 7

    def test_top_answers_one_page(self, read: Reader) -> None:
        """TOP never pages: no nextLink."""
        body = json.loads(
            read.sql(
                "SELECT TOP 5 name FROM backgroundoperation", {"Prefer": "odata.maxpagesize=2"}
            ).body
        )
        assert len(body["value"]) == 5
        assert "@odata.nextLink" not in body

    def test_pages_at_the_organization_page_size(self) -> None:
        """Without a Prefer header a page holds the organization's page size."""
        dv = FakeDataverse(max_page_size=2)
        seed(dv)
        read = Reader(dv)
        body = json.loads(read.sql("SELECT name FROM backgroundoperation").body)
        assert len(body["value"]) == 2
        assert len(read.sql_rows("SELECT name FROM backgroundoperation")) == 7


class TestPrivileges:
    def test_a_user_without_read_privilege_is_refused_as_in_odata(self, dv: FakeDataverse) -> None:
        """The statement runs as the caller: no Read privilege is OData's 403."""
        user = dv.add_user("No Reader", privileges=["prvCreatebackgroundoperation"])
        read = Reader(dv)
        headers = {"MSCRMCallerID": str(user)}
        sql = read.sql("SELECT name FROM backgroundoperation", headers)
        odata = read.send("$select=name", headers)
        assert sql.status == odata.status == 403
        assert json.loads(sql.body)["error"] == json.loads(odata.body)["error"]
