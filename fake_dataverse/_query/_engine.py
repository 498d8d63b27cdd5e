"""Run a bound query against the store: filter, sort, page (or aggregate), count.

Paging: a page is the ``page_size`` smallest rows by the full sort key (orders, then the primary
key, then the partition). With a paging cookie the page starts strictly after the cookie's last
key, so rows written between page reads are neither skipped nor repeated. Without a cookie,
page *k* skips the first ``(k - 1) * page_size`` rows.

In the default order (primary key ascending) rows are read from the store's (id, partition)
index from the cookie on, so a page costs the rows it reads, not the table (a filter that
selects few rows reads on through the rest of the table, in one pass). A count without a filter
or partition is the store's counter; other orders, filtered counts, ``distinct`` and aggregates
evaluate every row.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import default_partition
from fake_dataverse._model._literals import INT32
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._row import MISSING, RowLayout
from fake_dataverse._query._aggregate import Group, aggregate, check_aggregate
from fake_dataverse._query._evaluate import (
    SortColumn,
    compile_filter,
    key_of,
    sort_columns,
    sort_key,
)
from fake_dataverse._query._model import Query
from fake_dataverse._query._operators import EvaluationContext, normalise
from fake_dataverse._query._paging import build_cookie, parse_cookie
from fake_dataverse._storage._store import RowKey, Store, StoredRow

__all__ = ["MAX_PAGE_SIZE", "TOTAL_RECORD_COUNT_LIMIT", "QueryPage", "check_paging", "run_query"]

MAX_PAGE_SIZE = 5000
TOTAL_RECORD_COUNT_LIMIT = 5000
#: Simple paging (a page number without a paging cookie) reaches at most this many rows.
SIMPLE_PAGING_LIMIT = 50_000


@attrs.frozen
class QueryPage:
    """One page of a query's result (``groups`` instead of ``rows`` for an aggregate query)."""

    rows: tuple[StoredRow, ...] = ()
    groups: tuple[Group, ...] | None = None
    more_records: bool = False
    paging_cookie: str | None = None
    total_record_count: int = -1
    total_record_count_limit_exceeded: bool = False


def check_paging(query: Query) -> None:
    """Check the query's top count and paging values.

    Raises:
        ValueGreaterThanZero: 0x8004110c for a top, page size or page number below 1.
        InvalidArgument: 0x80040203 for a top or page size above 5000, or a top count together
            with paging (a page size, a cookie or a page number above 1) or a total record count.
        OverRetrievalUpperLimitWithoutPagingCookie: 0x8004430a for a page without a paging
            cookie that reaches past the first 50,000 rows (simple paging's limit).
    """
    for value in (query.top, query.page_size, query.page_number):
        if value is not None and not INT32[0] <= value <= INT32[1]:  # .NET Int32 properties
            raise errors.InvalidArgument("TopCount, PageInfo.Count and PageNumber are Int32.")
        if value is not None and value < 1:
            raise errors.ValueGreaterThanZero()
    for name, value in (("top count", query.top), ("page size", query.page_size)):
        if value is not None and value > MAX_PAGE_SIZE:
            raise errors.InvalidArgument(f"The {name} {value} exceeds the maximum of 5000.")
    paged = query.page_size is not None or query.paging_cookie or query.page_number > 1
    if query.top is not None and paged:
        raise errors.InvalidArgument(
            "A query can contain either PageInfo or TopCount property values, not both."
        )
    if query.top is not None and query.return_total_record_count:
        raise errors.InvalidArgument("TopCount can't be used together with ReturnTotalRecordCount.")
    page_size = query.page_size or MAX_PAGE_SIZE
    if not query.paging_cookie and query.page_number * page_size > SIMPLE_PAGING_LIMIT:
        raise errors.OverRetrievalUpperLimitWithoutPagingCookie()


