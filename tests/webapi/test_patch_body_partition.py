"""A PATCH whose body names the ``partitionid`` addresses the row in that partition."""

from __future__ import annotations

from ..traces import store_state
from .conftest import Api

ROW = "00000000-0000-4000-8000-0000000000a1"
KEYED = f"backgroundoperations(backgroundoperationid={ROW},partitionid='PX')"


class TestBodyPartition:
    def test_upsert_create_names_the_row_by_its_alternate_key(self, api: Api) -> None:
        """PATCH (id) creating a row in partition PX: 204 and ``OData-EntityId`` with the key
        form that reads the row back."""
        response = api.patch(
            f"backgroundoperations({ROW})", json={"name": "x", "partitionid": "PX"}
        )
        assert response.status_code == 204
        assert response.headers["OData-EntityId"] == api.root + KEYED
        assert "x-ms-session-token" in response.headers
        assert api.get(response.headers["OData-EntityId"]).json()["name"] == "x"

    def test_upsert_create_with_representation_answers_201(self, api: Api) -> None:
        """PATCH (id) + return=representation creating in partition PX: 201 with the new row."""
        response = api.patch(
            f"backgroundoperations({ROW})",
            json={"name": "x", "partitionid": "PX"},
            headers={"Prefer": "return=representation"},
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["backgroundoperationid"], body["partitionid"]) == (ROW, "PX")
        (row,) = api.dv.organization.store.rows("backgroundoperation")
        assert (row.partition, body["@odata.etag"]) == ("PX", row.etag)

    def test_update_finds_the_row_by_the_body_partition(self, api: Api) -> None:
        """PATCH (id) + If-Match: * with the body's partitionid updates that row: 204."""
        api.patch(KEYED, json={"name": "x"})
        response = api.patch(
            f"backgroundoperations({ROW})",
            json={"retrycount": 3, "partitionid": "PX"},
            headers={"If-Match": "*"},
        )
        assert response.status_code == 204
        assert response.headers["OData-EntityId"] == api.root + KEYED
        assert api.dv.rows()[0]["retrycount"] == 3

    def test_update_in_another_partition_is_not_found(self, api: Api) -> None:
        """PATCH (id) + If-Match: * naming another partition: 404, the store unchanged."""
        api.patch(KEYED, json={"name": "x"})
        before = store_state(api.dv)
        response = api.patch(
            f"backgroundoperations({ROW})",
            json={"retrycount": 3, "partitionid": "PY"},
            headers={"If-Match": "*"},
        )
        assert (response.status_code, response.json()["error"]["code"]) == (404, "0x80048d02")
        assert store_state(api.dv) == before
