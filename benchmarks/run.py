"""Run every benchmark: ``python benchmarks/run.py`` (``--quick`` for tiny sizes, as in CI).

``figures`` measures, in one process, every per-call and per-table figure of
``docs/performance.md`` beside the floor (the same ``requests`` POST answered by a bare
``responses`` callback), and prints them as a table with their targets and how the id lookup,
change tracking and first pages grow from the small to the large table.

Benchmarks register with :func:`benchmark`; each prints its measurements and returns whether its
claim holds. The exit status is 1 when any claim fails (never with ``--quick``: tiny sizes are
a smoke run, not a verdict).

- ``figures``: every figure meets its target at 100,000 rows.
- ``entity_changes``: RetrieveEntityChanges with k changes since the token costs about the same
  at 10,000 and 100,000 rows (within 2x): the work follows the change log, not the table.
- ``paging``: with a paging cookie, reading page k costs about what page 1 costs, at 20,000 and
  100,000 rows, for the default order (whole table and one partition).
- ``alternate_key_lookup``: a Retrieve by alternate key costs about the same at 1,000 and 100,000
  rows (within 2x): the store's unique index answers it with one probe.
- ``background``: ``run_all()`` costs about the same per operation for 1,000 and 10,000 pending
  operations (within 2x): the runner keeps an agenda, it does not rescan the table per step.
- ``local_server``: a request over HTTP to ``dv.serve()`` costs at most 100x the same request
  answered in-process.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures as fig  # a sibling module, importable once its folder is on the path

from fake_dataverse import (
    ColumnSet,
    CreateMultipleRequest,
    Entity,
    EntityReference,
    FakeDataverse,
    HttpRequest,
    OrganizationRequest,
    PagingInfo,
    QueryExpression,
    RetrieveEntityChangesRequest,
    RetrieveMultipleRequest,
    RetrieveRequest,
)

TABLE = "backgroundoperation"
Benchmark = Callable[[bool], bool]
_BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(function: Benchmark) -> Benchmark:
    """Register a benchmark under its function name."""
    _BENCHMARKS[function.__name__] = function
    return function


def filled(rows: int, *, partitions: int = 0) -> FakeDataverse:
    """Return a fake holding ``rows`` background operations (in ``partitions`` partitions)."""
    dv = FakeDataverse()
    fig.fill(dv, rows, partitions=partitions)
    return dv


def _row(name: str, value: float, unit: str, target: float | None, holds: bool | None) -> str:
    shown = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    goal = "" if target is None else f"≤ {target:,g} {unit}"
    verdict = "" if holds is None else ("met" if holds else "MISSED")
    return f"| {name} | {shown} {unit} | {goal} | {verdict} |"


def machine() -> str:
    """Return a line describing the machine and its load."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return (
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start"
    )


