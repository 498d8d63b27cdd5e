"""Faults met in production: network errors and failing gateways, for testing retry code."""

from __future__ import annotations

import httpx
import pytest
import requests

from fake_dataverse import Entity, FakeDataverse, HttpRequest
from fake_dataverse.errors import RecordNotFound

from ..traces import store_state
from .conftest import TABLE

API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def dv() -> FakeDataverse:
    return FakeDataverse()


def _post(name: str) -> requests.Response:
    return requests.post(f"{API}/backgroundoperations", json={"name": name}, headers=AUTH)


class TestNetworkErrors:
    @pytest.mark.parametrize(
        "error",
        [
            requests.ConnectionError("Connection refused"),
            requests.ConnectTimeout("connect timed out"),
            requests.ReadTimeout("read timed out"),
        ],
    )
    def test_raised_before_the_organization_sees_the_request(
        self, dv: FakeDataverse, error: requests.RequestException
    ) -> None:
        """The client gets the exception; nothing is stored or logged; the next one works."""
        before = store_state(dv)
        with dv.intercept():
            dv.faults.fail_next(error)
            with pytest.raises(type(error)) as raised:
                _post("lost")
            assert raised.value is error
            assert before == store_state(dv) and [] == list(dv.requests)
            assert 204 == _post("kept").status_code
        assert ["kept"] == [row["name"] for row in dv.rows()]

    def test_a_read_timeout_after_the_write(self, dv: FakeDataverse) -> None:
        """applied=True: the create happens, then the client times out waiting for the answer
        (a retry would create a second row: what idempotent clients must handle)."""
        with dv.intercept():
            dv.faults.fail_next(requests.ReadTimeout("read timed out"), applied=True)
            with pytest.raises(requests.ReadTimeout):
                _post("done anyway")
        assert ["done anyway"] == [row["name"] for row in dv.rows()]
        assert [204] == [call.status for call in dv.requests]

    def test_times_counts_requests_of_any_kind(self, dv: FakeDataverse) -> None:
        """times=2 fails the next two requests, a GET and a POST alike."""
        with dv.intercept():
            dv.faults.fail_next(requests.ConnectionError("down"), times=2)
            for send in (lambda: requests.get(f"{API}/backgroundoperations", headers=AUTH),
                         lambda: _post("x")):
                with pytest.raises(requests.ConnectionError):
                    send()
            assert 204 == _post("x").status_code

    def test_httpx_clients_get_their_own_errors(self, dv: FakeDataverse) -> None:
        """Whatever exception is injected is what the transport raises: httpx's for httpx."""
        dv.faults.fail_next(httpx.ConnectError("refused"))
        with httpx.Client(transport=dv.httpx_transport()) as client, pytest.raises(
            httpx.ConnectError
        ):
            client.get(f"{API}/backgroundoperations", headers=AUTH)
        assert [] == dv.rows()

    def test_the_sdk_surface_raises_it_too(self, dv: FakeDataverse) -> None:
        """The next SDK call raises the injected transport error and changes nothing."""
        before = store_state(dv)
        dv.faults.fail_next(ConnectionError("reset by peer"))
        with pytest.raises(ConnectionError, match="reset by peer"):
            dv.service.create(Entity(TABLE, name="lost"))
        assert before == store_state(dv)
        dv.service.create(Entity(TABLE, name="kept"))

    def test_an_applied_error_hides_the_answer_on_the_sdk_surface(
        self, dv: FakeDataverse
    ) -> None:
        """applied=True on the SDK: the message runs (a fault too), then the error is raised."""
        dv.faults.fail_next(ConnectionError("reset"), applied=True, times=2)
        with pytest.raises(ConnectionError):
            dv.service.create(Entity(TABLE, name="stored"))
        with pytest.raises(ConnectionError):
            dv.service.retrieve(TABLE, "00000000-0000-0000-0000-0000000000aa")
        assert ["stored"] == [row["name"] for row in dv.rows()]
        assert [None, "0x80048d02"] == [call.error_code for call in dv.requests]

    def test_misuse_is_refused(self, dv: FakeDataverse) -> None:
        """message= and applied= only where they mean something; an exception instance only."""
        with pytest.raises(ValueError, match="message= picks the Dataverse faults"):
            dv.faults.fail_next(requests.ConnectionError(), message="Create")
        with pytest.raises(ValueError, match="applied=True is for transport errors"):
            dv.faults.fail_next(RecordNotFound(id="x"), applied=True)
        with pytest.raises(TypeError, match="exception instance"):
            dv.faults.fail_next(requests.ConnectionError)  # type: ignore[arg-type]


class TestGatewayFaults:
    @pytest.mark.parametrize(
        ("status", "text"),
        [(502, "502 Bad Gateway"), (503, "503 Service Unavailable"), (504, "504 Gateway Timeout")],
    )
    def test_answered_by_the_gateway(self, dv: FakeDataverse, status: int, text: str) -> None:
        """The status with a plain-text body; the organization never sees the request."""
        before = store_state(dv)
        with dv.intercept():
            dv.faults.gateway(status)
            reply = _post("lost")
        assert (status, text) == (reply.status_code, reply.text)
        assert reply.headers["Content-Type"].startswith("text/plain")
        assert "Retry-After" not in reply.headers
        assert before == store_state(dv)
        assert [(status, None)] == [(call.status, call.error_code) for call in dv.requests]

    def test_retry_after_and_times(self, dv: FakeDataverse) -> None:
        """retry_after adds the header (whole seconds); times=2 answers two requests."""
        dv.faults.gateway(503, times=2, retry_after=1.5)
        request = HttpRequest("GET", f"{API}/backgroundoperations", AUTH)
        replies = [dv.handle(request) for _ in range(3)]
        assert [503, 503, 200] == [reply.status for reply in replies]
        assert "2" == replies[0].headers["Retry-After"]

    def test_a_retrying_client_gets_through(self, dv: FakeDataverse) -> None:
        """A client retrying 502/503/504 (as the official SDK does) creates the row once."""
        dv.faults.gateway(502)
        dv.faults.gateway(504)
        dv.faults.gateway(503)
        with dv.intercept():
            statuses = []
            for _ in range(5):
                reply = _post("export")
                statuses.append(reply.status_code)
                if reply.status_code not in (502, 503, 504):
                    break
        assert [502, 504, 503, 204] == statuses
        assert 1 == len(dv.rows())

    def test_the_sdk_surface_is_not_behind_the_gateway(self, dv: FakeDataverse) -> None:
        """SDK calls run; the gateway fault waits for the next Web API request."""
        dv.faults.gateway(503)
        dv.service.create(Entity(TABLE, name="sdk"))
        assert 503 == dv.handle(HttpRequest("GET", f"{API}/backgroundoperations", AUTH)).status

    def test_only_gateway_statuses(self, dv: FakeDataverse) -> None:
        """500 is not a gateway fault (inject a Dataverse fault for that)."""
        with pytest.raises(ValueError, match="502, 503 or 504"):
            dv.faults.gateway(500)
