"""Every write message × every rule class: the exact Dataverse code, and nothing changes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    CreateMultipleRequest,
    CreateRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityReference,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
    RetrieveRequest,
    UpdateMultipleRequest,
    UpdateRequest,
    UpsertMultipleRequest,
    UpsertRequest,
)

from .conftest import TABLE, Rejects

BAD_PAYLOADS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown column": ({"Name": "wrong case"}, "0x8005e009"),
    "wrong type": ({"retrycount": "many"}, "0x80040203"),
    "string too long": ({"inputparameters": "x" * 1_048_577}, "0x80044331"),
    "integer out of range": ({"retrycount": -1}, "0x8004432f"),
    "unknown choice": ({"backgroundoperationstatuscode": OptionSetValue(5)}, "0x8004431a"),
    "state/status pair": (
        {"backgroundoperationstatecode": OptionSetValue(0),
         "backgroundoperationstatuscode": OptionSetValue(30)},
        "0x80048408",
    ),
}

Send = Callable[[FakeDataverse, uuid.UUID, dict[str, Any]], object]


def _create(dv: FakeDataverse, _: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(CreateRequest(target=Entity(TABLE, **payload)))


def _update(dv: FakeDataverse, row_id: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(UpdateRequest(target=Entity(TABLE, row_id, **payload)))


def _upsert_existing(dv: FakeDataverse, row_id: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(UpsertRequest(target=Entity(TABLE, row_id, **payload)))


def _upsert_new(dv: FakeDataverse, _: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(UpsertRequest(target=Entity(TABLE, uuid.uuid4(), **payload)))


def _create_multiple(dv: FakeDataverse, _: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(CreateMultipleRequest(targets=[Entity(TABLE, **payload)]))


def _update_multiple(dv: FakeDataverse, row_id: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(UpdateMultipleRequest(targets=[Entity(TABLE, row_id, **payload)]))


def _upsert_multiple(dv: FakeDataverse, row_id: uuid.UUID, payload: dict[str, Any]) -> object:
    return dv.service.execute(UpsertMultipleRequest(targets=[Entity(TABLE, row_id, **payload)]))


WRITES: dict[str, Send] = {
    "Create": _create,
    "Update": _update,
    "Upsert (existing row)": _upsert_existing,
    "Upsert (new row)": _upsert_new,
    "CreateMultiple": _create_multiple,
    "UpdateMultiple": _update_multiple,
    "UpsertMultiple": _upsert_multiple,
}


@pytest.fixture
def existing(dv: FakeDataverse) -> uuid.UUID:
    """A row the update-like messages act on."""
    return dv.service.create(Entity(TABLE, name="existing", retrycount=1))


class TestEveryRuleOnEveryWrite:
    @pytest.mark.parametrize("rule", sorted(BAD_PAYLOADS))
    @pytest.mark.parametrize("send", sorted(WRITES))
    def test_rejected_with_the_rule_code_and_nothing_changes(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects, send: str, rule: str
    ) -> None:
        """A payload breaking one rule gets that rule's code on every write message."""
        payload, code = BAD_PAYLOADS[rule]
        with rejects(code):
            WRITES[send](dv, existing, payload)

    @pytest.mark.parametrize("send", ["CreateMultiple", "UpdateMultiple", "UpsertMultiple"])
    def test_bulk_failure_lists_every_target(
        self, dv: FakeDataverse, existing: uuid.UUID, send: str
    ) -> None:
        """A bulk message's fault carries Plugin.BulkApiErrorDetails for its targets."""
        with pytest.raises(DataverseError) as info:
            WRITES[send](dv, existing, {"retrycount": -1})
        details = json.loads(info.value.error_details["Plugin.BulkApiErrorDetails"])
        assert [0] == [d["RequestIndex"] for d in details]
        assert 400 == details[0]["StatusCode"]