@benchmark
def figures(quick: bool) -> bool:
    """Every figure of docs/performance.md, beside the floor; claim: each meets its target."""
    small, large = (100, 1_000) if quick else (1_000, 100_000)
    # Many short batches: the fastest of them is the call's cost on a quiet machine, where a
    # few long ones leave a pause of the (shared, noisy) machine in every batch.
    calls, batches, repeat = (50, 3, 3) if quick else (200, 40, 9)
    print(f"  {machine()}")
    measured = fig.interception_figures(calls, batches)
    at_small = fig.table_figures(small, large=False, repeat=repeat, calls=calls, batches=batches)
    at_large = fig.table_figures(large, large=True, repeat=repeat, calls=calls, batches=batches)
    per_row, logged_per_row = fig.memory_per_row(large)
    log_largest, log_period = fig.change_log_growth(50 if quick else 500, 90)
    rows = f"{large:,} rows"
    measured += [
        fig.Figure("SDK create", at_large["create"], "µs", 20),
        fig.Figure("SDK retrieve", at_large["retrieve"], "µs", 8),
        fig.Figure(f"memory per row, {rows} (tracemalloc)", per_row, "B", 1024),
        fig.Figure("dv.requests: memory per row, kept of the calls that created it", logged_per_row,
                   "B"),
        fig.Figure(f"$filter=name eq '…' (no index), {rows}", at_large["filter"], "ms", 100),
        fig.Figure(f"/$count, {rows}", at_large["count"], "ms", 20),
        fig.Figure(
            f"first change-tracking page (maxpagesize 100), {rows}",
            at_large["tracking"], "ms", 10,
        ),
        fig.Figure(f"$orderby=name desc, first page of 100, {rows}", at_large["orderby"], "ms", 60),
        fig.Figure(
            f"one change set (create + update), atomic_changesets, {rows}",
            at_large["change set"], "ms", 5,
        ),
        fig.Figure(
            f"ExecuteTransaction (create + update), atomic_changesets, {rows}",
            at_large["transaction"], "ms", 5,
        ),
        fig.Figure(
            "largest change log over 90 days of daily updates ÷ the changes of one expiry "
            "period (30 days)",
            log_largest / log_period, "×", 1.0,
        ),
    ]
    ratios = [
        fig.Ratio("id lookup (SDK retrieve)", at_small["retrieve"], at_large["retrieve"]),
        fig.Ratio("first change-tracking page", at_small["tracking"], at_large["tracking"]),
        fig.Ratio("first page, default order", at_small["first page"], at_large["first page"]),
        fig.Ratio("first page, $orderby=name desc", at_small["orderby"], at_large["orderby"]),
    ]
    print()
    print("| figure | measured | target | verdict |")
    print("| --- | ---: | --- | --- |")
    for figure in measured:
        # --quick sizes judge nothing: the verdict column stays empty there.
        holds = None if figure.target is None or quick else figure.holds
        print(_row(figure.name, figure.value, figure.unit, figure.target, holds))
    print()
    print(f"| grows from {small:,} to {large:,} rows | {small:,} | {large:,} | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for ratio in ratios:
        unit = "µs" if "lookup" in ratio.name else "ms"
        print(
            f"| {ratio.name} | {ratio.small:,.2f} {unit} | {ratio.large:,.2f} {unit} "
            f"| {ratio.value:.2f} |"
        )
    print(f"\n  change log: at most {log_largest} entries; one expiry period writes {log_period}")
    return all(figure.holds for figure in measured)


def changes_since(dv: FakeDataverse, token: str) -> None:
    dv.service.execute(
        RetrieveEntityChangesRequest(
            entity_name=TABLE, columns=ColumnSet("name", "retrycount"), data_version=token
        )
    )


@benchmark
def entity_changes(quick: bool) -> bool:
    """k changes since a token cost the same at two table sizes (within 2x)."""
    sizes, k = ((1_000, 10_000), 50) if quick else ((10_000, 100_000), 200)
    results = []
    for size in sizes:
        dv = filled(size)
        first = dv.service.execute(
            RetrieveEntityChangesRequest(entity_name=TABLE, columns=ColumnSet("name"))
        )
        token = first["EntityChanges"].data_token
        ids = [e.id for e in dv.service.retrieve_multiple(QueryExpression(TABLE))][:k]
        for row_id in ids:
            dv.service.update(Entity(TABLE, row_id, retrycount=1))
        results.append(fig.median_ms(7, functools.partial(changes_since, dv, token)))
        print(f"  entity_changes: {size:>7} rows, {k} changes: {results[-1]:8.2f} ms")
    ratio = results[1] / results[0]
    print(f"  entity_changes: ratio {ratio:.2f} (claim: <= 2)")
    return ratio <= 2


def page_reader(
    dv: FakeDataverse, query: QueryExpression, page_size: int, pages: int, **parameters: str
) -> Callable[[int], object]:
    """Follow the cookies through ``pages`` pages; return a reader of page k from its cookie."""
    cookies: list[str | None] = [None]

    def read(number: int) -> object:
        query.page_info = PagingInfo(
            count=page_size, page_number=number, paging_cookie=cookies[number - 1]
        )
        request = RetrieveMultipleRequest(query=query)
        request.parameters.update(parameters)  # SDK parameters by their own names
        result = dv.service.execute(request)
        return result["EntityCollection"].paging_cookie

    for number in range(1, pages):
        cookies.append(read(number))  # type: ignore[arg-type]
    return read


def page_costs(label: str, read: Callable[[int], object], pages: int) -> tuple[float, float]:
    """Time page 1 and page ``pages - 1`` (fastest of 9); print and return both."""
    first = fig.fastest_ms(9, lambda: read(1))
    last = fig.fastest_ms(9, lambda: read(pages - 1))
    print(f"  paging: {label}: page 1 {first:7.2f} ms, page {pages - 1} {last:7.2f} ms")
    return first, last


@benchmark
def paging(quick: bool) -> bool:
    """With a cookie, page k costs about what page 1 costs, at 20,000 and 100,000 rows (2x).

    The claim covers the default order (by primary key), over the whole table and scoped to a
    partition. An order on another column (the general case, which sorts every matching row)
    is printed for comparison only.
    """
    sizes, page_size = ((1_000, 2_000), 50) if quick else ((20_000, 100_000), 500)
    holds = True
    for size in sizes:
        dv = filled(size, partitions=4)
        pages = size // page_size
        query = QueryExpression(TABLE, column_set=ColumnSet("name"))
        read = page_reader(dv, query, page_size, pages)
        first, last = page_costs(f"{size:>7} rows, by id", read, pages)
        holds = holds and last <= 2 * max(first, 1.0)
        scoped = page_reader(dv, query, page_size, pages // 4, partitionId="device-1")
        first, last = page_costs(f"{size:>7} rows, by id, one partition", scoped, pages // 4)
        holds = holds and last <= 2 * max(first, 1.0)
        named = QueryExpression(TABLE, column_set=ColumnSet("name"))
        named.add_order("name")
        page_costs(f"{size:>7} rows, by name", page_reader(dv, named, page_size, 4), 4)
    return holds


KEYED_TABLE = {
    "logical_name": "contoso_keyed", "entity_set_name": "contoso_keyeds",
    "primary_id_attribute": "contoso_keyedid", "primary_name_attribute": "contoso_code",
    "messages": ["Create", "CreateMultiple", "Retrieve"],
    "keys": [{"schema_name": "contoso_code_key", "key_attributes": ["contoso_code"]}],
    "attributes": [
        {"logical_name": "contoso_keyedid", "type": "Uniqueidentifier"},
        {"logical_name": "contoso_code", "type": "String", "max_length": 20},
    ],
}


@benchmark
def alternate_key_lookup(quick: bool) -> bool:
    """A Retrieve by alternate key costs about the same at 1,000 and 100,000 rows (2x)."""
    sizes = (1_000, 10_000) if quick else (1_000, 100_000)
    results = []
    for size in sizes:
        dv = FakeDataverse(tables=[KEYED_TABLE])
        for start in range(0, size, 1000):
            targets = [Entity("contoso_keyed", contoso_code=f"K{n:07}")
                       for n in range(start, min(start + 1000, size))]
            dv.service.execute(CreateMultipleRequest(targets=targets))
        requests = [
            RetrieveRequest(
                target=EntityReference("contoso_keyed", key_attributes={"contoso_code": code}),
                column_set=ColumnSet("contoso_code"),
            )
            for code in (f"k{n:07}" for n in range(0, size, size // 100))
        ]

        def lookups(dv: FakeDataverse = dv, requests: list[RetrieveRequest] = requests) -> None:
            for request in requests:
                dv.service.execute(request)

        gc.disable()  # the collector's pauses grow with the heap, not with the lookup
        try:
            results.append(fig.fastest_ms(15, lookups) / len(requests))
        finally:
            gc.enable()
        print(f"  alternate_key_lookup: {size:>7} rows: {results[-1] * 1000:8.1f} us a lookup")
    ratio = results[1] / results[0]
    print(f"  alternate_key_lookup: ratio {ratio:.2f} (claim: <= 2)")
    return ratio <= 2


def run_all_per_operation(size: int) -> float:
    """Start ``size`` operations, time ``run_all()``; return milliseconds per operation."""
    dv = FakeDataverse()
    dv.background.register("sample_Export", lambda inputs: None)
    start = OrganizationRequest(
        "ExecuteBackgroundOperation", {"Request": OrganizationRequest("sample_Export", {})}
    )
    for _ in range(size):
        dv.service.execute(start)
    return fig.median_ms(1, dv.background.run_all) / size


@benchmark
def background(quick: bool) -> bool:
    """run_all() costs about the same per operation at two sizes (within 2x)."""
    sizes = (100, 1_000) if quick else (1_000, 10_000)
    costs = []
    for size in sizes:
        costs.append(min(run_all_per_operation(size) for _ in range(3)))
        print(f"  background: run_all of {size:>6} operations: {costs[-1]:6.3f} ms each")
    ratio = costs[1] / costs[0]
    print(f"  background: ratio {ratio:.2f} (claim: <= 2)")
    return ratio <= 2


@benchmark
def local_server(quick: bool) -> bool:
    """A kept-alive request to dv.serve() costs at most 100x answering it in-process (a wait on
    the network stack, such as a delayed ACK, costs some 400x)."""
    import requests

    count = 50 if quick else 500
    dv = FakeDataverse()
    with dv.serve() as server:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer t"
        url = f"{server.url}/api/data/v9.2/backgroundoperations?$select=name&$top=3"
        session.get(url)
        over_http = fig.median_ms(3, lambda: [session.get(url) for _ in range(count)]) / count
    request = HttpRequest("GET", url, {"Authorization": "Bearer t"})
    in_process = fig.median_ms(3, lambda: [dv.handle(request) for _ in range(count)]) / count
    ratio = over_http / in_process
    print(f"  local_server: {over_http:.3f} ms over HTTP, {in_process:.3f} ms in-process, "
          f"ratio {ratio:.1f} (claim: <= 100)")
    return ratio <= 100


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke run)")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(_BENCHMARKS)}")
    options = parser.parse_args(argv)
    failed = []
    for name in options.names or list(_BENCHMARKS):
        print(f"{name}:")
        if not _BENCHMARKS[name](options.quick):
            failed.append(name)
    if options.quick:
        # A smoke run at tiny sizes: timings there are noise, so it judges nothing.
        print("smoke run done: every benchmark ran (no verdict at --quick sizes)")
        return 0
    print("FAILED: " + ", ".join(failed) if failed else "all claims hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
