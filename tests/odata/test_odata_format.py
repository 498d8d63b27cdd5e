"""format_filter: filter trees → ``$filter`` text that parses back to an equivalent tree."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse._model._metadata import EntityMetadata, default_metadata
from fake_dataverse._query._evaluate import matches
from fake_dataverse._query._model import Condition, Filter, FilterNode, Not
from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query._operators import EvaluationContext
from fake_dataverse._query.odata._options import compile_query_options, format_filter

from ..filters import canonical

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
USERS = [uuid.UUID(int=n) for n in (1, 2)]
TABLE = default_metadata().get("backgroundoperation")
assert TABLE is not None


def parse(text: str) -> FilterNode | None:
    return compile_query_options(TABLE, {"$filter": text}).filter




class TestExamples:
    @pytest.mark.parametrize(
        ("node", "text"),
        [
            (Condition("name", Op.EQUAL, ("O'Bryan",)), "name eq 'O''Bryan'"),
            (
                Condition("createdby", Op.NOT_EQUAL, (USERS[0],)),
                "_createdby_value ne 00000000-0000-0000-0000-000000000001",
            ),
            (Condition("createdon", Op.GREATER_THAN, (NOW,)), "createdon gt 2026-03-15T12:00:00Z"),
            (Condition("endtime", Op.NULL), "endtime eq null"),
            (Condition("name", Op.LIKE, ("%x%",)), "contains(name,'x')"),
            (Condition("name", Op.DOES_NOT_BEGIN_WITH, ("x",)), "not startswith(name,'x')"),
            (
                Condition("priority", Op.IN, (1, 2)),
                'Microsoft.Dynamics.CRM.In(PropertyName=\'priority\',PropertyValues=["1","2"])',
            ),
            (
                Condition("createdon", Op.LAST_X_DAYS, (3,)),
                "Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=3)",
            ),
            (
                Filter(
                    "or",
                    (
                        Condition("priority", Op.EQUAL, (1,)),
                        Filter(
                            "and",
                            (
                                Condition("priority", Op.EQUAL, (2,)),
                                Not(Condition("name", Op.NULL)),
                            ),
                        ),
                    ),
                ),
                "priority eq 1 or (priority eq 2 and not (name eq null))",
            ),
        ],
    )
    def test_text(self, node: FilterNode, text: str) -> None:
        """Each node kind has its ``$filter`` spelling, which parses back to the node."""
        assert text == format_filter(TABLE, node)
        assert canonical(node) == parse(text)

    @pytest.mark.parametrize(
        "node",
        [
            Filter("and", ()),
            Condition("name", Op.LIKE, ("a%b",)),
            Condition("createdbyname", Op.EQUAL, ("x",)),
        ],
    )
    def test_no_filter_form(self, node: FilterNode) -> None:
        """Trees OData cannot spell are a ValueError, not wrong text."""
        with pytest.raises(ValueError, match=r"form|property"):
            format_filter(TABLE, node)


TEXT = st.text(alphabet="ab'%_ é", max_size=4)
MOMENTS = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 1, 1), timezones=st.just(UTC)
)
INTS = st.integers(min_value=0, max_value=10)
COMPARE = [Op.EQUAL, Op.NOT_EQUAL, Op.GREATER_THAN, Op.GREATER_EQUAL, Op.LESS_THAN, Op.LESS_EQUAL]


def _conditions() -> st.SearchStrategy[Condition]:
    def on(
        column: str, ops: list[Op], values: st.SearchStrategy[Any]
    ) -> st.SearchStrategy[Condition]:
        return st.builds(lambda op, v: Condition(column, op, (v,)), st.sampled_from(ops), values)

    return st.one_of(
        on("name", [*COMPARE, Op.BEGINS_WITH, Op.ENDS_WITH, Op.DOES_NOT_END_WITH], TEXT),
        TEXT.map(lambda t: Condition("name", Op.LIKE, (f"%{t}%",))),
        on("priority", COMPARE, INTS),
        on("createdon", [*COMPARE, Op.ON, Op.ON_OR_AFTER], MOMENTS),
        on("createdon", [Op.LAST_X_DAYS, Op.NEXT_X_HOURS, Op.OLDER_THAN_X_MONTHS], INTS),
        st.sampled_from(["name", "priority", "createdon", "createdby"]).flatmap(
            lambda c: st.sampled_from([Condition(c, Op.NULL), Condition(c, Op.NOT_NULL)])
        ),
        st.lists(INTS, min_size=1, max_size=3).map(
            lambda v: Condition("priority", Op.IN, tuple(v))
        ),
        st.builds(lambda a, b: Condition("priority", Op.BETWEEN, (a, b)), INTS, INTS),
        st.sampled_from([Op.TODAY, Op.THIS_MONTH, Op.LAST_7_DAYS]).map(
            lambda op: Condition("createdon", op)
        ),
        st.sampled_from(USERS).map(lambda u: Condition("createdby", Op.EQUAL, (u,))),
        st.just(Condition("createdby", Op.EQUAL_USER_ID)),
    )


def _branches(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function, not a lambda: Hypothesis reads the extend function's source to check it
    # recurses, and a multi-line lambda's source is not always recoverable (a deprecation warning).
    return st.one_of(
        inner.map(Not),
        st.builds(
            Filter,
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=1, max_size=3).map(tuple),
        ),
    )


TREES = st.recursive(_conditions(), _branches, max_leaves=8)
ROWS = st.fixed_dictionaries(
    {
        "name": st.none() | TEXT,
        "priority": st.none() | INTS,
        "createdon": st.none() | MOMENTS,
        "createdby": st.none() | st.sampled_from(USERS),
    }
)


class TestRoundTrip:
    @settings(max_examples=150, deadline=None)
    @given(TREES)
    def test_text_parses_back_to_the_same_tree(self, node: FilterNode) -> None:
        """Formatting then parsing gives the tree back, up to flattening of and/or chains."""
        assert canonical(node) == canonical(parse(format_filter(TABLE, node)))  # type: ignore[arg-type]

    @settings(max_examples=100, deadline=None)
    @given(TREES, st.lists(ROWS, min_size=1, max_size=6))
    def test_parsed_text_selects_the_same_rows(
        self, node: FilterNode, rows: list[dict[str, Any]]
    ) -> None:
        """The parsed text and the tree select exactly the same rows."""
        parsed = parse(format_filter(TABLE, node))
        ctx = EvaluationContext(now=NOW, user_id=USERS[0])
        assert [matches(node, row, ctx) for row in rows] == [
            matches(parsed, row, ctx) for row in rows
        ]


def test_table_is_elastic(table: EntityMetadata) -> None:
    """The round trips run on the shipped elastic table."""
    assert table.is_elastic and TABLE == table
