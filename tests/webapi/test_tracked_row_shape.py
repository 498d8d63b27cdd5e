"""Tracked reads (``Prefer: odata.track-changes``, delta links) shape rows like queries."""

from __future__ import annotations

from .conftest import Api

TRACK = {"Prefer": "odata.track-changes"}


class TestTrackedRows:
    def test_initial_read_returns_the_key_and_selected_columns_only(self, api: Api) -> None:
        """Initial tracked read with ``$select``: no unselected version or partition."""
        api.create(name="a", partitionid="P1")
        response = api.get("backgroundoperations?$select=name", headers=TRACK)
        assert response.status_code == 200
        assert response.headers["Preference-Applied"] == "odata.track-changes"
        (row,) = response.json()["value"]
        assert set(row) == {"@odata.etag", "backgroundoperationid", "name"}
        (stored,) = api.dv.organization.store.rows("backgroundoperation")
        assert row["@odata.etag"] == stored.etag

    def test_delta_read_returns_the_key_and_selected_columns_only(self, api: Api) -> None:
        """A delta link's changed row carries the key, the selected columns (nulls too), no more."""
        row_id = api.create(name="a")
        link = api.get("backgroundoperations?$select=name,retrycount", headers=TRACK).json()[
            "@odata.deltaLink"
        ]
        api.patch(f"backgroundoperations({row_id})", json={"priority": 4})
        body = api.get(link).json()
        assert body["@odata.context"].endswith("#backgroundoperations(name,retrycount)/$delta")
        (row,) = body["value"]
        assert row == {
            "@odata.etag": row["@odata.etag"],
            "backgroundoperationid": row_id,
            "name": None,
            "retrycount": None,
        }

    def test_without_select_every_column_is_returned(self, api: Api) -> None:
        """Without ``$select`` a tracked row carries every column, as a plain query does."""
        api.create(name="a")
        plain = api.get("backgroundoperations").json()["value"][0]
        tracked = api.get("backgroundoperations", headers=TRACK).json()["value"][0]
        assert tracked == plain
