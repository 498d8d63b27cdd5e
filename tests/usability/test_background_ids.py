"""The background runner takes operation ids as the Web API gives them: GUID text."""

from __future__ import annotations

import uuid

import pytest
import requests

from fake_dataverse import FakeDataverse

from ..traces import store_state

AUTH = {"Authorization": "Bearer t"}


def _start_over_http(dv: FakeDataverse) -> str:
    dv.background.register("sample_Export", lambda inputs: {"Echo": inputs["Text"]})
    with dv.intercept():
        reply = requests.post(
            f"{dv.url}/api/data/v9.2/sample_Export",
            json={"Text": "hi"},
            headers={**AUTH, "Prefer": "respond-async"},
        )
    assert reply.status_code == 202
    return reply.headers["x-ms-dyn-backgroundoperationid"]


class TestTextIds:
    def test_run_accepts_the_header_id(self) -> None:
        """run() with the x-ms-dyn-backgroundoperationid text runs that operation to success."""
        dv = FakeDataverse()
        op_id = _start_over_http(dv)
        assert dv.background.run(op_id) == uuid.UUID(op_id)
        row = dv.service.retrieve("backgroundoperation", op_id, ["backgroundoperationstatuscode"])
        assert row["backgroundoperationstatuscode"].value == 30

    def test_start_and_finish_accept_text(self) -> None:
        """start() and finish() accept GUID text in any case and return the UUID."""
        dv = FakeDataverse()
        op_id = _start_over_http(dv)
        assert dv.background.start(op_id.upper()) == uuid.UUID(op_id)
        assert dv.background.finish(op_id) == uuid.UUID(op_id)
        assert dv.background.pending() == []


class TestUnknownIds:
    @pytest.mark.parametrize("call", ["start", "finish", "run"])
    def test_unknown_id_is_a_lookup_error(self, call: str) -> None:
        """An id no operation has is a LookupError naming it; the store is untouched."""
        dv = FakeDataverse()
        _start_over_http(dv)
        before = store_state(dv)
        missing = uuid.UUID(int=7)
        with pytest.raises(LookupError, match=f"no background operation with id {missing}"):
            getattr(dv.background, call)(missing)
        assert store_state(dv) == before

    def test_text_that_is_not_a_guid(self) -> None:
        """Text that is not a GUID is a LookupError saying so, not a ValueError."""
        dv = FakeDataverse()
        _start_over_http(dv)
        before = store_state(dv)
        with pytest.raises(LookupError, match="'op-1': not a GUID"):
            dv.background.run("op-1")
        assert store_state(dv) == before
