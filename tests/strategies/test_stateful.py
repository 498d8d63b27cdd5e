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

from ..traces import store_state
from .conftest import API, AUTH

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


class TextIdsMachine(DataverseStateMachine):
    """A client that hands back ids as the text it parsed from ``OData-EntityId``."""

    def create_row(self, body: dict[str, Any]) -> uuid.UUID:
        return str(super().create_row(body))  # type: ignore[return-value]

    def query_rows(self, odata_filter: str) -> set[uuid.UUID]:
        return {str(row_id) for row_id in super().query_rows(odata_filter)}  # type: ignore[misc]


class NullDroppingMachine(DataverseStateMachine):
    """A client whose update leaves out the columns it would clear."""

    def update_row(self, row: RowRef, body: dict[str, Any]) -> None:
        super().update_row(row, {k: v for k, v in body.items() if v is not None})


class TestIds:
    @ONCE
    @given(name=st.just("text ids"))
    def test_hooks_may_return_guid_text(self, name: str) -> None:
        """create_row and query_rows may give GUID text: the model keys stay uuid.UUID."""
        machine = TextIdsMachine()
        try:
            row = machine.create({"name": name, "priority": 4})
            assert isinstance(row.id, uuid.UUID) and [row.id] == list(machine.model)
            machine.rows_match_the_model()
            machine.query(machine_filter_on_priority())
        finally:
            machine.teardown()

    @ONCE
    @given(name=st.just("bad id"))
    def test_a_hook_returning_no_id_says_so(self, name: str) -> None:
        """A create_row returning something else than an id is a TypeError naming the hook."""
        machine = DataverseStateMachine()
        machine.create_row = lambda body: 42  # type: ignore[method-assign,assignment,return-value]
        try:
            with pytest.raises(TypeError, match=r"create_row\(\) must give row ids as uuid.UUID"):
                machine.create({"name": name})
        finally:
            machine.teardown()


def machine_filter_on_priority() -> Any:
    """Return a filter tree selecting rows with priority 4."""
    from fake_dataverse._query._model import Condition, ConditionOperator

    return Condition("priority", ConditionOperator.EQUAL, (4,))


class TestFailureMessages:
    @ONCE
    @given(name=st.just("lost"))
    def test_a_differing_row_shows_expected_and_actual(self, name: str) -> None:
        """The invariant names the row and each column with the expected and the held value."""
        machine = NullDroppingMachine()
        try:
            row = machine.create({"name": name, "priority": 4})
            machine.update(row, {"priority": None})
            with pytest.raises(AssertionError) as failure:
                machine.rows_match_the_model()
            assert f"row {row.id} differs from the model" in str(failure.value)
            assert "priority: expected None, the fake holds 4" in str(failure.value)
        finally:
            machine.teardown()

    @ONCE
    @given(name=st.just("missing"))
    def test_missing_rows_are_listed_with_the_id_hint(self, name: str) -> None:
        """Rows the model expects but the fake lacks are listed, with the uuid.UUID hint."""
        machine = DataverseStateMachine()
        try:
            row = machine.create({"name": name})
            machine.dataverse.service.delete("backgroundoperation", row.id)
            with pytest.raises(AssertionError) as failure:
                machine.rows_match_the_model()
            text = str(failure.value)
            assert f"missing: ['{row.id}']" in text and "ids are uuid.UUID" in text
        finally:
            machine.teardown()

    @ONCE
    @given(name=st.just("query"))
    def test_a_wrong_query_answer_shows_the_filter_and_the_ids(self, name: str) -> None:
        """A query_rows that misses rows fails naming the $filter and the missing ids."""
        machine = DataverseStateMachine()
        machine.query_rows = lambda odata_filter: set()  # type: ignore[method-assign]
        try:
            row = machine.create({"name": name, "priority": 4})
            with pytest.raises(AssertionError) as failure:
                machine.query(machine_filter_on_priority())
            text = str(failure.value)
            assert "$filter=priority eq 4 selected the wrong rows" in text
            assert f"missing: ['{row.id}']" in text
        finally:
            machine.teardown()


class TestFastSettings:
    def test_a_failing_client_is_reported_without_shrinking(self) -> None:
        """Under fast_settings a failing machine is reported as run: no shrink phase, at most
        eight steps in the report."""
        fast = DataverseStateMachine.fast_settings
        assert Phase.shrink not in fast.phases and 8 == fast.stateful_step_count
        machine = NullDroppingMachine.TestCase
        machine.settings = settings(fast, max_examples=200, database=None, derandomize=True)
        with pytest.raises(AssertionError, match="differs from the model"):
            machine().runTest()
