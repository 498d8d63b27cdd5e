"""``DataverseStateMachine``: random steps against the fake agree with the reference model."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, UnsatisfiedAssumption

from fake_dataverse import OptionSetValue
from fake_dataverse.strategies import DataverseStateMachine
from fake_dataverse.strategies._stateful import RowRef

from .conftest import API, AUTH, store_state

ONCE = settings(max_examples=1, database=None, deadline=None)
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TestDefaultMachine(DataverseStateMachine.TestCase):  # type: ignore[name-defined,misc]
    """The machine as shipped: SDK writes, Web API queries."""

    settings = settings(max_examples=15, stateful_step_count=12, deadline=None)


class HttpClientMachine(DataverseStateMachine):
    """A user's subclass: writes go through ``requests`` like a real client's would."""

    def create_row(self, body: dict[str, Any]) -> uuid.UUID:
        reply = requests.post(f"{API}/backgroundoperations", json=body, headers=AUTH)
        assert reply.status_code == 204, reply.text
        (row_id,) = GUID.findall(reply.headers["OData-EntityId"])
        return uuid.UUID(row_id)

    def update_row(self, row: RowRef, body: dict[str, Any]) -> None:
        headers = {**AUTH, "If-Match": "*"}
        reply = requests.patch(_address(row), json=body, headers=headers)
        assert reply.status_code == 204, reply.text

    def delete_row(self, row: RowRef) -> None:
        reply = requests.delete(_address(row), headers=AUTH)
        assert reply.status_code == 204, reply.text


def _address(row: RowRef) -> str:
    """Return a row's URL: by id, or by the alternate key with its partition."""
    if row.partition_id is None:
        return f"{API}/backgroundoperations({row.id})"
    return (
        f"{API}/backgroundoperations(backgroundoperationid={row.id},"
        f"partitionid='{row.partition_id}')"
    )


TestHttpClientMachine = HttpClientMachine.TestCase
TestHttpClientMachine.settings = settings(max_examples=10, stateful_step_count=10, deadline=None)


class BrokenClientMachine(DataverseStateMachine):
    """A client that forgets to send the update: the invariant must catch it."""

    def update_row(self, row: RowRef, body: dict[str, Any]) -> None:
        return None


class TestCatchesBugs:
    def test_a_lost_update_is_found(self) -> None:
        """A client that drops updates fails the machine's model check."""
        machine = BrokenClientMachine.TestCase
        machine.settings = settings(
            max_examples=50,
            stateful_step_count=10,
            deadline=None,
            database=None,
            phases=[Phase.generate],
        )
        with pytest.raises((AssertionError, Flaky)):
            machine().runTest()


class TestBusinessRules:
    @ONCE
    @given(name=st.just("done"))
    def test_cancel_of_a_completed_operation_is_not_attempted(self, name: str) -> None:
        """A step cancelling (2/22) a Completed row is discarded: the store is left alone."""
        machine = DataverseStateMachine()
        try:
            row = machine.create({"name": name, "backgroundoperationstatecode": 3})
            before = store_state(machine.dataverse)
            with pytest.raises(UnsatisfiedAssumption):
                machine.update(row, {"backgroundoperationstatuscode": 22})
            assert before == store_state(machine.dataverse)
            machine.rows_match_the_model()
        finally:
            machine.teardown()

    @ONCE
    @given(name=st.just("ready"))
    def test_cancel_of_a_ready_operation_is_modelled(self, name: str) -> None:
        """Cancelling a Ready row is sent, and the model expects Canceling (2/22)."""
        machine = DataverseStateMachine()
        try:
            row = machine.create({"name": name})
            machine.update(row, {"backgroundoperationstatuscode": 22})
            machine.rows_match_the_model()
            (stored,) = machine.dataverse.rows()
            assert OptionSetValue(2) == stored["backgroundoperationstatecode"]
        finally:
            machine.teardown()
