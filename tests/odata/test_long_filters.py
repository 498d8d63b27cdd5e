"""A long ``a or b or …`` chain is parsed in linear work: one flat filter, each operand
placed once (joining pairwise copied the growing list for every operand — 300 KB took seconds).

Work is counted, not timed: every filter node built is counted with its children.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from fake_dataverse import DataverseError, Entity, FakeDataverse
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse._query import _model
from fake_dataverse._query.odata import _filter
from fake_dataverse._query.odata._filter import parse_filter
from fake_dataverse._webapi._http import HttpRequest


def _chain(operator: str, size: int) -> str:
    clause = f"name eq 'x' {operator} "
    return clause * (size // len(clause)) + "name eq 'a'"


class _IsFilter(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, _model.Filter)


class _CountingFilter(metaclass=_IsFilter):
    """Stands in for ``Filter`` in the parser and counts the children it is built with."""

    children = 0

    def __new__(cls, operator: str, children: tuple[object, ...]) -> _model.Filter:  # type: ignore[misc]
        _CountingFilter.children += len(children)
        return _model.Filter(operator, children)  # type: ignore[arg-type]


@pytest.mark.parametrize("operator", ["or", "and"])
@pytest.mark.parametrize("size", [100_000, 300_000])
def test_a_long_chain_is_one_flat_filter(
    operator: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 KB and 300 KB chains give one filter holding every condition, and building it
    places each condition once (work proportional to the input)."""
    monkeypatch.setattr(_CountingFilter, "children", 0)
    monkeypatch.setattr(_filter, "Filter", _CountingFilter)
    table = default_metadata().get("backgroundoperation")
    assert table is not None
    text = _chain(operator, size)
    node = parse_filter(table, text, {})
    operands = text.count(f" {operator} ") + 1
    assert isinstance(node, _model.Filter)
    assert (operator, operands) == (node.operator, len(node.children))
    assert _CountingFilter.children <= 2 * operands


def test_parenthesised_groups_still_flatten() -> None:
    """``(a or b) or c`` is one ``or`` of three conditions, as before."""
    table = default_metadata().get("backgroundoperation")
    assert table is not None
    node = parse_filter(table, "(name eq 'a' or name eq 'b') or name eq 'c'", {})
    assert isinstance(node, _model.Filter)
    assert ("or", 3) == (node.operator, len(node.children))


def test_a_300_kb_chain_over_http_finds_the_row() -> None:
    """The Web API answers a 300 KB ``or`` chain with the one matching row."""
    dv = FakeDataverse()
    dv.service.create(Entity("backgroundoperation", name="a"))
    dv.service.create(Entity("backgroundoperation", name="b"))
    url = f"{dv.url}/api/data/v9.2/backgroundoperations?$filter={quote(_chain('or', 300_000))}"
    response = dv.handle(HttpRequest("GET", url, {"Authorization": "Bearer x"}))
    assert 200 == response.status
    assert ["a"] == [row["name"] for row in json.loads(response.body)["value"]]


def test_a_type_fault_in_a_chain_names_the_first_bad_pair() -> None:
    """The first incompatible operand in reading order is the one reported."""
    table = default_metadata().get("backgroundoperation")
    assert table is not None
    expected = re.escape("'Edm.Boolean' and 'Edm.Int32' for operator kind 'Or'")
    with pytest.raises(DataverseError, match=expected):
        parse_filter(table, "name eq 'a' or name eq 'b' or priority or name", {})
