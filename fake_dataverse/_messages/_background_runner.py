"""The background-operation runner: what a test calls to move operations on the fake clock.

Steps (``_background_steps.py``) are taken by the test (``start``, ``finish``, ``run``,
``run_all``, ``advance``), or by the organization's modes (``auto_run``: a new operation runs to
its end once its request has been answered; ``advance_on_poll``: every n-th read makes one
step), from any thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

from fake_dataverse._messages._background import TABLE, CustomApi, CustomApiHandler
from fake_dataverse._messages._background_state import (
    BackgroundCallback,
    BackgroundState,
    state_of,
)
from fake_dataverse._messages._background_steps import OperationSteps, is_pending, is_started
from fake_dataverse._messages._registry import definition_for
from fake_dataverse._model._values import Entity
from fake_dataverse._storage._clock import moved
from fake_dataverse._storage._organization import Organization
from fake_dataverse._storage._store import StoredRow

__all__ = ["BackgroundRunner"]

# A custom API's unique name: its publisher's customization prefix (a letter, then letters or
# digits), '_', then letters, digits or '_' (Microsoft Learn, "Custom API tables").
_UNIQUE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+", re.ASCII)

#: Steps one call may take before it stops as a runaway (a handler that keeps starting
#: operations, or keeps putting its own row back to Ready).
MAX_STEPS = 100_000
HookT = TypeVar("HookT", bound=Callable[[Entity], object])


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


class BackgroundRunner:
    """Registers custom APIs and moves background operations on (see ``docs/background.md``)."""

    def __init__(self, org: Organization) -> None:
        self._org = org
        self._state: BackgroundState = state_of(org)
        self._steps = OperationSteps(org, self._state)
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
            ValueError: the name is not a custom API's unique name (its publisher's prefix,
                such as ``sample``, ``_``, then letters, digits or ``_``), or is one of
                Dataverse's own messages.
            TypeError: the handler is not callable.
        """
        if definition_for(unique_name) is not None:
            raise ValueError(
                f"{unique_name!r} is a Dataverse message, not a custom API: a custom API's "
                "unique name starts with its publisher's prefix, e.g. 'sample_Export'"
            )
        if not isinstance(unique_name, str) or _UNIQUE_NAME.fullmatch(unique_name) is None:
            raise ValueError(
                f"{unique_name!r} is not a custom API's unique name: the publisher's prefix, "
                "'_' and letters, digits or '_', e.g. 'sample_Export'"
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
            rows = [r for r in self._org.store.rows(TABLE) if is_pending(r)]
            return [r.id for r in sorted(rows, key=lambda r: r.values["createdon"])]

    # ---- driving ----------------------------------------------------------------------------
    def start(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Start the Ready operation due first (or the given one): 2/20 at its due time; one
        canceled before it started ends Canceled (3/32) without running.

        Raises:
            LookupError: no such operation waiting to start.
            ValueError: it is due after the time a followed clock reads (nothing changes).
        """
        with self._step():
            row = self._pick(_as_id(operation_id), started=False)
            self._steps.step(row)
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
            self._steps.step(row)
            return row.id

    def run(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Run one pending operation (the one due first, or the given one) to its end, retries
        included, moving the clock through the backoff waits (a clock that follows another is
        not moved: the operation stops at a wait that clock has not reached).

        Raises:
            LookupError: no such pending operation.
        """
        with self._step():
            picked = self._pick(_as_id(operation_id), started=None).id
        self._run_to_end(picked)
        return picked

    def run_all(self) -> list[uuid.UUID]:
        """Run every pending operation to its end, whatever its state, in due order (moving
        the clock through the waits; a followed clock is not moved: what it has not reached
        waits); return their ids in the order they first moved."""
        return self._steps_until(None)

    def advance(self, seconds: float) -> list[uuid.UUID]:
        """Move the clock ``seconds`` on and run exactly what falls due by then, in due order
        (operations started meanwhile too); return the ids that moved, in order.

        Raises:
            ValueError: ``seconds`` is negative, or above 0 while the clock follows another
                (move that one, then ``advance(0)`` runs what fell due); nothing runs.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"advance() takes a number of seconds from 0, not {seconds!r}")
        if seconds and self._org.clock.following:
            raise ValueError(
                "advance() cannot move a clock that follows another: move that one (e.g. "
                "freezegun's tick() or move_to()) and call advance(0), or call "
                "dv.clock.freeze() first"
            )
        end = moved(self._org.clock.now(), seconds)
        moved_ids = self._steps_until(end)
        if not self._org.clock.following and self._org.clock.now() < end:
            self._org.clock.set(end)
        return moved_ids

    # ---- what the modes call (deferred work: never raises for a vanished operation) ----------
    def run_deferred(self, operation_id: uuid.UUID) -> None:
        """Run an operation to its end (``auto_run``), if it is still pending."""
        self._run_to_end(operation_id)

    def step_deferred(self, operation_id: uuid.UUID) -> None:
        """Move an operation one step on (``advance_on_poll``), if it is still pending."""
        with self._step():
            row = self._steps.row(operation_id)
            if row is not None and is_pending(row) and not self._steps.waiting(row):
                self._steps.step(row)

    # ---- internals --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _step(self) -> Iterator[None]:
        """One step: a call into the organization, under its lock (work it sets off runs after)."""
        with self._org.calls.call(), self._org.store.lock:
            yield

    def _run_to_end(self, operation_id: uuid.UUID) -> None:
        for _step in range(MAX_STEPS):
            with self._step():
                row = self._steps.row(operation_id)
                if row is None or not is_pending(row) or self._steps.waiting(row):
                    return
                self._steps.step(row)
        raise RuntimeError(f"background operation {operation_id} was still pending after "
                           f"{MAX_STEPS} steps: its handler keeps putting it back")

    def _steps_until(self, end: dt.datetime | None) -> list[uuid.UUID]:
        moved: dict[uuid.UUID, None] = {}
        for _step in range(MAX_STEPS):
            with self._step():
                row = self._steps.next_due(end)
                if row is None or (end is not None and self._steps.due(row) > end):
                    return list(moved)
                if self._steps.waiting(row):  # due first, yet after the followed clock's time
                    return list(moved)
                self._steps.step(row)
                moved[row.id] = None
        raise RuntimeError(f"background operations kept arriving after {MAX_STEPS} steps: a "
                           "handler starts operations endlessly")

    def _pick(self, operation_id: uuid.UUID | None, *, started: bool | None) -> StoredRow:
        """Return the given operation, or the one due first, in the phase asked for
        (``started`` None: any pending one).

        Raises:
            LookupError: none in that phase.
        """
        def fits(row: StoredRow) -> bool:
            return is_pending(row) and (started is None or is_started(row) == started)

        if operation_id is not None:
            row = self._steps.row(operation_id)
            if row is None:
                raise LookupError(f"no background operation with id {operation_id}")
            candidates = [row] if fits(row) else []
        else:
            candidates = [r for r in self._org.store.rows(TABLE) if fits(r)]
        if not candidates:
            phase = {None: "pending", True: "started", False: "ready"}[started]
            raise LookupError(f"no {phase} background operation"
                              + (f" with id {operation_id}" if operation_id else ""))
        return min(candidates, key=self._steps.order)

