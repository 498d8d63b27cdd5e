"""Work that waits until the outermost call into an organization has returned.

A message, a Web API request or a runner step may set off work that must not run inside it:
a background operation that runs as soon as its request is answered, a completion callback
POSTed to a URL, a test's hook. Such work is deferred here and run, in order, when the thread's
outermost call returns — after the store lock is released, so the work may call back into the
organization (or block on another thread that does) without deadlocking.
"""

from __future__ import annotations

import contextlib
from _thread import get_ident
from collections import deque
from collections.abc import Callable
from types import TracebackType

__all__ = ["CallScope", "ThreadCalls"]


class ThreadCalls:
    """One thread's calls into an organization: how deep, and the work waiting for the end.

    Entering it (``with``) is one call into the organization; leaving the outermost one runs
    the deferred work (see :meth:`CallScope.call`).
    """

    __slots__ = ("depth", "draining", "queue")

    def __init__(self) -> None:
        self.depth = 0
        self.draining = False
        self.queue: deque[Callable[[], None]] = deque()

    @property
    def inside(self) -> bool:
        """Return True within a call (or the deferred work after one): a call made now is made
        on that call's behalf, and that call's scope already holds."""
        return self.depth > 0 or self.draining

    def __enter__(self) -> bool:
        """Enter a call; return True for the thread's outermost call (not inside deferred
        work): a call a caller made, rather than one the organization made on its behalf."""
        self.depth = depth = self.depth + 1
        return depth == 1 and not self.draining

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.depth -= 1
        if self.depth == 0 and self.queue and not self.draining:
            if kind is None:
                self.drain()
            else:
                with contextlib.suppress(Exception):
                    self.drain()

    def drain(self) -> None:
        """Run the deferred work, in order (work it defers in turn runs too).

        Work that raises does not stop the rest; the first error is raised after all ran.
        """
        self.draining = True
        failure: BaseException | None = None
        try:
            while self.queue:
                work = self.queue.popleft()
                try:
                    work()
                except Exception as error:  # the rest still runs; the first error is raised
                    failure = failure or error
        finally:
            self.draining = False
        if failure is not None:
            raise failure


#: Each thread's state, by thread id: a plain dictionary probe costs less than reading a
#: ``threading.local`` on every call. A thread that ended left its state at depth 0 with an
#: empty queue, so a new thread given the same id starts from a clean state.
_Threads = dict[int, ThreadCalls]


def _local(threads: _Threads) -> ThreadCalls:
    state = threads.get(get_ident())
    if state is None:
        state = threads.setdefault(get_ident(), ThreadCalls())
    return state


class CallScope:
    """Counts the calls into one organization per thread and runs deferred work after them."""

    def __init__(self) -> None:
        self._threads: _Threads = {}

    def call(self) -> ThreadCalls:
        """Return this thread's calls, to enter one (``with scope.call() as outermost:``).

        The outermost call runs the deferred work on exit. Work that raises does not stop the
        rest; the first error is raised after all ran (the call's own error, if it raised,
        wins). ``inside`` tells whether a call made now is made on another's behalf.
        """
        # (``_local``'s first probe, inline: every message and request asks)
        return self._threads.get(get_ident()) or _local(self._threads)

    def defer(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the thread's outermost call has returned (at once outside a call)."""
        local = _local(self._threads)
        local.queue.append(work)
        if local.depth == 0 and not local.draining:
            local.drain()
