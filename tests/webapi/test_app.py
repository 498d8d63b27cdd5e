"""The application layer: authentication, callers and privileges, routing faults, error bodies."""

from __future__ import annotations

import pytest
import requests

from fake_dataverse import FakeDataverse
from fake_dataverse._webapi._http import HttpRequest

from .conftest import Api, error_of

ROW = "11111111-2222-4333-8444-555555555555"


class TestAuthentication:
    @pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer"])
    def test_requests_without_a_bearer_token_are_401(
        self, api: Api, unchanged, header: str | None
    ) -> None:
        """401 with a WWW-Authenticate challenge; nothing is written."""
        headers = {"Authorization": header} if header is not None else {}
        api.session.headers.pop("Authorization")
        with unchanged():
            response = api.post("backgroundoperations", json={"name": "a"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith(
            "Bearer authorization_uri=https://login.microsoftonline.com/"
        )

    def test_require_auth_false_accepts_anonymous_requests(self) -> None:
        """require_auth=False: no token needed."""
        dv = FakeDataverse(require_auth=False)
        with dv.intercept():
            response = requests.post(
                f"{dv.url}/api/data/v9.2/backgroundoperations", json={"name": "a"}
            )
        assert response.status_code == 204


class TestCallers:
    def test_mscrmcallerid_sets_createdby_and_onbehalfof(self, api: Api) -> None:
        """MSCRMCallerID: createdby is that user, createdonbehalfby the caller."""
        user = api.dv.add_user("Ann Operator")
        api.post("backgroundoperations", json={"name": "a"}, headers={"MSCRMCallerID": str(user)})
        row = api.dv.rows()[0]
        assert row["createdby"].id == user
        assert row["createdonbehalfby"].id == api.dv.admin_id

    def test_callerobjectid_selects_the_user_by_entra_object_id(self, api: Api) -> None:
        """CallerObjectId names the user by Microsoft Entra object id."""
        user = api.dv.add_user("Ann Operator")
        object_id = api.dv.organization.users[user].azure_object_id
        api.post(
            "backgroundoperations", json={"name": "a"}, headers={"CallerObjectId": str(object_id)}
        )
        assert api.dv.rows()[0]["createdby"].id == user

    @pytest.mark.parametrize("value", ["", "not-a-guid", "00000000-0000-0000-0000-000000000000"])
    def test_invalid_caller_id_is_400(self, api: Api, unchanged, value: str) -> None:
        """An empty or malformed caller id: 400 0x80048d1a."""
        with unchanged():
            response = api.post(
                "backgroundoperations", json={"name": "a"}, headers={"MSCRMCallerID": value}
            )
        assert error_of(response)[:2] == (400, "0x80048d1a")

    def test_unknown_caller_is_404(self, api: Api, unchanged) -> None:
        """A caller id the organization does not have: 404 0x80040217."""
        with unchanged():
            response = api.post(
                "backgroundoperations", json={"name": "a"}, headers={"MSCRMCallerID": ROW}
            )
        assert error_of(response)[:2] == (404, "0x80040217")

    def test_missing_privilege_is_403(self, api: Api, unchanged) -> None:
        """a user without prvCreatebackgroundoperation gets 403 0x80040220."""
        reader = api.dv.add_user("Reader", privileges=["prvReadbackgroundoperation"])
        with unchanged():
            response = api.post(
                "backgroundoperations", json={"name": "a"}, headers={"MSCRMCallerID": str(reader)}
            )
        status, code, message = error_of(response)
        assert (status, code) == (403, "0x80040220")
        assert f"Principal user (Id={reader}, type=8) is missing prvCreatebackgroundoperation" in (
            message
        )


class TestRouting:
    @pytest.mark.parametrize(
        ("path", "segment"),
        [
            ("accounts", "accounts"),
            ("Backgroundoperations", "Backgroundoperations"),
            (f"backgroundoperations({ROW})/a/b/c", "a"),
        ],
    )
    def test_unknown_segments_are_404(self, api: Api, path: str, segment: str) -> None:
        """An unknown segment: 404 0x8006088a "Resource not found for the segment '…'."."""
        assert error_of(api.get(path)) == (
            404,
            "0x8006088a",
            f"Resource not found for the segment '{segment}'.",
        )

    def test_urls_off_the_api_root_are_json_404(self, api: Api) -> None:
        """A URL on the org host outside the API still gets a JSON 404, not a connection error."""
        response = api.get(f"{api.dv.url}/WebResources/x.js")
        assert error_of(response)[:2] == (404, "0x8006088a")

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("PUT", f"backgroundoperations({ROW})"),
            ("DELETE", "backgroundoperations"),
            ("PATCH", "backgroundoperations"),
            ("POST", f"backgroundoperations({ROW})"),
        ],
    )
    def test_wrong_methods_are_405(self, api: Api, unchanged, method: str, path: str) -> None:
        """A method the resource does not take: 405 naming the method."""
        with unchanged():
            response = api.request(method, path, json={})
        assert error_of(response) == (
            405,
            "0x80060888",
            f"The requested resource does not support http method '{method}'.",
        )

    def test_handle_is_transport_free(self) -> None:
        """dv.handle answers an HttpRequest without any interception."""
        dv = FakeDataverse()
        response = dv.handle(
            HttpRequest(
                "POST",
                f"{dv.url}/api/data/v9.2/backgroundoperations",
                {"Authorization": "Bearer t", "Content-Type": "application/json"},
                b'{"name":"a"}',
            )
        )
        assert response.status == 204
        assert [r["name"] for r in dv.rows()] == ["a"]


