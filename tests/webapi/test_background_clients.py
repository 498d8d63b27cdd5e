"""Client code around background operations, on both surfaces: the SDK's
``ExecuteBackgroundOperation`` and the Web API's ``Prefer: respond-async``.

Each test runs once per surface through a small client that starts, polls and cancels the way
real code does; what it asserts is what such code relies on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

import pytest
import requests
import responses

from fake_dataverse import (
    CustomApiContext,
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
)

from ..traces import store_state

API = "sample_Export"
HOOK = "https://hooks.example/done?sig=x"
TABLE = "backgroundoperation"
STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"
LOG_TABLE = {
    "logical_name": "contoso_exportlog", "entity_set_name": "contoso_exportlogs",
    "primary_id_attribute": "contoso_exportlogid", "primary_name_attribute": "contoso_name",
    "table_type": "Standard",
    "messages": ["Create", "Retrieve", "RetrieveMultiple", "Update", "Delete"],
    "attributes": [
        {"logical_name": "contoso_exportlogid", "type": "Uniqueidentifier",
         "valid_for_update": False},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
        {"logical_name": "createdby", "type": "Lookup", "targets": ["systemuser"],
         "valid_for_create": False, "valid_for_update": False},
        {"logical_name": "modifiedby", "type": "Lookup", "targets": ["systemuser"],
         "valid_for_create": False, "valid_for_update": False},
    ],
}
TERMINAL = 3
MAX_POLLS = 50


class Export:
    """A custom API stand-in that fails its first ``failures`` attempts, then succeeds."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or DataverseError("Access is denied.")
        self.calls: list[tuple[int, dt.datetime]] = []

    def __call__(self, inputs: dict[str, Any], context: CustomApiContext) -> dict[str, Any]:
        self.calls.append((context.attempt, context.clock.now()))
        if len(self.calls) <= self.failures:
            raise self.error
        return {"AnnotationId": "bb26025c-cbe6-ed11-a7c6-000d3a9933c9"}


class Client(Protocol):
    """What client code does with a background operation."""

    def start(self, callback: str | None = None) -> str: ...
    def poll(self, op: str) -> dict[str, Any]: ...
    def row(self, op: str) -> dict[str, Any]: ...
    def cancel(self, op: str) -> None: ...


class SdkClient:
    """The SDK surface: ExecuteBackgroundOperation, Retrieve, Update to 2/22."""

    def __init__(self, dv: FakeDataverse, user: uuid.UUID | None = None) -> None:
        self.service = dv.service if user is None else dv.service_for(user)

    def start(self, callback: str | None = None) -> str:
        params: dict[str, Any] = {"Request": OrganizationRequest(API, {"FetchXml": "<fetch/>"})}
        if callback:
            params["CallbackUri"] = callback
        response = self.service.execute(OrganizationRequest("ExecuteBackgroundOperation", params))
        return str(response["BackgroundOperationId"])

    def poll(self, op: str) -> dict[str, Any]:
        row = self.service.retrieve(TABLE, op, [STATE, STATUS, "errorcode", "errormessage"])
        return {"backgroundOperationStateCode": row[STATE].value,
                "backgroundOperationStatusCode": row[STATUS].value}

    def row(self, op: str) -> dict[str, Any]:
        entity = self.service.retrieve(TABLE, op)
        return {name: value.value if isinstance(value, OptionSetValue) else value
                for name, value in entity.attributes.items()}

    def cancel(self, op: str) -> None:
        self.service.update(Entity(TABLE, uuid.UUID(op), **{
            STATE: OptionSetValue(2), STATUS: OptionSetValue(22)}))


