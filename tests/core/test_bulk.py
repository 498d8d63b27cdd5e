"""Bulk messages on an elastic table: not transactional, per-target details."""

from __future__ import annotations

import json
import uuid

import pytest

from fake_dataverse import (
    CreateMultipleRequest,
    DataverseError,
    Entity,
    EntityCollection,
    EntityReference,
    FakeDataverse,
    OrganizationRequest,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
)

from .conftest import TABLE, Rejects


def _details(error: DataverseError) -> list[dict[str, object]]:
    return json.loads(error.error_details["Plugin.BulkApiErrorDetails"])  # type: ignore[no-any-return]


class TestCreateMultiple:
    def test_ids_in_request_order_and_session_token(self, dv: FakeDataverse) -> None:
        """CreateMultiple returns every new id, in order, and a session token."""
        response = dv.service.execute(CreateMultipleRequest(
            targets=[Entity(TABLE, name=f"op{i}") for i in range(3)]))
        assert 3 == len(response.ids)
        names = [dv.service.retrieve(TABLE, i, ["name"])["name"] for i in response.ids]
        assert ["op0", "op1", "op2"] == names
        assert response.session_token

    def test_partial_success_keeps_the_good_rows(self, dv: FakeDataverse) -> None:
        """A bad target fails alone: the others are stored; the fault lists every target."""
        with pytest.raises(DataverseError) as info:
            dv.service.execute(CreateMultipleRequest(targets=[
                Entity(TABLE, name="good"), Entity(TABLE, priority=99), Entity(TABLE, name="ok")]))
        assert "0x8004432f" == info.value.hex_code
        details = _details(info.value)
        assert [200, 400, 200] == [d["StatusCode"] for d in details]
        assert [0, 1, 2] == [d["RequestIndex"] for d in details]
        assert "00000000-0000-0000-0000-000000000000" == details[1]["Id"]
        assert {"good", "ok"} == {r["name"] for r in dv.rows()}

    @pytest.mark.parametrize(
        "targets",
        [[], [Entity(TABLE, name="a"), Entity("systemuser", lastname="b")]],
        ids=["empty", "mixed tables"],
    )
    def test_request_shape_errors_fail_before_any_write(
        self, dv: FakeDataverse, rejects: Rejects, targets: list[Entity]
    ) -> None:
        """No targets, or targets of two tables, fail the whole request with 0x80040203."""
        with rejects("0x80040203"):
            dv.service.execute(CreateMultipleRequest(targets=targets))

    def test_collection_of_another_table(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """The collection's entity_name names the request's table: systemuser has no bulk."""
        collection = EntityCollection([Entity(TABLE, name="a")], entity_name="systemuser")
        with rejects("0x80040315"):
            dv.service.execute(CreateMultipleRequest(targets=collection))


class TestUpdateMultiple:
    def test_first_duplicate_wins(self, dv: FakeDataverse) -> None:
        """Two targets with one key: the first is applied, the later one ignored (#15)."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        dv.service.execute(UpdateMultipleRequest(targets=[
            Entity(TABLE, row_id, retrycount=1), Entity(TABLE, row_id, retrycount=2)]))
        assert 1 == dv.service.retrieve(TABLE, row_id, ["retrycount"])["retrycount"]

    def test_missing_row_fails_alone(self, dv: FakeDataverse) -> None:
        """A missing row is a 404 entry; the other updates are applied."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        missing = uuid.uuid4()
        with pytest.raises(DataverseError) as info:
            dv.service.execute(UpdateMultipleRequest(targets=[
                Entity(TABLE, missing, retrycount=1), Entity(TABLE, row_id, retrycount=5)]))
        assert "0x80048d02" == info.value.hex_code
        assert [(str(missing), 404), (str(row_id), 200)] == [
            (d["Id"], d["StatusCode"]) for d in _details(info.value)]
        assert 5 == dv.service.retrieve(TABLE, row_id, ["retrycount"])["retrycount"]


class TestUpsertMultiple:
    def test_results_say_which_were_created(self, dv: FakeDataverse) -> None:
        """UpsertMultiple answers one UpsertResponse per target."""
        existing = dv.service.create(Entity(TABLE, name="old"))
        fresh = uuid.uuid4()
        response = dv.service.execute(UpsertMultipleRequest(targets=[
            Entity(TABLE, existing, name="new"), Entity(TABLE, fresh, name="brand")]))
        assert [False, True] == [r.record_created for r in response.results]
        assert [existing, fresh] == [r.target.id for r in response.results]

    def test_duplicate_keys_reject_the_whole_request(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """Two targets with one key: the whole request is 0x80040203, nothing written (#15)."""
        row_id = uuid.uuid4()
        with rejects("0x80040203"):
            dv.service.execute(UpsertMultipleRequest(targets=[
                Entity(TABLE, row_id, name="a"), Entity(TABLE, row_id, name="b")]))


class TestDeleteMultiple:
    def test_deletes_and_reports_missing(self, dv: FakeDataverse) -> None:
        """DeleteMultiple removes every existing row and reports the missing one."""
        ids = [dv.service.create(Entity(TABLE, name=str(i))) for i in range(3)]
        missing = uuid.uuid4()
        targets = [EntityReference(TABLE, i) for i in (ids[0], missing, ids[2])]
        with pytest.raises(DataverseError) as info:
            dv.service.execute(OrganizationRequest("DeleteMultiple", {"Targets": targets}))
        assert [200, 404, 200] == [d["StatusCode"] for d in _details(info.value)]
        assert ["1"] == [r["name"] for r in dv.rows()]

    def test_by_key_attributes(self, dv: FakeDataverse) -> None:
        """Targets may name their partition through key attributes."""
        row_id = dv.service.create(Entity(TABLE, name="p", partitionid="x"))
        keys = {"backgroundoperationid": row_id, "partitionid": "x"}
        response = dv.service.execute(OrganizationRequest(
            "DeleteMultiple", {"Targets": [EntityReference(TABLE, key_attributes=keys)]}))
        assert [] == dv.rows()
        assert response.session_token is None

    def test_a_partition_id_that_is_not_text_is_refused_as_deletes_is(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """partitionId=5 is Delete's InvalidArgument for the whole request: nothing is deleted."""
        row_id = dv.service.create(Entity(TABLE, name="kept"))
        with rejects("0x80040203") as single:
            dv.service.execute(OrganizationRequest(
                "Delete", {"Target": EntityReference(TABLE, row_id), "partitionId": 5}))
        with rejects("0x80040203") as bulk:
            dv.service.execute(OrganizationRequest("DeleteMultiple", {
                "Targets": [EntityReference(TABLE, row_id)], "partitionId": 5}))
        assert single.value.message == bulk.value.message

    def test_standard_table_has_no_delete_multiple(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """DeleteMultiple exists for elastic tables only: on systemuser it is not implemented."""
        with rejects("0x80040219") as info:
            dv.service.execute(OrganizationRequest("DeleteMultiple", {
                "Targets": [EntityReference("systemuser", dv.admin_id)]}))
        assert "DeleteMultiple has not yet been implemented." == info.value.message
