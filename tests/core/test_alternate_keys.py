"""Alternate keys on a standard table: addressing by key on the SDK surface, and uniqueness."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    CreateMultipleRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityCollection,
    EntityReference,
    FakeDataverse,
    RetrieveRequest,
    RetrieveResponse,
    UpdateRequest,
    UpsertMultipleRequest,
    UpsertRequest,
    UpsertResponse,
)

from ..tables import TASK, TASK_TABLE
from ..traces import store_state


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding the task table (a standard table with two alternate keys)."""
    return FakeDataverse(tables=[TASK_TABLE])


def by_code(code: Any) -> EntityReference:
    return EntityReference(TASK, key_attributes={"contoso_code": code})


def retrieve(dv: FakeDataverse, target: EntityReference) -> Entity:
    request = RetrieveRequest(target=target, column_set=ColumnSet(all_columns=True))
    response = dv.service.execute(request)
    assert isinstance(response, RetrieveResponse)
    return response.entity


def refused(dv: FakeDataverse, code: str, action: Any) -> DataverseError:
    """Run ``action``; it must raise ``code`` and leave the table exactly as it was."""
    before = store_state(dv, TASK)
    with pytest.raises(DataverseError) as info:
        action()
    assert code == info.value.hex_code, info.value.message
    assert before == store_state(dv, TASK)
    return info.value


class TestAddressingByKey:
    def test_retrieve_by_key_finds_the_row(self, dv: FakeDataverse) -> None:
        """RetrieveRequest(key_attributes=…) returns the row holding the key's value."""
        row_id = dv.service.create(Entity(TASK, contoso_name="first", contoso_code="A1"))
        entity = retrieve(dv, by_code("A1"))
        assert (row_id, "first") == (entity.id, entity["contoso_name"])

    def test_text_keys_match_without_regard_to_case(self, dv: FakeDataverse) -> None:
        """A text key value matches as Dataverse's collation compares: case-insensitively."""
        row_id = dv.service.create(Entity(TASK, contoso_code="Ab-1"))
        assert row_id == retrieve(dv, by_code("aB-1")).id

    def test_a_key_of_two_columns(self, dv: FakeDataverse) -> None:
        """A key of several columns needs all of them, and finds the row holding all values."""
        dv.service.create(Entity(TASK, contoso_name="w7", contoso_region="west", contoso_number=7))
        dv.service.create(Entity(TASK, contoso_name="w8", contoso_region="west", contoso_number=8))
        found = retrieve(dv, EntityReference(
            TASK, key_attributes={"contoso_region": "west", "contoso_number": 8}))
        assert "w8" == found["contoso_name"]

    def test_no_row_with_the_key_is_not_found_by_key(self, dv: FakeDataverse) -> None:
        """A key no row holds is 404 0x80060891 naming the table."""
        dv.service.create(Entity(TASK, contoso_code="A1"))
        with pytest.raises(DataverseError) as info:
            retrieve(dv, by_code("B2"))
        assert ("0x80060891", 404) == (info.value.hex_code, info.value.http_status)
        expected = "A record with the specified key values does not exist in contoso_task entity"
        assert expected == info.value.message

    def test_names_that_form_no_key_are_refused(self, dv: FakeDataverse) -> None:
        """Key attributes that are not exactly one of the table's keys: 0x80060890."""
        for keys in ({"contoso_name": "x"}, {"contoso_region": "west"},
                     {"contoso_code": "A1", "contoso_name": "x"}):
            with pytest.raises(DataverseError) as info:
                retrieve(dv, EntityReference(TASK, key_attributes=keys))
            assert "0x80060890" == info.value.hex_code
            assert ("The specified key attributes are not a defined key for the contoso_task "
                    "entity") == info.value.message

    def test_a_key_value_of_the_wrong_type_is_refused(self, dv: FakeDataverse) -> None:
        """A key value is checked as its column's values are: an int for a text column fails."""
        with pytest.raises(DataverseError) as info:
            retrieve(dv, by_code(12))
        assert "0x80040203" == info.value.hex_code

    def test_update_by_key(self, dv: FakeDataverse) -> None:
        """An Entity with key_attributes updates the row holding them."""
        dv.service.create(Entity(TASK, contoso_name="old", contoso_code="A1"))
        dv.service.execute(UpdateRequest(target=Entity(
            TASK, key_attributes={"contoso_code": "A1"}, contoso_name="new")))
        assert "new" == retrieve(dv, by_code("A1"))["contoso_name"]

    def test_update_by_a_missing_key_changes_nothing(self, dv: FakeDataverse) -> None:
        """Updating a key no row holds is 0x80060891 and writes nothing."""
        dv.service.create(Entity(TASK, contoso_code="A1"))
        refused(dv, "0x80060891", lambda: dv.service.execute(UpdateRequest(target=Entity(
            TASK, key_attributes={"contoso_code": "B2"}, contoso_name="x"))))

    def test_delete_by_key_frees_the_key(self, dv: FakeDataverse) -> None:
        """DeleteRequest by key removes the row; its key value can then be used again."""
        dv.service.create(Entity(TASK, contoso_code="A1"))
        dv.service.execute(DeleteRequest(target=by_code("A1")))
        assert [] == dv.rows(TASK)
        row_id = dv.service.create(Entity(TASK, contoso_code="A1"))
        assert row_id == retrieve(dv, by_code("A1")).id

    def test_an_id_beside_the_key_addresses_the_row(self, dv: FakeDataverse) -> None:
        """As in the SDK, a reference's id is used when it has one (its keys still checked)."""
        first = dv.service.create(Entity(TASK, contoso_code="A1"))
        second = dv.service.create(Entity(TASK, contoso_code="B2"))
        found = retrieve(dv, EntityReference(TASK, second, {"contoso_code": "A1"}))
        assert (second, first) == (found.id, retrieve(dv, by_code("A1")).id)


