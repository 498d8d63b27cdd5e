"""The background-operations client, tested offline with the fake-dataverse pytest plugin.

The ``dataverse`` fixture gives each test a fresh fake organization and routes the client's
``requests`` calls to it; the strategies generate the rows and steps.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import DataverseError, Entity, FakeDataverse, OptionSetValue
from fake_dataverse.strategies import DataverseStateMachine, isolate_examples, records

from .bgops_client import (
    BackgroundOperationsClient,
    DataverseApiError,
    OperationTimeoutError,
    Replica,
)

EXPORT = "sample_ExportDataUsingFetchXmlToAnnotation"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def export(inputs: dict[str, Any]) -> dict[str, Any]:
    """The custom API the tests run in the background."""
    if "<fetch" not in inputs.get("FetchXml", ""):
        raise DataverseError("FetchXml is required.")
    return {"AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"}


def post(client: BackgroundOperationsClient, body: dict[str, Any]) -> requests.Response:
    """Create a backgroundoperation row over the client's session (what another app would do)."""
    reply = client.session.post(f"{client.api}/backgroundoperations", json=body, timeout=30)
    assert 204 == reply.status_code, reply.text
    return reply


@pytest.fixture
def client(dataverse: FakeDataverse) -> BackgroundOperationsClient:
    """A client whose waits move the fake clock: what falls due meanwhile runs, retries
    included (``dataverse.background.advance``); no real time passes."""
    dataverse.background.register(EXPORT, export)
    return BackgroundOperationsClient(dataverse.url, "token", sleep=dataverse.background.advance)


