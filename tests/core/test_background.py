"""Background operations run on command: start, poll, cancel, retry, callback."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
)

from .conftest import TABLE, Rejects

STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"


class Export:
    """A custom API that fails a given number of times, then succeeds."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or DataverseError("Access is denied.")
        self.calls: list[dict[str, Any]] = []

    def __call__(self, inputs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(inputs)
        if len(self.calls) <= self.failures:
            raise self.error
        return {"AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"}


def _start(dv: FakeDataverse, callback: str | None = None) -> uuid.UUID:
    inner = OrganizationRequest("sample_Export", {"FetchXml": "<fetch/>"})
    params: dict[str, Any] = {"Request": inner}
    if callback:
        params["CallbackUri"] = callback
    response = dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", params))
    assert f"{dv.url}/api/backgroundoperation/{response['BackgroundOperationId']}" == response[
        "Location"]
    return response["BackgroundOperationId"]  # type: ignore[no-any-return]


def _pair(dv: FakeDataverse, op: uuid.UUID) -> tuple[int, int]:
    row = dv.service.retrieve(TABLE, op, [STATE, STATUS])
    return (row[STATE].value, row[STATUS].value)


@pytest.fixture
def export(dv: FakeDataverse) -> Export:
    """The registered custom API sample_Export."""
    api = Export()
    dv.background.register("sample_Export", api, display_name="Export data")
    return api


class TestLifecycle:
    def test_accepted_row(self, dv: FakeDataverse, export: Export) -> None:
        """A new operation is Ready / Waiting For Resources with its inputs and a 90-day TTL."""
        op = _start(dv)
        row = dv.service.retrieve(TABLE, op)
        assert (0, 0) == _pair(dv, op)
        assert ("sample_Export", "Export data") == (row["name"], row["displayname"])
        assert [{"Key": "FetchXml", "Value": "<fetch/>"}] == json.loads(row["inputparameters"])
        assert (7_776_000, 0, str(dv.admin_id)) == (row["ttlinseconds"], row["retrycount"],
                                                    row["runas"])
        assert [] == export.calls  # nothing runs by itself

    def test_start_then_finish(self, dv: FakeDataverse, export: Export) -> None:
        """start() shows In Progress (2/20); finish() records Succeeded (3/30) and outputs."""
        op = _start(dv)
        dv.clock.advance(30)
        assert op == dv.background.start()
        assert (2, 20) == _pair(dv, op)
        dv.clock.advance(30)
        dv.background.finish()
        row = dv.service.retrieve(TABLE, op, ["outputparameters", "starttime", "endtime"])
        assert (3, 30) == _pair(dv, op)
        assert [{"Key": "AnnotationId", "Value": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"}] == (
            json.loads(row["outputparameters"]))
        assert 30 == (row["endtime"] - row["starttime"]).total_seconds()
        assert [{"FetchXml": "<fetch/>"}] == export.calls

    def test_retried_three_times_then_failed(self, dv: FakeDataverse) -> None:
        """A failing API is retried three times; then Failed (3/31) with the error code."""
        api = Export(failures=10)
        dv.background.register("sample_Export", api)
        op = _start(dv)
        dv.background.run_all()
        row = dv.service.retrieve(TABLE, op, ["retrycount", "errorcode", "errormessage"])
        assert (3, 31) == _pair(dv, op)
        assert (3, DataverseError.code - 2**32, "Access is denied.") == (
            row["retrycount"], row["errorcode"], row["errormessage"])
        assert 4 == len(api.calls)

    def test_retry_that_succeeds(self, dv: FakeDataverse) -> None:
        """Failing once then succeeding ends Succeeded with retrycount 1."""
        dv.background.register("sample_Export", Export(failures=1))
        op = _start(dv)
        dv.background.run(op)
        assert ((3, 30), 1) == (_pair(dv, op),
                                dv.service.retrieve(TABLE, op, ["retrycount"])["retrycount"])

    def test_non_dataverse_error_has_code_zero(self, dv: FakeDataverse) -> None:
        """An error that did not come from Dataverse is recorded with errorcode 0."""
        dv.background.register("sample_Export", Export(failures=10, error=ValueError("bad")))
        op = _start(dv)
        dv.background.run(op)
        row = dv.service.retrieve(TABLE, op, ["errorcode", "errormessage"])
        assert (0, "bad") == (row["errorcode"], row["errormessage"])


class TestCancel:
    def _cancel(self, dv: FakeDataverse, op: uuid.UUID) -> None:
        dv.service.update(Entity(TABLE, op, **{STATE: OptionSetValue(2),
                                               STATUS: OptionSetValue(22)}))

    def test_cancel_before_start_never_runs(self, dv: FakeDataverse, export: Export) -> None:
        """Canceled before it started: it is not executed and ends Canceled (3/32)."""
        op = _start(dv)
        self._cancel(dv, op)
        assert (2, 22) == _pair(dv, op)
        dv.background.run_all()
        assert ((3, 32), []) == (_pair(dv, op), export.calls)

    def test_cancel_after_start_is_not_stopped(self, dv: FakeDataverse, export: Export) -> None:
        """Canceled after it started: it still runs to its end."""
        op = _start(dv)
        dv.background.start(op)
        self._cancel(dv, op)
        dv.background.finish(op)
        assert (3, 30) == _pair(dv, op)

    def test_error_after_cancel_is_not_retried(self, dv: FakeDataverse) -> None:
        """An operation canceled while running that fails is not retried."""
        api = Export(failures=10)
        dv.background.register("sample_Export", api)
        op = _start(dv)
        dv.background.start(op)
        self._cancel(dv, op)
        dv.background.finish(op)
        assert ((3, 31), 1) == (_pair(dv, op), len(api.calls))

    def test_cancel_in_terminal_state(
        self, dv: FakeDataverse, export: Export, rejects: Rejects
    ) -> None:
        """A cancel request on a finished operation is refused and changes nothing."""
        op = _start(dv)
        dv.background.run(op)
        with rejects("0x80040203") as info:
            self._cancel(dv, op)
        assert ("Canceling background operation is not allowed after it is in terminal state."
                == info.value.message)


class TestCallbacksAndErrors:
    def test_callback_body(self, dv: FakeDataverse, export: Export) -> None:
        """On completion the CallbackUri gets location, id and the final state/status."""
        op = _start(dv, callback="https://hooks.example/done?sig=x")
        dv.background.run(op)
        [callback] = dv.background.callbacks
        assert "https://hooks.example/done?sig=x" == callback.url
        assert {"location": f"{dv.url}/api/backgroundoperation/{op}",
                "backgroundOperationId": str(op), "backgroundOperationStateCode": 3,
                "backgroundOperationStatusCode": 30} == callback.body

    def test_failure_callback_carries_the_error(self, dv: FakeDataverse) -> None:
        """A failed operation's callback carries the error code and message."""
        dv.background.register("sample_Export", Export(failures=10))
        dv.background.run(_start(dv, callback="https://hooks.example/done"))
        body = dv.background.callbacks[0].body
        assert ("Access is denied.", 31) == (body["backgroundOperationErrorMessage"],
                                             body["backgroundOperationStatusCode"])

    def test_only_custom_apis_run_in_the_background(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """A request that is not a registered custom API is refused."""
        with rejects("0x80040203"):
            dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
                "Request": OrganizationRequest("WhoAmI", {})}))

    def test_needs_read_and_write_privileges(
        self, dv: FakeDataverse, export: Export, rejects: Rejects
    ) -> None:
        """The caller needs prvRead and prvWrite on backgroundoperation."""
        user = dv.add_user("Reader Only", privileges=["prvReadbackgroundoperation"])
        with rejects("0x80040220") as info:
            dv.service_for(user).execute(OrganizationRequest("ExecuteBackgroundOperation", {
                "Request": OrganizationRequest("sample_Export", {})}))
        assert "prvWritebackgroundoperation" in info.value.message

    def test_custom_api_runs_synchronously_too(self, dv: FakeDataverse, export: Export) -> None:
        """Executing the custom API directly returns its outputs."""
        response = dv.service.execute(OrganizationRequest("sample_Export", {"FetchXml": "x"}))
        assert "bb26025c-cbe6-ed11-a7c6-000d3a9933c9" == response["AnnotationId"]

    def test_nothing_to_start(self, dv: FakeDataverse) -> None:
        """start() with no ready operation says so."""
        with pytest.raises(LookupError, match="no ready background operation"):
            dv.background.start()
