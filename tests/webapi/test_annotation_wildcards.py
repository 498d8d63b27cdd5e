"""``odata.include-annotations`` patterns ending in ``*`` select by prefix."""

from __future__ import annotations

import json

from ..traces import store_state
from .conftest import TYPE, Api

DETAILS = "@Microsoft.PowerApps.CDS.ErrorDetails.Plugin.BulkApiErrorDetails"
MICROSOFT_EXAMPLE = (
    'odata.include-annotations="OData.Community.Display.V1.FormattedValue,'
    'Microsoft.PowerApps.CDS.ErrorDetails*"'
)


class TestAnnotationWildcards:
    def test_error_details_wildcard_without_a_dot(self, api: Api) -> None:
        """``Microsoft.PowerApps.CDS.ErrorDetails*`` (Microsoft's example) brings the bulk
        error details; the failed request leaves the store as it was."""
        before = store_state(api.dv)
        missing = "00000000-0000-4000-8000-000000000009"
        response = api.post(
            "backgroundoperations/Microsoft.Dynamics.CRM.UpdateMultiple",
            json={"Targets": [{"@odata.type": TYPE, "backgroundoperationid": missing}]},
            headers={"Prefer": MICROSOFT_EXAMPLE},
        )
        assert response.status_code == 404
        error = response.json()["error"]
        assert json.loads(error[DETAILS]) == [{"RequestIndex": 0, "Id": missing, "StatusCode": 404}]
        assert "@Microsoft.PowerApps.CDS.HelpLink" not in error
        assert store_state(api.dv) == before

    def test_formatted_values_only(self, api: Api) -> None:
        """The same header on a read: formatted values, no lookup annotations."""
        row = api.create(name="a")
        response = api.get(f"backgroundoperations({row})", headers={"Prefer": MICROSOFT_EXAMPLE})
        body = response.json()
        assert body["backgroundoperationstatecode@OData.Community.Display.V1.FormattedValue"] == (
            "Ready"
        )
        assert "_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname" not in body
        assert response.headers["Preference-Applied"] == MICROSOFT_EXAMPLE

    def test_prefix_wildcard_on_a_namespace(self, api: Api) -> None:
        """``Microsoft.Dynamics.CRM*`` selects the lookup annotations, not formatted values."""
        row = api.create(name="a")
        prefer = 'odata.include-annotations="Microsoft.Dynamics.CRM*"'
        body = api.get(f"backgroundoperations({row})", headers={"Prefer": prefer}).json()
        assert body["_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "systemuser"
        assert not [k for k in body if k.endswith("FormattedValue")]
