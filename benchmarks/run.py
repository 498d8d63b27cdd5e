"""Run every benchmark: ``python benchmarks/run.py`` (``--quick`` for tiny sizes, as in CI).

Benchmarks register with :func:`benchmark`; each prints its measurements and returns whether its
claim holds. The exit status is 1 when any claim fails (never with ``--quick``: tiny sizes are
a smoke run, not a verdict).

- ``entity_changes``: RetrieveEntityChanges with k changes since the token costs about the same
  at 10,000 and 100,000 rows (within 2x): the work follows the change log, not the table.
- ``paging``: with a paging cookie, reading page k costs about what page 1 costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fake_dataverse import (
    ColumnSet,
    CreateMultipleRequest,
    Entity,
    FakeDataverse,
    PagingInfo,
    QueryExpression,
    RetrieveEntityChangesRequest,
)

TABLE = "backgroundoperation"
Benchmark = Callable[[bool], bool]
_BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(function: Benchmark) -> Benchmark:
    """Register a benchmark under its function name."""
    _BENCHMARKS[function.__name__] = function
    return function


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """Return the median of ``repeat`` timings of ``action``, in milliseconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def filled(rows: int, **settings: int) -> FakeDataverse:
    """Return a fake holding ``rows`` background operations."""
    dv = FakeDataverse(**settings)
    for start in range(0, rows, 1000):
        targets = [Entity(TABLE, name=f"op{n:06}") for n in range(start, min(start + 1000, rows))]
        dv.service.execute(CreateMultipleRequest(targets=targets))
    return dv


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
        results.append(best_of(7, lambda dv=dv, token=token: changes_since(dv, token)))
        print(f"  entity_changes: {size:>7} rows, {k} changes: {results[-1]:8.2f} ms")
    ratio = results[1] / results[0]
    print(f"  entity_changes: ratio {ratio:.2f} (claim: <= 2)")
    return ratio <= 2


@benchmark
def paging(quick: bool) -> bool:
    """Page k read with a cookie costs about what page 1 costs (within 2x)."""
    size, page_size = (2_000, 100) if quick else (20_000, 500)
    dv = filled(size)
    query = QueryExpression(TABLE, column_set=ColumnSet("name"))
    query.add_order("name")
    cookies: list[str | None] = [None]
    pages = size // page_size
    for number in range(1, pages):
        query.page_info = PagingInfo(count=page_size, page_number=number, paging_cookie=cookies[-1])
        cookies.append(dv.service.retrieve_multiple(query).paging_cookie)

    def read(number: int) -> None:
        query.page_info = PagingInfo(
            count=page_size, page_number=number, paging_cookie=cookies[number - 1]
        )
        dv.service.retrieve_multiple(query)

    first = best_of(5, lambda: read(1))
    last = best_of(5, lambda: read(pages - 1))
    print(f"  paging: {size} rows, page 1: {first:.2f} ms, page {pages - 1}: {last:.2f} ms")
    return last <= 2 * first


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
    print("FAILED: " + ", ".join(failed) if failed else "all claims hold")
    if options.quick:
        return 0  # a smoke run at tiny sizes: timings there are noise, not a verdict
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
