"""Values of the wrong type for each column type, per surface: what the ``type`` rule sends.

On the Web API a value of the wrong JSON kind (or a lookup bind that is not an entity path);
in the SDK a value of the wrong Python class.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from fake_dataverse._model._metadata import AttributeTypeCode
from fake_dataverse._model._values import OptionSetValue

__all__ = ["WRONG_JSON", "WRONG_SDK"]

WRONG_JSON: dict[AttributeTypeCode, st.SearchStrategy[Any]] = {
    AttributeTypeCode.STRING: st.integers(-100, 100) | st.booleans(),
    AttributeTypeCode.MEMO: st.integers(-100, 100) | st.booleans(),
    AttributeTypeCode.INTEGER: st.one_of(
        st.text(max_size=5),
        st.integers(-100, 100).map(lambda n: n + 0.5),
        st.booleans(),
        st.integers(2**31, 2**40),
    ),
    AttributeTypeCode.PICKLIST: st.one_of(
        st.sampled_from(["Ready", "0", ""]), st.booleans(), st.just(2.5)
    ),
    AttributeTypeCode.DATETIME: st.one_of(
        st.sampled_from(
            ["2023-02-30T00:00:00Z", "yesterday", "01/02/2026", "2026-01-01T25:00:00Z", ""]
        ),
        st.integers(0, 2**31),
    ),
    AttributeTypeCode.BOOLEAN: st.sampled_from(["true", 1, 0, "yes"]),
    AttributeTypeCode.UNIQUEIDENTIFIER: st.sampled_from(["not-a-guid", "1234", 12]),
    AttributeTypeCode.BIGINT: st.one_of(st.just(2.5), st.booleans(), st.integers(2**63, 2**70)),
    # A lookup's @odata.bind must be an entity path ending in a GUID.
    AttributeTypeCode.LOOKUP: st.sampled_from(["not-a-guid", "/systemusers(1234)", "", 12]),
}

WRONG_SDK: dict[AttributeTypeCode, st.SearchStrategy[Any]] = {
    AttributeTypeCode.STRING: st.integers(-100, 100) | st.booleans() | st.just(1.5),
    AttributeTypeCode.MEMO: st.integers(-100, 100) | st.booleans(),
    AttributeTypeCode.INTEGER: st.one_of(
        st.text(max_size=5), st.just(2.5), st.booleans(), st.builds(OptionSetValue, st.just(1))
    ),
    AttributeTypeCode.PICKLIST: st.integers(0, 40) | st.text(max_size=5),
    AttributeTypeCode.DATETIME: st.one_of(
        st.just("2026-01-01T09:00:00Z"), st.dates(min_value=dt.date(1800, 1, 1))
    ),
    AttributeTypeCode.BOOLEAN: st.integers(0, 1) | st.text(max_size=3),
    AttributeTypeCode.UNIQUEIDENTIFIER: st.uuids().map(str),
    AttributeTypeCode.LOOKUP: st.uuids(),
    AttributeTypeCode.BIGINT: st.text(max_size=5) | st.booleans() | st.just(2.5),
}
