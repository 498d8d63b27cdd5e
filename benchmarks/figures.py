"""The performance figures: each measured in one process, beside the floor of the interception.

A figure is a measured number, its unit and its target. :func:`interception_figures` and
:func:`table_figures` (on a small and a large table) measure them; :mod:`run` prints them as a
table.
"""

from __future__ import annotations

import gc
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs
import requests
import responses

from fake_dataverse import (
    CreateMultipleRequest,
    CreateRequest,
    Entity,
    ExecuteTransactionRequest,
    FakeDataverse,
    UpdateRequest,
)

TABLE = "backgroundoperation"
ENTITY_SET = "backgroundoperations"


@attrs.frozen
class Figure:
    """One measured figure: ``value`` in ``unit``, held against ``target`` (lower is better).

    ``target`` None: shown for comparison only (the floor, the small table).
    """

    name: str
    value: float
    unit: str
    target: float | None = None

    @property
    def holds(self) -> bool:
        """Return True when the figure meets its target (or has none)."""
        return self.target is None or self.value <= self.target


@attrs.frozen
class Ratio:
    """How a figure grows with the table: its value at the large size over the small size."""

    name: str
    small: float
    large: float

    @property
    def value(self) -> float:
        """Return large ÷ small."""
        return self.large / self.small if self.small else float("inf")


def fill(dv: FakeDataverse, rows: int, *, partitions: int = 0) -> list[Any]:
    """Create ``rows`` background operations (in chunks of 1000, spread over ``partitions``
    partitions when given); return their ids."""

    def row(n: int) -> Entity:
        if partitions:
            return Entity(TABLE, name=f"op{n:06}", partitionid=f"device-{n % partitions}")
        return Entity(TABLE, name=f"op{n:06}")

    ids: list[Any] = []
    for start in range(0, rows, 1000):
        targets = [row(n) for n in range(start, min(start + 1000, rows))]
        response = dv.service.execute(CreateMultipleRequest(targets=targets))
        ids.extend(response["Ids"])
    return ids


def timings_ms(repeat: int, action: Callable[[], object]) -> list[float]:
    """Return ``repeat`` timings of ``action``, in milliseconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def fastest_ms(repeat: int, action: Callable[[], object]) -> float:
    """Return the fastest of ``repeat`` timings of ``action``, in milliseconds.

    The minimum shows the work itself; a collector pause or a busy machine only adds to it.
    """
    return min(timings_ms(repeat, action))


def median_ms(repeat: int, action: Callable[[], object]) -> float:
    """Return the median of ``repeat`` timings of ``action``, in milliseconds."""
    return statistics.median(timings_ms(repeat, action))


def per_call_us(calls: int, batches: int, *actions: Callable[[], object]) -> list[float]:
    """Return each action's cost per call in µs: the fastest batch mean over ``batches``.

    The actions' batches alternate, so a busy moment of the machine hits them alike.
    """
    best = [float("inf")] * len(actions)
    for _ in range(batches):
        for number, action in enumerate(actions):
            start = time.perf_counter()
            for _ in range(calls):
                action()
            best[number] = min(best[number], (time.perf_counter() - start) / calls * 1e6)
    return best


def memory_per_row(rows: int) -> tuple[float, float]:
    """Return the bytes a stored row costs (tracemalloc), filling a fresh fake with ``rows``,
    and the bytes per row ``dv.requests`` kept of the calls that created them.

    The row's cost is measured after ``dv.requests.clear()``: the log of answered requests keeps
    each call's request and response (here the ``CreateMultiple`` targets) until cleared.
    """
    dv = FakeDataverse()
    fill(dv, 1)  # tables and caches exist before the measurement starts
    dv.requests.clear()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fill(dv, rows)
    gc.collect()
    logged = tracemalloc.get_traced_memory()[0]
    dv.requests.clear()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / rows, (logged - after) / rows


class WebClient:
    """A ``requests`` session on a fake's Web API, with a bearer token."""

    def __init__(self, dv: FakeDataverse) -> None:
        self.root = f"{dv.url}/api/data/v9.2/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer benchmark"

    def get(self, path: str, **headers: str) -> requests.Response:
        """GET a path below the Web API root; fail loudly on an error status."""
        response = self.session.get(self.root + path, headers=headers)
        response.raise_for_status()
        return response

    def post(self, path: str, body: Any) -> requests.Response:
        """POST JSON to a path below the Web API root."""
        return self.session.post(self.root + path, json=body)


#: The floor's URL: a host no fake serves, answered by :func:`add_floor`'s bare callback.
FLOOR_URL = "https://floor.example.com/api/data/v9.2/" + ENTITY_SET
#: The body every create of the per-call figures POSTs.
CREATE_BODY = {"name": "benchmark", "inputparameters": "[]"}


