"""ExecuteMultiple and ExecuteTransaction: several requests in one message."""

from __future__ import annotations

import uuid

import pytest

from fake_dataverse import (
    CreateRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityReference,
    ExecuteMultipleRequest,
    ExecuteMultipleSettings,
    ExecuteTransactionRequest,
    FakeDataverse,
    OrganizationRequest,
)

from .conftest import TABLE, Rejects


def _creates(*names: str) -> list[OrganizationRequest]:
    return [CreateRequest(target=Entity(TABLE, name=n)) for n in names]


BAD = CreateRequest(target=Entity(TABLE, priority=99))


class TestExecuteMultiple:
    @pytest.mark.parametrize(
        ("continue_on_error", "return_responses", "indexes", "faults"),
        [(True, True, [0, 1, 2, 3], [1, 3]), (False, True, [0, 1], [1]),
         (True, False, [1, 3], [1, 3]), (False, False, [1], [1])],
    )
    def test_settings_decide_what_runs_and_returns(
        self, dv: FakeDataverse, continue_on_error: bool, return_responses: bool,
        indexes: list[int], faults: list[int],
    ) -> None:
        """The four settings combinations behave as Microsoft's table shows."""
        requests = [*_creates("a"), BAD, *_creates("b"), BAD]
        response = dv.service.execute(ExecuteMultipleRequest(
            requests=requests, settings=ExecuteMultipleSettings(
                continue_on_error=continue_on_error, return_responses=return_responses)))
        assert indexes == [item.request_index for item in response.responses]
        assert faults == [i.request_index for i in response.responses if i.fault is not None]
        assert response.is_faulted
        fault = next(i.fault for i in response.responses if i.fault is not None)
        assert -2147204305 == fault.error_code
        expected_rows = {"a", "b"} if continue_on_error else {"a"}
        assert expected_rows == {r["name"] for r in dv.rows()}

    def test_responses_are_the_inner_responses(self, dv: FakeDataverse) -> None:
        """With ReturnResponses each item holds the inner message's response."""
        response = dv.service.execute(ExecuteMultipleRequest(
            requests=_creates("a", "b"),
            settings=ExecuteMultipleSettings(return_responses=True)))
        ids = [item.response["id"] for item in response.responses if item.response]
        assert sorted(map(str, ids)) == sorted(str(r.id) for r in dv.rows())
        assert not response.is_faulted

    def test_batch_size_limit(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """More than 1000 requests fail before any runs; the fault says MaxBatchSize."""
        with rejects("0x80040203") as info:
            dv.service.execute(ExecuteMultipleRequest(requests=_creates(*["x"] * 1001)))
        assert 1000 == info.value.error_details["MaxBatchSize"]

    def test_no_recursion(self, dv: FakeDataverse) -> None:
        """An ExecuteMultiple inside ExecuteMultiple is a fault for that item."""
        inner = ExecuteMultipleRequest(requests=_creates("a"))
        response = dv.service.execute(ExecuteMultipleRequest(
            requests=[inner, *_creates("b")],
            settings=ExecuteMultipleSettings(continue_on_error=True)))
        assert [0] == [i.request_index for i in response.responses if i.fault]
        assert ["b"] == [r["name"] for r in dv.rows()]


class TestExecuteTransaction:
    def test_all_succeed(self, dv: FakeDataverse) -> None:
        """Every request runs in order; responses come back when asked."""
        response = dv.service.execute(ExecuteTransactionRequest(
            requests=_creates("a", "b"), return_responses=True))
        assert 2 == len(response.responses)
        assert {"a", "b"} == {r["name"] for r in dv.rows()}

    def test_not_atomic_on_an_elastic_table(self, dv: FakeDataverse) -> None:
        """The fault names the failed request; the writes before it stay (elastic)."""
        with pytest.raises(DataverseError) as info:
            dv.service.execute(ExecuteTransactionRequest(
                requests=[*_creates("a"), BAD, *_creates("never")]))
        assert (1, "0x8004432f") == (info.value.error_details["FaultedRequestIndex"],
                                     info.value.hex_code)
        assert ["a"] == [r["name"] for r in dv.rows()]

    def test_atomic_when_configured(self) -> None:
        """With atomic_changesets a fault rolls back the earlier writes."""
        dv = FakeDataverse(atomic_changesets=True)
        kept = dv.service.create(Entity(TABLE, name="kept"))
        with pytest.raises(DataverseError):
            dv.service.execute(ExecuteTransactionRequest(requests=[
                DeleteRequest(target=EntityReference(TABLE, kept)), *_creates("a"),
                DeleteRequest(target=EntityReference(TABLE, uuid.uuid4()))]))
        assert ["kept"] == [r["name"] for r in dv.rows()]

    def test_empty_or_nested(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """No requests, or a nested batch message, are 0x80040203."""
        with rejects("0x80040203"):
            dv.service.execute(ExecuteTransactionRequest(requests=[]))
        with rejects("0x80040203"):
            dv.service.execute(ExecuteTransactionRequest(
                requests=[ExecuteTransactionRequest(requests=_creates("a"))]))
