"""Hypothesis strategies for Dataverse payloads and queries, read from table metadata.

    >>> from fake_dataverse.strategies import records, invalid_records
    >>> body = records().example()                     # a POST body the fake accepts
    >>> body, expected = invalid_records().example()   # breaks one rule
    >>> expected.http_status
    400

Modelled on ``hypothesis.extra.django``: one strategy per column type, per-column overrides,
keyword-only options. See ``docs/strategies.md``.
"""

from fake_dataverse.strategies._columns import values
from fake_dataverse.strategies._expected import ExpectedError
from fake_dataverse.strategies._invalid import invalid_entities, invalid_records
from fake_dataverse.strategies._isolation import isolate_examples
from fake_dataverse.strategies._queries import filter_trees, odata_filters, query_expressions
from fake_dataverse.strategies._records import entities, records
from fake_dataverse.strategies._stateful import DataverseStateMachine

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