class TestLookupsByKey:
    def test_a_lookup_set_by_key_stores_the_row_id(self, dv: FakeDataverse) -> None:
        """EntityReference(table, key_attributes=…) as a lookup value points at that row."""
        parent = dv.service.create(Entity(TASK, contoso_code="P1"))
        child = dv.service.create(Entity(
            TASK, contoso_code="C1",
            contoso_parent=EntityReference(TASK, key_attributes={"contoso_code": "p1"})))
        stored = retrieve(dv, EntityReference(TASK, child))["contoso_parent"]
        assert (TASK, parent) == (stored.logical_name, stored.id)

    def test_a_lookup_by_a_missing_key_writes_nothing(self, dv: FakeDataverse) -> None:
        """A lookup naming a key no row holds is 0x80060891; the create leaves no trace."""
        dv.service.create(Entity(TASK, contoso_code="P1"))
        refused(dv, "0x80060891", lambda: dv.service.create(Entity(
            TASK, contoso_parent=EntityReference(TASK, key_attributes={"contoso_code": "X"}))))

    def test_an_update_sets_a_lookup_by_key(self, dv: FakeDataverse) -> None:
        """Updates resolve lookups by key as creates do."""
        parent = dv.service.create(Entity(TASK, contoso_code="P1"))
        child = dv.service.create(Entity(TASK, contoso_code="C1"))
        dv.service.update(Entity(TASK, child, contoso_parent=EntityReference(
            TASK, key_attributes={"contoso_code": "P1"})))
        assert parent == retrieve(dv, by_code("C1"))["contoso_parent"].id


class TestUpsertByKey:
    def test_upsert_creates_the_row_with_the_key_values(self, dv: FakeDataverse) -> None:
        """Upsert by a key no row holds creates a row holding the key's values."""
        response = dv.service.execute(UpsertRequest(target=Entity(
            TASK, key_attributes={"contoso_code": "A1"}, contoso_name="made")))
        assert isinstance(response, UpsertResponse) and response.record_created
        entity = retrieve(dv, by_code("A1"))
        assert (response.target.id, "A1", "made") == (
            entity.id, entity["contoso_code"], entity["contoso_name"])

    def test_upsert_updates_the_row_holding_the_key(self, dv: FakeDataverse) -> None:
        """Upsert of an existing standard-table row is an update: other columns stay."""
        row_id = dv.service.create(Entity(TASK, contoso_code="A1", contoso_name="kept",
                                          contoso_region="east"))
        response = dv.service.execute(UpsertRequest(target=Entity(
            TASK, key_attributes={"contoso_code": "a1"}, contoso_region="west")))
        assert isinstance(response, UpsertResponse) and not response.record_created
        entity = retrieve(dv, by_code("A1"))
        assert (row_id, "kept", "west") == (
            entity.id, entity["contoso_name"], entity["contoso_region"])
        assert 1 == len(dv.rows(TASK))


