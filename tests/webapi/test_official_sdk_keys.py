"""Microsoft's official Python SDK, unmodified, upserting by the elastic key and an alternate key.

``records.upsert`` writes every text key value quoted, a GUID among them
(``backgroundoperations(backgroundoperationid='<guid>',partitionid='p1')``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from fake_dataverse import FakeDataverse

client_module = pytest.importorskip("PowerPlatform.Dataverse.client")
credentials = pytest.importorskip("azure.core.credentials")

TASK_TABLE: dict[str, Any] = {
    "logical_name": "contoso_task",
    "entity_set_name": "contoso_tasks",
    "primary_id_attribute": "contoso_taskid",
    "primary_name_attribute": "contoso_name",
    "messages": ["Create", "Retrieve", "RetrieveMultiple", "Update", "Upsert", "UpsertMultiple",
                 "Delete"],
    "keys": [{"schema_name": "contoso_code_key", "key_attributes": ["contoso_code"]}],
    "attributes": [
        {"logical_name": "contoso_taskid", "type": "Uniqueidentifier", "valid_for_update": False},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
        {"logical_name": "contoso_code", "type": "String", "max_length": 20},
    ],
}


class StandInCredential:
    """A TokenCredential that hands out a dummy bearer token (the fake accepts any)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return credentials.AccessToken("stand-in-token", int(time.time()) + 3600)


@pytest.fixture
def dv() -> FakeDataverse:
    return FakeDataverse(tables=[TASK_TABLE])


@pytest.fixture
def client(dv: FakeDataverse) -> Iterator[Any]:
    """A DataverseClient whose requests reach the fake."""
    with dv.intercept(), client_module.DataverseClient(dv.url, StandInCredential()) as sdk:
        yield sdk


class TestUpsertByKey:
    def test_upsert_by_the_elastic_key_with_a_quoted_guid(
        self, client: Any, dv: FakeDataverse
    ) -> None:
        """records.upsert by (id, partitionid) creates, then updates, that row in p1."""
        row_id = str(uuid.uuid4())
        key = {"backgroundoperationid": row_id, "partitionid": "p1"}
        client.records.upsert("backgroundoperation", [
            {"alternate_key": key, "record": {"name": "first"}}])
        client.records.upsert("backgroundoperation", [
            {"alternate_key": key, "record": {"name": "second"}}])
        rows = dv.rows()
        assert [(row_id, "p1", "second")] == [
            (str(row.id), row["partitionid"], row["name"]) for row in rows]

    def test_upsert_by_an_alternate_key(self, client: Any, dv: FakeDataverse) -> None:
        """records.upsert by a custom table's key creates the row, then updates the same row."""
        client.records.upsert("contoso_task", [
            {"alternate_key": {"contoso_code": "A1"}, "record": {"contoso_name": "made"}}])
        client.records.upsert("contoso_task", [
            {"alternate_key": {"contoso_code": "a1"}, "record": {"contoso_name": "changed"}}])
        rows = dv.rows("contoso_task")
        assert [("A1", "changed")] == [(r["contoso_code"], r["contoso_name"]) for r in rows]

    def test_upsert_of_several_items_by_alternate_key(
        self, client: Any, dv: FakeDataverse
    ) -> None:
        """Several items go as UpsertMultiple with @odata.id keys: each row updated or made."""
        client.records.upsert("contoso_task", [
            {"alternate_key": {"contoso_code": "A1"}, "record": {"contoso_name": "one"}}])
        client.records.upsert("contoso_task", [
            {"alternate_key": {"contoso_code": "A1"}, "record": {"contoso_name": "one again"}},
            {"alternate_key": {"contoso_code": "B2"}, "record": {"contoso_name": "two"}},
        ])
        rows = sorted((r["contoso_code"], r["contoso_name"]) for r in dv.rows("contoso_task"))
        assert [("A1", "one again"), ("B2", "two")] == rows

    def test_upsert_of_several_items_by_the_elastic_key(
        self, client: Any, dv: FakeDataverse
    ) -> None:
        """UpsertMultiple with quoted GUIDs in @odata.id keys lands each row in its partition."""
        ids = [str(uuid.uuid4()) for _ in range(2)]
        client.records.upsert("backgroundoperation", [
            {"alternate_key": {"backgroundoperationid": row_id, "partitionid": "p1"},
             "record": {"name": f"op{n}"}} for n, row_id in enumerate(ids)])
        rows = sorted((str(r.id), r["partitionid"], r["name"]) for r in dv.rows())
        assert sorted((row_id, "p1", f"op{n}") for n, row_id in enumerate(ids)) == rows