def add_floor(mock: responses.RequestsMock, url: str) -> None:
    """Answer POSTs to :data:`FLOOR_URL` on ``mock`` with a bare callback: the 204 a create
    gives, its ``OData-EntityId`` under ``url``, and nothing else done."""

    def bare(request: Any) -> tuple[int, dict[str, str], str]:
        return 204, {"OData-EntityId": f"{url}(00000000-0000-0000-0000-000000000001)"}, ""

    mock.add_callback("POST", re.compile(re.escape(FLOOR_URL)), callback=bare)


def interception_figures(calls: int, batches: int) -> list[Figure]:
    """Web API create through ``requests`` beside the same POST to a bare ``responses`` callback."""
    dv = FakeDataverse()
    client = WebClient(dv)
    url = f"{client.root}{ENTITY_SET}"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        add_floor(mock, url)
        with dv.intercept(mock):
            floor, fake = per_call_us(
                calls,
                batches,
                lambda: client.session.post(FLOOR_URL, json=CREATE_BODY),
                lambda: client.session.post(url, json=CREATE_BODY),
            )
    return [
        Figure("floor: requests POST to a bare responses callback", floor, "µs"),
        Figure("Web API create through requests", fake, "µs"),
        Figure("Web API create ÷ floor", fake / floor, "×", 1.2),
    ]


def _change_set(root: str) -> tuple[dict[str, str], bytes]:
    """Return the headers and body of a $batch holding one change set: a create, an update."""
    lines = [
        "--batch_b",
        "Content-Type: multipart/mixed; boundary=changeset_c",
        "",
        "--changeset_c",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 1",
        "",
        f"POST {root}{ENTITY_SET} HTTP/1.1",
        "Content-Type: application/json",
        "",
        '{"name": "in a change set"}',
        "--changeset_c",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 2",
        "",
        "PATCH $1 HTTP/1.1",
        "Content-Type: application/json",
        "",
        '{"retrycount": 1}',
        "--changeset_c--",
        "--batch_b--",
        "",
    ]
    headers = {"Content-Type": "multipart/mixed; boundary=batch_b"}
    return headers, "\r\n".join(lines).encode("utf-8")


def table_figures(
    rows: int, *, large: bool, repeat: int, calls: int = 200, batches: int = 40
) -> dict[str, float]:
    """Measure the per-table figures on a fake holding ``rows`` rows; return them by key.

    Per-call figures (retrieve, create) are the fastest of ``batches`` batches of ``calls``.
    """
    dv = FakeDataverse(atomic_changesets=True)
    ids = fill(dv, rows)
    client = WebClient(dv)
    service = dv.service
    found: dict[str, float] = {}
    middle = ids[len(ids) // 2]
    found["retrieve"] = per_call_us(
        calls, batches, lambda: service.retrieve(TABLE, middle, ["name"])
    )[0]
    with dv.intercept():
        target = f"op{rows // 2:06}"
        found["filter"] = fastest_ms(
            repeat, lambda: client.get(f"{ENTITY_SET}?$select=name&$filter=name eq '{target}'")
        )
        found["count"] = fastest_ms(repeat, lambda: client.get(f"{ENTITY_SET}/$count"))
        page = "odata.maxpagesize=100"
        found["tracking"] = fastest_ms(
            repeat,
            lambda: client.get(
                f"{ENTITY_SET}?$select=name", Prefer=f"odata.track-changes,{page}"
            ),
        )
        found["first page"] = fastest_ms(
            repeat, lambda: client.get(f"{ENTITY_SET}?$select=name", Prefer=page)
        )
        found["orderby"] = fastest_ms(
            repeat,
            lambda: client.get(f"{ENTITY_SET}?$select=name&$orderby=name desc", Prefer=page),
        )
        if large:
            headers, body = _change_set(client.root)

            def change_set() -> None:
                reply = client.session.post(client.root + "$batch", data=body, headers=headers)
                assert reply.status_code == 200, reply.text

            found["change set"] = fastest_ms(repeat, change_set)
    if large:
        found["create"] = per_call_us(
            calls, batches, lambda: service.create(Entity(TABLE, name="created"))
        )[0]
        transaction = ExecuteTransactionRequest(
            requests=[
                CreateRequest(target=Entity(TABLE, name="in a transaction")),
                UpdateRequest(target=Entity(TABLE, middle, retrycount=2)),
            ]
        )
        found["transaction"] = fastest_ms(repeat, lambda: service.execute(transaction))
    return found


def change_log_growth(rows: int, days: int) -> tuple[int, int]:
    """Update ``rows`` rows once a day for ``days`` days (expiry 30 days).

    Return the largest size the change log reached, and the number of changes one expiry
    period writes (what a log keeping every entry younger than the expiry would hold).
    """
    dv = FakeDataverse(change_tracking_expiry_days=30)
    ids = fill(dv, rows)
    store = dv.organization.store
    largest = 0
    for day in range(1, days + 1):
        dv.clock.advance(days=1)
        for row_id in ids:
            dv.service.update(Entity(TABLE, row_id, retrycount=day % 5))
            largest = max(largest, store.change_log_size(TABLE))
    return largest, rows * 30
