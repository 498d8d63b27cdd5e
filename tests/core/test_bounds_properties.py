"""Properties: any value inside a column's bounds is accepted and reads back equal; any value
outside is rejected with that column's code and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_dataverse import (
    AttributeMetadata,
    AttributeTypeCode,
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
)

from ..traces import store_state
from .conftest import TABLE

_TABLE_META = next(t for t in FakeDataverse().metadata if t.logical_name == TABLE)
_UTC = dt.timezone.utc
_MIN = dt.datetime(1753, 1, 1, tzinfo=_UTC)
_MAX = dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=_UTC)
_SETTINGS = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _columns(*, create: bool) -> list[AttributeMetadata]:
    skip = {"backgroundoperationid", "partitionid", "overriddencreatedon",
            "backgroundoperationstatecode", "backgroundoperationstatuscode"}
    return [
        a for a in _TABLE_META.stored_attributes()
        if (a.is_valid_for_create if create else a.is_valid_for_update)
        and a.logical_name not in skip
    ]


def _utf16_text(max_units: int) -> st.SearchStrategy[str]:
    text = st.text(max_size=min(max_units // 2, 300))
    return text.filter(lambda s: len(s.encode("utf-16-le")) // 2 <= max_units)


def inside(attr: AttributeMetadata) -> st.SearchStrategy[Any]:
    """Values the column accepts, in SDK form."""
    kind = attr.attribute_type
    if kind in (AttributeTypeCode.STRING, AttributeTypeCode.MEMO):
        assert attr.max_length is not None
        return _utf16_text(attr.max_length) | st.just("x" * attr.max_length)
    if kind is AttributeTypeCode.INTEGER:
        return st.integers(attr.min_value, attr.max_value)
    if kind is AttributeTypeCode.DATETIME:
        return st.datetimes(_MIN.replace(tzinfo=None), _MAX.replace(tzinfo=None),
                            timezones=st.just(_UTC)).map(lambda d: d.replace(microsecond=0))
    raise AssertionError(f"no strategy for {kind}")


def outside(attr: AttributeMetadata) -> st.SearchStrategy[tuple[Any, str]]:
    """Values the column rejects, with the code they must get."""
    kind = attr.attribute_type
    if kind in (AttributeTypeCode.STRING, AttributeTypeCode.MEMO):
        assert attr.max_length is not None
        size = attr.max_length
        return st.integers(1, 50).map(lambda k: ("y" * (size + k), "0x80044331")) | st.just(
            ("\U0001f600" * (size // 2 + 1), "0x80044331"))  # UTF-16 counts 2 per emoji
    if kind is AttributeTypeCode.INTEGER:
        assert attr.min_value is not None and attr.max_value is not None
        low = st.integers(attr.min_value - 10**12, attr.min_value - 1)
        high = st.integers(attr.max_value + 1, attr.max_value + 10**12)
        return (low | high).map(lambda v: (v, "0x8004432f"))
    if kind is AttributeTypeCode.DATETIME:
        early = st.datetimes(dt.datetime(1, 1, 1), dt.datetime(1752, 12, 31),
                             timezones=st.just(_UTC))
        return early.map(lambda d: (d, "0x80040239"))
    raise AssertionError(f"no strategy for {kind}")


CREATE_COLUMNS = _columns(create=True)
UPDATE_COLUMNS = _columns(create=False)


class TestCreateBounds:
    @pytest.mark.parametrize("attr", CREATE_COLUMNS, ids=lambda a: a.logical_name)
    @_SETTINGS
    @given(data=st.data())
    def test_inside_reads_back_equal(self, attr: AttributeMetadata, data: st.DataObject) -> None:
        """A value inside the column's bounds is stored and read back unchanged."""
        dv = FakeDataverse()
        value = data.draw(inside(attr))
        row_id = dv.service.create(Entity(TABLE, **{attr.logical_name: value}))
        read = dv.service.retrieve(TABLE, row_id, [attr.logical_name])
        assert value == read.get(attr.logical_name)

    @pytest.mark.parametrize("attr", CREATE_COLUMNS, ids=lambda a: a.logical_name)
    @_SETTINGS
    @given(data=st.data())
    def test_outside_is_rejected(self, attr: AttributeMetadata, data: st.DataObject) -> None:
        """A value outside the column's bounds gets the column's code; nothing is stored."""
        dv = FakeDataverse()
        value, code = data.draw(outside(attr))
        before = store_state(dv)
        with pytest.raises(DataverseError) as info:
            dv.service.create(Entity(TABLE, **{attr.logical_name: value}))
        assert code == info.value.hex_code
        assert before == store_state(dv)


