"""Any statement text is an answer: rows (200) or a Dataverse-shaped 400, never a crash."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import FakeDataverse

from ..traces import store_state
from .conftest import Reader, seed

FAKE = FakeDataverse()
seed(FAKE)
READ = Reader(FAKE)

PIECES = [
    "SELECT ", "DISTINCT ", "TOP 2 ", "TOP (0) ", "name", "priority", "createdbyname", "b.name",
    "x.name", "*", "COUNT(*)", "SUM(priority)", "AVG(name)", "MIN(createdon)", "COUNT(DISTINCT ",
    " AS a", " [a b]", " 'alias'", ", ", " FROM backgroundoperation", " b", " FROM systemuser",
    " JOIN systemuser u ON b.createdby = u.systemuserid", " WHERE ", "name = 'o''b'",
    "priority >= -1", "priority = 1e3", "createdon > '2026-01-01'", "createdby = 'x'",
    " AND ", " OR ", "NOT ", "(", ")", "priority IN (1, 2)", "name LIKE N'%a_'",
    "priority BETWEEN 3 AND 1", "retrycount IS NOT NULL", " GROUP BY priority",
    " ORDER BY name DESC", " ORDER BY a", " OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY", ";", "--c\n",
    "/* x */", "'", "[", '"q"', "@p", "UNION ", "\u00e9", "\x00",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_any_statement_is_rows_or_a_dataverse_fault(text: str) -> None:
    """The endpoint answers 200 with rows or 400 with an error code and message; nothing changes."""
    before = store_state(FAKE)
    response = READ.sql(text)
    body = json.loads(response.body)
    if response.status == 200:
        assert isinstance(body["value"], list)
    else:
        assert response.status == 400, body
        assert body["error"]["code"].startswith("0x") and body["error"]["message"]
    assert store_state(FAKE) == before
