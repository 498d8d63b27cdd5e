"""One step of a background operation, and the agenda of what falls due when.

A step is made under the store lock: a Ready operation starts (2/20, at its due time: the clock
moves forward to it if need be; a clock that follows another is not the fake's to move, so
there the operation waits until that clock reaches it), a canceled one that never started ends
Canceled (3/32), a started one runs its custom API and ends (3/30, 3/31) or waits for a retry
(0/0, due after the backoff). Work a step sets off — the callback POST, the completion hooks —
runs once the step has returned and the lock is released (``Organization.calls``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import uuid
from collections.abc import Mapping
from typing import Any

from fake_dataverse._messages._background import (
    CANCELED,
    CANCELING,
    FAILED,
    IN_PROGRESS,
    READY,
    STATE,
    STATUS,
    SUCCEEDED,
    TABLE,
    CustomApiContext,
    key_value_json,
    location_of,
    pair_of,
    status_monitor_body,
)
from fake_dataverse._messages._background_state import (
    MAX_RETRIES,
    BackgroundCallback,
    BackgroundState,
    backoff,
)
from fake_dataverse._messages._rows import build_updated_row, project
from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import default_partition
from fake_dataverse._model._values import ColumnSet
from fake_dataverse._storage._clock import later
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import StoredRow

__all__ = ["OperationSteps", "is_pending", "is_started"]

_PENDING_STATES = (READY[0], IN_PROGRESS[0])
_CALLBACK_KEYS = (
    "location", "backgroundOperationId", "backgroundOperationStateCode",
    "backgroundOperationStatusCode", "backgroundOperationErrorCode",
    "backgroundOperationErrorMessage",
)


def is_started(row: StoredRow) -> bool:
    """In Progress, or asked to cancel after it started (it runs to its end)."""
    pair = pair_of(row)
    return pair == IN_PROGRESS or (pair == CANCELING and row.values.get("starttime") is not None)


def is_pending(row: StoredRow) -> bool:
    """Ready, In Progress or Canceling: not yet in a terminal state."""
    return row.values.get(STATE) in _PENDING_STATES


def _inputs(row: StoredRow) -> dict[str, Any]:
    """Return the operation's input parameters.

    Raises:
        InvalidArgument: 0x80040203 when ``inputparameters`` (a writable column) is not a JSON
            array of ``Key``/``Value`` objects.
    """
    try:
        items = json.loads(row.values.get("inputparameters") or "[]")
        return {item["Key"]: item.get("Value") for item in items}
    except (ValueError, TypeError, KeyError, AttributeError):
        raise errors.InvalidArgument(
            "The input parameters of the background operation are not a JSON array of Key "
            "and Value."
        ) from None


class OperationSteps:
    """Makes the steps of one organization's background operations (call under its lock)."""

    def __init__(self, org: Organization, state: BackgroundState) -> None:
        self._org = org
        self._state = state

    def row(self, operation_id: uuid.UUID) -> StoredRow | None:
        """Return an operation's row, or None (deleted, expired, rolled back)."""
        return self._org.store.get(TABLE, (operation_id, default_partition(operation_id)))

    def due(self, row: StoredRow) -> dt.datetime:
        """Return when an operation's next step falls due (a started one: now, it is running)."""
        if is_started(row):
            return row.values.get("starttime") or row.values["modifiedon"]  # type: ignore[no-any-return]
        due = self._state.due.get(row.id)
        if due is not None:
            return due
        retries = row.values.get("retrycount") or 0  # a row the runner did not create
        if retries:
            return later(row.values["modifiedon"], backoff(retries)) or _LAST_DATE
        return row.values["createdon"]  # type: ignore[no-any-return]

    def order(self, row: StoredRow) -> tuple[dt.datetime, dt.datetime, str]:
        """Return an operation's place in due order (ties: the older first)."""
        return (self.due(row), row.values["createdon"], str(row.id))

    def next_due(self, end: dt.datetime | None) -> StoredRow | None:
        """Return the pending operation due first (None when none is due by ``end``)."""
        self._schedule_unseen()
        row = self._agenda_top()
        if row is None or (end is not None and self.due(row) > end):
            return None
        return row

    def _schedule_unseen(self) -> None:
        """Put on the agenda the pending rows written since it was last brought up to date.

        A row can become pending without the runner (created directly, by ``CreateMultiple``,
        retried by an update, put back by a restore): the rows written since are read from the
        change log, so the agenda answers in logarithmic time and never misses one. An agenda
        forgotten, or a store rolled back past it, is rebuilt from the whole table.
        """
        store, state = self._org.store, self._state
        last, seen = store.last_version, state.agenda_through
        if seen == last:
            return
        rows = (
            store.rows(TABLE)
            if seen is None or last < seen
            else store.live_by_version(TABLE, after=seen, as_of=last)
        )
        for row in rows:
            if row.id not in state.on_agenda and is_pending(row):
                state.schedule(row.id, *self.order(row)[:2])
        state.agenda_through = last

    def _agenda_top(self) -> StoredRow | None:
        agenda = self._state.agenda
        while agenda:
            entry = agenda[0]
            row = self.row(entry[3])
            if row is None or not is_pending(row):
                heapq.heappop(agenda)
                self._state.on_agenda.discard(entry[3])
                continue
            order = self.order(row)
            if order != entry[:3]:  # it moved since it was scheduled: file it again
                heapq.heapreplace(agenda, (*order, row.id))
                continue
            return row
        return None

    def waiting(self, row: StoredRow) -> bool:
        """Return True when an operation's next step falls due after the time a followed clock
        reads: only that clock can make the wait pass."""
        clock = self._org.clock
        return clock.following and not is_started(row) and self.due(row) > clock.now()

    def step(self, row: StoredRow) -> None:
        """Make one step of a pending operation (see the module's docstring).

        Raises:
            ValueError: the operation is waiting (:meth:`waiting`); nothing is written.
        """
        if is_started(row):
            self._attempt(row)
            return
        due, clock = self.due(row), self._org.clock
        now = clock.now()
        if due > now:
            if clock.following:  # only that clock can make the wait pass
                raise ValueError(
                    f"background operation {row.id} is due at {due.isoformat()}, after the time "
                    f"the followed clock reads ({now.isoformat()}): move that clock (e.g. "
                    "freezegun's tick() or move_to()), or call dv.clock.freeze() first"
                )
            clock.set(due)  # the wait passes: a worker picks it up when it is due
        if pair_of(row) == CANCELING:
            self._finalize(row, CANCELED, {})
        else:
            self._write(row, {STATE: IN_PROGRESS[0], STATUS: IN_PROGRESS[1],
                              "starttime": self._org.clock.now()})

    def _attempt(self, row: StoredRow) -> None:
        """Run a started operation's custom API once and record what happened."""
        name = row.values.get("name")
        api = self._org.custom_apis.get(name) if isinstance(name, str) else None
        attempt = (row.values.get("retrycount") or 0) + 1
        try:
            inputs = _inputs(row)
            service = OrganizationService(self._org, Caller(self._runas(row, strict=True)))
            if api is None:
                raise errors.UnknownMessage(request=name)
            result = api.call(inputs, CustomApiContext(service, row.id, attempt, self._org.clock))
        except Exception as error:  # the custom API's failure is the operation's outcome
            current = self.row(row.id)
            if current is not None and is_started(current):
                self._failed(current, error)
            return
        outputs = api.outputs_of(result)  # a wrong return type is the test's bug: raised
        current = self.row(row.id)
        if current is not None and is_started(current):  # unless the handler ended it itself
            self._finalize(current, SUCCEEDED, {"outputparameters": key_value_json(outputs)})

    def _failed(self, row: StoredRow, error: Exception) -> None:
        retries = row.values.get("retrycount") or 0
        retry_at = later(self._org.clock.now(), backoff(retries + 1))
        if pair_of(row) != CANCELING and retries < MAX_RETRIES and retry_at is not None:
            with self._state.lock:
                self._state.due[row.id] = retry_at
            self._write(row, {STATE: READY[0], STATUS: READY[1], "starttime": None,
                              "retrycount": retries + 1})
            return
        if isinstance(error, errors.DataverseError):
            code, message = error.error_code, error.message
        else:
            code, message = 0, str(error) or type(error).__name__
        self._finalize(row, FAILED, {"errorcode": code, "errormessage": message})

    def _finalize(self, row: StoredRow, pair: tuple[int, int], extra: dict[str, Any]) -> None:
        """Write the terminal state; the callback and the hooks follow once the step is over."""
        updated = self._write(row, {STATE: pair[0], STATUS: pair[1],
                                    "endtime": self._org.clock.now(), **extra})
        with self._state.lock:
            self._state.due.pop(row.id, None)
            self._state.reads.pop(row.id, None)
            url = self._state.callback_urls.pop(row.id, None)
        if url:
            body = {"location": location_of(self._org.url, row.id),
                    "backgroundOperationId": str(row.id), **status_monitor_body(updated)}
            kept = {key: body[key] for key in _CALLBACK_KEYS if key in body}
            self._org.calls.defer(lambda: self._deliver(url, kept))
        if self._state.hooks:
            entity = project(self._org, self._org.table(TABLE), updated,
                             ColumnSet(all_columns=True), include_nulls=True)
            for hook in list(self._state.hooks):
                self._org.calls.defer(lambda hook=hook: hook(entity))  # type: ignore[misc]

    def _deliver(self, url: str, body: Mapping[str, Any]) -> None:
        """POST a callback; its outcome is recorded, never raised."""
        try:
            status, problem = self._state.deliver(url, body)
        except Exception as error:
            status, problem = None, f"{type(error).__name__}: {error}"
        self._state.record(BackgroundCallback(url, body, status, problem))

    def _runas(self, row: StoredRow, *, strict: bool) -> uuid.UUID:
        """Return the user an operation runs as.

        Raises:
            CallerNotFound: 0x80040217 (``strict``) when ``runas`` names no user; otherwise the
                System Administrator stands in (for the runner's own bookkeeping writes).
        """
        text = row.values.get("runas")
        try:
            user_id = uuid.UUID(str(text))
        except ValueError:
            user_id = None
        if user_id is not None and user_id in self._org.users:
            return user_id
        if strict:
            raise errors.CallerNotFound(id=text)
        return self._org.admin_id

    def _write(self, row: StoredRow, changes: dict[str, Any]) -> StoredRow:
        table = self._org.table(TABLE)
        now = self._org.clock.now()
        caller = Caller(self._runas(row, strict=False))
        updated = build_updated_row(table, row, changes, caller=caller, now=now)
        return self._org.store.commit(updated, moment=now, version_column="versionnumber")


# The last instant a date can hold: a retry that would fall after it never comes.
_LAST_DATE = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
