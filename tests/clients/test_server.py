"""dv.serve(): the local server, its URLs, its connections, and the admin API under /_fake/."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fake_dataverse import FakeDataverse
from fake_dataverse._interception._server import LocalServer
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

from ..traces import store_state

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def served() -> Iterator[tuple[FakeDataverse, str]]:
    dv = FakeDataverse()
    with dv.serve() as server:
        yield dv, server.url


def _rows(url: str) -> str:
    return f"{url}/api/data/v9.2/backgroundoperations"



class TestServe:
    def test_handle(self) -> None:
        """serve() returns a running server: .url on 127.0.0.1, .fake, .stop() frees the port."""
        dv = FakeDataverse()
        server = dv.serve()
        assert server.fake is dv
        assert server.url.startswith("http://127.0.0.1:")
        assert 200 == requests.get(_rows(server.url), headers=AUTH, timeout=5).status_code
        server.stop()
        server.stop()
        port = int(server.url.rsplit(":", 1)[1])
        with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.1", port))

    def test_kept_alive_connection_is_closed_on_stop(self) -> None:
        """A keep-alive session gets no answer after stop(): the connection is closed."""
        dv = FakeDataverse()
        session = requests.Session()
        with dv.serve() as server:
            assert 200 == session.get(_rows(server.url), headers=AUTH, timeout=5).status_code
        with pytest.raises(requests.ConnectionError):
            session.get(_rows(server.url), headers=AUTH, timeout=5)

    def test_unauthorized_challenge_names_the_server(self, served: tuple[Any, str]) -> None:
        """401 without a token; the challenge's resource is the server's URL."""
        _, url = served
        reply = requests.get(_rows(url), timeout=5)
        assert 401 == reply.status_code
        assert f"resource_id={url}/" in reply.headers["WWW-Authenticate"]

    def test_any_method_reaches_the_web_api(self, served: tuple[Any, str]) -> None:
        """A method the Web API does not take is its JSON 405, not the server's HTML 501."""
        _, url = served
        reply = requests.request("MERGE", _rows(url), headers=AUTH, timeout=5)
        assert (405, "0x80060888") == (reply.status_code, reply.json()["error"]["code"])

    def test_absolute_request_target(self, served: tuple[Any, str]) -> None:
        """A request line with the absolute URL (proxy form) is answered on that URL."""
        _, url = served
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(f"GET {_rows(url)} HTTP/1.1\r\nHost: elsewhere\r\n"
                        "Authorization: Bearer t\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert f'"@odata.context":"{url}/api/data/v9.2/$metadata#' in body.decode()

    def test_chunked_request_body(self, served: tuple[FakeDataverse, str]) -> None:
        """A body sent in chunks (no Content-Length) is read whole."""
        dv, url = served
        chunks = iter([b'{"name": ', b'"chunked"}'])
        reply = requests.post(_rows(url), data=chunks, timeout=5,
                              headers={**AUTH, "Content-Type": "application/json"})
        assert 204 == reply.status_code
        assert ["chunked"] == [row["name"] for row in dv.rows()]

    @pytest.mark.parametrize(
        "size", [b"-5", b"fffffffffff", b"10000001"], ids=["negative", "huge", "over-the-limit"]
    )
    def test_a_chunk_size_out_of_bounds_is_400_at_once(
        self, served: tuple[FakeDataverse, str], size: bytes
    ) -> None:
        """A negative chunk size (a read of it waited for the client to hang up) or one past
        the body limit (a read of it allocated it first): 400 at once, nothing stored."""
        dv, url = served
        host, port = url.split("//")[1].split(":")
        before = store_state(dv)
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(
                b"POST /api/data/v9.2/backgroundoperations HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer t\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + size + b"\r\n{}"
            )
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 400")
        assert before == store_state(dv)

    def test_a_client_that_hangs_up_is_not_reported(
        self, served: tuple[FakeDataverse, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A client gone before the answer is written (it timed out) leaves no traceback on
        standard error; the server goes on answering."""
        url = served[1]
        host, port = url.split("//")[1].split(":")
        reset_on_close = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s: RST
        for _ in range(20):
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, reset_on_close)
                sock.sendall(b"GET /api/data/v9.2/backgroundoperations HTTP/1.1\r\nHost: x\r\n"
                             b"Authorization: Bearer t\r\n\r\n")
        assert 200 == requests.get(_rows(url), headers=AUTH, timeout=5).status_code
        assert "Traceback" not in capsys.readouterr().err

    def test_internal_error_is_a_json_500(self) -> None:
        """A handler that crashes answers 500 with a JSON error naming it (never a hang)."""

        def broken(request: HttpRequest) -> HttpResponse:
            raise RuntimeError("boom")

        with LocalServer(FakeDataverse(), broken) as server:
            reply = requests.get(_rows(server.url), timeout=5)
        assert 500 == reply.status_code
        assert "RuntimeError: boom" in reply.json()["error"]["message"]
        # the root fault's code, with the headers of every other error answer
        assert "0x80040216" == reply.json()["error"]["code"]
        assert ("4.0", "application/json; odata.metadata=minimal") == (
            reply.headers["OData-Version"], reply.headers["Content-Type"])

    def test_reachable_inside_intercept_other_hosts_refused(
        self, served: tuple[Any, str]
    ) -> None:
        """Inside intercept() the fake's own server answers; another local port is refused."""
        dv, url = served
        with dv.intercept():
            assert 200 == requests.get(_rows(url), headers=AUTH, timeout=5).status_code
            with pytest.raises(requests.ConnectionError):
                requests.get("http://127.0.0.1:9/x", timeout=5)


class TestAdmin:
    def test_index_lists_routes(self, served: tuple[Any, str]) -> None:
        dv, url = served
        index = requests.get(f"{url}/_fake/", timeout=5).json()
        assert dv.url == index["url"]
        assert "POST /_fake/reset" in index["routes"]

    def test_unknown_route_is_404_listing_routes(self, served: tuple[Any, str]) -> None:
        _, url = served
        reply = requests.post(f"{url}/_fake/resett", timeout=5)
        assert 404 == reply.status_code
        assert "POST /_fake/reset" in reply.json()["error"]["message"]

    def test_body_must_be_a_json_object(self, served: tuple[FakeDataverse, str]) -> None:
        dv, url = served
        before = dv.clock.now()
        reply = requests.post(f"{url}/_fake/clock/advance", data=b"[1]", timeout=5)
        assert 400 == reply.status_code
        assert before == dv.clock.now()

    def test_reset(self, served: tuple[FakeDataverse, str]) -> None:
        dv, url = served
        requests.post(_rows(url), json={"name": "x"}, headers=AUTH, timeout=5)
        assert 204 == requests.post(f"{url}/_fake/reset", timeout=5).status_code
        assert [] == dv.rows()

    def test_snapshot_and_restore(self, served: tuple[FakeDataverse, str]) -> None:
        dv, url = served
        requests.post(_rows(url), json={"name": "kept"}, headers=AUTH, timeout=5)
        saved = store_state(dv)
        created = requests.post(f"{url}/_fake/snapshot", timeout=5)
        assert 201 == created.status_code
        requests.post(_rows(url), json={"name": "dropped"}, headers=AUTH, timeout=5)
        restored = requests.post(f"{url}/_fake/restore", json=created.json(), timeout=5)
        assert 204 == restored.status_code
        assert saved == store_state(dv)

    def test_restore_unknown_snapshot(self, served: tuple[FakeDataverse, str]) -> None:
        dv, url = served
        requests.post(_rows(url), json={"name": "x"}, headers=AUTH, timeout=5)
        before = store_state(dv)
        reply = requests.post(f"{url}/_fake/restore", json={"id": "41"}, timeout=5)
        assert 404 == reply.status_code
        assert before == store_state(dv)
        assert 400 == requests.post(f"{url}/_fake/restore", json={}, timeout=5).status_code

    def test_clock(self, served: tuple[FakeDataverse, str]) -> None:
        dv, url = served
        assert {"now": "2026-01-01T09:00:00Z", "frozen": True} == requests.get(
            f"{url}/_fake/clock", timeout=5).json()
        moved = requests.put(f"{url}/_fake/clock", json={"now": "2026-03-01T00:00:00+01:00"},
                             timeout=5).json()
        assert "2026-02-28T23:00:00Z" == moved["now"]
        advanced = requests.post(f"{url}/_fake/clock/advance", json={"hours": 2, "minutes": 30},
                                 timeout=5).json()
        assert "2026-03-01T01:30:00Z" == advanced["now"]
        assert "2026-03-01T01:30:00+00:00" == dv.clock.now().isoformat()

    @pytest.mark.parametrize("body", [{"now": "tomorrow"}, {"now": "2026-01-01T00:00:00"},
                                      {"frozen": "yes"}])
    def test_bad_clock_values(self, served: tuple[FakeDataverse, str], body: Any) -> None:
        dv, url = served
        before = dv.clock.now()
        assert 400 == requests.put(f"{url}/_fake/clock", json=body, timeout=5).status_code
        assert before == dv.clock.now()

    @pytest.mark.parametrize("body", [{"centuries": 1}, {"days": "2"}, {"days": -1},
                                      {"seconds": 1e20}, {"days": 1e9}, {"weeks": 600000}])
    def test_bad_advance(self, served: tuple[FakeDataverse, str], body: Any) -> None:
        dv, url = served
        before = dv.clock.now()
        reply = requests.post(f"{url}/_fake/clock/advance", json=body, timeout=5)
        assert 400 == reply.status_code
        assert before == dv.clock.now()

    def test_users(self, served: tuple[FakeDataverse, str]) -> None:
        """An added user acts through MSCRMCallerID, with only its privileges."""
        dv, url = served
        added = requests.post(f"{url}/_fake/users", timeout=5, json={
            "fullname": "Reader", "privileges": ["prvReadbackgroundoperation"]})
        assert 201 == added.status_code
        user = added.json()["systemuserid"]
        assert uuid.UUID(user) in dv.organization.users
        refused = requests.post(_rows(url), json={"name": "x"}, timeout=5,
                                headers={**AUTH, "MSCRMCallerID": user})
        assert 403 == refused.status_code
        bad = requests.post(f"{url}/_fake/users", json={"fullname": "X", "privileges": "prv"},
                            timeout=5)
        assert 400 == bad.status_code

    def test_background(self, served: tuple[FakeDataverse, str]) -> None:
        """register, pending, start, finish; run and run_all; a failing stand-in."""
        _, url = served
        admin = f"{url}/_fake/background"
        assert 204 == requests.post(f"{admin}/register", timeout=5,
                                    json={"name": "sample_Ok", "outputs": {"Rows": 3}}).status_code
        requests.post(f"{admin}/register", json={"name": "sample_Bad", "error": "no"}, timeout=5)
        started = [
            requests.post(f"{url}/api/data/v9.2/{name}", json={}, timeout=5,
                          headers={**AUTH, "Prefer": "respond-async"}).headers["Location"]
            for name in ("sample_Ok", "sample_Bad", "sample_Ok")
        ]
        ids = [location.rsplit("/", 1)[1] for location in started]
        assert ids == requests.get(admin, timeout=5).json()["pending"]
        assert {"id": ids[0]} == requests.post(f"{admin}/start", json={"id": ids[0]},
                                               timeout=5).json()
        assert {"id": ids[0]} == requests.post(f"{admin}/finish", json={"id": ids[0]},
                                               timeout=5).json()
        assert {"id": ids[1]} == requests.post(f"{admin}/run", json={}, timeout=5).json()
        assert {"ids": [ids[2]]} == requests.post(f"{admin}/run_all", timeout=5).json()
        polled = [requests.get(location, headers=AUTH, timeout=5).json() for location in started]
        assert [30, 31, 30] == [p["backgroundOperationStatusCode"] for p in polled]
        assert 3 == polled[0]["Rows"]
        refused = requests.post(f"{admin}/run", json={"id": "not-a-guid"}, timeout=5)
        assert 400 == refused.status_code

    def test_background_modes_and_advance(self, served: tuple[FakeDataverse, str]) -> None:
        """mode get/set (refusing bad values, changing nothing), advance by seconds."""
        dv, url = served
        admin = f"{url}/_fake/background"
        assert {"auto_run": False, "advance_on_poll": None} == requests.get(
            f"{admin}/mode", timeout=5).json()
        assert {"auto_run": True, "advance_on_poll": 2} == requests.put(
            f"{admin}/mode", json={"auto_run": True, "advance_on_poll": 2}, timeout=5).json()
        assert (True, 2) == (dv.background.auto_run, dv.background.advance_on_poll)
        for bad in ({"auto_run": "yes"}, {"advance_on_poll": 0}, {"speed": 1}):
            assert 400 == requests.put(f"{admin}/mode", json=bad, timeout=5).status_code
        assert (True, 2) == (dv.background.auto_run, dv.background.advance_on_poll)
        requests.put(f"{admin}/mode", json={"auto_run": False, "advance_on_poll": None}, timeout=5)
        requests.post(f"{admin}/register", json={"name": "sample_Ok"}, timeout=5)
        location = requests.post(f"{url}/api/data/v9.2/sample_Ok", json={}, timeout=5,
                                 headers={**AUTH, "Prefer": "respond-async"}).headers["Location"]
        before = dv.clock.now()
        moved = requests.post(f"{admin}/advance", json={"seconds": 60}, timeout=5).json()
        assert [location.rsplit("/", 1)[1]] == moved["ids"]
        assert 60 == (dv.clock.now() - before).total_seconds()
        assert 400 == requests.post(f"{admin}/advance", json={"seconds": -1}, timeout=5).status_code

    def test_faults(self, served: tuple[FakeDataverse, str]) -> None:
        """throttle, fail_next by fault name, clear; an unknown fault name is refused."""
        dv, url = served
        admin = f"{url}/_fake/faults"
        requests.post(f"{admin}/throttle", json={"kind": "concurrency", "retry_after": 3},
                      timeout=5)
        throttled = requests.get(_rows(url), headers=AUTH, timeout=5)
        assert (429, "3", "0x80072326") == (
            throttled.status_code, throttled.headers["Retry-After"],
            throttled.json()["error"]["code"])
        requests.post(f"{admin}/fail_next", timeout=5,
                      json={"error": "DuplicateRecord", "message": "Create"})
        failed = requests.post(_rows(url), json={"name": "x"}, headers=AUTH, timeout=5)
        assert (412, "0x80040237") == (failed.status_code, failed.json()["error"]["code"])
        assert [] == dv.rows()
        requests.post(f"{admin}/throttle", json={"times": 5}, timeout=5)
        assert 204 == requests.delete(admin, timeout=5).status_code
        assert 200 == requests.get(_rows(url), headers=AUTH, timeout=5).status_code
        unknown = requests.post(f"{admin}/fail_next", json={"error": "NoSuchFault"}, timeout=5)
        assert 400 == unknown.status_code
        assert "NoSuchFault" in unknown.json()["error"]["message"]
        bad_kind = requests.post(f"{admin}/throttle", json={"kind": "slow"}, timeout=5)
        assert 400 == bad_kind.status_code

    def test_gateway_and_request_log(self, served: tuple[FakeDataverse, str]) -> None:
        """A gateway fault and the request log reach clients in other processes too."""
        dv, url = served
        admin = f"{url}/_fake"
        requests.post(f"{admin}/faults/gateway", json={"status": 502, "retry_after": 2},
                      timeout=5)
        failed = requests.post(_rows(url), json={"name": "x"}, headers=AUTH, timeout=5)
        assert (502, "2") == (failed.status_code, failed.headers["Retry-After"])
        assert [] == dv.rows()
        assert 400 == requests.post(f"{admin}/faults/gateway", json={"status": 500},
                                    timeout=5).status_code
        created = requests.post(_rows(url), json={"name": "x"}, headers=AUTH, timeout=5)
        assert 204 == created.status_code
        logged = requests.get(f"{admin}/requests", timeout=5).json()["value"]
        assert [("webapi", "POST", "backgroundoperations", None)] == [
            (c["surface"], c["method"], c["path"], c["error_code"]) for c in logged
        ][-1:]
        assert len(dv.requests) == len(logged)
        assert 204 == requests.delete(f"{admin}/requests", timeout=5).status_code
        assert 0 == len(dv.requests)


class TestConcurrency:
    def test_eight_clients_five_hundred_requests_each(self) -> None:
        """8 clients × 500 mixed requests: no 5xx, and no lost update on If-Match counters."""
        dv = FakeDataverse()
        clients, rounds = 8, 500
        with dv.serve() as server:
            rows = _rows(server.url)
            counters = []
            for number in range(4):
                created = requests.post(rows, json={"name": f"counter{number}", "retrycount": 0},
                                        headers=AUTH, timeout=30)
                counters.append(created.headers["OData-EntityId"])
            increments = [0] * clients
            statuses: list[list[int]] = [[] for _ in range(clients)]
            failures: list[BaseException] = []

            def client(index: int) -> None:
                session = requests.Session()
                session.headers.update(AUTH)
                try:
                    for step in range(rounds):
                        target = counters[(index + step) % len(counters)]
                        kind = step % 5
                        if kind in (0, 1):  # read-modify-write with If-Match, retried on 412
                            read = session.get(f"{target}?$select=retrycount", timeout=30)
                            statuses[index].append(read.status_code)
                            value = read.json()["retrycount"]
                            wrote = session.patch(target, json={"retrycount": value + 1},
                                                  headers={"If-Match": read.headers["ETag"]},
                                                  timeout=30)
                            statuses[index].append(wrote.status_code)
                            if wrote.status_code == 204:
                                increments[index] += 1
                        elif kind == 2:
                            page = session.get(f"{rows}?$select=name&$top=3", timeout=30)
                            statuses[index].append(page.status_code)
                        elif kind == 3:
                            made = session.post(rows, json={"name": f"c{index}-{step}"},
                                                timeout=30)
                            statuses[index].append(made.status_code)
                        else:
                            bad = session.post(rows, json={"priority": 99}, timeout=30)
                            statuses[index].append(bad.status_code)
                except BaseException as error:  # reported below, with the client's number
                    failures.append(error)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert [] == failures
        seen = {status for per_client in statuses for status in per_client}
        assert seen <= {200, 204, 400, 412}, seen
        assert clients * rounds <= sum(len(s) for s in statuses)
        total = sum(row["retrycount"] for row in dv.rows() if row["name"].startswith("counter"))
        assert sum(increments) == total
        assert clients * rounds // 5 == len([r for r in dv.rows() if r["name"][:1] == "c"
                                             and not r["name"].startswith("counter")])
