"""``?sql=``: every construct outside the subset is a 400 naming it, and changes nothing."""

from __future__ import annotations

import json

import pytest

from fake_dataverse import FakeDataverse

from ..traces import store_state
from .conftest import Reader

INVALID_ARGUMENT = "0x80040203"
FROM = "FROM backgroundoperation"


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("INSERT INTO backgroundoperation (name) VALUES ('x')", "'INSERT'"),
        ("UPDATE backgroundoperation SET name = 'x'", "'UPDATE'"),
        ("DELETE FROM backgroundoperation", "'DELETE'"),
        ("DROP TABLE backgroundoperation", "'DROP'"),
        ("EXEC sp_who", "'EXEC'"),
        (f"SELECT * {FROM}", "SELECT *"),
        (f"SELECT b.* {FROM} b", "SELECT b.*"),
        (f"SELECT name {FROM} WHERE priority IN (SELECT priority {FROM})", "subqueries"),
        ("SELECT name FROM (SELECT name FROM backgroundoperation) t", "subqueries"),
        (f"SELECT name {FROM} WHERE EXISTS (SELECT 1)", "EXISTS"),
        (f"SELECT (SELECT 1) {FROM}", "subqueries"),
        (f"WITH t AS (SELECT name {FROM}) SELECT name FROM t", "common table expressions"),
        (f"SELECT name {FROM} UNION SELECT name {FROM}", "UNION"),
        (f"SELECT name {FROM} EXCEPT SELECT name {FROM}", "EXCEPT"),
        (f"SELECT priority, COUNT(*) {FROM} GROUP BY priority HAVING COUNT(*) > 1", "HAVING"),
        (f"SELECT UPPER(name) {FROM}", "UPPER()"),
        (f"SELECT COALESCE(name, 'x') {FROM}", "COALESCE()"),
        (f"SELECT name {FROM} WHERE LEN(name) = 3", "LEN()"),
        (f"SELECT name {FROM} WHERE name = LOWER('x')", "LOWER()"),
        (f"SELECT CASE WHEN priority = 1 THEN 'a' END {FROM}", "CASE"),
        (f"SELECT priority + 1 {FROM}", "expressions ('+')"),
        (f"SELECT name {FROM} WHERE priority * 2 = 4", "expressions ('*')"),
        (f"SELECT COUNT(*) OVER () {FROM}", "window functions (OVER)"),
        (f"SELECT SUM(DISTINCT priority) {FROM}", "SUM(DISTINCT …)"),
        (f"SELECT SUM(*) {FROM}", "SUM(*)"),
        (
            f"SELECT name {FROM} b RIGHT JOIN systemuser u ON b.createdby = u.systemuserid",
            "RIGHT JOIN",
        ),
        (
            f"SELECT name {FROM} b FULL OUTER JOIN systemuser u ON b.createdby = u.systemuserid",
            "FULL JOIN",
        ),
        (f"SELECT name {FROM} b CROSS JOIN systemuser u", "CROSS JOIN"),
        (f"SELECT name {FROM} b, systemuser u", "implicit join"),
        (f"SELECT name {FROM} b JOIN account a ON b.createdby = a.accountid", "'account'"),
        (f"SELECT name {FROM} b JOIN systemuser u ON b.createdby = u.fullname", "u.systemuserid"),
        (
            f"SELECT name {FROM} b JOIN systemuser u ON b.createdby = u.systemuserid AND 1 = 1",
            "more than one comparison",
        ),
        ("SELECT name FROM systemuser", "'systemuser' is not the table"),
        ("SELECT name FROM account", "'account' is not the table"),
        ("SELECT name FROM dbo.backgroundoperation", "schema-qualified"),
        (f"SELECT name {FROM} WHERE x.name = 'a'", "'x'"),
        (f"SELECT name {FROM} WHERE name = displayname", "comparing two columns"),
        (f"SELECT name {FROM} WHERE name LIKE 'a!%' ESCAPE '!'", "ESCAPE"),
        (f"SELECT TOP 10 PERCENT name {FROM}", "PERCENT"),
        (f"SELECT name {FROM}; SELECT name {FROM}", "one statement"),
        (f"SELECT name {FROM} WHERE name = @name", "parameters (@name)"),
        (f"SELECT name {FROM} ORDER BY 1", "column position"),
        (f"SELECT TOP 2 name {FROM} ORDER BY name OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY", "TOP"),
        (f"SELECT name {FROM} OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY", "ORDER BY"),
        (f"SELECT name {FROM} ORDER BY name OFFSET 1 ROWS", "FETCH"),
        (f"SELECT name {FROM} ORDER BY name OFFSET 4000 ROWS FETCH NEXT 2000 ROWS ONLY", "5000"),
        (f"SELECT name {FROM} FOR JSON AUTO", "FOR XML/JSON"),
        (f"SELECT name {FROM} OPTION (MAXDOP 1)", "OPTION"),
        (f"SELECT name INTO copy {FROM}", "SELECT INTO"),
        (f"SELECT name {FROM} WHERE", "a column name"),
        (f"SELECT name {FROM} WHERE name = 'unterminated", "unterminated"),
        (f"SELECT name {FROM} WHERE priority = 1.5", "'1.5'"),
        (f"SELECT name {FROM} WHERE name = 5", "the number 5"),
        # TOP, OFFSET and FETCH take ASCII digits within bigint, whatever their length
        (f"SELECT TOP {'9' * 5000} name {FROM}", "whole number after TOP"),
        (f"SELECT TOP 9223372036854775808 name {FROM}", "whole number after TOP"),
        (
            f"SELECT name {FROM} ORDER BY name OFFSET {'9' * 5000} ROWS FETCH NEXT 1 ROWS ONLY",
            "whole number after OFFSET",
        ),
        (f"SELECT TOP \u0663 name {FROM}", "\u0663"),
        (f"SELECT name {FROM} WHERE priority = \u0663", "\u0663"),
        (f"SELECT name, COUNT(*) {FROM}", "'backgroundoperation.name' is invalid in the select"),
        ("", "SELECT"),
    ],
)
def test_refused_with_a_message_naming_the_construct(
    dv: FakeDataverse, read: Reader, statement: str, named: str
) -> None:
    """The statement is a 400 InvalidArgument whose message names what is not supported."""
    before = store_state(dv)
    status, code, message = read.error(statement)
    assert (status, code) == (400, INVALID_ARGUMENT), message
    assert named in message
    assert store_state(dv) == before