class TestDuplicateAndNotFound:
    def test_create_with_an_existing_id(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects
    ) -> None:
        """Creating a second row with the same id and partition is 0x80040237."""
        with rejects("0x80040237") as info:
            dv.service.create(Entity(TABLE, existing, name="again"))
        assert "A record with matching key values already exists." == info.value.message
        assert 412 == info.value.http_status

    def test_create_multiple_with_an_existing_id(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects
    ) -> None:
        """The duplicate target fails with 0x80040237 and 412 in the bulk details."""
        with rejects("0x80040237") as info:
            dv.service.execute(CreateMultipleRequest(targets=[Entity(TABLE, existing)]))
        details = json.loads(info.value.error_details["Plugin.BulkApiErrorDetails"])
        assert [{"RequestIndex": 0, "Id": str(existing), "StatusCode": 412}] == details

    @pytest.mark.parametrize(
        "send",
        [
            lambda dv, i: dv.service.execute(UpdateRequest(target=Entity(TABLE, i, retrycount=2))),
            lambda dv, i: dv.service.execute(DeleteRequest(target=EntityReference(TABLE, i))),
            lambda dv, i: dv.service.execute(
                RetrieveRequest(target=EntityReference(TABLE, i), column_set=ColumnSet("name"))
            ),
            lambda dv, i: dv.service.execute(
                UpdateMultipleRequest(targets=[Entity(TABLE, i, retrycount=2)])
            ),
            lambda dv, i: dv.service.execute(
                OrganizationRequest("DeleteMultiple", {"Targets": [EntityReference(TABLE, i)]})
            ),
        ],
        ids=["Update", "Delete", "Retrieve", "UpdateMultiple", "DeleteMultiple"],
    )
    def test_missing_row(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects,
        send: Callable[[FakeDataverse, uuid.UUID], object],
    ) -> None:
        """A missing row is 404 0x80048d02 with the Cosmos DB "Could not find item" text."""
        missing = uuid.UUID("7d4a4b2c-0000-4000-8000-000000000001")
        with rejects("0x80048d02") as info:
            send(dv, missing)
        assert f"Could not find item '{missing}'." in info.value.message
        assert -2147185406 == info.value.error_code
        assert 404 == info.value.http_status


def _reader_writer_privileges() -> list[str]:
    return ["prvReadbackgroundoperation"]


PRIVILEGED: dict[str, tuple[Callable[[FakeDataverse, Any, uuid.UUID], object], str]] = {
    "Create": (lambda dv, s, i: s.create(Entity(TABLE, name="x")), "prvCreatebackgroundoperation"),
    "Retrieve": (lambda dv, s, i: s.retrieve(TABLE, i, ["name"]), "prvReadbackgroundoperation"),
    "Update": (lambda dv, s, i: s.update(Entity(TABLE, i, retrycount=3)),
               "prvWritebackgroundoperation"),
    "Upsert (existing row)": (lambda dv, s, i: s.upsert(Entity(TABLE, i, name="y")),
                              "prvWritebackgroundoperation"),
    "Upsert (new row)": (lambda dv, s, i: s.upsert(Entity(TABLE, uuid.uuid4(), name="y")),
                         "prvCreatebackgroundoperation"),
    "Delete": (lambda dv, s, i: s.delete(TABLE, i), "prvDeletebackgroundoperation"),
    "CreateMultiple": (
        lambda dv, s, i: s.execute(CreateMultipleRequest(targets=[Entity(TABLE, name="x")])),
        "prvCreatebackgroundoperation",
    ),
    "UpdateMultiple": (
        lambda dv, s, i: s.execute(UpdateMultipleRequest(targets=[Entity(TABLE, i, retrycount=4)])),
        "prvWritebackgroundoperation",
    ),
    "UpsertMultiple": (
        lambda dv, s, i: s.execute(UpsertMultipleRequest(targets=[Entity(TABLE, i, name="z")])),
        "prvCreatebackgroundoperation",
    ),
    "DeleteMultiple": (
        lambda dv, s, i: s.execute(
            OrganizationRequest("DeleteMultiple", {"Targets": [EntityReference(TABLE, i)]})
        ),
        "prvDeletebackgroundoperation",
    ),
}


class TestPrivileges:
    @pytest.mark.parametrize("name", sorted(PRIVILEGED))
    def test_user_without_privileges_is_denied(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects, name: str
    ) -> None:
        """A user holding no privilege gets 403 0x80040220 naming the missing one."""
        send, privilege = PRIVILEGED[name]
        user = dv.add_user("Nora Privileges", privileges=[])
        with rejects("0x80040220") as info:
            send(dv, dv.service_for(user), existing)
        assert 403 == info.value.http_status
        assert f"Principal user (Id={user}, type=8)" in info.value.message
        assert f"is missing {privilege} privilege" in info.value.message
        assert "for entity 'backgroundoperation'" in info.value.message

    def test_read_only_user_reads_but_cannot_write(
        self, dv: FakeDataverse, existing: uuid.UUID, rejects: Rejects
    ) -> None:
        """prvRead lets a user read; a write still needs prvWrite."""
        reader = dv.service_for(dv.add_user("Rita Reader", privileges=_reader_writer_privileges()))
        assert "existing" == reader.retrieve(TABLE, existing, ["name"])["name"]
        with rejects("0x80040220"):
            reader.update(Entity(TABLE, existing, retrycount=9))

    def test_privilege_is_checked_before_the_row_is_looked_up(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """Without prvRead, even a missing row answers 403, not 404."""
        nobody = dv.service_for(dv.add_user("No One", privileges=[]))
        with rejects("0x80040220"):
            nobody.retrieve(TABLE, uuid.uuid4(), ["name"])