class WebClient:
    """The Web API surface: respond-async, the status monitor, GET of the row, DELETE."""

    def __init__(self, dv: FakeDataverse, user: uuid.UUID | None = None) -> None:
        self.dv = dv
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer t"
        if user is not None:
            self.session.headers["MSCRMCallerID"] = str(user)

    def start(self, callback: str | None = None) -> str:
        prefer = "respond-async" + (f', odata.callback; url="{callback}"' if callback else "")
        response = self.session.post(f"{self.dv.url}/api/data/v9.2/{API}",
                                     json={"FetchXml": "<fetch/>"}, headers={"Prefer": prefer})
        assert 202 == response.status_code, response.text
        return response.headers["x-ms-dyn-backgroundoperationid"]

    def poll(self, op: str) -> dict[str, Any]:
        response = self.session.get(f"{self.dv.url}/api/backgroundoperation/{op}")
        assert 200 == response.status_code, response.text
        return response.json()  # type: ignore[no-any-return]

    def row(self, op: str) -> dict[str, Any]:
        response = self.session.get(f"{self.dv.url}/api/data/v9.2/backgroundoperations({op})")
        assert 200 == response.status_code, response.text
        body: dict[str, Any] = response.json()
        for name in ("starttime", "endtime", "modifiedon", "createdon"):
            if body.get(name):
                body[name] = dt.datetime.fromisoformat(body[name].replace("Z", "+00:00"))
        return body

    def cancel(self, op: str) -> None:
        response = self.session.delete(f"{self.dv.url}/api/backgroundoperation/{op}")
        if response.status_code != 200:
            error = response.json()["error"]
            raise DataverseError(error["message"])


def wait_for(client: Client, op: str) -> list[tuple[int, int]]:
    """The client under test: poll until the operation ends; return what each poll showed."""
    seen: list[tuple[int, int]] = []
    for _ in range(MAX_POLLS):
        body = client.poll(op)
        seen.append((body["backgroundOperationStateCode"], body["backgroundOperationStatusCode"]))
        if seen[-1][0] == TERMINAL:
            return seen
    raise AssertionError(f"still not finished after {MAX_POLLS} polls: {seen}")


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """The test's own responses mock: the fake joins it, the test adds its webhook route."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def dv(rsps: responses.RequestsMock) -> Iterator[FakeDataverse]:
    """A fake with a custom table for handlers to write to, intercepted on the test's mock."""
    fake = FakeDataverse(tables=[LOG_TABLE])
    with fake.intercept(rsps):
        yield fake


