"""``DataverseStateMachine``: random steps against the fake agree with the reference model."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from hypothesis import Phase, settings
from hypothesis.errors import Flaky

from fake_dataverse.strategies import DataverseStateMachine
from fake_dataverse.strategies._stateful import RowRef

from .conftest import API, AUTH

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
