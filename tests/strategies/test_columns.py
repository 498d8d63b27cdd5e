"""``values(column)``: valid values of one column, in SDK or Web API JSON form."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse import Entity, FakeDataverse, OptionSetValue
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse._model._validation import json_to_sdk, utf16_length
from fake_dataverse.strategies import values

from .conftest import TABLE

METADATA = default_metadata().get(TABLE)
assert METADATA is not None
CREATABLE = sorted(
    a.logical_name
    for a in METADATA.stored_attributes()
    if a.is_valid_for_create and a.logical_name != METADATA.primary_id_attribute
)


class TestValues:
    @pytest.mark.parametrize("column", CREATABLE)
    @settings(max_examples=15, deadline=None)
    @given(data=st.data())
    def test_sdk_values_are_stored(self, column: str, data: st.DataObject) -> None:
        """Each value creates a row (the status column alone also sets its state)."""
        value = data.draw(values(column))
        dv = FakeDataverse(strict_writes=True)
        dv.service.create(Entity(TABLE, attributes={"name": "op", column: value}))
        (stored,) = dv.rows(TABLE)
        read = stored["createdon"] if column == "overriddencreatedon" else stored[column]
        assert value == read

    @pytest.mark.parametrize("column", CREATABLE)
    @settings(max_examples=15, deadline=None)
    @given(data=st.data())
    def test_json_form_parses_to_a_valid_sdk_value(self, column: str, data: st.DataObject) -> None:
        """The Web API form parses (as the Web API does) to a value the column accepts."""
        attr = METADATA.attribute(column)
        assert attr is not None
        parsed = json_to_sdk(METADATA, attr, data.draw(values(column, surface="webapi")))
        FakeDataverse().service.create(Entity(TABLE, **{column: parsed}))

    @settings(max_examples=50)
    @given(text=values("runas"))
    def test_strings_fit_in_utf16_code_units(self, text: str) -> None:
        """String lengths are counted as Dataverse counts them: UTF-16 code units."""
        assert utf16_length(text) <= 40

    @settings(max_examples=20)
    @given(state=values("backgroundoperationstatecode"), raw=values("priority", surface="webapi"))
    def test_forms(self, state: Any, raw: Any) -> None:
        """Choices are OptionSetValue in SDK form; numbers stay plain numbers in JSON."""
        assert isinstance(state, OptionSetValue) and state.value in {0, 2, 3}
        assert type(raw) is int and 0 <= raw <= 10

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (("priorty",), {}, "no column 'priorty'"),
            (("name",), {"surface": "odata"}, r"^surface='odata' must be 'sdk' or 'webapi'$"),
            (("name",), {"table": "contact"}, "not a shipped table"),
        ],
    )
    def test_bad_arguments(self, args: Any, kwargs: Any, match: str) -> None:
        """Unknown columns, surfaces and tables are refused when the strategy is made."""
        with pytest.raises(InvalidArgument, match=match):
            values(*args, **kwargs)
