"""WhoAmI on the SDK surface."""

from __future__ import annotations

from fake_dataverse import FakeDataverse, WhoAmIRequest, WhoAmIResponse


class TestWhoAmI:
    def test_caller_business_unit_and_organization(self, dv: FakeDataverse) -> None:
        """WhoAmI names the caller; business unit and organization ids are stable."""
        response = dv.service.execute(WhoAmIRequest())
        assert isinstance(response, WhoAmIResponse)
        assert dv.admin_id == response.user_id
        other = FakeDataverse(dv.url).service.execute(WhoAmIRequest())
        assert isinstance(other, WhoAmIResponse)
        assert (response.business_unit_id, response.organization_id) == (
            other.business_unit_id, other.organization_id)

    def test_impersonated_user(self, dv: FakeDataverse) -> None:
        """Under impersonation WhoAmI answers the impersonated user."""
        user = dv.add_user("Ivy Impersonated")
        response = dv.service.impersonate(user).execute(WhoAmIRequest())
        assert isinstance(response, WhoAmIResponse)
        assert user == response.user_id
