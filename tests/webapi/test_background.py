"""Background operations over HTTP: ``Prefer: respond-async`` and the status monitor."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from fake_dataverse import DataverseError, FakeDataverse

from ..traces import store_state
from .conftest import Api

API = "sample_ExportDataUsingFetchXmlToAnnotation"


def _export(inputs: dict[str, Any]) -> dict[str, Any]:
    if inputs.get("FetchXml") == "bad":
        raise DataverseError("Access is denied.")
    return {"AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"}


@pytest.fixture(autouse=True)
def _custom_api(dv: FakeDataverse) -> None:
    dv.background.register(API, _export)


def _start(api: Api, fetch: str = "<fetch/>", prefer: str = "respond-async") -> str:
    response = api.post(API, json={"FetchXml": fetch}, headers={"Prefer": prefer})
    assert 202 == response.status_code, response.text
    return response.headers["x-ms-dyn-backgroundoperationid"]


class TestRespondAsync:
    def test_accepted_with_status_monitor_location(self, api: Api, dv: FakeDataverse) -> None:
        """respond-async answers 202 with Location, the operation id and Preference-Applied."""
        response = api.post(API, json={"FetchXml": "<fetch/>"}, headers={"Prefer": "respond-async"})
        op = response.headers["x-ms-dyn-backgroundoperationid"]
        assert 202 == response.status_code
        assert f"{dv.url}/api/backgroundoperation/{op}" == response.headers["Location"]
        assert "respond-async" == response.headers["Preference-Applied"]
        assert b"" == response.content
        assert [op] == [str(i) for i in dv.background.pending()]

    def test_with_callback(self, api: Api, dv: FakeDataverse) -> None:
        """With odata.callback the body names the operation and its status monitor."""
        prefer = 'respond-async, odata.callback; url="https://hooks.example/done"'
        response = api.post(API, json={"FetchXml": "<fetch/>"}, headers={"Prefer": prefer})
        op = response.headers["x-ms-dyn-backgroundoperationid"]
        assert (202, "callback") == (response.status_code, response.headers["Preference-Applied"])
        assert {
            "backgroundOperationId": op,
            "location": f"{dv.url}/api/backgroundoperation/{op}",
        } == response.json()
        dv.background.run_all()
        assert "https://hooks.example/done" == dv.background.callbacks[0].url

    def test_without_respond_async_runs_at_once(self, api: Api) -> None:
        """Without the preference the custom API answers its outputs directly."""
        response = api.post(API, json={"FetchXml": "<fetch/>"})
        assert 200 == response.status_code
        assert "bb26025c-cbe6-ed11-a7c6-000d3a9933c9" == response.json()["AnnotationId"]

    def test_unknown_operation_is_not_found(self, api: Api) -> None:
        """A name that is neither a table nor a custom API is 404 0x8006088a."""
        response = api.post("sample_Missing", json={}, headers={"Prefer": "respond-async"})
        assert (404, "0x8006088a") == (response.status_code, response.json()["error"]["code"])


class TestStatusMonitor:
    def test_poll_until_succeeded(self, api: Api, dv: FakeDataverse) -> None:
        """GET shows the state/status as it moves; on success the outputs are flattened in."""
        op = _start(api)
        monitor = f"{dv.url}/api/backgroundoperation/{op}"
        first = api.get(monitor)
        assert (200, {"backgroundOperationStateCode": 0, "backgroundOperationStatusCode": 0}) == (
            first.status_code,
            first.json(),
        )
        assert first.headers["Content-Type"].startswith("application/json")
        dv.background.start()
        assert 20 == api.get(monitor).json()["backgroundOperationStatusCode"]
        dv.background.finish()
        assert {
            "backgroundOperationStateCode": 3,
            "backgroundOperationStatusCode": 30,
            "AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9",
        } == api.get(monitor).json()

    def test_failure_shows_the_error(self, api: Api, dv: FakeDataverse) -> None:
        """A failed operation shows its error code and message, no outputs."""
        op = _start(api, fetch="bad")
        dv.background.run_all()
        body = api.get(f"{dv.url}/api/backgroundoperation/{op}").json()
        assert (31, "Access is denied.") == (
            body["backgroundOperationStatusCode"],
            body["backgroundOperationErrorMessage"],
        )

    def test_delete_cancels(self, api: Api, dv: FakeDataverse) -> None:
        """DELETE asks to cancel: 200 with 2/22; the operation then ends Canceled, never run."""
        op = _start(api)
        response = api.delete(f"{dv.url}/api/backgroundoperation/{op}")
        assert (200, {"backgroundOperationStateCode": 2, "backgroundOperationStatusCode": 22}) == (
            response.status_code,
            response.json(),
        )
        dv.background.run_all()
        assert (
            32
            == api.get(f"{dv.url}/api/backgroundoperation/{op}").json()[
                "backgroundOperationStatusCode"
            ]
        )

    def test_delete_after_the_end_is_refused(self, api: Api, dv: FakeDataverse) -> None:
        """Canceling a finished operation is 400 and changes nothing."""
        op = _start(api)
        dv.background.run_all()
        before = store_state(dv)
        response = api.delete(f"{dv.url}/api/backgroundoperation/{op}")
        assert 400 == response.status_code
        assert (
            "Canceling background operation is not allowed after it is in terminal state."
            == response.json()["error"]["message"]
        )
        assert before == store_state(dv)

    def test_unknown_operation(self, api: Api, dv: FakeDataverse) -> None:
        """An unknown id is 404 0x80048d02; a malformed one too."""
        for op in ("6f1c2b1e-0d5a-4d8e-9c1a-5b7e2f3d4a10", "not-a-guid"):
            response = api.get(f"{dv.url}/api/backgroundoperation/{op}")
            assert (404, "0x80048d02") == (response.status_code, response.json()["error"]["code"])

    def test_only_get_and_delete(self, api: Api, dv: FakeDataverse) -> None:
        """The status monitor takes GET and DELETE only."""
        op = _start(api)
        response = api.request("PATCH", f"{dv.url}/api/backgroundoperation/{op}", json={})
        assert 405 == response.status_code
        assert "error" in json.loads(response.content)

    def test_needs_a_token(self, dv: FakeDataverse) -> None:
        """The status monitor needs the bearer token like the Web API."""
        with dv.intercept():
            response = requests.get(f"{dv.url}/api/backgroundoperation/x", timeout=5)
        assert 401 == response.status_code