class TestUpdateBounds:
    @pytest.mark.parametrize("attr", UPDATE_COLUMNS, ids=lambda a: a.logical_name)
    @_SETTINGS
    @given(data=st.data())
    def test_inside_reads_back_equal(self, attr: AttributeMetadata, data: st.DataObject) -> None:
        """An update with a value inside the bounds reads back unchanged."""
        dv = FakeDataverse()
        row_id = dv.service.create(Entity(TABLE, name="row"))
        value = data.draw(inside(attr))
        dv.service.update(Entity(TABLE, row_id, **{attr.logical_name: value}))
        assert value == dv.service.retrieve(TABLE, row_id, [attr.logical_name]).get(
            attr.logical_name)

    @pytest.mark.parametrize("attr", UPDATE_COLUMNS, ids=lambda a: a.logical_name)
    @_SETTINGS
    @given(data=st.data())
    def test_outside_is_rejected(self, attr: AttributeMetadata, data: st.DataObject) -> None:
        """An update with a value outside the bounds is rejected; the row is unchanged."""
        dv = FakeDataverse()
        row_id = dv.service.create(Entity(TABLE, name="row"))
        value, code = data.draw(outside(attr))
        before = store_state(dv)
        with pytest.raises(DataverseError) as info:
            dv.service.update(Entity(TABLE, row_id, **{attr.logical_name: value}))
        assert code == info.value.hex_code
        assert before == store_state(dv)


STATE_STATUS = [(0, 0), (2, 20), (2, 22), (3, 30), (3, 31), (3, 32)]


class TestChoices:
    @_SETTINGS
    @given(pair=st.sampled_from(STATE_STATUS))
    def test_every_valid_pair_is_accepted(self, pair: tuple[int, int]) -> None:
        """Each state/status pair of the table's map is accepted and read back."""
        dv = FakeDataverse()
        values = {"backgroundoperationstatecode": OptionSetValue(pair[0]),
                  "backgroundoperationstatuscode": OptionSetValue(pair[1])}
        row_id = dv.service.create(Entity(TABLE, **values))
        assert values == {k: v for k, v in dv.service.retrieve(TABLE, row_id, list(values)).items()
                          if k in values}

    @_SETTINGS
    @given(state=st.sampled_from([0, 2, 3]), status=st.sampled_from([0, 20, 22, 30, 31, 32]))
    def test_mismatched_pairs_are_rejected(self, state: int, status: int) -> None:
        """A pair outside the map is 0x80048408."""
        if (state, status) in STATE_STATUS:
            return
        dv = FakeDataverse()
        with pytest.raises(DataverseError) as info:
            dv.service.create(Entity(TABLE, backgroundoperationstatecode=OptionSetValue(state),
                                     backgroundoperationstatuscode=OptionSetValue(status)))
        assert "0x80048408" == info.value.hex_code
        assert [] == dv.rows()

    @_SETTINGS
    @given(value=st.integers(-(2**31), 2**31 - 1).filter(lambda v: v not in (0, 20, 22, 30, 31,
                                                                              32)))
    def test_unknown_choice_values(self, value: int) -> None:
        """A status value the choice does not define is 0x8004431a."""
        dv = FakeDataverse()
        with pytest.raises(DataverseError) as info:
            dv.service.create(Entity(TABLE, backgroundoperationstatuscode=OptionSetValue(value)))
        assert "0x8004431a" == info.value.hex_code