class TestRunInBackground:
    def test_start_and_wait_until_it_succeeds(self, client: BackgroundOperationsClient) -> None:
        """A started export ends Succeeded with its output parameters."""
        operation_id = client.start(EXPORT, {"FetchXml": "<fetch><entity name='account'/></fetch>"})
        assert (0, 0) == (client.get(operation_id).state, client.get(operation_id).status)
        done = client.wait(operation_id)
        assert (3, 30, True) == (done.state, done.status, done.succeeded)
        assert {"AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"} == done.outputs

    def test_a_failing_operation_is_retried_then_fails(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """Without FetchXml the API fails; after three retries (60, 120, 240 s apart on the
        fake clock) the operation is Failed."""
        done = client.wait(client.start(EXPORT, {"FetchXml": ""}))
        assert (3, 31, 3) == (done.state, done.status, done.retry_count)
        assert "FetchXml is required." == done.error_message
        assert dataverse.clock.now().isoformat() == "2026-01-01T09:07:00+00:00"

    def test_wait_gives_up_after_the_timeout(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """An operation nobody runs makes wait() time out (no real time passes)."""
        client.sleep = dataverse.clock.advance
        operation_id = client.start(EXPORT, {"FetchXml": "<fetch/>"})
        with pytest.raises(OperationTimeoutError):
            client.wait(operation_id, poll_seconds=60, timeout_seconds=300)
        assert dataverse.clock.now().isoformat() == "2026-01-01T09:05:00+00:00"

    def test_cancel_before_it_starts(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """Canceled before it starts, the operation never runs and ends Canceled."""
        operation_id = client.start(EXPORT, {"FetchXml": "<fetch/>"})
        client.cancel(operation_id)
        assert 22 == client.get(operation_id).status
        assert 32 == client.wait(operation_id).status

    def test_cancel_after_completion_is_refused(self, client: BackgroundOperationsClient) -> None:
        """Dataverse refuses to cancel a completed operation; the client raises its error."""
        operation_id = client.start(EXPORT, {"FetchXml": "<fetch/>"})
        client.wait(operation_id)
        with pytest.raises(DataverseApiError) as caught:
            client.cancel(operation_id)
        assert (400, "0x80040203") == (caught.value.status, caught.value.code)
        assert "terminal state" in caught.value.message

    def test_throttled_requests_are_retried(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """A 429 with Retry-After is waited out, then the request succeeds."""
        operation_id = client.start(EXPORT, {"FetchXml": "<fetch/>"})
        waits: list[float] = []
        client.sleep = waits.append
        dataverse.faults.throttle(retry_after=7, times=2)
        assert operation_id == client.get(operation_id).id
        assert [7.0, 7.0] == waits

    def test_unknown_operation_is_a_404(self, client: BackgroundOperationsClient) -> None:
        """Reading an id that does not exist raises the Web API's 404 error."""
        with pytest.raises(DataverseApiError) as caught:
            client.get(uuid.UUID(int=1))
        assert (404, "0x80048d02") == (caught.value.status, caught.value.code)


class TestPermissions:
    @pytest.mark.dataverse(
        user={"fullname": "Auditor", "privileges": ["prvReadbackgroundoperation"]}
    )
    def test_a_reader_can_watch_but_not_cancel(
        self,
        dataverse: FakeDataverse,
        client: BackgroundOperationsClient,
        dataverse_user_id: uuid.UUID,
    ) -> None:
        """The client's requests run as the marker's user: reading works, cancelling is 403."""
        operation_id = dataverse.service.create(Entity("backgroundoperation", name="nightly"))
        assert 0 == client.get(operation_id).state
        with pytest.raises(DataverseApiError) as caught:
            client.cancel(operation_id)
        assert (403, "0x80040220") == (caught.value.status, caught.value.code)
        assert str(dataverse_user_id) in caught.value.message
        assert 0 == client.get(operation_id).state


class TestSync:
    @pytest.mark.dataverse(
        rows=[
            {"name": "export", "backgroundoperationstatecode": 3},
            {"name": "import", "backgroundoperationstatecode": 2},
        ]
    )
    def test_first_sync_copies_everything(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """The first sync reads every operation (the marker seeded two)."""
        replica = client.sync(Replica())
        assert {("export", 3, 30), ("import", 2, 20)} == {
            (op.name, op.state, op.status) for op in replica.operations.values()
        }
        assert replica.delta_link is not None

    def test_later_syncs_apply_changes_and_deletes(
        self, dataverse: FakeDataverse, client: BackgroundOperationsClient
    ) -> None:
        """After changes, the delta sync updates, adds and removes operations."""
        svc = dataverse.service
        kept = svc.create(Entity("backgroundoperation", name="kept"))
        gone = svc.create(Entity("backgroundoperation", name="gone"))
        replica = client.sync(Replica())
        svc.update(
            Entity("backgroundoperation", kept, backgroundoperationstatecode=OptionSetValue(3))
        )
        svc.delete("backgroundoperation", gone)
        new = svc.create(Entity("backgroundoperation", name="new"))
        client.sync(replica)
        assert {kept, new} == set(replica.operations)
        assert 30 == replica.operations[kept].status

    @isolate_examples
    @settings(max_examples=25, deadline=None)
    @given(bodies=st.lists(records(), max_size=8), page=st.integers(1, 3))
    def test_replica_equals_the_table(
        self, dataverse: FakeDataverse, bodies: list[dict[str, Any]], page: int
    ) -> None:
        """Whatever rows exist, a full sync (paged) copies exactly them."""
        client = BackgroundOperationsClient(dataverse.url, "token")
        for body in bodies:
            post(client, body)
        replica = client.sync(Replica())
        assert {row.id for row in dataverse.rows()} == set(replica.operations)


class SyncMachine(DataverseStateMachine):
    """Random writes and waits; then the client's incremental sync must match the table."""

    def __init__(self) -> None:
        super().__init__()
        self.client = BackgroundOperationsClient(self.dataverse.url, "token")
        self.replica = Replica()

    def create_row(self, body: dict[str, Any]) -> uuid.UUID:
        reply = post(self.client, body)
        (row_id,) = GUID.findall(reply.headers["OData-EntityId"])
        return uuid.UUID(row_id)

    def teardown(self) -> None:
        self.client.sync(self.replica)
        # Rows removed by their time to live are not reported by change tracking: a replica
        # keeps them (as with real Dataverse) — everything else must match exactly.
        assert set(self.model) <= set(self.replica.operations) <= set(self.model) | self.expired
        super().teardown()


TestSyncMachine = SyncMachine.TestCase
TestSyncMachine.settings = settings(max_examples=15, stateful_step_count=10, deadline=None)
