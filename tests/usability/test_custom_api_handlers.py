"""A custom API stand-in that returns something other than a dict says so, on every path."""

from __future__ import annotations

import pytest
import requests

from fake_dataverse import DataverseError, FakeDataverse, OrganizationRequest

from ..traces import store_state

AUTH = {"Authorization": "Bearer t"}
MESSAGE = r"the handler of custom API 'sample_Bad' returned int 42: return a dict"


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake whose custom API sample_Bad returns 42, and sample_Good a dict."""
    fake = FakeDataverse()
    fake.background.register("sample_Bad", lambda inputs: 42)  # type: ignore[arg-type,return-value]
    fake.background.register("sample_Good", lambda inputs: {"Echo": inputs.get("Text")})
    return fake


class TestHandlerResults:
    def test_sdk_call(self, dv: FakeDataverse) -> None:
        """Calling it on the SDK surface is a TypeError naming the API and what it returned."""
        with pytest.raises(TypeError, match=MESSAGE):
            dv.service.execute(OrganizationRequest("sample_Bad", {}))

    def test_web_api_call(self, dv: FakeDataverse) -> None:
        """Calling it over HTTP raises the same TypeError out of requests; the store is kept."""
        before = store_state(dv)
        with dv.intercept(), pytest.raises(TypeError, match=MESSAGE):
            requests.post(f"{dv.url}/api/data/v9.2/sample_Bad", json={}, headers=AUTH)
        assert store_state(dv) == before

    def test_background_finish(self, dv: FakeDataverse) -> None:
        """finish() raises the TypeError before writing: the operation stays In Progress."""
        with dv.intercept():
            reply = requests.post(
                f"{dv.url}/api/data/v9.2/sample_Bad",
                json={},
                headers={**AUTH, "Prefer": "respond-async"},
            )
        op_id = dv.background.start(reply.headers["x-ms-dyn-backgroundoperationid"])
        before = store_state(dv)
        with pytest.raises(TypeError, match=MESSAGE):
            dv.background.finish(op_id)
        assert store_state(dv) == before

    def test_none_and_dicts_are_outputs(self, dv: FakeDataverse) -> None:
        """A dict is the outputs; None means none."""
        dv.background.register("sample_Quiet", lambda inputs: None)
        assert dv.service.execute(OrganizationRequest("sample_Quiet", {})).results == {}
        echoed = dv.service.execute(OrganizationRequest("sample_Good", {"Text": "hi"}))
        assert echoed.results == {"Echo": "hi"}


class TestRegistration:
    @pytest.mark.parametrize("name", ["", "Export", "x y", "sample_Export now", "_Export", "1a_X"])
    def test_a_name_no_custom_api_can_have_is_refused(self, name: str) -> None:
        """A unique name is a publisher prefix, '_' and letters, digits or '_': else ValueError."""
        fake = FakeDataverse()
        with pytest.raises(ValueError, match="is not a custom API's unique name"):
            fake.background.register(name, lambda inputs: {})
        if name:                                    # OrganizationRequest needs a name
            with pytest.raises(DataverseError):
                fake.service.execute(OrganizationRequest(name, {}))
        assert fake.rows() == []

    @pytest.mark.parametrize("name", ["sample_Export", "new_Ping", "contoso2_Do_It_2"])
    def test_a_prefixed_name_is_accepted(self, name: str) -> None:
        """Names as Dataverse's custom APIs have them are registered and run."""
        fake = FakeDataverse()
        fake.background.register(name, lambda inputs: {"Done": True})
        assert fake.service.execute(OrganizationRequest(name, {})).results == {"Done": True}

    @pytest.mark.parametrize("name", ["Create", "RetrieveMultiple", "ExecuteBackgroundOperation"])
    def test_a_dataverse_message_name_is_refused(self, name: str) -> None:
        """register() under a built-in message's name is a ValueError; Create still creates."""
        fake = FakeDataverse()
        with pytest.raises(ValueError, match=f"'{name}' is a Dataverse message, not a custom API"):
            fake.background.register(name, lambda inputs: {})
        with pytest.raises(DataverseError, match="cannot run in the background"):
            fake.service.execute(
                OrganizationRequest(
                    "ExecuteBackgroundOperation", {"Request": OrganizationRequest(name, {})}
                )
            )
        assert fake.rows() == []
