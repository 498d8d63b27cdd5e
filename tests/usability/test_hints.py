"""Hints where a user guessed: Dataverse's answer stays exact, the fake's hint rides alongside."""

from __future__ import annotations

import sys

import pytest
import requests

from fake_dataverse import DataverseError, FakeDataverse, OrganizationRequest

from ..traces import store_state

API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer t"}
HINT = "x-fake-dataverse-hint"


@pytest.fixture
def dv() -> FakeDataverse:
    return FakeDataverse()


class TestWebApiHints:
    def test_an_unregistered_custom_api_names_register(self, dv: FakeDataverse) -> None:
        """Dataverse's 404 body, and a header saying how to register the custom API."""
        before = store_state(dv)
        with dv.intercept():
            reply = requests.post(f"{API}/sample_Export", json={"Format": "csv"}, headers=AUTH)
        assert 404 == reply.status_code
        assert {"error": {"code": "0x8006088a", "message":
                          "Resource not found for the segment 'sample_Export'."}} == reply.json()
        assert (
            "no custom API named 'sample_Export' is registered in this fake: "
            "dv.background.register('sample_Export', handler) adds one (see docs/background.md)"
        ) == reply.headers[HINT]
        assert before == store_state(dv)

    def test_execute_background_operation_points_at_respond_async(
        self, dv: FakeDataverse
    ) -> None:
        """POST …/ExecuteBackgroundOperation is a 404 pointing at Prefer: respond-async."""
        with dv.intercept():
            reply = requests.post(f"{API}/ExecuteBackgroundOperation", json={}, headers=AUTH)
        assert (404, "0x8006088a") == (reply.status_code, reply.json()["error"]["code"])
        assert "'Prefer: respond-async'" in reply.headers[HINT]

    def test_no_hint_where_nothing_was_guessed(self, dv: FakeDataverse) -> None:
        """A registered custom API answers without a hint; a GET of an unknown segment too."""
        dv.background.register("sample_Export", lambda parameters: {"Rows": 1})
        with dv.intercept():
            called = requests.post(f"{API}/sample_Export", json={}, headers=AUTH)
            unknown = requests.get(f"{API}/sample_things", headers=AUTH)
        assert 200 == called.status_code and HINT not in called.headers
        assert 404 == unknown.status_code and HINT not in unknown.headers


class TestSdkHints:
    @pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
    def test_an_unknown_message_carries_a_note(self, dv: FakeDataverse) -> None:
        """The SDK fault is Dataverse's; its note says how to register the custom API."""
        with pytest.raises(DataverseError) as raised:
            dv.service.execute(OrganizationRequest("sample_Export"))
        assert "0x80040219" == raised.value.hex_code
        assert [
            "fake-dataverse hint: no custom API named 'sample_Export' is registered in this "
            "fake: dv.background.register('sample_Export', handler) adds one "
            "(see docs/background.md)"
        ] == raised.value.__notes__
