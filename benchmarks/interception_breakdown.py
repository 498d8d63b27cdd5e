"""Where the Web API create's cost over the floor goes, inside the ``requests`` call.

The same ``requests`` POST as the ``figures`` benchmark, answered by five handlers in turn, each
measured as the figure is (batches alternating with the floor's, the fastest batch mean):

- ``answer``: returns the fake's 204 at once: the ``responses`` adapter alone, and the extra
  headers ``requests`` reads;
- ``spin``: a loop that costs about as much alone as the fake's create, but touches little
  code and data;
- ``minimal``: a create without the fake's rules (``json.loads``, a GUID, a dictionary insert,
  the three headers of the fake's answer);
- ``direct``: the fake's create rules without the layers between them: the body parsed and
  converted as the Web API does, the caller's and the privilege's checks, ``create_row`` (every
  column rule, the new row, the commit), a session token, the reply's headers and the request
  log's record, called straight from the handler (no routing, no ``Create`` message, no
  request or response objects). Not a way the fake answers: what the layers cost;
- ``fake``: the fake's own ``dv.handle``.

Each handler's cost called alone, in a loop, is printed beside what it adds to the POST: work
that stays in a few cache lines costs the same in both; the fake's create costs more inside
the POST, since the ``requests`` code between two calls evicts its code and data.

    python benchmarks/interception_breakdown.py [--calls N] [--batches N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import responses

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import (  # a sibling module, on the path now
    CREATE_BODY,
    ENTITY_SET,
    FLOOR_URL,
    TABLE,
    WebClient,
    add_floor,
    fastest_ms,
    per_call_us,
)

from fake_dataverse import FakeDataverse
from fake_dataverse._interception._responses import Interception
from fake_dataverse._messages._crud import create_row
from fake_dataverse._messages._registry import ExecutionContext
from fake_dataverse._storage._organization import Caller
from fake_dataverse._webapi._calls import WebApiCall
from fake_dataverse._webapi._http import Headers, HttpRequest, HttpResponse
from fake_dataverse._webapi._json import entity_from_json, request_json
from fake_dataverse._webapi._select import entity_path

Handler = Callable[[HttpRequest], HttpResponse]


def _minimal(url: str) -> Handler:
    """Return a create that keeps rows in a dictionary and checks nothing."""
    rows: dict[int, tuple[Any, ...]] = {}
    ids = random.Random(0)
    counter = [0]

    def create(request: HttpRequest) -> HttpResponse:
        values = json.loads(request.body)
        row_id = uuid.UUID(int=ids.getrandbits(128), version=4)
        counter[0] += 1
        rows[row_id.int] = (row_id, tuple(values.items()), counter[0])
        headers = {
            "OData-Version": "4.0",
            "x-ms-session-token": f"207:8#{counter[0]}#7=-1",
            "OData-EntityId": f"{url}({row_id})",
        }
        return HttpResponse(204, headers, b"")

    return create


def _direct(dv: FakeDataverse, root: str) -> Handler:
    """Return the fake's create rules called one after another, without the layers between."""
    org = dv.organization
    table = org.table(TABLE)
    caller = Caller(org.admin_id)
    context = ExecutionContext(org, caller, dv.service.execute)
    store, record = org.store, org.request_log.record

    def create(request: HttpRequest) -> HttpResponse:
        payload = request_json(request.headers.get("Content-Type"), request.body, ENTITY_SET)
        entity = entity_from_json(table, payload, ENTITY_SET)
        with store.lock:
            org.check_caller(caller)
            org.check_privilege(caller, table, "Create")
            row = create_row(context, table, entity)
            token = store.next_session_token()
        headers = {
            "OData-Version": "4.0",
            "x-ms-session-token": token,
            "OData-EntityId": f"{root}{entity_path(table, row.id, None)}",
        }
        response = HttpResponse(204, headers, b"")
        record(WebApiCall(request, response, org.url, batch_part=False))
        return response

    return create


def _spin(rounds: int, answer: HttpResponse) -> Handler:
    def spin(request: HttpRequest) -> HttpResponse:
        total = 0
        for number in range(rounds):
            total += number
        return answer

    return spin


def _alone_us(handler: Handler, request: Callable[[], HttpRequest], calls: int) -> float:
    """Return a handler's cost per call in µs, called in a loop (the fastest of five batches)."""

    def batch() -> None:
        for _ in range(calls):
            handler(request())

    return fastest_ms(5, batch) * 1000 / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per batch")
    parser.add_argument("--batches", type=int, default=40, help="batches of each")
    options = parser.parse_args(argv)

    dv = FakeDataverse()
    client = WebClient(dv)
    url = f"{client.root}{ENTITY_SET}"
    raw = json.dumps(CREATE_BODY).encode()
    headers = Headers({"Authorization": "Bearer benchmark", "Content-Type": "application/json"})

    def request() -> HttpRequest:
        return HttpRequest("POST", url, headers, raw)

    answer = dv.handle(request())
    fake_alone = _alone_us(dv.handle, request, options.calls)
    rounds = 1000
    spin_alone = _alone_us(_spin(rounds, answer), request, options.calls)
    rounds = max(1, round(rounds * fake_alone / spin_alone))  # about the create's cost alone

    handlers: list[tuple[str, Handler]] = [
        ("answer", lambda request: answer),
        ("spin", _spin(rounds, answer)),
        ("minimal", _minimal(url)),
        ("direct", _direct(dv, client.root)),
        ("fake", dv.handle),
    ]

    print(f"{'handler':8} {'alone':>9} {'floor':>9} {'POST':>9} {'added':>9} {'÷ floor':>8}")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        add_floor(mock, url)
        for name, handler in handlers:
            alone = _alone_us(handler, request, options.calls) if name != "answer" else 0.0
            with Interception(dv.url, handler, mock, owner=dv):
                floor, post = per_call_us(
                    options.calls,
                    options.batches,
                    lambda: client.session.post(FLOOR_URL, json=CREATE_BODY),
                    lambda: client.session.post(url, json=CREATE_BODY),
                )
            print(
                f"{name:8} {alone:7.1f}µs {floor:7.1f}µs {post:7.1f}µs {post - floor:7.1f}µs"
                f" {post / floor:7.3f}×"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
