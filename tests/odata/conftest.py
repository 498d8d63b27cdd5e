"""Fixtures for the OData query-option tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._model._metadata import EntityMetadata, default_metadata
from fake_dataverse._query._model import FilterNode, Query
from fake_dataverse._query.odata._options import compile_query_options

TYPE = "Microsoft.Dynamics.CRM.backgroundoperation"

Compile = Callable[..., Query]
Fails = Callable[..., DataverseError]


@pytest.fixture
def table() -> EntityMetadata:
    """The shipped backgroundoperation table."""
    table = default_metadata().get("backgroundoperation")
    assert table is not None
    return table


@pytest.fixture
def compile_options(table: EntityMetadata) -> Compile:
    """Return ``compile_options(**options)``; ``$`` is spelled ``S_`` in keyword names."""

    def run(options: dict[str, str] | None = None, **named: str) -> Query:
        given = dict(options or {})
        given.update({f"${k[2:]}" if k.startswith("S_") else k: v for k, v in named.items()})
        return compile_query_options(table, given)

    return run


@pytest.fixture
def where(table: EntityMetadata) -> Callable[..., FilterNode | None]:
    """Return ``where(text, **aliases)``: the bound filter of a ``$filter`` text."""

    def run(text: str, **aliases: str) -> FilterNode | None:
        options = {"$filter": text, **{f"@{k}": v for k, v in aliases.items()}}
        return compile_query_options(table, options).filter

    return run


@pytest.fixture
def fails(table: EntityMetadata) -> Fails:
    """Return ``fails(options)``: the DataverseError compiling the options raises."""

    def run(options: dict[str, str]) -> DataverseError:
        with pytest.raises(DataverseError) as info:
            compile_query_options(table, options)
        return info.value

    return run
