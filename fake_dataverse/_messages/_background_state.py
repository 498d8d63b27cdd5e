"""What an organization knows of its background operations beyond their rows.

When each waiting operation falls due, where its completion callback goes, how often it was
read (for ``advance_on_poll``), the callbacks delivered so far, the completion hooks and the
modes (``auto_run``, ``advance_on_poll``). Kept on the organization (``org.background``) so
every surface and every runner of one organization share it.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from fake_dataverse._model._values import Entity
from fake_dataverse._storage._organization import Organization

__all__ = [
    "BACKOFF_SECONDS",
    "MAX_RETRIES",
    "BackgroundCallback",
    "BackgroundState",
    "Deliver",
    "backoff",
    "state_of",
]

MAX_RETRIES = 3
#: The wait before retry 1, 2 and 3 of a failed operation (exponential: doubling from the one
#: minute Dataverse recommends as the shortest polling interval, so a client polling once a
#: minute sees every retry).
BACKOFF_SECONDS = (60, 120, 240)


def backoff(retry: int) -> dt.timedelta:
    """Return the wait before retry number ``retry`` (1, 2, 3)."""
    return dt.timedelta(seconds=BACKOFF_SECONDS[min(max(retry, 1), MAX_RETRIES) - 1])


@attrs.frozen
class BackgroundCallback:
    """One completion notification POSTed to an operation's ``CallbackUri``, and its outcome.

    ``status`` is the HTTP status the receiver answered; ``error`` says why there was no answer
    (the exception text, or why the fake did not send it). A failed delivery is recorded here,
    never raised.
    """

    url: str
    body: Mapping[str, Any]
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """Return True when the receiver answered (whatever its status)."""
        return self.status is not None


#: Sends a callback body to a URL; returns the HTTP status, or None and why it was not sent.
Deliver = Callable[[str, Mapping[str, Any]], tuple[int | None, str | None]]


def _no_transport(url: str, body: Mapping[str, Any]) -> tuple[int | None, str | None]:
    return None, f"not delivered: this organization has no HTTP transport for {url}"


class BackgroundState:
    """The background-operation state of one organization."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.auto_run = False
        self.advance_on_poll: int | None = None
        self.deliver: Deliver = _no_transport
        self.hooks: list[Callable[[Entity], object]] = []
        self.engine: Any = None  # the runner that carries out deferred runs and steps
        self.callback_urls: dict[uuid.UUID, str] = {}
        self.due: dict[uuid.UUID, dt.datetime] = {}
        self.reads: dict[uuid.UUID, int] = {}
        self.log: list[BackgroundCallback] = []
        # The runner's agenda: a heap of (due, createdon, id text, id), one entry per operation
        # it knows to be pending, corrected lazily when a row has moved (under the store lock).
        self.agenda: list[tuple[dt.datetime, dt.datetime, str, uuid.UUID]] = []
        self.on_agenda: set[uuid.UUID] = set()
        #: The store version up to which the agenda holds every pending row (None: rebuild it).
        self.agenda_through: int | None = None

    def clear(self) -> None:
        """Forget every operation (the organization was emptied); keep modes and hooks."""
        with self.lock:
            self.callback_urls.clear()
            self.due.clear()
            self.reads.clear()
            self.log.clear()
            self.forget_agenda()

    def forget_agenda(self) -> None:
        """Empty the agenda (the runner rebuilds it from the rows)."""
        self.agenda.clear()
        self.on_agenda.clear()
        self.agenda_through = None

    def schedule(self, operation_id: uuid.UUID, due: dt.datetime, created: dt.datetime) -> None:
        """Put an operation on the agenda (once)."""
        if operation_id not in self.on_agenda:
            heapq.heappush(self.agenda, (due, created, str(operation_id), operation_id))
            self.on_agenda.add(operation_id)

    def snapshot(self) -> object:
        """Return a copy of the per-operation state, for :meth:`restore`."""
        with self.lock:
            return copy.deepcopy((self.callback_urls, self.due, self.reads, self.log))

    def restore(self, saved: object) -> None:
        """Put back a state returned by :meth:`snapshot`."""
        copied: Any = copy.deepcopy(saved)
        with self.lock:
            self.callback_urls, self.due, self.reads, self.log = copied
            self.forget_agenda()

    def record(self, callback: BackgroundCallback) -> None:
        """Add a delivery to the log."""
        with self.lock:
            self.log.append(callback)

    def count_read(self, operation_id: uuid.UUID) -> bool:
        """Count one read of an operation; return True when it is an ``advance_on_poll``-th."""
        every = self.advance_on_poll
        if not every:
            return False
        with self.lock:
            self.reads[operation_id] = self.reads.get(operation_id, 0) + 1
            return self.reads[operation_id] % every == 0


def state_of(org: Organization) -> BackgroundState:
    """Return the organization's background state (made on first use)."""
    state = org.background
    if state is None:
        with org.store.lock:
            if org.background is None:
                org.background = BackgroundState()
            state = org.background
    assert isinstance(state, BackgroundState)
    return state