class TestErrorAnnotations:
    def test_error_details_need_the_prefer_header(self, api: Api) -> None:
        """Error extras appear only with odata.include-annotations covering them."""
        plain = api.get(f"backgroundoperations({ROW})").json()["error"]
        assert set(plain) == {"code", "message"}
        annotated = api.get(
            f"backgroundoperations({ROW})",
            headers={"Prefer": 'odata.include-annotations="*"'},
        ).json()["error"]
        assert annotated["@Microsoft.PowerApps.CDS.InnerError.Message"] == annotated["message"]
        assert "0x80048d02".removeprefix("0x") in annotated["@Microsoft.PowerApps.CDS.HelpLink"]


class TestServiceProtection:
    def test_throttled_request_is_429_with_retry_after(self, api: Api, unchanged) -> None:
        """#28: an injected throttle answers 429, Retry-After in seconds, nothing written."""
        api.dv.faults.throttle(retry_after=2.5)
        with unchanged():
            response = api.post(
                "backgroundoperations",
                json={"name": "a"},
                headers={"Prefer": 'odata.include-annotations="*"'},
            )
        status, code, _ = error_of(response)
        assert (status, code) == (429, "0x80072322")
        assert response.headers["Retry-After"] == "3"
        error = response.json()["error"]
        assert error["@Microsoft.PowerApps.CDS.ErrorDetails.Retry-After"] == "00:00:02.5000000"


class TestBatchRoute:
    def test_batch_requests_run_with_the_outer_caller(self, api: Api) -> None:
        """POST $batch reaches the batch handler; inner requests use the outer auth."""
        body = (
            "--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            f"\r\nPOST {api.root}backgroundoperations HTTP/1.1\r\n"
            'Content-Type: application/json\r\n\r\n{"name":"x"}\r\n--batch_1--\r\n'
        )
        response = api.post(
            "$batch", data=body, headers={"Content-Type": "multipart/mixed;boundary=batch_1"}
        )
        assert response.status_code == 200
        assert "HTTP/1.1 204 No Content" in response.text
        assert [r["name"] for r in api.dv.rows()] == ["x"]


class TestFaultCatalogue:
    @pytest.mark.parametrize(
        ("method", "path", "body", "headers", "status", "code"),
        [
            (
                "POST",
                "backgroundoperations",
                {"overriddencreatedon": "1700-01-01T00:00:00Z"},
                {},
                400,
                "0x80040239",
            ),
            (
                "POST",
                "backgroundoperations",
                {"overriddencreatedon": "2023-02-30T00:00:00Z"},
                {},
                400,
                "0x80048d19",
            ),
            ("POST", "systemusers", {"lastname": "x"}, {}, 405, "0x80040315"),
            ("GET", "backgroundoperations?$orderby=_createdby_value", None, {}, 400, "0x80044183"),
            (
                "PATCH",
                f"backgroundoperations({ROW})",
                {"priority": 1},
                {"If-Match": 'W/"stale"'},
                404,
                "0x80048d02",
            ),
        ],
    )
    def test_faults_over_http(
        self,
        api: Api,
        unchanged,
        method: str,
        path: str,
        body: object,
        headers: dict[str, str],
        status: int,
        code: str,
    ) -> None:
        """Catalogue faults reached over HTTP carry their status and code; nothing is written."""
        with unchanged():
            response = api.request(method, path, json=body, headers=headers)
        assert error_of(response)[:2] == (status, code)


class TestBackgroundRouting:
    def test_custom_api_and_status_monitor_reach_the_background_module(self, api: Api) -> None:
        """POST /<custom api> with respond-async answers 202; the Location is pollable."""
        pytest.importorskip("fake_dataverse._webapi._background")
        api.dv.background.register("sample_Export", lambda ctx, params: {"Done": True})
        response = api.post("sample_Export", json={}, headers={"Prefer": "respond-async"})
        assert response.status_code == 202
        poll = api.get(response.headers["Location"])
        assert poll.status_code == 200
        assert poll.json()["backgroundOperationStateCode"] == 0

    def test_unknown_operation_is_still_404(self, api: Api) -> None:
        """A name that is neither an entity set nor an operation: 404 for the segment."""
        assert error_of(api.post("sample_Nope", json={}))[:2] == (404, "0x8006088a")
