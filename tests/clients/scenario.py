"""One Dataverse scenario, run through every client stack (and as a script in another process).

create → retrieve → update with If-Match (and a stale one refused) → query with paging → change
tracking → ``$batch`` → a background operation started with ``respond-async`` and polled. The
stack is a ``send(method, url, headers, body)`` coroutine; the custom API is registered and the
operation run through ``hooks`` (the fake in-process, the admin API over HTTP).

As a script: ``python scenario.py <server URL>`` runs it with ``urllib`` against a local server,
using the admin API, and prints the summary as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple


class Reply(NamedTuple):
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Send = Callable[[str, str, dict[str, str], bytes | None], Awaitable[Reply]]


class Hooks(NamedTuple):
    register: Callable[[str], Awaitable[None]]  # make a custom API with outputs {"Rows": 7}
    run: Callable[[str], Awaitable[None]]  # run one background operation to its end


AUTH = {"Authorization": "Bearer scenario", "Accept": "application/json", "OData-Version": "4.0"}
JSON = {**AUTH, "Content-Type": "application/json"}
API_NAME = "sample_Export"


def lowered(headers: Mapping[str, str] | Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(headers).items()}


def _body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


async def run_scenario(send: Send, base: str, hooks: Hooks) -> dict[str, Any]:
    """Run the scenario; assert every answer; return what the test checks against the store."""
    api = f"{base}/api/data/v9.2"
    rows = f"{api}/backgroundoperations"

    created = await send("POST", rows, JSON, _body({"name": "scenario-0", "priority": 1}))
    assert 204 == created.status, created
    entity = created.headers["odata-entityid"]
    assert entity.startswith(rows + "("), entity

    read = await send("GET", entity + "?$select=name,retrycount", AUTH, None)
    assert 200 == read.status, read
    etag = read.headers["etag"]
    assert ("scenario-0", etag) == (read.json()["name"], read.json()["@odata.etag"])

    updated = await send("PATCH", entity, {**JSON, "If-Match": etag}, _body({"retrycount": 1}))
    assert 204 == updated.status, updated
    stale = await send("PATCH", entity, {**JSON, "If-Match": etag}, _body({"retrycount": 9}))
    assert (412, "0x80060882") == (stale.status, stale.json()["error"]["code"]), stale
    assert 1 == (await send("GET", entity, AUTH, None)).json()["retrycount"]

    for number in range(1, 5):
        more = await send("POST", rows, JSON, _body({"name": f"scenario-{number}"}))
        assert 204 == more.status, more
    paged = {**AUTH, "Prefer": "odata.maxpagesize=2"}
    url: str | None = f"{rows}?$select=name&$orderby=name%20desc"
    names: list[str] = []
    pages = 0
    while url is not None:
        page = await send("GET", url, paged, None)
        assert 200 == page.status, page
        assert page.json()["@odata.context"].startswith(f"{api}/$metadata#"), page
        names += [row["name"] for row in page.json()["value"]]
        url = page.json().get("@odata.nextLink")
        assert url is None or url.startswith(rows + "?"), url
        pages += 1
    assert ([f"scenario-{n}" for n in range(4, -1, -1)], 3) == (names, pages)

    tracked = await send("GET", f"{rows}?$select=name,retrycount",
                         {**AUTH, "Prefer": "odata.track-changes"}, None)
    delta = tracked.json()["@odata.deltaLink"]
    assert delta.startswith(rows + "?"), delta
    # If-Match: * makes the PATCH an update (without it, an elastic table's upsert replaces).
    changed = await send("PATCH", entity, {**JSON, "If-Match": "*"}, _body({"retrycount": 2}))
    assert 204 == changed.status, changed
    changes = (await send("GET", delta, AUTH, None)).json()
    assert [("scenario-0", 2)] == [(r["name"], r["retrycount"]) for r in changes["value"]], changes

    boundary = "batch_scenario"
    batch = (
        f"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        f"\r\nGET {entity}?$select=name HTTP/1.1\r\nAccept: application/json\r\n\r\n"
        f"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        f"\r\nPOST {rows} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        '{"name": "scenario-batch"}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    batched = await send(
        "POST", f"{api}/$batch",
        {**AUTH, "Content-Type": f"multipart/mixed; boundary={boundary}"}, batch,
    )
    text = batched.body.decode()
    assert 200 == batched.status, batched
    assert "HTTP/1.1 200 OK" in text and "HTTP/1.1 204 No Content" in text, text
    assert f"OData-EntityId: {rows}(" in text, text

    await hooks.register(API_NAME)
    started = await send("POST", f"{api}/{API_NAME}",
                         {**JSON, "Prefer": "respond-async"}, _body({"Scope": "all"}))
    assert 202 == started.status, started
    monitor = started.headers["location"]
    assert monitor.startswith(f"{base}/api/backgroundoperation/"), monitor
    ready = (await send("GET", monitor, AUTH, None)).json()
    assert (0, 0) == (ready["backgroundOperationStateCode"], ready["backgroundOperationStatusCode"])
    await hooks.run(started.headers["x-ms-dyn-backgroundoperationid"])
    done = (await send("GET", monitor, AUTH, None)).json()
    assert (3, 30, 7) == (
        done["backgroundOperationStateCode"], done["backgroundOperationStatusCode"], done["Rows"]
    ), done
    return {"id": entity[len(rows) + 1 : -1], "retrycount": 2, "rows": 7,
            "operation": monitor.rsplit("/", 1)[1]}


# ---- as a script: another process, urllib only ------------------------------------------------
def _urllib_send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return Reply(answer.status, lowered(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, lowered(error.headers), error.read())


def admin_hooks(base: str, send: Callable[..., Reply]) -> Hooks:
    """Hooks that drive the fake through the admin API of a server at ``base``."""

    async def register(name: str) -> None:
        body = _body({"name": name, "outputs": {"Rows": 7}})
        reply = send("POST", f"{base}/_fake/background/register",
                     {"Content-Type": "application/json"}, body)
        assert 204 == reply.status, reply

    async def run(operation_id: str) -> None:
        reply = send("POST", f"{base}/_fake/background/run",
                     {"Content-Type": "application/json"}, _body({"id": operation_id}))
        assert (200, operation_id) == (reply.status, reply.json()["id"]), reply

    return Hooks(register, run)


def main(base: str) -> None:
    async def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Reply:
        return _urllib_send(method, url, headers, body)

    summary = asyncio.run(run_scenario(send, base, admin_hooks(base, _urllib_send)))
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1])
