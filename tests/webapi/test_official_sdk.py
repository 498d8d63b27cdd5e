"""Microsoft's official Python SDK (powerplatform-dataverse-client), unmodified, on the fake."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fake_dataverse import FakeDataverse

client_module = pytest.importorskip("PowerPlatform.Dataverse.client")
credentials = pytest.importorskip("azure.core.credentials")


class StandInCredential:
    """A TokenCredential that hands out a dummy bearer token (the fake accepts any)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return credentials.AccessToken("stand-in-token", int(time.time()) + 3600)


@pytest.fixture
def client() -> Any:
    """A DataverseClient whose requests reach a fresh fake."""
    dv = FakeDataverse()
    with dv.intercept(), client_module.DataverseClient(dv.url, StandInCredential()) as sdk:
        sdk.fake = dv
        yield sdk


class TestOfficialSdk:
    def test_create_retrieve_update_delete(self, client: Any) -> None:
        """records.create/retrieve/update/delete round-trip through the Web API."""
        row_id = client.records.create("backgroundoperation", {"name": "export", "priority": 3})
        record = client.records.retrieve("backgroundoperation", row_id, select=["name", "priority"])
        assert (record["name"], record["priority"]) == ("export", 3)
        client.records.update("backgroundoperation", row_id, {"retrycount": 2})
        assert client.fake.rows()[0]["retrycount"] == 2
        client.records.delete("backgroundoperation", row_id)
        assert client.fake.rows() == []

    def test_bulk_create_and_paged_query(self, client: Any) -> None:
        """records.create with a list (CreateMultiple); list_pages with filter/orderby/paging."""
        ids = client.records.create(
            "backgroundoperation", [{"name": f"op{i}", "priority": i} for i in range(5)]
        )
        assert len(ids) == 5
        assert {str(r.id) for r in client.fake.rows()} == set(ids)
        pages = client.records.list_pages(
            "backgroundoperation",
            select=["name", "priority"],
            filter="priority ge 1",
            orderby=["name desc"],
            page_size=2,
        )
        names = [[record["name"] for record in page] for page in pages]
        assert names == [["op4", "op3"], ["op2", "op1"]]

    def test_top_limits_the_rows(self, client: Any) -> None:
        """list with top returns at most that many rows."""
        client.records.create("backgroundoperation", [{"name": f"op{i}"} for i in range(4)])
        rows = list(client.records.list("backgroundoperation", select=["name"], top=3))
        assert len(rows) == 3

    def test_errors_surface_as_sdk_http_errors(self, client: Any) -> None:
        """A Dataverse error reaches the SDK as its HttpError with the status code."""
        errors = pytest.importorskip("PowerPlatform.Dataverse.core.errors")
        with pytest.raises(errors.HttpError) as caught:
            client.records.create("backgroundoperation", {"priority": 99})
        assert caught.value.status_code == 400
        assert client.fake.rows() == []

    def test_batch_with_a_changeset(self, client: Any) -> None:
        """client.batch: a create, a change set and a query in one $batch request."""
        batch = client.batch.new()
        batch.records.create("backgroundoperation", {"name": "in-batch"})
        with batch.changeset() as changeset:
            changeset.records.create("backgroundoperation", {"name": "in-changeset"})
        batch.records.list("backgroundoperation", select=["name"])
        result = batch.execute()
        assert [r.status_code for r in result.responses] == [204, 204, 200]
        names = [row["name"] for row in result.responses[2].data["value"]]
        assert sorted(names) == ["in-batch", "in-changeset"]
        assert sorted(r["name"] for r in client.fake.rows()) == ["in-batch", "in-changeset"]
