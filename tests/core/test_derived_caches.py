"""What the write and read paths work out once and keep: never stale, never shared wrongly.

Per table (``EntityMetadata.derived``): a create's starting row, each column's reader, each
column set's read plan, privilege names. Elsewhere: the text of the last id formatted, column
sets made from lists of names, the ticks of the clock's last instant.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest

from fake_dataverse import ColumnSet, DataverseError, Entity, FakeDataverse, OptionSetValue
from fake_dataverse._model import _address
from fake_dataverse._storage._clock import dotnet_ticks

from ..tables import TASK, TASK_TABLE


def task_table(**changes: Any) -> dict[str, Any]:
    """Return the task table's description with some of its columns described differently."""
    table = copy.deepcopy(TASK_TABLE)
    for column in table["attributes"]:
        column.update(changes.get(column["logical_name"], {}))
    return table


class TestPerTable:
    def test_two_organizations_with_one_table_name_keep_their_own_rules(self) -> None:
        """The same table name with other defaults, lengths and readability in two fakes:
        each create and read follows its own fake's metadata, in any order of use."""
        plain = FakeDataverse(tables=[TASK_TABLE])
        other = FakeDataverse(
            tables=[
                task_table(
                    contoso_number={"default_value": 7},
                    contoso_name={"max_length": 3},
                    contoso_region={"valid_for_read": False},
                )
            ]
        )
        for region in ("north", "south"):  # the second round reads what the first worked out
            first = plain.service.create(
                Entity(TASK, contoso_name="long name", contoso_region=region)
            )
            second = other.service.create(Entity(TASK, contoso_name="abc", contoso_region=region))
            read = plain.service.retrieve(TASK, first, ["contoso_number", "contoso_region"])
            assert "contoso_number" not in read.attributes  # no default on this fake
            assert read["contoso_region"] == region
            read = other.service.retrieve(TASK, second, ["contoso_number", "contoso_region"])
            assert read["contoso_number"] == 7
            assert "contoso_region" not in read.attributes  # not valid for read here
            with pytest.raises(DataverseError) as error:
                other.service.create(Entity(TASK, contoso_name="long name"))
            assert error.value.hex_code == "0x80044331"

    def test_a_column_set_with_an_unknown_column_is_refused_every_time(self) -> None:
        """A refused column set is not remembered as readable: asked again, it is refused
        again; the valid part of it reads on its own."""
        dv = FakeDataverse()
        row_id = dv.service.create(Entity("backgroundoperation", name="x"))
        for _ in range(3):
            with pytest.raises(DataverseError) as error:
                dv.service.retrieve("backgroundoperation", row_id, ["name", "nosuchcolumn"])
            assert error.value.hex_code == "0x80041103"
        assert dv.service.retrieve("backgroundoperation", row_id, ["name"])["name"] == "x"

    def test_reads_see_each_write(self) -> None:
        """The same column set reads a row's new values after every update, choices as
        OptionSetValue and lookups with their user's name."""
        dv = FakeDataverse()
        row_id = dv.service.create(Entity("backgroundoperation", name="op", retrycount=0))
        for count in (1, 2):
            dv.service.update(Entity("backgroundoperation", row_id, retrycount=count))
            read = dv.service.retrieve(
                "backgroundoperation",
                row_id,
                ["retrycount", "backgroundoperationstatuscode", "createdby"],
            )
            assert read["retrycount"] == count
            assert isinstance(read["backgroundoperationstatuscode"], OptionSetValue)
            assert read["createdby"].name == "System Administrator"


class TestElsewhere:
    def test_id_texts_are_right_past_the_bound(self) -> None:
        """Many ids (and the same ids again, as other objects) give their own text."""
        ids = [uuid.UUID(int=n * 7919 + 1) for n in range(5000)]
        for row_id in ids + ids[:100]:
            assert _address.default_partition(row_id) == str(row_id)
            assert _address.default_partition(uuid.UUID(str(row_id))) == str(row_id)

    def test_column_sets_from_lists_are_equal_and_immutable(self) -> None:
        """A list of names gives the ColumnSet the constructor gives, however often."""
        names = ["name", "statuscode"]
        made = ColumnSet.coerce(names)
        names.append("changed later")
        assert made == ColumnSet("name", "statuscode") == ColumnSet.coerce(["name", "statuscode"])
        assert made.columns == ("name", "statuscode")

    def test_versions_follow_the_clock_after_it_moves(self) -> None:
        """Writes at one frozen instant, then at another: each takes its instant's ticks
        (bumped past the last on ties)."""
        dv = FakeDataverse(clock="2026-03-01T08:00:00Z")
        first = dv.service.create(Entity("backgroundoperation", name="a"))
        second = dv.service.create(Entity("backgroundoperation", name="b"))
        dv.clock.set("2026-03-02T08:00:00Z")
        third = dv.service.create(Entity("backgroundoperation", name="c"))
        versions = [
            int(dv.service.retrieve("backgroundoperation", row, ["versionnumber"])["versionnumber"])
            for row in (first, second, third)
        ]
        at_first = dotnet_ticks(dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone.utc))
        at_third = dotnet_ticks(dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone.utc))
        assert versions == [at_first, at_first + 1, at_third]