def _matching(
    store: Store, table: EntityMetadata, query: Query, ctx: EvaluationContext
) -> list[StoredRow]:
    partition = query.partition_id
    rows = store.rows(query.table)
    if query.filter is None:
        return rows if partition is None else [r for r in rows if r.partition == partition]
    test = compile_filter(query.filter, table.row_layout, ctx)
    return [
        row
        for row in rows
        if (partition is None or row.partition == partition) and test(row.values.data) is True
    ]


def _distinct(query: Query, table: EntityMetadata, rows: list[StoredRow]) -> list[StoredRow]:
    names = query.columns or table.stored_names
    columns = sort_columns(query.orders, table.primary_id_attribute)
    seen: dict[tuple[Any, ...], StoredRow] = {}
    for row in sorted(rows, key=lambda r: (sort_key(columns, r.values), r.partition)):
        seen.setdefault(tuple(normalise(row.values.get(n)) for n in names), row)
    return list(seen.values())


def _smallest(
    count: int, rows: Sequence[StoredRow], columns: Sequence[SortColumn], layout: RowLayout
) -> list[StoredRow]:
    """Return the ``count`` first rows in the full sort order (sort columns, then partition)."""
    if count * 8 < len(rows):
        rows = [rows[i] for i in _candidates(count, rows, columns[0], layout)]
    keyed = [(sort_key(columns, r.values), r.partition, i) for i, r in enumerate(rows)]
    return [rows[item[2]] for item in heapq.nsmallest(count, keyed)]


def _candidates(
    count: int, rows: Sequence[StoredRow], first: SortColumn, layout: RowLayout
) -> list[int]:
    """Return the positions of the rows that can be among the ``count`` first, by the first
    sort column alone: the ``count`` best values and every row tying with the last of them.

    Only these rows get a full sort key, so a first page costs a pass over cheap values, not a
    sort of the table.
    """
    name, descending = first
    number = layout.index.get(name)
    if number is not None and number < layout.fixed:
        raw = [row.values.data[number] for row in rows]
    else:
        read = layout.getter(name)
        raw = [read(row.values.data) for row in rows]
    # Inline normalise(): strings compare case-insensitively; MISSING (never written) is null.
    values: list[Any] = [
        v.casefold() if isinstance(v, str) else (None if v is MISSING else v) for v in raw
    ]
    given = [v for v in values if v is not None]  # compared without a key function
    chosen: list[int] = []
    need = count
    for nulls in (False, True) if descending else (True, False):
        if need <= 0:
            break
        if nulls:
            found = [i for i, v in enumerate(values) if v is None]
            chosen += found
            need -= len(found)
        elif need >= len(given):
            chosen += [i for i, v in enumerate(values) if v is not None]
            need -= len(given)
        elif descending:
            edge = _kth_best(given, need, descending=True)
            chosen += [i for i, v in enumerate(values) if v is not None and v >= edge]
            need = 0
        else:
            edge = _kth_best(given, need, descending=False)
            chosen += [i for i, v in enumerate(values) if v is not None and v <= edge]
            need = 0
    return chosen


def _partition_column(table: EntityMetadata) -> str | None:
    """Return the column a cookie adds after the sort columns to name the last row's partition.

    It is added even when the query orders by that column: the order compares partitions
    case-insensitively, the full sort key exactly.
    """
    return table.partition_attribute


@attrs.frozen
class _Resume:
    """Where a cookie's page ended: the last row's sort key and its (id, partition) store key."""

    sort_key: tuple[Any, ...]
    row_key: RowKey
    first: Any = None  # the last row's raw value of the first sort column


def _resume(table: EntityMetadata, query: Query, columns: Sequence[SortColumn]) -> _Resume | None:
    """Return where the query's paging cookie resumes (None without a cookie).

    Raises:
        InvalidPagingCookie: 0x8004112a for a cookie that does not parse, does not fit the
            sort, or was not returned with page ``page_number - 1``.
    """
    if not query.paging_cookie:
        return None
    cookie = parse_cookie(table, columns, query.paging_cookie, _partition_column(table))
    if cookie.page != query.page_number - 1:
        raise errors.InvalidPagingCookie()
    row_id = cookie.last[[name for name, _ in columns].index(table.primary_id_attribute)]
    if not isinstance(row_id, uuid.UUID):
        raise errors.InvalidPagingCookie()
    row_key = (row_id, cookie.partition or default_partition(row_id))
    return _Resume(key_of(columns, cookie.last), row_key, cookie.last[0])


