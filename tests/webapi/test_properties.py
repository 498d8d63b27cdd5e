"""Single properties over HTTP: read, set, null, raw values, and lookups' related rows."""

from __future__ import annotations

from .conftest import Api, error_of


class TestSingleProperty:
    def test_get_property_returns_value_and_context(self, api: Api) -> None:
        """GET …(id)/name: {"@odata.context": …/name, "value": …}."""
        row_id = api.create(name="export")
        body = api.get(f"backgroundoperations({row_id})/name").json()
        assert body == {
            "@odata.context": f"{api.root}$metadata#backgroundoperations({row_id})/name",
            "value": "export",
        }

    def test_null_property_is_204(self, api: Api) -> None:
        """A null property answers 204 No Content."""
        row_id = api.create(name="export")
        assert api.get(f"backgroundoperations({row_id})/displayname").status_code == 204

    def test_put_and_delete_property(self, api: Api) -> None:
        """PUT {"value": …} sets one column; DELETE nulls it; both 204."""
        row_id = api.create(name="export")
        put = api.put(f"backgroundoperations({row_id})/retrycount", json={"value": 5})
        assert put.status_code == 204
        assert api.dv.rows()[0]["retrycount"] == 5
        assert api.delete(f"backgroundoperations({row_id})/retrycount").status_code == 204
        assert api.dv.rows()[0]["retrycount"] is None

    def test_unknown_property_is_400_and_bad_put_unchanged(self, api: Api, unchanged) -> None:
        """An unknown property: 404 for its segment; a PUT of a wrong type changes nothing."""
        row_id = api.create(name="export")
        assert error_of(api.get(f"backgroundoperations({row_id})/nosuch")) == (
            404,
            "0x8006088a",
            "Resource not found for the segment 'nosuch'.",
        )
        with unchanged():
            response = api.put(f"backgroundoperations({row_id})/retrycount", json=[1])
        assert error_of(response)[:2] == (400, "0x80048d19")
        with unchanged():
            response = api.put(f"backgroundoperations({row_id})/retrycount", json={"value": "x"})
        assert error_of(response)[:2] == (400, "0x80048d19")

    def test_raw_value(self, api: Api) -> None:
        """GET …/name/$value: the raw text."""
        row_id = api.create(name="export")
        response = api.get(f"backgroundoperations({row_id})/name/$value")
        assert (response.status_code, response.text) == (200, "export")


class TestRelatedRow:
    def test_lookup_navigation_returns_the_user(self, api: Api) -> None:
        """GET …(id)/createdby: the systemuser row, with $select."""
        row_id = api.create(name="export")
        body = api.get(f"backgroundoperations({row_id})/createdby?$select=fullname").json()
        assert body["@odata.context"].endswith("#systemusers(fullname)/$entity")
        assert body["fullname"] == "System Administrator"
        assert body["systemuserid"] == str(api.dv.admin_id)

    def test_null_lookup_is_204(self, api: Api) -> None:
        """A lookup with no value (createdonbehalfby) answers 204."""
        row_id = api.create(name="export")
        assert api.get(f"backgroundoperations({row_id})/createdonbehalfby").status_code == 204
