"""Unbound custom APIs answer as Dataverse's unbound actions do."""

from __future__ import annotations

from typing import Any

import pytest

from fake_dataverse import FakeDataverse

from ..traces import store_state
from .conftest import Api


@pytest.fixture(autouse=True)
def _apis(dv: FakeDataverse) -> None:
    dv.background.register("new_Ping", lambda inputs: {})
    dv.background.register("new_Echo", lambda inputs: {"Out": inputs.get("In")})


class TestUnboundCustomApi:
    def test_action_without_outputs_answers_204(self, api: Api) -> None:
        """An action with no output parameters: 204 No Content, no body (as WinOpportunity)."""
        response = api.post("new_Ping", json={})
        assert response.status_code == 204
        assert response.content == b""
        assert response.headers["OData-Version"] == "4.0"
        assert "Content-Type" not in response.headers

    def test_action_with_outputs_answers_200(self, api: Api) -> None:
        """An action with outputs: 200 and its response type's context."""
        body: dict[str, Any] = api.post("new_Echo", json={"In": "x"}).json()
        assert body == {
            "@odata.context": f"{api.root}$metadata#Microsoft.Dynamics.CRM.new_EchoResponse",
            "Out": "x",
        }

    @pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
    def test_other_methods_find_no_resource(self, api: Api, method: str) -> None:
        """An action called with another method than POST: 404, code "", nothing written."""
        before = store_state(api.dv)
        response = api.request(method, "new_Echo")
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "",
            "message": "No HTTP resource was found that matches the request URI "
            f"'{api.root}new_Echo'.",
        }
        assert store_state(api.dv) == before