class TestUniqueness:
    def test_a_duplicate_key_value_is_refused(self, dv: FakeDataverse) -> None:
        """A create giving a second row the same key value (in any case) is 412 0x80060892."""
        dv.service.create(Entity(TASK, contoso_code="A1"))
        error = refused(dv, "0x80060892",
                        lambda: dv.service.create(Entity(TASK, contoso_code="a1")))
        assert 412 == error.http_status
        assert ("Entity Key Code violated. A record with the same value for contoso_code "
                "already exists. A duplicate record cannot be created. Select one or more "
                "unique values and try again.") == error.message

    def test_a_key_of_two_columns_clashes_only_on_both(self, dv: FakeDataverse) -> None:
        """Rows may share one column of a two-column key, not both."""
        dv.service.create(Entity(TASK, contoso_region="west", contoso_number=7))
        dv.service.create(Entity(TASK, contoso_region="west", contoso_number=8))
        refused(dv, "0x80060892", lambda: dv.service.create(
            Entity(TASK, contoso_region="WEST", contoso_number=7)))

    def test_null_key_values_never_clash(self, dv: FakeDataverse) -> None:
        """Rows with a null key column are not held to the key (nor found by it)."""
        dv.service.create(Entity(TASK, contoso_name="a"))
        dv.service.create(Entity(TASK, contoso_name="b", contoso_region="west"))
        dv.service.create(Entity(TASK, contoso_name="c", contoso_region="west"))
        assert 3 == len(dv.rows(TASK))

    def test_an_update_onto_a_taken_key_is_refused(self, dv: FakeDataverse) -> None:
        """Changing a row's key column to a value another row holds changes nothing."""
        dv.service.create(Entity(TASK, contoso_code="A1"))
        second = dv.service.create(Entity(TASK, contoso_code="B2"))
        refused(dv, "0x80060892", lambda: dv.service.update(
            Entity(TASK, second, contoso_code="A1")))

    def test_an_update_moves_the_row_to_its_new_key(self, dv: FakeDataverse) -> None:
        """After a key column changes, the new value finds the row and the old one is free."""
        row_id = dv.service.create(Entity(TASK, contoso_code="A1"))
        dv.service.update(Entity(TASK, row_id, contoso_code="B2"))
        assert row_id == retrieve(dv, by_code("B2")).id
        with pytest.raises(DataverseError):
            retrieve(dv, by_code("A1"))
        other = dv.service.create(Entity(TASK, contoso_code="A1"))
        assert other == retrieve(dv, by_code("A1")).id

    def test_an_update_keeping_its_own_key_is_fine(self, dv: FakeDataverse) -> None:
        """Writing a row's own key value again (other case too) is no clash."""
        row_id = dv.service.create(Entity(TASK, contoso_code="A1"))
        dv.service.update(Entity(TASK, row_id, contoso_code="a1", contoso_name="same"))
        assert "a1" == retrieve(dv, by_code("A1"))["contoso_code"]

    def test_bulk_create_keeps_the_good_targets(self, dv: FakeDataverse) -> None:
        """CreateMultiple applies each target alone: the clashing one fails, the others stay."""
        targets = EntityCollection(
            [Entity(TASK, contoso_code=code) for code in ("A1", "B2", "a1")], entity_name=TASK)
        with pytest.raises(DataverseError) as info:
            dv.service.execute(CreateMultipleRequest(targets=targets))
        assert "0x80060892" == info.value.hex_code
        assert ["A1", "B2"] == sorted(r["contoso_code"] for r in dv.rows(TASK))

    def test_upsert_multiple_refuses_the_same_key_twice(self, dv: FakeDataverse) -> None:
        """UpsertMultiple naming one key twice (in any case) is refused before any write."""
        targets = EntityCollection(
            [Entity(TASK, key_attributes={"contoso_code": code}) for code in ("A1", "a1")],
            entity_name=TASK)
        refused(dv, "0x80040203",
                lambda: dv.service.execute(UpsertMultipleRequest(targets=targets)))

    def test_reset_and_restore_keep_the_index(self, dv: FakeDataverse) -> None:
        """A restored snapshot finds (and guards) the keys it held; reset frees every key."""
        saved = dv.snapshot()
        row_id = dv.service.create(Entity(TASK, contoso_code="A1"))
        later = dv.snapshot()
        dv.restore(saved)
        dv.service.create(Entity(TASK, contoso_code="A1"))  # free again in the saved state
        dv.restore(later)
        assert row_id == retrieve(dv, by_code("A1")).id
        refused(dv, "0x80060892", lambda: dv.service.create(Entity(TASK, contoso_code="A1")))
        dv.reset()
        dv.service.create(Entity(TASK, contoso_code="A1"))
        assert 1 == len(dv.rows(TASK))


class TestTableDescriptions:
    def test_a_key_naming_an_unknown_column_is_a_value_error(self) -> None:
        """A key over a column the table lacks is refused when the table is described."""
        table = {**TASK_TABLE, "keys": [{"schema_name": "k", "key_attributes": ["nope"]}]}
        with pytest.raises(ValueError, match="'nope'"):
            FakeDataverse(tables=[table])

    def test_an_elastic_table_takes_no_alternate_key(self) -> None:
        """Elastic tables have only their (id, partitionid) key."""
        table = {**TASK_TABLE, "table_type": "Elastic", "partition_attribute": "contoso_region"}
        with pytest.raises(ValueError, match="elastic table has no alternate keys"):
            FakeDataverse(tables=[table])

    def test_an_unknown_id_is_still_object_does_not_exist(self, dv: FakeDataverse) -> None:
        """By id, a standard table's miss stays 0x80040217 (not the by-key fault)."""
        with pytest.raises(DataverseError) as info:
            retrieve(dv, EntityReference(TASK, uuid.uuid4()))
        assert "0x80040217" == info.value.hex_code
