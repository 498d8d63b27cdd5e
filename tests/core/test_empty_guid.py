"""Row ids against the SDK: ``Guid.Empty`` is no id."""

from __future__ import annotations

import uuid

from fake_dataverse import (
    CreateMultipleRequest,
    Entity,
    FakeDataverse,
    UpdateRequest,
)

from .conftest import TABLE, Rejects

EMPTY = uuid.UUID(int=0)


class TestEmptyGuid:
    def test_create_with_empty_id_makes_a_new_id(self, dv: FakeDataverse) -> None:
        """Create with ``Guid.Empty`` as id gets a generated id, as the SDK's default id does."""
        row_id = dv.service.create(Entity(TABLE, EMPTY, name="a"))
        assert EMPTY != row_id
        assert [row_id] == [e.id for e in dv.rows()]

    def test_empty_id_in_the_id_column(self, dv: FakeDataverse) -> None:
        """``Guid.Empty`` in the primary id column is no id either."""
        row_id = dv.service.create(Entity(TABLE, backgroundoperationid=EMPTY))
        assert EMPTY != row_id
        dv.service.create(Entity(TABLE, EMPTY, name="b"))  # a second one works too
        assert 2 == len(dv.rows())

    def test_create_multiple_with_empty_ids(self, dv: FakeDataverse) -> None:
        """CreateMultiple targets with ``Guid.Empty`` ids each get their own id."""
        ids = dv.service.execute(
            CreateMultipleRequest(targets=[Entity(TABLE, EMPTY), Entity(TABLE, EMPTY)])
        ).ids
        assert EMPTY not in ids
        assert 2 == len(set(ids))

    def test_update_with_empty_id(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Update with ``Guid.Empty`` names no row: 0x80040203, nothing stored."""
        dv.service.create(Entity(TABLE, name="a"))
        with rejects("0x80040203"):
            dv.service.execute(UpdateRequest(target=Entity(TABLE, EMPTY, retrycount=1)))
