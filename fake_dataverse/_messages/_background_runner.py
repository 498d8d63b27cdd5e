"""The background-operation runner: moves operations through their lifecycle on the fake clock.

Every move is one *step* made under the store lock: a Ready operation starts (2/20, at its due
time: the clock moves forward to it if need be), a canceled one that never started ends
Canceled (3/32), a started one runs its custom API and ends (3/30, 3/31) or waits for a retry
(0/0, due after the backoff). Work a step sets off — the callback POST, the completion hooks —
runs once the step has returned and the lock is released (``Organization.calls``).

Steps are taken by the test (``start``, ``finish``, ``run``, ``run_all``, ``advance``), by the
organization's modes (``auto_run``: a new operation runs to its end once its request has been
answered; ``advance_on_poll``: every n-th read makes one step), from any thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

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
    CustomApi,
    CustomApiContext,
    CustomApiHandler,
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
    state_of,
)
from fake_dataverse._messages._registry import definition_for
from fake_dataverse._messages._rows import build_updated_row, project
from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._values import ColumnSet, Entity
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import StoredRow

__all__ = ["BackgroundRunner"]

#: Steps one call may take before it stops as a runaway (a handler that keeps starting
#: operations, or keeps putting its own row back to Ready).
MAX_STEPS = 100_000
_PENDING_STATES = (READY[0], IN_PROGRESS[0])
_CALLBACK_KEYS = (
    "location", "backgroundOperationId", "backgroundOperationStateCode",
    "backgroundOperationStatusCode", "backgroundOperationErrorCode",
    "backgroundOperationErrorMessage",
)
HookT = TypeVar("HookT", bound=Callable[[Entity], object])


def _is_started(row: StoredRow) -> bool:
    """In Progress, or asked to cancel after it started (it runs to its end)."""
    pair = pair_of(row)
    return pair == IN_PROGRESS or (pair == CANCELING and row.values.get("starttime") is not None)


def _is_pending(row: StoredRow) -> bool:
    return row.values.get(STATE) in _PENDING_STATES


def _as_id(operation_id: uuid.UUID | str | None) -> uuid.UUID | None:
    """Return an operation id given as a UUID or as GUID text (as the Web API's headers hold it).

    Raises:
        LookupError: the text is not a GUID (no operation can have it as id).
    """
    if operation_id is None or isinstance(operation_id, uuid.UUID):
        return operation_id
    try:
        return uuid.UUID(str(operation_id))
    except ValueError:
        raise LookupError(f"no background operation with id {operation_id!r}: not a GUID") from None


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


class BackgroundRunner:
    """Registers custom APIs and moves background operations on (see ``docs/background.md``)."""

    def __init__(self, org: Organization) -> None:
        self._org = org
        self._state: BackgroundState = state_of(org)
        if self._state.engine is None:
            self._state.engine = self

    # ---- modes and records ----------------------------------------------------------------
    @property
    def callbacks(self) -> list[BackgroundCallback]:
        """The completion callbacks sent (or not sendable) so far, oldest first."""
        with self._state.lock:
            return list(self._state.log)

    @property
    def auto_run(self) -> bool:
        """True: a new operation runs to its end as soon as its request has been answered."""
        return self._state.auto_run

    @auto_run.setter
    def auto_run(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"auto_run is True or False, not {value!r}")
        self._state.auto_run = value

    @property
    def advance_on_poll(self) -> int | None:
        """n: every n-th read of an operation moves it one step on (None: reads move nothing)."""
        return self._state.advance_on_poll

    @advance_on_poll.setter
    def advance_on_poll(self, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise ValueError(f"advance_on_poll is None or a whole number from 1, not {value!r}")
        self._state.advance_on_poll = value

    def on_complete(self, hook: HookT) -> HookT:
        """Call ``hook(row)`` with each operation's row as it completes (usable as decorator).

        Dataverse's ``OnBackgroundOperationComplete`` event; the row is an Entity with every
        column, as it was when the operation reached its terminal state.
        """
        if not callable(hook):
            raise TypeError(f"on_complete() takes a function of the completed row, not {hook!r}")
        self._state.hooks.append(hook)
        return hook

    # ---- custom APIs ------------------------------------------------------------------------
    def register(self, unique_name: str, handler: CustomApiHandler, *,
                 display_name: str = "") -> None:
        """Make a custom API available (synchronously and in the background).

        ``handler(inputs)`` or ``handler(inputs, context)`` (see :class:`CustomApiContext`)
        returns the output parameters (a dict, or None) and raises to fail.

        Raises:
            ValueError: the name is one of Dataverse's own messages (a custom API's unique name
                starts with its publisher's prefix, such as ``sample_``).
            TypeError: the handler is not callable.
        """
        if definition_for(unique_name) is not None:
            raise ValueError(
                f"{unique_name!r} is a Dataverse message, not a custom API: a custom API's "
                "unique name starts with its publisher's prefix, e.g. 'sample_Export'"
            )
        if not callable(handler):
            raise TypeError(f"the handler of custom API {unique_name!r} must be callable, "
                            f"not {handler!r}")
        self._org.custom_apis[unique_name] = CustomApi(unique_name, handler, display_name)

    def unregister(self, unique_name: str) -> None:
        """Remove a custom API: calling it is unknown, and its waiting operations fail with
        Dataverse's unknown-message error (0x80040219) when they run.

        Raises:
            KeyError: no custom API has this name.
        """
        if self._org.custom_apis.pop(unique_name, None) is None:
            raise KeyError(f"no custom API named {unique_name!r} is registered")

    # ---- reading ----------------------------------------------------------------------------
    def pending(self) -> list[uuid.UUID]:
        """Return the operations not yet finished, oldest first."""
        with self._org.store.lock:
            rows = [r for r in self._org.store.rows(TABLE) if _is_pending(r)]
            return [r.id for r in sorted(rows, key=lambda r: r.values["createdon"])]

    # ---- driving ----------------------------------------------------------------------------
    def start(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Start the Ready operation due first (or the given one): 2/20 at its due time; one
        canceled before it started ends Canceled (3/32) without running.

        Raises:
            LookupError: no such operation waiting to start.
        """
        with self._step():
            row = self._pick(_as_id(operation_id), started=False)
            self._advance_step(row)
            return row.id

    def finish(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Run the started operation (the oldest, or the given one) and record its outcome:
        3/30, 3/31, or back to 0/0 to be retried after the backoff.

        Raises:
            LookupError: no such started operation.
            TypeError: the handler returned something other than a dict or None (nothing is
                written).
        """
        with self._step():
            row = self._pick(_as_id(operation_id), started=True)
            self._advance_step(row)
            return row.id

    def run(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Run one pending operation (the one due first, or the given one) to its end, retries
        included, moving the clock through the backoff waits.

        Raises:
            LookupError: no such pending operation.
        """
        with self._step():
            picked = self._pick(_as_id(operation_id), started=None).id
        self._run_to_end(picked)
        return picked

    def run_all(self) -> list[uuid.UUID]:
        """Run every pending operation to its end, whatever its state, in due order (moving
        the clock through the waits); return their ids in the order they first moved."""
        return self._steps_until(None)

    def advance(self, seconds: float) -> list[uuid.UUID]:
        """Move the clock ``seconds`` on and run exactly what falls due by then, in due order
        (operations started meanwhile too); return the ids that moved, in order.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"advance() takes a number of seconds from 0, not {seconds!r}")
        end = self._org.clock.now() + dt.timedelta(seconds=seconds)
        moved = self._steps_until(end)
        if self._org.clock.now() < end:
            self._org.clock.set(end)
        return moved

    # ---- what the modes call (deferred work: never raises for a vanished operation) ----------
    def run_deferred(self, operation_id: uuid.UUID) -> None:
        """Run an operation to its end (``auto_run``), if it is still pending."""
        self._run_to_end(operation_id)

    def step_deferred(self, operation_id: uuid.UUID) -> None:
        """Move an operation one step on (``advance_on_poll``), if it is still pending."""
        with self._step():
            row = self._row(operation_id)
            if row is not None and _is_pending(row):
                self._advance_step(row)

    # ---- internals --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _step(self) -> Iterator[None]:
        """One step: a call into the organization, under its lock (work it sets off runs after)."""
        with self._org.calls.call(), self._org.store.lock:
            yield

    def _run_to_end(self, operation_id: uuid.UUID) -> None:
        for _step in range(MAX_STEPS):
            with self._step():
                row = self._row(operation_id)
                if row is None or not _is_pending(row):
                    return
                self._advance_step(row)
        raise RuntimeError(f"background operation {operation_id} was still pending after "
                           f"{MAX_STEPS} steps: its handler keeps putting it back")

    def _steps_until(self, end: dt.datetime | None) -> list[uuid.UUID]:
        moved: dict[uuid.UUID, None] = {}
        for _step in range(MAX_STEPS):
            with self._step():
                row = self._next_due(end)
                if row is None or (end is not None and self._due(row) > end):
                    return list(moved)
                self._advance_step(row)
                moved[row.id] = None
        raise RuntimeError(f"background operations kept arriving after {MAX_STEPS} steps: a "
                           "handler starts operations endlessly")

    def _row(self, operation_id: uuid.UUID) -> StoredRow | None:
        return self._org.store.get(TABLE, (operation_id, str(operation_id)))

    def _due(self, row: StoredRow) -> dt.datetime:
        """Return when an operation's next step falls due (a started one: now, it is running)."""
        if _is_started(row):
            return row.values.get("starttime") or row.values["modifiedon"]  # type: ignore[no-any-return]
        due = self._state.due.get(row.id)
        if due is not None:
            return due
        retries = row.values.get("retrycount") or 0  # a row the runner did not create
        if retries:
            return row.values["modifiedon"] + backoff(retries)  # type: ignore[no-any-return]
        return row.values["createdon"]  # type: ignore[no-any-return]

    def _order(self, row: StoredRow) -> tuple[dt.datetime, dt.datetime, str]:
        return (self._due(row), row.values["createdon"], str(row.id))

    def _next_due(self, end: dt.datetime | None) -> StoredRow | None:
        """Return the pending operation due first (None when none is due by ``end``).

        The agenda answers in logarithmic time; rows it does not know (created directly, or
        put back by a restore) are added from one scan of the table when it runs dry.
        """
        row = self._agenda_top()
        if row is None or (end is not None and self._due(row) > end):
            for pending in self._org.store.rows(TABLE):
                if _is_pending(pending):
                    self._state.schedule(pending.id, *self._order(pending)[:2])
            row = self._agenda_top()
        return row

    def _agenda_top(self) -> StoredRow | None:
        agenda = self._state.agenda
        while agenda:
            entry = agenda[0]
            row = self._row(entry[3])
            if row is None or not _is_pending(row):
                heapq.heappop(agenda)
                self._state.on_agenda.discard(entry[3])
                continue
            order = self._order(row)
            if order != entry[:3]:  # it moved since it was scheduled: file it again
                heapq.heapreplace(agenda, (*order, row.id))
                continue
            return row
        return None

    def _pick(self, operation_id: uuid.UUID | None, *, started: bool | None) -> StoredRow:
        """Return the given operation, or the one due first, in the phase asked for
        (``started`` None: any pending one).

        Raises:
            LookupError: none in that phase.
        """
        def fits(row: StoredRow) -> bool:
            return _is_pending(row) and (started is None or _is_started(row) == started)

        if operation_id is not None:
            row = self._row(operation_id)
            if row is None:
                raise LookupError(f"no background operation with id {operation_id}")
            candidates = [row] if fits(row) else []
        else:
            candidates = [r for r in self._org.store.rows(TABLE) if fits(r)]
        if not candidates:
            phase = {None: "pending", True: "started", False: "ready"}[started]
            raise LookupError(f"no {phase} background operation"
                              + (f" with id {operation_id}" if operation_id else ""))
        return min(candidates, key=self._order)

    def _advance_step(self, row: StoredRow) -> None:
        """Make one step of a pending operation (see the module's docstring)."""
        if _is_started(row):
            self._attempt(row)
            return
        due = self._due(row)
        if due > self._org.clock.now():
            self._org.clock.set(due)  # the wait passes: a worker picks it up when it is due
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
            current = self._row(row.id)
            if current is not None and _is_started(current):
                self._failed(current, error)
            return
        outputs = api.outputs_of(result)  # a wrong return type is the test's bug: raised
        current = self._row(row.id)
        if current is not None and _is_started(current):  # unless the handler ended it itself
            self._finalize(current, SUCCEEDED, {"outputparameters": key_value_json(outputs)})

    def _failed(self, row: StoredRow, error: Exception) -> None:
        retries = row.values.get("retrycount") or 0
        if pair_of(row) != CANCELING and retries < MAX_RETRIES:
            with self._state.lock:
                self._state.due[row.id] = self._org.clock.now() + backoff(retries + 1)
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
