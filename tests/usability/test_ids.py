"""Row ids are a uuid.UUID or GUID text on every SDK value; anything else says what to write."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    Entity,
    EntityReference,
    FakeDataverse,
    OrganizationRequest,
    RetrieveRequest,
)

from ..traces import store_state
from .conftest import TABLE


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding one row named 'kept'."""
    fake = FakeDataverse()
    fake.service.create(Entity(TABLE, name="kept"))
    return fake


def _kept_id(dv: FakeDataverse) -> uuid.UUID:
    (row,) = dv.rows()
    assert row.id is not None
    return row.id


class TestGuidText:
    def test_entity_reference_takes_text(self, dv: FakeDataverse) -> None:
        """EntityReference(table, "<guid>") finds the row, as Entity(table, "<guid>") does."""
        text = str(_kept_id(dv)).upper()
        reference = EntityReference(TABLE, text)
        assert reference.id == _kept_id(dv)
        request = RetrieveRequest(target=reference, column_set=ColumnSet("name"))
        assert dv.service.execute(request)["Entity"]["name"] == "kept"

    def test_delete_multiple_with_text_ids(self, dv: FakeDataverse) -> None:
        """DeleteMultiple targets referenced by GUID text delete those rows."""
        targets = [EntityReference(TABLE, str(_kept_id(dv)))]
        dv.service.execute(OrganizationRequest("DeleteMultiple", {"Targets": targets}))
        assert dv.rows() == []


class TestWrongIds:
    @pytest.mark.parametrize(
        "make",
        [
            lambda: Entity(TABLE, {"name": "x"}),
            lambda: EntityReference(TABLE, 42),  # type: ignore[arg-type]
        ],
    )
    def test_not_text_is_a_type_error(self, make: Any) -> None:
        """A dict or a number in the id's place is a TypeError that shows the keyword form."""
        with pytest.raises(TypeError, match=r"columns are keyword arguments: Entity\("):
            make()

    @pytest.mark.parametrize(
        "make",
        [
            lambda: Entity(TABLE, "op-1"),
            lambda: EntityReference(TABLE, "op-1"),
        ],
    )
    def test_text_that_is_not_a_guid(self, make: Any) -> None:
        """Text that is not a GUID is a ValueError that quotes it."""
        with pytest.raises(ValueError, match="GUID text, not 'op-1'"):
            make()

    @pytest.mark.parametrize("call", ["retrieve", "delete"])
    def test_service_shortcuts_reject_a_reference(self, dv: FakeDataverse, call: str) -> None:
        """retrieve()/delete() with an EntityReference as id is a TypeError; the store is kept."""
        before = store_state(dv)
        reference = EntityReference(TABLE, _kept_id(dv))
        with pytest.raises(TypeError, match="not EntityReference"):
            getattr(dv.service, call)(TABLE, reference)
        assert store_state(dv) == before
