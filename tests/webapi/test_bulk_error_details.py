"""Bulk actions report each target's own id in ``Plugin.BulkApiErrorDetails``."""

from __future__ import annotations

import json

from .conftest import TYPE, Api, error_of

MISSING = "00000000-0000-4000-8000-000000000009"
DETAILS = "@Microsoft.PowerApps.CDS.ErrorDetails.Plugin.BulkApiErrorDetails"


class TestBulkErrorDetails:
    def test_update_multiple_names_the_missing_target_by_its_id(self, api: Api) -> None:
        """UpdateMultiple, one good and one missing target: the good one is applied, the
        failure is 404 and its detail carries the id the body gave, not the empty GUID."""
        row_id = api.create(name="a")
        before = api.dv.rows()
        response = api.post(
            "backgroundoperations/Microsoft.Dynamics.CRM.UpdateMultiple",
            json={
                "Targets": [
                    {"@odata.type": TYPE, "backgroundoperationid": row_id, "retrycount": 2},
                    {"@odata.type": TYPE, "backgroundoperationid": MISSING, "retrycount": 2},
                ]
            },
            headers={"Prefer": "odata.include-annotations=*"},
        )
        status, code, _ = error_of(response)
        assert (status, code) == (404, "0x80048d02")
        details = json.loads(response.json()["error"][DETAILS])
        assert details == [
            {"RequestIndex": 0, "Id": row_id, "StatusCode": 200},
            {"RequestIndex": 1, "Id": MISSING, "StatusCode": 404},
        ]
        (after,) = api.dv.rows()
        assert after["retrycount"] == 2 and before[0]["retrycount"] is None
        assert "x-ms-session-token" not in response.headers

    def test_create_multiple_duplicate_reports_the_duplicate_id(self, api: Api) -> None:
        """CreateMultiple repeating an existing id: 412 0x80040237, the detail names that id."""
        row_id = api.create(name="a")
        response = api.post(
            "backgroundoperations/Microsoft.Dynamics.CRM.CreateMultiple",
            json={"Targets": [{"@odata.type": TYPE, "backgroundoperationid": row_id}]},
            headers={"Prefer": "odata.include-annotations=*"},
        )
        assert error_of(response)[:2] == (412, "0x80040237")
        details = json.loads(response.json()["error"][DETAILS])
        assert details == [{"RequestIndex": 0, "Id": row_id, "StatusCode": 412}]
        assert len(api.dv.rows()) == 1
