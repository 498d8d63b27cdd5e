"""Where a completion callback can arrive, and where the fake refuses to send it."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests_mock
import responses

from fake_dataverse import FakeDataverse, OrganizationRequest


def _run_with_callback(dv: FakeDataverse, url: str) -> None:
    dv.background.register("sample_Export", lambda inputs: None)
    response = dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
        "Request": OrganizationRequest("sample_Export", {}), "CallbackUri": url}))
    dv.background.run(response["BackgroundOperationId"])


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def local_server() -> Iterator[str]:
    """A webhook receiver on 127.0.0.1 that this test starts and stops."""
    _Receiver.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


class TestWhereCallbacksArrive:
    def test_a_requests_mock_route(self) -> None:
        """Inside a requests-mock Mocker its route receives the POST."""
        dv = FakeDataverse()
        with requests_mock.Mocker() as mocker:
            route = mocker.post("https://hooks.example/done", status_code=202)
            _run_with_callback(dv, "https://hooks.example/done")
        body = route.last_request.json()
        assert (1, 3) == (route.call_count, body["backgroundOperationStateCode"])
        assert 202 == dv.background.callbacks[0].status

    def test_requests_mock_without_a_route(self) -> None:
        """An unmatched URL inside requests-mock is recorded as its NoMockAddress."""
        dv = FakeDataverse()
        with requests_mock.Mocker():
            _run_with_callback(dv, "https://hooks.example/done")
        error = dv.background.callbacks[0].error
        assert error is not None and error.startswith("NoMockAddress")

    def test_another_intercepted_fake(self) -> None:
        """A callback URL on another fake organization reaches its Web API (here: a 401, as
        callbacks carry no credentials, Dataverse's SAS-URL rule)."""
        dv, other = FakeDataverse(), FakeDataverse("https://fabrikam.crm.dynamics.com")
        with dv.intercept(), other.intercept():
            _run_with_callback(dv, f"{other.url}/api/data/v9.2/sample_Hook")
        assert 401 == dv.background.callbacks[0].status

    def test_a_loopback_server_passed_through(self, local_server: str) -> None:
        """A responses passthrough to a 127.0.0.1 server the test started is delivered."""
        dv = FakeDataverse()
        with responses.RequestsMock() as rsps:
            rsps.add_passthru("http://127.0.0.1")
            _run_with_callback(dv, local_server)
        assert 204 == dv.background.callbacks[0].status
        assert 3 == _Receiver.received[0]["backgroundOperationStateCode"]

    def test_never_to_the_network(self) -> None:
        """A passthrough to any other host is not sent: the record says why."""
        dv = FakeDataverse()
        with responses.RequestsMock() as rsps:
            rsps.add_passthru("https://hooks.example")
            _run_with_callback(dv, "https://hooks.example/done")
        record = dv.background.callbacks[0]
        assert (None, "not delivered: the active responses mock would pass the POST to "
                "hooks.example through to the network (the fake sends callbacks only to mocked "
                "routes or loopback servers)") == (record.status, record.error)

    def test_an_error_in_the_receiving_route_is_recorded(self) -> None:
        """The receiver's own exception is recorded, not raised into the runner."""
        def explode(request: Any) -> Any:
            raise RuntimeError("webhook crashed")

        dv = FakeDataverse()
        with responses.RequestsMock() as rsps:
            rsps.add_callback("POST", "https://hooks.example/done", callback=explode)
            _run_with_callback(dv, "https://hooks.example/done")
        assert "RuntimeError: webhook crashed" == dv.background.callbacks[0].error
