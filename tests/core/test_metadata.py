"""The shipped metadata matches the table reference it was built from."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fake_dataverse import AttributeRequiredLevel, AttributeTypeCode, FakeDataverse

#: Microsoft's reference page of the table, which the shipped metadata was built from. It is not
#: part of the repository: FAKE_DATAVERSE_TABLE_REFERENCE names it, else it is looked for here.
SEED = Path(os.environ.get("FAKE_DATAVERSE_TABLE_REFERENCE") or (
    Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    / "backgroundoperation-table-reference.txt"))
NO_SEED = (
    "compares the shipped backgroundoperation metadata (every column, its type, required "
    "level, lengths, ranges and valid-for-create/update flags) with Microsoft's table "
    f"reference page, which is not in the repository and was not found at {SEED}; to run it, "
    "set FAKE_DATAVERSE_TABLE_REFERENCE to the path of backgroundoperation-table-reference.txt"
)
TABLE = next(t for t in FakeDataverse().metadata if t.logical_name == "backgroundoperation")


def _seed_columns() -> dict[str, dict[str, str]]:
    """Parse the reference page's column blocks into {logical name: {property: value}}."""
    columns: dict[str, dict[str, str]] = {}
    for block in re.split(r"\n\s*\n", SEED.read_text("utf-8")):
        props = dict(
            line.split(" ", 1) for line in block.strip().splitlines() if " " in line
        )
        if "LogicalName" in props and "Type" in props:
            columns[props["LogicalName"]] = props
    return columns


@pytest.mark.skipif(not SEED.exists(), reason=NO_SEED)
class TestAgainstTheTableReference:
    def test_every_column_is_there_with_its_type(self) -> None:
        """Each column of the reference page exists with the same type and required level."""
        seed = _seed_columns()
        assert set(seed) == {a.logical_name for a in TABLE.attributes}
        for name, props in seed.items():
            attr = TABLE.attribute(name)
            assert attr is not None
            assert AttributeTypeCode(props["Type"]) == attr.attribute_type, name
            assert AttributeRequiredLevel(props["RequiredLevel"]) == attr.required_level, name

    def test_limits_and_validity_flags(self) -> None:
        """Lengths, ranges and the valid-for-create/update flags match the reference."""
        for name, props in _seed_columns().items():
            attr = TABLE.attribute(name)
            assert attr is not None
            read_only = props.get("Added by:") is not None and attr.is_read_only
            if "MaxLength" in props:
                assert int(props["MaxLength"]) == attr.max_length, name
            if "MinValue" in props:
                assert (int(props["MinValue"]), int(props["MaxValue"])) == (
                    attr.min_value, attr.max_value), name
            if props.get("IsValidForCreate") == "False":
                assert not attr.is_valid_for_create, name
            if props.get("IsValidForUpdate") == "False":
                assert not attr.is_valid_for_update, name
            assert read_only or attr.is_valid_for_read


class TestTheSkipSaysWhatItChecks:
    def test_a_missing_reference_says_what_is_skipped_and_how_to_run_it(
        self, tmp_path: Path
    ) -> None:
        """Without the reference page, the skip reason says what the tests compare and which
        variable makes them run; with the variable set, the page is looked for there."""
        missing = tmp_path / "nowhere.txt"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", __file__, "-q", "-rs", "-p", "no:cacheprovider",
             "-k", "TestAgainstTheTableReference"],
            capture_output=True, text=True, check=False,
            env={**os.environ, "FAKE_DATAVERSE_TABLE_REFERENCE": str(missing)},
        )
        assert "2 skipped" in result.stdout, result.stdout
        flat = " ".join(result.stdout.split())
        assert "compares the shipped backgroundoperation metadata" in flat
        assert f"was not found at {missing}" in flat
        assert "set FAKE_DATAVERSE_TABLE_REFERENCE to the path of" in flat


class TestShippedMetadata:
    def test_state_status_map(self) -> None:
        """States map to their statuses: 0→{0}, 2→{20,22}, 3→{30,31,32}."""
        assert {0: (0,), 2: (20, 22), 3: (30, 31, 32)} == {
            s: TABLE.status_options_for(s) for s in (0, 2, 3)}

    def test_table_facts(self) -> None:
        """Names, elastic type and the elastic key are as Dataverse reports them."""
        assert ("backgroundoperations", "backgroundoperationid", "name", True) == (
            TABLE.entity_set_name, TABLE.primary_id_attribute, TABLE.primary_name_attribute,
            TABLE.is_elastic)
        assert [("KeyForNoSqlEntityWithPKPartitionId", ("backgroundoperationid", "partitionid"))] \
            == [(k.schema_name, k.key_attributes) for k in TABLE.keys]

    def test_read_only_columns(self) -> None:
        """The system columns are neither creatable nor updatable."""
        for name in ("createdon", "modifiedon", "createdby", "modifiedby", "versionnumber",
                     "createdonbehalfby", "modifiedonbehalfby"):
            attr = TABLE.attribute(name)
            assert attr is not None and attr.is_read_only, name
