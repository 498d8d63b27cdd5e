"""Compact row values: a tuple per row that reads exactly like the dictionary it replaces."""

from __future__ import annotations

import copy

import pytest

from fake_dataverse._model._row import MISSING, RowLayout

LAYOUT = RowLayout(["id", "name", "count", "virtualname"], fixed=3)


class TestRowValues:
    def test_reads_like_the_dictionary_it_was_packed_from(self) -> None:
        """Keys, values, get, in, len and equality match the source dictionary."""
        source = {"id": 1, "count": None, "name": "a"}
        values = LAYOUT.pack(source)
        assert source == dict(values.items())
        assert source == values.to_dict()
        assert values == source
        assert 3 == len(values)
        assert "a" == values["name"] == values.get("name")
        assert "virtualname" not in values
        assert None is values.get("virtualname")
        assert "x" == values.get("virtualname", "x")
        with pytest.raises(KeyError):
            values["virtualname"]

    def test_a_column_never_written_is_absent_not_null(self) -> None:
        """A stored column left out reads as absent (as from the dictionary), not as None."""
        values = LAYOUT.pack({"id": 1})
        assert ["id"] == list(values)
        assert "name" not in values
        assert None is LAYOUT.getter("name")(values.data)

    def test_virtual_columns_only_when_given(self) -> None:
        """A row holds the columns after the fixed ones only when it was given one."""
        assert 3 == len(LAYOUT.pack({"id": 1}).data)
        given = LAYOUT.pack({"id": 1, "virtualname": "v"})
        assert "v" == given["virtualname"] == LAYOUT.getter("virtualname")(given.data)
        assert None is LAYOUT.getter("virtualname")(LAYOUT.pack({"id": 2}).data)

    def test_with_value_returns_new_values(self) -> None:
        """with_value() sets one column in a copy; the original is unchanged."""
        values = LAYOUT.pack({"id": 1, "name": "a"})
        changed = values.with_value("virtualname", "v").with_value("name", "b")
        assert {"id": 1, "name": "b", "virtualname": "v"} == changed.to_dict()
        assert {"id": 1, "name": "a"} == values.to_dict()

    def test_unknown_column_is_refused(self) -> None:
        """Packing a name that is no column of the table is a KeyError naming it."""
        with pytest.raises(KeyError, match="nosuch"):
            LAYOUT.pack({"id": 1, "nosuch": 2})

    def test_copies_keep_the_shared_layout_and_sentinel(self) -> None:
        """A deep copy (snapshots) shares the layout and keeps absent columns absent."""
        values = LAYOUT.pack({"id": 1, "count": 2})
        copied = copy.deepcopy(values)
        assert copied.layout is LAYOUT
        assert MISSING is copied.data[1]
        assert values == copied
