"""Fault injection: make the next messages fail, to test a client's error and retry handling.

Off by default (DECISIONS #28). ``dv.faults.throttle()`` answers the next message with a
service-protection fault (HTTP 429, ``Retry-After``); ``dv.faults.fail_next(error)`` with any
fault. An injected fault is raised before the message touches the store.
"""

from __future__ import annotations

import datetime as dt
import difflib
import threading
from collections.abc import Callable, Iterable

import attrs

from fake_dataverse._model import _errors as errors

__all__ = ["FaultInjector", "InjectedFault"]

_THROTTLES: dict[str, type[errors.DataverseError]] = {
    "requests": errors.RequestsLimitExceeded,
    "execution_time": errors.ExecutionTimeLimitExceeded,
    "concurrency": errors.ConcurrentRequestsLimitExceeded,
}


@attrs.frozen
class InjectedFault:
    """A fault waiting to be raised by the next matching message."""

    error: errors.DataverseError
    message: str | None
    remaining: int


class FaultInjector:
    """The queue of injected faults of one organization."""

    def __init__(self, message_names: Callable[[], Iterable[str]] = tuple) -> None:
        self._lock = threading.Lock()
        self._pending: list[InjectedFault] = []
        self.message_names = message_names  # the names check() sees (set by the facade)

    def throttle(self, kind: str = "requests", *, retry_after: float = 5.0, times: int = 1,
                 message: str | None = None) -> None:
        """Answer the next ``times`` messages (optionally only ``message``) with a 429 fault.

        ``kind`` is ``requests`` (0x80072322), ``execution_time`` (0x80072321) or
        ``concurrency`` (0x80072326); the fault's ``error_details["Retry-After"]`` is a
        ``timedelta`` of ``retry_after`` seconds, as the SDK reports it.
        """
        if kind not in _THROTTLES:
            raise ValueError(f"kind must be one of {', '.join(sorted(_THROTTLES))}, not {kind!r}")
        error = _THROTTLES[kind](error_details={"Retry-After": dt.timedelta(seconds=retry_after)})
        self.fail_next(error, times=times, message=message)

    def fail_next(self, error: errors.DataverseError, *, times: int = 1,
                  message: str | None = None) -> None:
        """Raise ``error`` from the next ``times`` messages (optionally only named ``message``)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._check_message_name(message)
        with self._lock:
            self._pending.append(InjectedFault(error, message, times))

    def _check_message_name(self, message: str | None) -> None:
        """Reject a message name that is a misspelling of one the organization answers.

        A name nothing resembles is accepted: it may be a custom API registered later.

        Raises:
            ValueError: the name differs from a known one only in case, or is a near miss.
        """
        names = set(self.message_names())
        if message is None or message in names:
            return
        by_folded = {name.casefold(): name for name in names}
        alike = difflib.get_close_matches(message.casefold(), list(by_folded), n=1, cutoff=0.85)
        if alike:
            raise ValueError(
                f"no message is named {message!r} (message names are case-sensitive): "
                f"did you mean {by_folded[alike[0]]!r}?"
            )

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()

    def check(self, message_name: str) -> None:
        """Raise the first pending fault that applies to this message (used by the service)."""
        with self._lock:
            for index, fault in enumerate(self._pending):
                if fault.message in (None, message_name):
                    if fault.remaining > 1:
                        self._pending[index] = attrs.evolve(fault, remaining=fault.remaining - 1)
                    else:
                        del self._pending[index]
                    raise fault.error
