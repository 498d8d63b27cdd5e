"""GET WhoAmI over HTTP."""

from __future__ import annotations

from fake_dataverse import FakeDataverse

from .conftest import Api


class TestWhoAmI:
    def test_answers_the_response_type(self, api: Api, dv: FakeDataverse) -> None:
        """GET WhoAmI (and WhoAmI()) answers 200 with UserId, BusinessUnitId, OrganizationId."""
        for path in ("WhoAmI", "WhoAmI()"):
            response = api.get(path)
            body = response.json()
            assert 200 == response.status_code
            assert response.headers["Content-Type"].startswith("application/json")
            assert f"{api.root}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse" == body[
                "@odata.context"]
            assert str(dv.admin_id) == body["UserId"]
            assert {"BusinessUnitId", "OrganizationId"} <= set(body)

    def test_caller_header(self, api: Api, dv: FakeDataverse) -> None:
        """With MSCRMCallerID the answer is the impersonated user."""
        user = dv.add_user("Cal Caller")
        assert str(user) == api.get("WhoAmI", headers={"MSCRMCallerID": str(user)}).json()[
            "UserId"]

    def test_other_methods(self, api: Api) -> None:
        """A function called with POST is 404 with code "" (no HTTP resource)."""
        response = api.post("WhoAmI", json={})
        assert (404, "") == (response.status_code, response.json()["error"]["code"])
