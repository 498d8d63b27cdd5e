"""Query strategies: ``odata_filters()`` texts parse to the tree they were made from, and the
fake answers ``$filter`` and ``QueryExpression`` queries as the tree says."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse import Entity, FakeDataverse
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse._query._evaluate import truth
from fake_dataverse._query._expression import QueryExpression
from fake_dataverse._query._model import FilterNode, Not
from fake_dataverse._query._operators import EvaluationContext
from fake_dataverse._query.odata._format import format_filter
from fake_dataverse._query.odata._options import compile_query_options
from fake_dataverse._webapi._http import HttpRequest
from fake_dataverse.strategies import (
    entities,
    filter_trees,
    odata_filters,
    query_expressions,
)
from fake_dataverse.strategies._queries import criteria_of

from ..oracle import expected_rows, holds
from .conftest import API, AUTH, TABLE

METADATA = default_metadata().get(TABLE)
assert METADATA is not None
QUERIES = settings(max_examples=60, deadline=None)
ROWS = st.lists(entities(), max_size=5)


def _fake(rows: list[Entity]) -> FakeDataverse:
    dv = FakeDataverse()
    for entity in rows:
        dv.service.create(entity)
        dv.clock.advance(hours=7)
    return dv


def _expected(dv: FakeDataverse, tree: FilterNode | None) -> set[uuid.UUID]:
    """The rows the tree selects, by the tests' own evaluator (not the engine's)."""
    rows = {row.id: dict(row.values) for row in dv.organization.store.rows(TABLE)}
    return expected_rows(rows, tree, user=dv.admin_id, now=dv.clock.now())


class TestOdataFilters:
    @QUERIES
    @given(rows=ROWS, tree=filter_trees())
    def test_text_parses_to_an_equivalent_tree(self, rows: list[Entity], tree: FilterNode) -> None:
        """The formatted text compiles to a filter with the same truth on every row (by the
        engine and by the tests' own evaluator)."""
        dv = _fake(rows)
        compiled = compile_query_options(METADATA, {"$filter": format_filter(METADATA, tree)})
        assert compiled.filter is not None
        ctx = EvaluationContext(now=dv.clock.now(), user_id=dv.admin_id)
        for row in dv.organization.store.rows(TABLE):
            assert truth(tree, row.values, ctx) == truth(compiled.filter, row.values, ctx)
            assert holds(tree, row.values, dv.admin_id, ctx.now) == truth(tree, row.values, ctx)

    @QUERIES
    @given(rows=ROWS, tree=filter_trees())
    def test_web_api_returns_the_rows_the_tree_matches(
        self, rows: list[Entity], tree: FilterNode
    ) -> None:
        """GET with the $filter answers 200 with exactly the rows the tree selects."""
        dv = _fake(rows)
        query = urllib.parse.quote(format_filter(METADATA, tree))
        reply = dv.handle(HttpRequest("GET", f"{API}/backgroundoperations?$filter={query}", AUTH))
        assert 200 == reply.status, reply.body
        found = {uuid.UUID(r["backgroundoperationid"]) for r in json.loads(reply.body)["value"]}
        assert _expected(dv, tree) == found

    @settings(max_examples=30)
    @given(text=odata_filters(max_leaves=3))
    def test_texts_are_strings(self, text: str) -> None:
        """odata_filters() gives the text alone, ready for a $filter query option."""
        assert isinstance(text, str) and text

    def test_max_leaves_must_be_positive(self) -> None:
        """A tree needs at least one condition."""
        with pytest.raises(InvalidArgument, match="max_leaves=0"):
            odata_filters(max_leaves=0)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"max_leaves": "3"}, "max_leaves='3' must be a whole number"),
            ({"max_leaves": True}, "max_leaves=True must be a whole number"),
            ({"allow_not": "no"}, "allow_not='no' must be True or False"),
        ],
    )
    def test_options_of_the_wrong_type_are_refused(
        self, kwargs: dict[str, Any], match: str
    ) -> None:
        """Options of the wrong type raise InvalidArgument naming them, not a TypeError."""
        with pytest.raises(InvalidArgument, match=match):
            filter_trees(**kwargs)


class TestQueryExpressions:
    @QUERIES
    @given(rows=ROWS, query=query_expressions())
    def test_service_returns_the_rows_the_criteria_match(
        self, rows: list[Entity], query: QueryExpression
    ) -> None:
        """RetrieveMultiple answers the criteria's rows (the first top_count of them)."""
        dv = _fake(rows)
        found = [entity.id for entity in dv.service.retrieve_multiple(query)]
        tree = _tree_of(query)
        expected = _expected(dv, tree)
        if query.top_count is None:
            assert expected == set(found)
        else:
            assert min(query.top_count, len(expected)) == len(found)
            assert set(found) <= expected

    @settings(max_examples=30)
    @given(tree=filter_trees(allow_not=False))
    def test_trees_without_not_become_criteria(self, tree: FilterNode) -> None:
        """Trees built with allow_not=False convert to FilterExpression criteria."""
        criteria_of(tree)

    def test_not_has_no_criteria_form(self) -> None:
        """QueryExpression has no negation: converting a Not tree says how to avoid it."""
        with pytest.raises(ValueError, match="allow_not=False"):
            criteria_of(Not(compile_query_options(METADATA, {"$filter": "priority eq 1"}).filter))


def _tree_of(query: QueryExpression) -> FilterNode | None:
    """Rebuild the model tree of a QueryExpression's criteria (to evaluate it directly)."""
    from fake_dataverse._query._model import Condition, Filter

    def convert(criteria: object) -> FilterNode:
        children: list[FilterNode] = [
            Condition(c.attribute_name, c.operator, tuple(c.values))
            for c in criteria.conditions  # type: ignore[attr-defined]
        ]
        children += [convert(f) for f in criteria.filters]  # type: ignore[attr-defined]
        operator = criteria.filter_operator.name.lower()  # type: ignore[attr-defined]
        return Filter(operator, tuple(children))

    if not query.criteria.conditions and not query.criteria.filters:
        return None
    return convert(query.criteria)
