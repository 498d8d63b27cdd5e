"""The RetrieveEntityChanges message: change tracking over the store's change log.

A data token is ``<version>!<MM/dd/yyyy HH:mm:ss>``: the highest version the sync saw and the
fake time it ran. Without a token every live row is returned as new and no deletes; with one,
each row changed since is returned once, in its latest state, ordered by version, then the
deletes (a row created and deleted between syncs reports its delete). The work is proportional
to the number of change-log entries since the token, not to the table's size; without a token a
page reads the live rows in version order from the change log, so it costs about the page.

Paging: every page of one sync answers as of the same version (the first page's), which the
paging cookie carries with the position reached; changes made while paging come in the next sync.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import attrs

from fake_dataverse._messages._query_requests import (
    ChangedItem,
    EntityChanges,
    NewOrUpdatedItem,
    RemovedOrDeletedItem,
    RetrieveEntityChangesRequest,
    RetrieveEntityChangesResponse,
)
from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._rows import project
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import default_partition
from fake_dataverse._model._literals import INT32
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import ColumnSet, EntityReference
from fake_dataverse._query._engine import MAX_PAGE_SIZE, SIMPLE_PAGING_LIMIT
from fake_dataverse._query._expression import PagingInfo
from fake_dataverse._storage._store import ChangeRecord, RowKey

__all__ = ["format_data_token", "parse_data_token"]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

_TOKEN = re.compile(r"(\d{1,19})!(\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2})", re.ASCII)
_TOKEN_TIME = "%m/%d/%Y %H:%M:%S"


def format_data_token(version: int, moment: dt.datetime) -> str:
    """Return the data token for a sync that saw up to ``version`` at ``moment``."""
    return f"{version}!{moment.astimezone(dt.timezone.utc).strftime(_TOKEN_TIME)}"


def _malformed(token: str) -> errors.DataverseError:
    return errors.InvalidArgument(f"The data version '{token}' is not a valid data token.")


def parse_data_token(token: str, *, last_version: int) -> tuple[int, dt.datetime]:
    """Return a token's version and time.

    Raises:
        InvalidArgument: 0x80040203 for a token that is malformed or ahead of the store.
    """
    match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise _malformed(str(token))
    try:
        moment = dt.datetime.strptime(match[2], _TOKEN_TIME).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise _malformed(token) from None
    version = int(match[1])
    if version > last_version:
        raise _malformed(token)
    return version, moment


@attrs.frozen
class _Cursor:
    """Where a page of one sync starts: the sync's version and the last item returned."""

    page: int
    as_of: int
    since: int
    deleting: bool = False
    after: int = 0


def _cookie(cursor: _Cursor) -> str:
    element = ET.Element(
        "cookie",
        page=str(cursor.page),
        asof=str(cursor.as_of),
        since=str(cursor.since),
        phase="deletes" if cursor.deleting else "changes",
        last=str(cursor.after),
    )
    return ET.tostring(element, encoding="unicode")


def _parse_cookie(text: str, page_number: int, since: int) -> _Cursor:
    try:
        root = ET.fromstring(text)
        cursor = _Cursor(
            page=int(root.get("page", "")),
            as_of=int(root.get("asof", "")),
            since=int(root.get("since", "")),
            deleting=root.get("phase") == "deletes",
            after=int(root.get("last", "")),
        )
    except (ET.ParseError, ValueError):
        raise errors.InvalidPagingCookie() from None
    if root.tag != "cookie" or cursor.page != page_number - 1 or cursor.since != since:
        raise errors.InvalidPagingCookie()
    return cursor


def _latest(
    records: list[ChangeRecord], as_of: int
) -> tuple[list[ChangeRecord], list[ChangeRecord]]:
    """Return each key's latest change up to ``as_of``: upserts and deletes, by version."""
    latest: dict[RowKey, ChangeRecord] = {}
    for record in records:
        latest[record.key] = record
    kept = sorted((r for r in latest.values() if r.version <= as_of), key=lambda r: r.version)
    return [r for r in kept if not r.deleted], [r for r in kept if r.deleted]


def _removed(table: EntityMetadata, key: RowKey) -> RemovedOrDeletedItem:
    keys: dict[str, Any] = {}
    if table.partition_attribute and key[1] != default_partition(key[0]):
        keys = {table.primary_id_attribute: key[0], table.partition_attribute: key[1]}
    return RemovedOrDeletedItem(EntityReference(table.logical_name, key[0], keys))


@attrs.frozen
class _Sync:
    ctx: ExecutionContext
    table: EntityMetadata
    columns: ColumnSet
    page_size: int

    def item(self, record: ChangeRecord) -> ChangedItem | None:
        """Return the change item of a log record (None for a row gone since, by TTL)."""
        if record.deleted:
            return _removed(self.table, record.key)
        row = self.ctx.org.store.get(self.table.logical_name, record.key)
        if row is None:
            return None
        return NewOrUpdatedItem(project(self.ctx.org, self.table, row, self.columns))

    def page(
        self, cursor: _Cursor, pending: Iterator[ChangeRecord], skip: int
    ) -> tuple[list[ChangedItem], _Cursor, bool]:
        """Return one page of the pending changes, the next cursor, and more_records."""
        taken = list(itertools.islice(pending, skip, skip + self.page_size + 1))
        more = len(taken) > self.page_size
        taken = taken[: self.page_size]
        items = [item for record in taken if (item := self.item(record)) is not None]
        last = taken[-1] if taken else None
        following = attrs.evolve(
            cursor,
            page=cursor.page + 1,
            deleting=cursor.deleting or (last is not None and last.deleted),
            after=last.version if last is not None else cursor.after,
        )
        return items, following, more


