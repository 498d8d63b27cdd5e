"""Property: a WHERE tree written as SQL selects what the same tree written as ``$filter`` does.

Hypothesis draws filter trees of the query model; each is written as a SQL ``WHERE`` clause
(here) and as OData text (``format_filter``). Both must compile to the same tree and, sent to
the endpoint, return the same rows in the same order.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import FakeDataverse
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse._query._model import Condition, Filter, FilterNode, Not
from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query.odata._format import format_filter
from fake_dataverse._query.odata._options import compile_query_options
from fake_dataverse._query.sql._compile import compile_sql

from ..filters import canonical
from .conftest import Reader, seed

TABLE = default_metadata().get("backgroundoperation")
assert TABLE is not None
UTC = dt.timezone.utc

FAKE = FakeDataverse()
seed(FAKE)
READ = Reader(FAKE)
CREATOR = FAKE.rows()[0]["createdby"].id
CREATED = FAKE.rows()[0]["createdon"]

_SQL_COMPARISONS = {
    Op.EQUAL: "=",
    Op.NOT_EQUAL: "<>",
    Op.LESS_THAN: "<",
    Op.LESS_EQUAL: "<=",
    Op.GREATER_THAN: ">",
    Op.GREATER_EQUAL: ">=",
}


def sql_literal(value: Any) -> str:
    """Write a raw value as a SQL constant."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return "'" + value.strftime("%Y-%m-%dT%H:%M:%SZ") + "'"
    return "'" + str(value).replace("'", "''") + "'"


def sql_condition(condition: Condition) -> str:
    column, op, values = condition.attribute, condition.operator, condition.values
    if op in _SQL_COMPARISONS:
        return f"{column} {_SQL_COMPARISONS[op]} {sql_literal(values[0])}"
    if op in (Op.NULL, Op.NOT_NULL):
        return f"{column} IS {'NOT ' if op is Op.NOT_NULL else ''}NULL"
    if op in (Op.LIKE, Op.NOT_LIKE):
        return f"{column} {'NOT ' if op is Op.NOT_LIKE else ''}LIKE {sql_literal(values[0])}"
    if op in (Op.IN, Op.NOT_IN):
        items = ", ".join(sql_literal(v) for v in values)
        return f"{column} {'NOT ' if op is Op.NOT_IN else ''}IN ({items})"
    low, high = (sql_literal(v) for v in values)
    return f"{column} {'NOT ' if op is Op.NOT_BETWEEN else ''}BETWEEN {low} AND {high}"


def to_sql(node: FilterNode) -> str:
    """Write a filter tree as a SQL WHERE predicate (fully parenthesised)."""
    if isinstance(node, Condition):
        return sql_condition(node)
    if isinstance(node, Not):
        return f"NOT ({to_sql(node.child)})"
    return "(" + f" {node.operator.upper()} ".join(to_sql(c) for c in node.children) + ")"




TEXT = st.text(alphabet="ab'_ é", max_size=3)
INTS = st.integers(min_value=0, max_value=4)
MOMENTS = st.sampled_from([CREATED - dt.timedelta(hours=1), CREATED, CREATED + dt.timedelta(1)])
GUIDS = st.sampled_from([CREATOR, uuid.UUID(int=7)])
COLUMNS: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["alpha", "beta", "Gamma", "o'brien"]) | TEXT,
    "runas": st.sampled_from(["x", "y"]) | TEXT,
    "priority": INTS,
    "retrycount": INTS,
    "createdon": MOMENTS,
    "createdby": GUIDS,
}
STRINGS = ("name", "runas")


def conditions() -> st.SearchStrategy[Condition]:
    def comparison(column: str) -> st.SearchStrategy[Condition]:
        values = COLUMNS[column]
        return st.one_of(
            st.builds(
                lambda op, v: Condition(column, op, (v,)),
                st.sampled_from(list(_SQL_COMPARISONS)),
                values,
            ),
            st.sampled_from([Condition(column, Op.NULL), Condition(column, Op.NOT_NULL)]),
            st.builds(
                lambda op, v: Condition(column, op, tuple(v)),
                st.sampled_from([Op.IN, Op.NOT_IN]),
                st.lists(values, min_size=1, max_size=3),
            ),
            st.builds(
                lambda op, a, b: Condition(column, op, (a, b)),
                st.sampled_from([Op.BETWEEN, Op.NOT_BETWEEN]),
                values,
                values,
            )
            if column not in STRINGS and column != "createdby"
            else st.nothing(),
            st.builds(
                lambda op, t: Condition(column, op, (f"%{t}%",)),
                st.sampled_from([Op.LIKE, Op.NOT_LIKE]),
                TEXT,
            )
            if column in STRINGS
            else st.nothing(),
        )

    return st.sampled_from(sorted(COLUMNS)).flatmap(comparison)


def _branches(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function, not a lambda: Hypothesis reads the extend function's source to check it
    # recurses, and a multi-line lambda's source is not always recoverable (a deprecation warning).
    return st.one_of(
        st.builds(
            Filter,
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=1, max_size=3).map(tuple),
        ),
        children.map(Not),
    )


trees = st.recursive(conditions(), _branches, max_leaves=6)


def ids(response_body: bytes) -> list[str]:
    return [row["backgroundoperationid"] for row in json.loads(response_body)["value"]]


@settings(max_examples=150)
@given(trees)
def test_sql_where_selects_what_the_odata_filter_selects(tree: FilterNode) -> None:
    """Same tree, two spellings: the same bound filter and the same rows in the same order."""
    where, odata = to_sql(tree), format_filter(TABLE, tree)
    statement = f"SELECT backgroundoperationid FROM backgroundoperation WHERE {where}"
    compiled = compile_sql(TABLE, statement).query.filter
    parsed = compile_query_options(TABLE, {"$filter": odata}).filter
    assert compiled is not None and parsed is not None
    assert canonical(compiled) == canonical(parsed)
    sql = READ.sql(statement)
    filtered = READ.send(f"$select=backgroundoperationid&$filter={quote(odata, safe='')}")
    assert (sql.status, filtered.status) == (200, 200), (sql.body, filtered.body)
    assert ids(sql.body) == ids(filtered.body)
