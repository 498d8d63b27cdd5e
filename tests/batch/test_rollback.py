"""Atomic change sets and ExecuteTransaction undo every write of a failed unit — whatever made
it fail, a Dataverse fault or a Python exception in an inner request — so the fake afterwards is
exactly the fake before: rows, versions, etags, the change log, the key index, delta tokens."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    CreateRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    FakeDataverse,
    OrganizationRequest,
    UpdateRequest,
)
from fake_dataverse._webapi._http import HttpRequest

from .conftest import batch_body, changeset, request_part

TABLE = "backgroundoperation"
API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer t"}


def full_state(dv: FakeDataverse) -> tuple[Any, ...]:
    """Return everything a rolled-back unit must leave as it was."""
    store = dv.organization.store
    with store.lock:
        rows = sorted(
            (str(r.id), r.partition, sorted(r.values.items()), r.version, r.etag)
            for r in store.rows(TABLE)
        )
        index = [(str(r.id), r.partition) for r in store.ordered_rows(TABLE)]
        changes = list(store.changes_since(TABLE, 0))
        return rows, index, store.last_version, changes


def _boom(inputs: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("the custom API crashed")


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake with atomic change sets, two rows and a custom API that crashes."""
    fake = FakeDataverse(atomic_changesets=True)
    fake.background.register("sample_Boom", _boom)
    for name in ("kept", "to delete"):
        fake.service.create(Entity(TABLE, name=name))
    return fake


def _ids(dv: FakeDataverse) -> dict[str, uuid.UUID]:
    return {str(row["name"]): row.id for row in dv.rows()}


def _delta(dv: FakeDataverse) -> str:
    """Return the delta link of a change-tracking read of every row."""
    response = dv.handle(
        HttpRequest(
            "GET",
            f"{API}/backgroundoperations?$select=name",
            {**AUTH, "Prefer": "odata.track-changes"},
        )
    )
    assert response.status == 200
    link: str = json.loads(response.body)["@odata.deltaLink"]
    return link


def _changes_since(dv: FakeDataverse, link: str) -> Any:
    response = dv.handle(HttpRequest("GET", link, AUTH))
    body = json.loads(response.body)
    return response.status, body["value"], body["@odata.deltaLink"]


def _batch(dv: FakeDataverse, *parts: str) -> HttpRequest:
    headers = {**AUTH, "Content-Type": "multipart/mixed;boundary=batch_1"}
    return HttpRequest("POST", f"{API}/$batch", headers, batch_body(changeset(*parts)).encode())


def _writes(ids: dict[str, uuid.UUID]) -> list[str]:
    return [
        request_part("POST", "backgroundoperations", {"name": "new"}, content_id="1"),
        request_part("PATCH", f"backgroundoperations({ids['kept']})", {"name": "renamed"}),
        request_part("DELETE", f"backgroundoperations({ids['to delete']})"),
        request_part("PATCH", "$1", {"name": "new", "displayname": "through the reference"}),
    ]


class TestAtomicChangeSets:
    def test_the_writes_alone_succeed(self, dv: FakeDataverse) -> None:
        """The change set's writes are valid: without the failing request all of them stay."""
        response = dv.handle(_batch(dv, *_writes(_ids(dv))))
        assert response.status == 200
        names = sorted(str(row["name"]) for row in dv.rows())
        assert names == ["new", "renamed"]

    def test_a_crashing_inner_request_rolls_back(self, dv: FakeDataverse) -> None:
        """A Python exception in the change set's last request undoes its create, update and
        delete, then surfaces."""
        link = _delta(dv)
        before, changes_before = full_state(dv), _changes_since(dv, link)
        request = _batch(dv, *_writes(_ids(dv)), request_part("POST", "sample_Boom", {}))
        with pytest.raises(RuntimeError, match="crashed"):
            dv.handle(request)
        assert before == full_state(dv)
        assert changes_before == _changes_since(dv, link)

    def test_a_fault_rolls_back_every_kind_of_write(self, dv: FakeDataverse) -> None:
        """A Dataverse fault after a create, an update and a delete undoes all three."""
        link = _delta(dv)
        before, changes_before = full_state(dv), _changes_since(dv, link)
        bad = request_part("POST", "backgroundoperations", {"priority": 99})
        response = dv.handle(_batch(dv, *_writes(_ids(dv)), bad))
        assert response.status == 400
        assert before == full_state(dv)
        assert changes_before == _changes_since(dv, link)

    def test_the_fake_works_on_after_a_rollback(self, dv: FakeDataverse) -> None:
        """After a rollback new writes are stored, indexed and tracked as usual."""
        link = _delta(dv)
        with pytest.raises(RuntimeError):
            dv.handle(_batch(dv, *_writes(_ids(dv)), request_part("POST", "sample_Boom", {})))
        created = dv.service.create(Entity(TABLE, name="after"))
        names = sorted(str(row["name"]) for row in dv.rows())
        assert names == ["after", "kept", "to delete"]
        assert created in [uuid.UUID(i) for i, _ in full_state(dv)[1]]
        status, changes, _ = _changes_since(dv, link)
        assert (status, [c["name"] for c in changes]) == (200, ["after"])


class TestExecuteTransaction:
    def _requests(self, dv: FakeDataverse) -> list[OrganizationRequest]:
        ids = _ids(dv)
        return [
            CreateRequest(target=Entity(TABLE, name="new")),
            UpdateRequest(target=Entity(TABLE, ids["kept"], name="renamed")),
            DeleteRequest(target=EntityReference(TABLE, ids["to delete"])),
        ]

    def test_a_crashing_item_rolls_back(self, dv: FakeDataverse) -> None:
        """A Python exception in an item undoes the items before it, then surfaces."""
        before = full_state(dv)
        items = [*self._requests(dv), OrganizationRequest("sample_Boom", {})]
        with pytest.raises(RuntimeError, match="crashed"):
            dv.service.execute(ExecuteTransactionRequest(requests=items))
        assert before == full_state(dv)

    def test_a_faulted_item_rolls_back(self, dv: FakeDataverse) -> None:
        """A Dataverse fault in an item undoes the items before it."""
        before = full_state(dv)
        bad = CreateRequest(target=Entity(TABLE, priority=99))
        items = [*self._requests(dv), bad]
        with pytest.raises(DataverseError) as raised:
            dv.service.execute(ExecuteTransactionRequest(requests=items))
        assert raised.value.hex_code == "0x8004432f"
        assert before == full_state(dv)
        kept = dv.service.retrieve(TABLE, _ids(dv)["kept"], ColumnSet("name"))
        assert kept["name"] == "kept"