def _kth_best(values: list[Any], need: int, *, descending: bool) -> Any:
    """Return the ``need``-th largest value (smallest when ascending) of ``values``.

    A sorted sample gives a bound that at least ``need`` values pass (checked; else every
    value is used), so the heap sees only those values instead of all of them.
    """
    pick = heapq.nlargest if descending else heapq.nsmallest
    if len(values) > 8 * need + 256:
        sample = sorted(values[:: max(1, len(values) // 1024)], reverse=descending)
        bound = sample[min(len(sample) - 1, 2 * need * len(sample) // len(values) + 8)]
        if descending:
            near = [v for v in values if v >= bound]
        else:
            near = [v for v in values if v <= bound]
        if len(near) >= need:
            values = near
    return pick(need, values)[-1]


def _page(
    table: EntityMetadata, query: Query, rows: list[StoredRow], page_size: int
) -> tuple[list[StoredRow], bool, tuple[SortColumn, ...]]:
    columns = sort_columns(query.orders, table.primary_id_attribute)
    if query.top is not None:
        return _smallest(query.top, rows, columns, table.row_layout), False, columns
    resume = _resume(table, query, columns)
    skip = 0
    if resume is not None:
        rows = _after_cookie(rows, columns, resume, table.row_layout)
    else:
        skip = (query.page_number - 1) * page_size
    taken = _smallest(skip + page_size + 1, rows, columns, table.row_layout)[skip:]
    return taken[:page_size], len(taken) > page_size, columns


def _after_cookie(
    rows: list[StoredRow], columns: Sequence[SortColumn], resume: _Resume, layout: RowLayout
) -> list[StoredRow]:
    """Return the rows after a cookie's last row in the full sort order.

    The first sort column settles most rows with a cheap comparison; only the rows tying with
    the cookie's value there get a full sort key.
    """
    name, descending = columns[0]
    read = layout.getter(name)
    edge = None if resume.first is None else normalise(resume.first)
    later: list[StoredRow] = []
    ties: list[StoredRow] = []
    for row in rows:
        value = read(row.values.data)
        if isinstance(value, str):
            value = value.casefold()
        if value == edge:
            ties.append(row)
        elif descending:
            if edge is not None and (value is None or value < edge):
                later.append(row)
        elif value is not None and (edge is None or value > edge):
            later.append(row)
    after = (resume.sort_key, resume.row_key[1])
    return later + [r for r in ties if (sort_key(columns, r.values), r.partition) > after]


def _counted(query: Query) -> bool:
    """Return True when the store's row count answers the query's total record count."""
    return query.filter is None and query.partition_id is None


def _uses_index(table: EntityMetadata, query: Query) -> bool:
    """Return True when the query reads rows in the store's (id, partition) order."""
    plain = not (query.aggregates or query.group_by or query.distinct)
    if query.return_total_record_count and not _counted(query):
        return False
    pk = table.primary_id_attribute
    return plain and sort_columns(query.orders, pk) == ((pk, False),)


def _indexed_page(
    store: Store, table: EntityMetadata, query: Query, ctx: EvaluationContext, page_size: int
) -> tuple[list[StoredRow], bool, tuple[SortColumn, ...]]:
    """Page through the store's primary-key index: the cost is the rows read, not the table."""
    columns = sort_columns(query.orders, table.primary_id_attribute)
    resume = None if query.top is not None else _resume(table, query, columns)
    rows = store.ordered_rows(
        query.table,
        after=None if resume is None else resume.row_key,
        partition=query.partition_id,
    )
    skip = 0 if resume is not None or query.top is not None else (query.page_number - 1) * page_size
    wanted = query.top if query.top is not None else skip + page_size + 1
    if query.filter is None:
        taken = list(itertools.islice(rows, wanted))
    else:
        taken = _filtered_in_order(store, table, query, ctx, rows, wanted)
    if query.top is not None:
        return taken, False, columns
    taken = taken[skip:]
    return taken[:page_size], len(taken) > page_size, columns


def _filtered_in_order(
    store: Store,
    table: EntityMetadata,
    query: Query,
    ctx: EvaluationContext,
    rows: Iterator[StoredRow],
    wanted: int,
) -> list[StoredRow]:
    """Return the first ``wanted`` rows of ``rows`` (in index order) that match the filter.

    Following the index pays off when matches are common; when a stretch of the index yields
    too few, the rest is found in one pass over the table (rows in store order are cheaper to
    read than by index) keeping the smallest keys after the stretch.
    """
    assert query.filter is not None
    test = compile_filter(query.filter, table.row_layout, ctx)
    taken: list[StoredRow] = []
    last: StoredRow | None = None
    for last in itertools.islice(rows, 4 * wanted + 256):
        if test(last.values.data) is True:
            taken.append(last)
            if len(taken) == wanted:
                return taken
    if last is None or next(rows, None) is None:
        return taken  # the stretch was the whole rest of the index
    after = (last.key[0].int, last.key[1])
    partition = query.partition_id
    rest = [
        row
        for row in store.rows(query.table)
        if test(row.values.data) is True
        and (partition is None or row.partition == partition)
        and (row.key[0].int, row.key[1]) > after
    ]
    return taken + heapq.nsmallest(
        wanted - len(taken), rest, key=lambda row: (row.key[0].int, row.key[1])
    )


def _cookie(
    table: EntityMetadata, query: Query, columns: Sequence[SortColumn], page: list[StoredRow]
) -> str | None:
    """Return the page's paging cookie (none for an empty page or a top count)."""
    if not page or query.top is not None:
        return None
    first, last = page[0], page[-1]
    partition = _partition_column(table)
    if partition is not None and last.values.get(partition) is not None:
        columns = (*columns, (partition, False))
    return build_cookie(columns, query.page_number, first.values, last.values)


def _total(count: int) -> tuple[int, bool]:
    """Return the total record count as reported (at most 5000) and whether it was capped."""
    return min(count, TOTAL_RECORD_COUNT_LIMIT), count > TOTAL_RECORD_COUNT_LIMIT


def run_query(
    store: Store,
    table: EntityMetadata,
    query: Query,
    ctx: EvaluationContext,
    *,
    max_page_size: int = MAX_PAGE_SIZE,
) -> QueryPage:
    """Return the page of a bound query's result that the query's paging asks for.

    Raises:
        InvalidPagingCookie: 0x8004112a for a cookie that does not parse or fit the page;
            the faults of :func:`check_paging` and of aggregation.
    """
    check_paging(query)
    page_size = min(query.page_size or MAX_PAGE_SIZE, max_page_size)
    if _uses_index(table, query):
        page, more, columns = _indexed_page(store, table, query, ctx, page_size)
        total, exceeded = -1, False
        if query.return_total_record_count:
            total, exceeded = _total(store.count(query.table))
        return QueryPage(
            rows=tuple(page),
            more_records=more,
            paging_cookie=_cookie(table, query, columns, page),
            total_record_count=total,
            total_record_count_limit_exceeded=exceeded,
        )
    rows = _matching(store, table, query, ctx)
    if query.aggregates or query.group_by:
        check_aggregate(table, query)
        return QueryPage(groups=tuple(aggregate(table, query, rows)))
    total, exceeded = -1, False
    if query.return_total_record_count:
        total, exceeded = _total(len(rows))
    if query.distinct:
        rows = _distinct(query, table, rows)
    page, more, columns = _page(table, query, rows, page_size)
    cookie = _cookie(table, query, columns, page)
    return QueryPage(
        rows=tuple(page),
        more_records=more,
        paging_cookie=cookie,
        total_record_count=total,
        total_record_count_limit_exceeded=exceeded,
    )