@pytest.mark.parametrize(
    ("statement", "clause"),
    [
        (f"SELECT name, COUNT(*) AS n {FROM} GROUP BY priority", "select list"),
        (
            f"SELECT priority, COUNT(*) AS n {FROM} GROUP BY priority ORDER BY name",
            "ORDER BY clause",
        ),
    ],
)
def test_a_column_outside_the_groups_is_named_as_sql_server_names_it(
    dv: FakeDataverse, read: Reader, statement: str, clause: str
) -> None:
    """A column neither grouped nor aggregated (``name``): SQL Server's message for the clause
    it is in."""
    before = store_state(dv)
    status, code, message = read.error(statement)
    assert (status, code) == (400, INVALID_ARGUMENT)
    assert message == (
        f"Column 'backgroundoperation.name' is invalid in the {clause} because it is not "
        "contained in either an aggregate function or the GROUP BY clause."
    )
    assert store_state(dv) == before


def test_an_unknown_column_is_the_binders_fault(dv: FakeDataverse, read: Reader) -> None:
    """An unknown column answers QueryBuilderNoAttribute, as FetchXML's does."""
    sql = read.error(f"SELECT nme {FROM}")
    fetched = read.send(
        "fetchXml=<fetch><entity name='backgroundoperation'><attribute name='nme'/>"
        "</entity></fetch>"
    )
    assert sql == (400, "0x80041103", json.loads(fetched.body)["error"]["message"])
    assert "'nme'" in sql[2]


def test_a_value_that_does_not_fit_its_column_is_the_binders_fault(read: Reader) -> None:
    """A constant that does not convert to the column's type is FetchXML's conversion fault."""
    status, code, message = read.error(f"SELECT name {FROM} WHERE priority = 'high'")
    assert (status, code) == (400, INVALID_ARGUMENT)
    assert "'high'" in message and "backgroundoperation.priority" in message


def test_equals_null_points_at_is_null(read: Reader) -> None:
    """``= NULL`` never matches in SQL; the endpoint refuses it and names IS NULL's operator."""
    status, code, message = read.error(f"SELECT name {FROM} WHERE name = NULL")
    assert (status, code) == (400, INVALID_ARGUMENT)
    assert "'Null'" in message


@pytest.mark.parametrize("kind", ["JOIN", "INNER JOIN", "LEFT JOIN", "LEFT OUTER JOIN"])
@pytest.mark.parametrize("lookup", ["createdby", "modifiedby", "runas"])
def test_a_join_to_systemuser_is_refused_as_fetchxml_link_entities_are(
    dv: FakeDataverse, read: Reader, kind: str, lookup: str
) -> None:
    """Elastic tables run no joins: a join through a lookup is FetchXML's link-entity fault."""
    before = store_state(dv)
    sql = read.error(
        f"SELECT b.name, u.fullname {FROM} b {kind} systemuser u ON b.{lookup} = u.systemuserid"
    )
    link_type = "outer" if kind.startswith("LEFT") else "inner"
    fetched = read.send(
        "fetchXml=<fetch><entity name='backgroundoperation'><attribute name='name'/>"
        f"<link-entity name='systemuser' from='systemuserid' to='{lookup}' link-type='{link_type}'>"
        "<attribute name='fullname'/></link-entity></entity></fetch>"
    )
    error = json.loads(fetched.body)["error"]
    assert sql == (fetched.status, error["code"], error["message"])
    assert sql[:2] == (400, "0x80048d0b")
    assert store_state(dv) == before


def test_other_query_options_are_refused_beside_sql(read: Reader) -> None:
    """``$filter`` (or any option but ``$skiptoken``) next to ``sql=`` is refused."""
    response = read.send("sql=SELECT%20name%20FROM%20backgroundoperation&$filter=priority%20eq%201")
    assert response.status == 400
    assert "$filter" in json.loads(response.body)["error"]["message"]