def _page_size(ctx: ExecutionContext, info: PagingInfo | None) -> int:
    """Return the page size the request asks for, checked as RetrieveMultiple checks it.

    Raises:
        ValueGreaterThanZero: 0x8004110c for a count below 1 with a page number or cookie.
        InvalidArgument: 0x80040203 for a count above 5000.
        OverRetrievalUpperLimitWithoutPagingCookie: 0x8004430a for a page number without a
            cookie that reaches past the first 50,000 changes.
    """
    count = info.count if info is not None else 0
    if info is not None and not all(INT32[0] <= n <= INT32[1] for n in (count, info.page_number)):
        raise errors.InvalidArgument("PageInfo.Count and PageNumber are Int32.")
    paged = info is not None and (info.page_number != 0 or bool(info.paging_cookie))
    if count < 0 or (count == 0 and paged):
        raise errors.ValueGreaterThanZero()
    if count > MAX_PAGE_SIZE:  # RetrieveMultiple's limits
        raise errors.InvalidArgument(f"The page size {count} exceeds the maximum of 5000.")
    if (
        info is not None
        and not info.paging_cookie
        and info.page_number * count > SIMPLE_PAGING_LIMIT
    ):
        raise errors.OverRetrievalUpperLimitWithoutPagingCookie()
    return min(count or MAX_PAGE_SIZE, ctx.org.settings.max_page_size)


def _since(ctx: ExecutionContext, table: EntityMetadata, token: str | None) -> int | None:
    if token is None or token == "":
        return None
    version, moment = parse_data_token(token, last_version=ctx.org.store.last_version)
    expiry = dt.timedelta(days=ctx.org.settings.change_tracking_expiry_days)
    if moment < ctx.org.clock.now() - expiry or version < ctx.org.store.version_floor:
        raise errors.ExpiredVersionStamp()  # too old, or taken before the organization's reset
    if version < ctx.org.store.oldest_answerable_version(table.logical_name):
        raise errors.ExpiredVersionStamp()  # its deletes are compacted away (a clock set back)
    return version


def _pending(sync: _Sync, since: int | None, cursor: _Cursor) -> Iterator[ChangeRecord]:
    """Yield the changes a sync reports after the cursor, in order: upserts, then deletes.

    Without a token these are the live rows by version, read lazily from the change log, so
    a first page costs about its rows; with one, each row changed since, once.
    """
    store, name = sync.ctx.org.store, sync.table.logical_name
    if since is None:
        now = sync.ctx.org.clock.now()
        rows = store.live_by_version(name, after=cursor.after, as_of=cursor.as_of)
        return (ChangeRecord(row.version, row.key, False, now) for row in rows)
    changes, deletes = _latest(store.changes_since(name, since), cursor.as_of)
    if cursor.deleting:
        start = bisect.bisect_right([r.version for r in deletes], cursor.after)
        return iter(deletes[start:])
    start = bisect.bisect_right([r.version for r in changes], cursor.after)
    return itertools.chain(changes[start:], deletes)


@MESSAGES.handler(RetrieveEntityChangesRequest)
def _retrieve_entity_changes(
    ctx: ExecutionContext, request: RetrieveEntityChangesRequest
) -> RetrieveEntityChangesResponse:
    if not isinstance(request.entity_name, str):
        raise errors.InvalidArgument("Required field 'EntityName' is missing.")
    table = ctx.org.table(request.entity_name)
    if not table.change_tracking_enabled:
        raise errors.ChangeTrackingNotEnabled(entity=table.logical_name)
    ctx.org.check_privilege(ctx.caller, table, "Read")
    if not isinstance(request.columns, ColumnSet):
        raise errors.InvalidArgument("Required field 'Columns' is missing or not a ColumnSet.")
    for name in () if request.columns.all_columns else request.columns.columns:
        if table.attribute(name) is None:
            raise errors.QueryBuilderNoAttribute(entity=table.logical_name, name=name)
    ctx.org.store.expire(table.logical_name)  # expiries count as changes before this sync
    info = request.page_info
    sync = _Sync(ctx, table, request.columns, _page_size(ctx, info))
    since = _since(ctx, table, request.data_version)
    page_number = max(info.page_number, 1) if info is not None else 1
    skip = 0
    if info is not None and info.paging_cookie:
        cursor = _parse_cookie(info.paging_cookie, page_number, since or 0)
        if cursor.as_of < ctx.org.store.version_floor:  # a page of a sync from before a reset
            raise errors.ExpiredVersionStamp()
    else:
        as_of = ctx.org.store.last_version
        cursor = _Cursor(page=page_number - 1, as_of=as_of, since=since or 0)
        skip = (page_number - 1) * sync.page_size
    items, following, more = sync.page(cursor, _pending(sync, since, cursor), skip)
    token = format_data_token(cursor.as_of, ctx.org.clock.now())
    result = EntityChanges(tuple(items), token, more, _cookie(following) if more else None)
    return RetrieveEntityChangesResponse("RetrieveEntityChanges", {"EntityChanges": result})