@pytest.fixture(params=["sdk", "webapi"])
def surface(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client_for(surface: str, dv: FakeDataverse, user: uuid.UUID | None = None) -> Client:
    return SdkClient(dv, user) if surface == "sdk" else WebClient(dv, user)


@pytest.fixture
def client(surface: str, dv: FakeDataverse) -> Client:
    return client_for(surface, dv)


class TestPollingClients:
    @pytest.mark.parametrize(("every", "expected"), [
        (1, [(0, 0), (2, 20), (3, 30)]),
        (2, [(0, 0), (0, 0), (2, 20), (2, 20), (3, 30)]),
    ])
    def test_returns_under_advance_on_poll(
        self, dv: FakeDataverse, client: Client, every: int, expected: list[tuple[int, int]]
    ) -> None:
        """Every n-th poll makes one transition: the loop sees 0/0, 2/20, then Succeeded."""
        dv.background.register(API, Export())
        dv.background.advance_on_poll = every
        assert expected == wait_for(client, client.start())

    def test_returns_under_auto_run(self, dv: FakeDataverse, client: Client) -> None:
        """auto_run: the operation has ended by the time the start call returns."""
        api = Export(failures=1)
        dv.background.register(API, api)
        dv.background.auto_run = True
        op = client.start()
        assert [(3, 30)] == wait_for(client, op)
        assert [1, 2] == [attempt for attempt, _ in api.calls]

    def test_manual_mode_moves_only_on_command(self, dv: FakeDataverse, client: Client) -> None:
        """By default polls move nothing; the test's start/finish do."""
        api = Export()
        dv.background.register(API, api)
        op = client.start()
        assert [(0, 0)] * 3 == [_pair(client.poll(op)) for _ in range(3)]
        dv.background.start(op)
        assert (2, 20) == _pair(client.poll(op))
        dv.background.finish(op)
        assert ((3, 30), 1) == (_pair(client.poll(op)), len(api.calls))

    def test_retries_show_through_polls(self, dv: FakeDataverse, client: Client) -> None:
        """A failing attempt goes back to Ready before the retry runs."""
        dv.background.register(API, Export(failures=1))
        dv.background.advance_on_poll = 1
        assert [(0, 0), (2, 20), (0, 0), (2, 20), (3, 30)] == wait_for(client, client.start())


def _pair(body: dict[str, Any]) -> tuple[int, int]:
    return (body["backgroundOperationStateCode"], body["backgroundOperationStatusCode"])


class TestHandlersThatDoWork:
    def test_rows_created_through_the_context_are_the_callers(
        self, dv: FakeDataverse, surface: str
    ) -> None:
        """The handler's service acts as the operation's runas user: createdby is the caller."""
        user = dv.add_user("Jane Doe")

        def export(inputs: dict[str, Any], context: CustomApiContext) -> dict[str, Any]:
            made = context.service.create(Entity("contoso_exportlog", contoso_name="export"))
            return {"LogId": str(made)}

        dv.background.register(API, export)
        client = client_for(surface, dv, user)
        op = client.start()
        dv.background.run(op)
        [log] = dv.rows("contoso_exportlog")
        assert (user, user) == (log["createdby"].id, log["modifiedby"].id)
        row = dv.service.retrieve(TABLE, op, ["runas", "outputparameters"])
        assert str(user) == row["runas"]
        assert f'[{{"Key":"LogId","Value":"{log.id}"}}]' == row["outputparameters"]

    def test_a_dataverse_error_from_the_service_fails_the_operation(
        self, dv: FakeDataverse, surface: str
    ) -> None:
        """The runas user lacks prvCreate on the table: the operation fails with that code."""
        user = dv.add_user("Reader", privileges=[
            "prvReadbackgroundoperation", "prvWritebackgroundoperation"])
        attempts: list[int] = []

        def export(inputs: dict[str, Any], context: CustomApiContext) -> None:
            attempts.append(context.attempt)
            context.service.create(Entity("contoso_exportlog", contoso_name="export"))

        dv.background.register(API, export)
        op = client_for(surface, dv, user).start()
        dv.background.run_all()
        row = dv.service.retrieve(TABLE, op, [STATE, STATUS, "errorcode", "errormessage",
                                              "retrycount"])
        assert ((3, 31), 3, [1, 2, 3, 4]) == (
            (row[STATE].value, row[STATUS].value), row["retrycount"], attempts)
        assert 0x80040220 - 2**32 == row["errorcode"]
        assert "prvCreatecontoso_exportlog" in row["errormessage"]
        assert [] == dv.rows("contoso_exportlog")


class TestBackoff:
    def test_intervals_show_in_the_row_times_and_grow(
        self, dv: FakeDataverse, client: Client
    ) -> None:
        """Each retry starts 60, 120, 240 s after the failure before it (fake clock)."""
        api = Export(failures=10)
        dv.background.register(API, api)
        dv.background.advance_on_poll = 1
        op = client.start()
        created = client.row(op)["createdon"]
        starts: list[dt.datetime] = []
        for _ in range(MAX_POLLS):
            row = client.row(op)
            if row[STATUS] == 20 and row["starttime"] not in starts:
                starts.append(row["starttime"])
            if row[STATE] == TERMINAL:
                break
        gaps = [(b - a).total_seconds() for a, b in zip([created, *starts], starts, strict=False)]
        assert [0, 60, 120, 240] == gaps
        assert (31, starts[-1], created + dt.timedelta(seconds=420)) == (
            row[STATUS], row["endtime"], row["modifiedon"])
        assert [(n, start) for n, start in enumerate(starts, 1)] == api.calls

    def test_run_moves_the_clock_through_the_waits(
        self, dv: FakeDataverse, client: Client
    ) -> None:
        """run(): the clock ends 60+120+240 s later; the retries ran at those moments."""
        api = Export(failures=3)
        dv.background.register(API, api)
        op = client.start()
        start = dv.clock.now()
        dv.background.run(op)
        assert start + dt.timedelta(seconds=420) == dv.clock.now()
        assert [0, 60, 180, 420] == [(at - start).total_seconds() for _, at in api.calls]
        assert (3, 30) == _pair(client.poll(op))


class TestCancel:
    def test_before_start_never_runs(self, dv: FakeDataverse, client: Client) -> None:
        """Canceled while Ready: it ends Canceled (3/32) and its handler never runs."""
        api = Export()
        dv.background.register(API, api)
        op = client.start()
        client.cancel(op)
        assert (2, 22) == _pair(client.poll(op))
        dv.background.run_all()
        assert ((3, 32), []) == (_pair(client.poll(op)), api.calls)

    def test_after_start_runs_to_its_end_without_retry(
        self, dv: FakeDataverse, client: Client
    ) -> None:
        """Canceled after it started: it is not stopped, and its failure is not retried."""
        api = Export(failures=10)
        dv.background.register(API, api)
        op = client.start()
        dv.background.start(op)
        client.cancel(op)
        assert [op] == [str(i) for i in dv.background.run_all()]
        body = client.poll(op)
        assert ((3, 31), 1) == (_pair(body), len(api.calls))
        assert 0 == client.row(op)["retrycount"]

    def test_in_a_terminal_state_is_refused(self, dv: FakeDataverse, client: Client) -> None:
        """A finished operation cannot be canceled; nothing changes."""
        dv.background.register(API, Export())
        op = client.start()
        dv.background.run(op)
        before = store_state(dv)
        with pytest.raises(DataverseError, match="not allowed after it is in terminal state"):
            client.cancel(op)
        assert before == store_state(dv)


class TestCallbacks:
    def test_delivered_to_a_responses_route(
        self, dv: FakeDataverse, client: Client, rsps: responses.RequestsMock
    ) -> None:
        """On completion the documented body is POSTed to the callback URL."""
        route = rsps.post("https://hooks.example/done", status=202)
        dv.background.register(API, Export())
        op = client.start(callback=HOOK)
        assert 0 == len(route.calls)
        dv.background.run(op)
        [call] = route.calls
        assert HOOK == call.request.url
        assert {"location": f"{dv.url}/api/backgroundoperation/{op}",
                "backgroundOperationId": op, "backgroundOperationStateCode": 3,
                "backgroundOperationStatusCode": 30} == _json(call.request.body)
        [record] = dv.background.callbacks
        assert (HOOK, 202, None, True) == (record.url, record.status, record.error,
                                           record.delivered)

    def test_a_failure_carries_the_error(
        self, dv: FakeDataverse, client: Client, rsps: responses.RequestsMock
    ) -> None:
        """A failed operation's callback has its error code and message."""
        route = rsps.post("https://hooks.example/done")
        dv.background.register(API, Export(failures=10))
        dv.background.run(client.start(callback=HOOK))
        body = _json(route.calls[0].request.body)
        assert (31, DataverseError.code - 2**32, "Access is denied.") == (
            body["backgroundOperationStatusCode"], body["backgroundOperationErrorCode"],
            body["backgroundOperationErrorMessage"])

    def test_an_undeliverable_callback_is_recorded_not_raised(
        self, dv: FakeDataverse, client: Client
    ) -> None:
        """No route for the URL: the failure is recorded; the operation still succeeded."""
        dv.background.register(API, Export())
        op = client.start(callback=HOOK)
        dv.background.run(op)
        [record] = dv.background.callbacks
        assert (None, False) == (record.status, record.delivered)
        assert record.error is not None
        assert record.error.startswith("ConnectionError: Connection refused by Responses")
        assert (3, 30) == _pair(client.poll(op))

    def test_auto_run_delivers_after_the_start_is_answered(
        self, dv: FakeDataverse, client: Client, rsps: responses.RequestsMock
    ) -> None:
        """Under auto_run the callback arrives before the start call returns to the client."""
        route = rsps.post("https://hooks.example/done")
        dv.background.register(API, Export())
        dv.background.auto_run = True
        op = client.start(callback=HOOK)
        assert op == _json(route.calls[0].request.body)["backgroundOperationId"]


class TestOnComplete:
    def test_called_once_per_completion(self, dv: FakeDataverse, client: Client) -> None:
        """Succeeded, failed and canceled operations each call the hook once, with the row."""
        seen: list[tuple[str, int]] = []
        dv.background.on_complete(lambda row: seen.append((str(row.id), row[STATUS].value)))
        dv.background.register(API, Export(failures=4))
        failed, succeeded, canceled = client.start(), client.start(), client.start()
        client.cancel(canceled)
        dv.background.advance_on_poll = 1
        for op in (failed, succeeded, canceled):
            wait_for(client, op)
        for op in (failed, succeeded, canceled):
            client.poll(op)
        dv.background.run_all()
        assert sorted([(failed, 31), (succeeded, 30), (canceled, 32)]) == sorted(seen)


def _json(body: bytes | str | None) -> dict[str, Any]:
    import json

    assert body is not None
    return json.loads(body)  # type: ignore[no-any-return]
