"""Hypothesis strategies for Dataverse payloads and queries, read from table metadata.

    >>> from fake_dataverse.strategies import records, invalid_records
    >>> body = records().example()                     # a POST body the fake accepts
    >>> body, expected = invalid_records().example()   # breaks one rule
    >>> expected.http_status
    400

Modelled on ``hypothesis.extra.django``: one strategy per column type, per-column overrides,
keyword-only options. See ``docs/strategies.md``.

Each name is imported from its module when first used: Hypothesis loads this package through
its ``hypothesis`` entry point whenever it is imported, and that must stay cheap (no
``hypothesis.stateful``, ``responses`` or ``requests`` until a strategy is asked for).
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fake_dataverse.strategies._columns import values
    from fake_dataverse.strategies._expected import ExpectedError
    from fake_dataverse.strategies._invalid import invalid_entities, invalid_records
    from fake_dataverse.strategies._isolation import isolate_examples
    from fake_dataverse.strategies._queries import filter_trees, odata_filters, query_expressions
    from fake_dataverse.strategies._records import entities, records
    from fake_dataverse.strategies._stateful import DataverseStateMachine

_MODULES = {
    "DataverseStateMachine": "_stateful",
    "ExpectedError": "_expected",
    "entities": "_records",
    "filter_trees": "_queries",
    "invalid_entities": "_invalid",
    "invalid_records": "_invalid",
    "isolate_examples": "_isolation",
    "odata_filters": "_queries",
    "query_expressions": "_queries",
    "records": "_records",
    "values": "_columns",
}

__all__ = [
    "DataverseStateMachine",
    "ExpectedError",
    "entities",
    "filter_trees",
    "invalid_entities",
    "invalid_records",
    "isolate_examples",
    "odata_filters",
    "query_expressions",
    "records",
    "values",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own."""
    return sorted({*globals(), *__all__})
