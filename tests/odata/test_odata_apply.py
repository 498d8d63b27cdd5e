"""``$apply``: groupby, aggregate and filter transformations."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_dataverse import DataverseError
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query._model import AggregateColumn, Condition, Filter, GroupByColumn, Query
from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query.odata._options import compile_query_options

from .conftest import TYPE, Compile, Fails

STATUS = "backgroundoperationstatuscode"


class TestAggregation:
    def test_distinct_values_with_groupby(self, compile_options: Compile) -> None:
        """``groupby((col))`` groups without aggregates (distinct values)."""
        query = compile_options(S_apply=f"groupby(({STATUS}))")
        assert (GroupByColumn(STATUS, STATUS),) == query.group_by
        assert () == query.aggregates

    def test_count_by_status(self, compile_options: Compile) -> None:
        """``$count as alias`` counts the rows of each group."""
        query = compile_options(S_apply=f"groupby(({STATUS}),aggregate($count as count))")
        assert (AggregateColumn("count", "backgroundoperationid", "count"),) == query.aggregates

    @pytest.mark.parametrize(
        ("method", "function", "distinct"),
        [
            ("sum", "sum", False),
            ("average", "avg", False),
            ("min", "min", False),
            ("max", "max", False),
            ("countdistinct", "countcolumn", True),
        ],
    )
    def test_methods(
        self, compile_options: Compile, method: str, function: str, distinct: bool
    ) -> None:
        """Each aggregation method maps onto the model's aggregate function."""
        query = compile_options(S_apply=f"aggregate(retrycount with {method} as total)")
        assert (AggregateColumn("total", "retrycount", function, distinct),) == query.aggregates

    def test_group_by_lookup(self, compile_options: Compile) -> None:
        """A lookup groups under its Web API name, on its logical column."""
        query = compile_options(S_apply="groupby((_createdby_value))")
        assert (GroupByColumn("_createdby_value", "createdby"),) == query.group_by

    def test_filter_then_aggregate_joins_filter_option(self, compile_options: Compile) -> None:
        """``filter(…)/aggregate(…)`` filters first; a ``$filter`` option is and-ed with it."""
        query = compile_options(
            S_apply="filter(priority gt 2)/aggregate(createdon with max as last)",
            S_filter="name ne null",
        )
        assert (
            Filter(
                "and",
                (Condition("priority", Op.GREATER_THAN, (2,)), Condition("name", Op.NOT_NULL)),
            )
            == query.filter
        )
        assert (AggregateColumn("last", "createdon", "max"),) == query.aggregates


REJECTED = [
    (
        {"$apply": "groupby((createdon))"},
        "groupby with datetime values is not supported (column 'createdon').",
    ),
    (
        {"$apply": "aggregate(name with sum as total)"},
        "The aggregation method 'sum' cannot be applied to column 'name' of type 'Edm.String'.",
    ),
    (
        {"$apply": "aggregate(priority with median as m)"},
        "The aggregation method 'median' is not "
        "supported; use sum, average, min, max or countdistinct.",
    ),
    (
        {"$apply": "aggregate(priority with sum as a, retrycount with sum as a)"},
        "Each aggregate in $apply needs its own alias.",
    ),
    ({"$apply": "groupby((nope))"}, f"Could not find a property named 'nope' on type '{TYPE}'."),
    (
        {"$apply": "groupby((name))/filter(name eq 'x')"},
        "The transformation 'filter' at position 16 in 'groupby((name))/filter(name eq 'x')' is "
        "not supported: use filter(…), groupby(…) or aggregate(…), with filter first.",
    ),
    (
        {"$apply": "aggregate(priority with sum total)"},
        "'as' expected at position 28 in 'aggregate(priority with sum total)'.",
    ),
    (
        {"$apply": "groupby((createdby/fullname))"},
        "Grouping or aggregating on related tables "
        "('createdby/…') is not supported for elastic tables.",
    ),
    (
        {"$apply": "aggregate(priority with sum as total)", "$orderby": "total"},
        "The query node SingleValueOpenPropertyAccess is not supported.",
    ),
    (
        {"$apply": "groupby((name))", "$orderby": "name"},
        "$orderby cannot be combined with groupby on elastic tables.",
    ),
    (
        {"$apply": "groupby((name))", "$select": "name"},
        "$select cannot be combined with $apply: $apply names its own columns.",
    ),
]


class TestRejectedAggregation:
    @pytest.mark.parametrize(("options", "message"), REJECTED)
    def test_fault(self, fails: Fails, options: dict[str, str], message: str) -> None:
        """An unsupported or malformed ``$apply`` is a 400 with code 0x0."""
        error = fails(options)
        assert ("0x0", 400, message) == (error.hex_code, error.http_status, error.message)


APPLY_PIECES = [
    "groupby",
    "aggregate",
    "filter",
    "((",
    "(",
    ")",
    "))",
    ",",
    "/",
    " ",
    "with",
    "as",
    "sum",
    "average",
    "countdistinct",
    "$count",
    "priority",
    "name",
    "createdon",
    "_createdby_value",
    "total",
    "eq",
    "1",
    "'x'",
    "@p1",
]


class TestGarbage:
    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        st.sampled_from(["$apply", "$orderby", "$select"]),
        st.lists(st.sampled_from(APPLY_PIECES), max_size=16).map("".join),
    )
    def test_any_text_is_a_query_or_a_dataverse_fault(
        self, table: EntityMetadata, option: str, text: str
    ) -> None:
        """Garbage in ``$apply``/``$orderby``/``$select`` compiles or is a 400 DataverseError."""
        outcome: object
        try:
            outcome = compile_query_options(table, {option: text, "@p1": text})
        except DataverseError as error:
            outcome = error
        assert isinstance(outcome, Query) or 400 == outcome.http_status  # type: ignore[attr-defined]
