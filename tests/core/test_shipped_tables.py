"""Shipped tables are data: every ``_tables/*.json`` file is a table of every fake, no code edit."""

from __future__ import annotations

import json
import pathlib

import pytest

import fake_dataverse
from fake_dataverse import FakeDataverse
from fake_dataverse._model._metadata import tables_in

TABLES = pathlib.Path(fake_dataverse.__file__).parent / "_tables"
NOTE = {
    "logical_name": "contoso_note", "entity_set_name": "contoso_notes",
    "primary_id_attribute": "contoso_noteid", "primary_name_attribute": "contoso_name",
    "attributes": [{"logical_name": "contoso_noteid", "type": "Uniqueidentifier"},
                   {"logical_name": "contoso_name", "type": "String", "max_length": 10}],
}


class TestShippedTables:
    def test_every_file_is_a_table_of_the_fake(self) -> None:
        """The fake holds exactly the tables the package's JSON files describe."""
        described = {json.loads(f.read_text("utf-8"))["logical_name"]
                     for f in TABLES.glob("*.json")}
        assert described == {table.logical_name for table in FakeDataverse().metadata}

    def test_a_folder_is_read_file_by_file(self, tmp_path: pathlib.Path) -> None:
        """A new description in a tables folder is found with no list to edit."""
        for source in TABLES.glob("*.json"):
            (tmp_path / source.name).write_text(source.read_text("utf-8"), "utf-8")
        (tmp_path / "contoso_note.json").write_text(json.dumps(NOTE), "utf-8")
        (tmp_path / "README.txt").write_text("not a table", "utf-8")
        names = [table.logical_name for table in tables_in(tmp_path)]
        assert ["backgroundoperation", "contoso_note", "systemuser"] == names

    def test_a_broken_file_says_what_is_wrong(self, tmp_path: pathlib.Path) -> None:
        """A description missing a required key is a ValueError naming the key."""
        (tmp_path / "broken.json").write_text(json.dumps({"logical_name": "x"}), "utf-8")
        with pytest.raises(ValueError, match="entity_set_name"):
            tables_in(tmp_path)
