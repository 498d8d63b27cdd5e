"""Every column type appears in every table keyed by column type.

A new ``AttributeTypeCode`` must be given a rule in each of them — validation, query binding,
operators, OData literals, JSON values and labels, metadata, strategies — or this test names the
table that lacks it (instead of a ``KeyError`` in a user's request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from fake_dataverse._model import _metadata, _validation
from fake_dataverse._model._metadata import AttributeTypeCode
from fake_dataverse._query import _bind, _operators
from fake_dataverse._query.odata import _binding
from fake_dataverse._webapi import _json
from fake_dataverse._webapi.metadata import _definitions
from fake_dataverse.strategies import _columns, _queries, _wrong_types

TABLES: dict[str, Mapping[AttributeTypeCode, Any]] = {
    "operators by column type (QueryExpression, FetchXML, OData)": _operators.OPERATORS_BY_TYPE,
    "validation rules": _validation._RULES,
    "OData (CSDL) types": _metadata._EDM_TYPES,
    ".NET type names in binding faults": _bind._DOTNET,
    "SDK condition values → raw": _bind._FROM_VALUE,
    "FetchXML text values → raw": _bind._FROM_TEXT,
    "OData literals → raw": _binding._BINDERS,
    "OData query-function arguments → raw": _binding._CONVERTERS,
    "JSON value writers": _json._WRITERS,
    "FormattedValue writers": _json._FORMATTERS,
    "attribute metadata (EntityDefinitions)": _definitions._TYPES,
    "strategies: raw values": _columns._RAW,
    "strategies: wrong JSON types": _wrong_types.WRONG_JSON,
    "strategies: wrong SDK types": _wrong_types.WRONG_SDK,
    "strategies: how filters use a column": _queries.COLUMN_USE,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_type_has_an_entry(name: str) -> None:
    """The table has an entry for every AttributeTypeCode, and nothing else."""
    assert set(AttributeTypeCode) == set(TABLES[name]), name


def test_every_column_type_takes_some_operator() -> None:
    """Each type takes at least Equal, Null and NotNull: no column is unfilterable."""
    basic = {_operators.Op.EQUAL, _operators.Op.NULL, _operators.Op.NOT_NULL}
    for column_type, operators in _operators.OPERATORS_BY_TYPE.items():
        assert basic <= operators, column_type
