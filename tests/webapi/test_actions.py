"""Bulk actions over HTTP: CreateMultiple, UpdateMultiple, UpsertMultiple, DeleteMultiple."""

from __future__ import annotations

import json

import pytest

from .conftest import TYPE, Api, error_of

ROW = "11111111-2222-4333-8444-555555555555"
ACTION = "backgroundoperations/Microsoft.Dynamics.CRM."


def targets(*rows: dict[str, object]) -> dict[str, object]:
    return {"Targets": [{"@odata.type": TYPE, **row} for row in rows]}


class TestCreateMultiple:
    def test_creates_every_target_and_returns_ids(self, api: Api) -> None:
        """200 with the CreateMultipleResponse context and the new ids in order."""
        response = api.post(ACTION + "CreateMultiple", json=targets({"name": "a"}, {"name": "b"}))
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse"
        )
        names = {str(r.id): r["name"] for r in api.dv.rows()}
        assert [names[i] for i in body["Ids"]] == ["a", "b"]
        assert "x-ms-session-token" in response.headers

    def test_missing_odata_type_fails_the_whole_request(self, api: Api, unchanged) -> None:
        """A target without @odata.type: 400 0x80048d19 before any write."""
        body = {"Targets": [{"@odata.type": TYPE, "name": "a"}, {"name": "b"}]}
        with unchanged():
            response = api.post(ACTION + "CreateMultiple", json=body)
        assert error_of(response)[:2] == (400, "0x80048d19")

    @pytest.mark.parametrize(
        "body",
        [
            {"Targets": []},
            {},
            {"Targets": 3},
            {"Targets": [], "Other": 1},
            {"Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.systemuser"}]},
        ],
    )
    def test_request_shape_errors_are_400(self, api: Api, unchanged, body: object) -> None:
        """Empty or malformed Targets, extra parameters, another table: 400, nothing written."""
        with unchanged():
            response = api.post(ACTION + "CreateMultiple", json=body)
        assert error_of(response)[0] == 400

    def test_partial_failure_keeps_the_good_rows(self, api: Api) -> None:
        """good targets stay; the first failure is the error; details on request."""
        response = api.post(
            ACTION + "CreateMultiple",
            json=targets({"name": "ok"}, {"priority": 99}),
            headers={"Prefer": "odata.include-annotations=Microsoft.PowerApps.CDS.ErrorDetails.*"},
        )
        status, code, _ = error_of(response)
        assert (status, code) == (400, "0x8004432f")
        assert [r["name"] for r in api.dv.rows()] == ["ok"]
        error = response.json()["error"]
        details = json.loads(
            error["@Microsoft.PowerApps.CDS.ErrorDetails.Plugin.BulkApiErrorDetails"]
        )
        assert [(d["RequestIndex"], d["StatusCode"]) for d in details] == [(0, 200), (1, 400)]
        assert details[0]["Id"] == str(api.dv.rows()[0].id)

    def test_bulk_details_are_absent_without_prefer(self, api: Api) -> None:
        """Without the Prefer header the error has only code and message."""
        response = api.post(ACTION + "CreateMultiple", json=targets({"priority": 99}))
        assert set(response.json()["error"]) == {"code", "message"}


class TestOtherActions:
    def test_update_multiple_is_204(self, api: Api) -> None:
        """UpdateMultiple: 204, the rows change."""
        row_id = api.create(name="a")
        response = api.post(
            ACTION + "UpdateMultiple",
            json=targets({"backgroundoperationid": row_id, "retrycount": 2}),
        )
        assert response.status_code == 204
        assert api.dv.rows()[0]["retrycount"] == 2

    def test_upsert_multiple_by_body_key_and_odata_id(self, api: Api) -> None:
        """UpsertMultiple: rows named by their key or by @odata.id are created or replaced."""
        response = api.post(
            ACTION + "UpsertMultiple",
            json=targets(
                {"backgroundoperationid": ROW, "name": "a"},
                {
                    "@odata.id": "backgroundoperations(22222222-2222-4333-8444-555555555555)",
                    "name": "b",
                },
            ),
        )
        assert response.status_code == 204
        assert sorted(r["name"] for r in api.dv.rows()) == ["a", "b"]

    def test_delete_multiple_is_204_without_session_token(self, api: Api) -> None:
        """DeleteMultiple: 204 without a session token; partitioned rows by partitionid."""
        api.post("backgroundoperations", json={"backgroundoperationid": ROW, "partitionid": "p"})
        other = api.create(name="x")
        response = api.post(
            ACTION + "DeleteMultiple",
            json=targets(
                {"backgroundoperationid": ROW, "partitionid": "p"}, {"backgroundoperationid": other}
            ),
        )
        assert response.status_code == 204
        assert "x-ms-session-token" not in response.headers
        assert api.dv.rows() == []

    def test_unknown_action_is_404(self, api: Api) -> None:
        """An action the service does not have: 404 for its segment."""
        response = api.post(ACTION + "Frobnicate", json={})
        assert error_of(response) == (
            404,
            "0x8006088a",
            "Resource not found for the segment 'Microsoft.Dynamics.CRM.Frobnicate'.",
        )

    def test_action_with_get_is_404_no_http_resource(self, api: Api) -> None:
        """An action called with GET: 404, code "", No HTTP resource was found…."""
        response = api.get(ACTION + "CreateMultiple")
        status, code, message = error_of(response)
        assert (status, code) == (404, "")
        assert message.startswith("No HTTP resource was found that matches the request URI")
