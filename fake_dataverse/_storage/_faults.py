"""Fault injection: make the next requests fail, to test a client's error and retry handling.

Off by default. ``dv.faults.throttle()`` answers the next message with a
service-protection fault (HTTP 429, ``Retry-After``); ``dv.faults.fail_next(error)`` with any
Dataverse fault, or raises any other exception (``requests.ConnectionError``, a timeout) from
the next request as a transport would; ``dv.faults.gateway(503)`` answers the next Web API
request as a failing gateway in front of Dataverse would. A fault is raised before the request
touches the store, except a transport error injected with ``applied=True`` (a read timeout
after Dataverse did the work).
"""

from __future__ import annotations

import datetime as dt
import difflib
import threading
from collections.abc import Callable, Iterable

import attrs

from fake_dataverse._model import _errors as errors

__all__ = ["GATEWAY_STATUSES", "FaultInjector", "InjectedFault"]

#: The gateway faults a client meets in front of Dataverse, with their reason phrases.
GATEWAY_STATUSES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

_THROTTLES: dict[str, type[errors.DataverseError]] = {
    "requests": errors.RequestsLimitExceeded,
    "execution_time": errors.ExecutionTimeLimitExceeded,
    "concurrency": errors.ConcurrentRequestsLimitExceeded,
}


@attrs.frozen
class InjectedFault:
    """A fault waiting for the next matching message (a Dataverse fault) or request (the
    others: a transport error, or a gateway's ``status``)."""

    error: BaseException | None
    message: str | None
    remaining: int
    applied: bool = False  # a transport error raised after the request was answered
    status: int | None = None  # a gateway fault's HTTP status
    retry_after: float | None = None

    @property
    def per_request(self) -> bool:
        """Return True for a fault that fails a whole request, not one message."""
        return not isinstance(self.error, errors.DataverseError)


class FaultInjector:
    """The queue of injected faults of one organization."""

    def __init__(self, message_names: Callable[[], Iterable[str]] = tuple) -> None:
        self._lock = threading.Lock()
        #: The armed faults, oldest first (empty in the common case: callers may skip the
        #: checks below when it is).
        self.pending: list[InjectedFault] = []
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
        wait = dt.timedelta(seconds=_retry_after(retry_after))
        error = _THROTTLES[kind](error_details={"Retry-After": wait})
        self.fail_next(error, times=times, message=message)

    def fail_next(self, error: BaseException, *, times: int = 1, message: str | None = None,
                  applied: bool = False) -> None:
        """Fail the next ``times`` requests with ``error``.

        A :class:`DataverseError` is the answer of the next messages (optionally only those
        named ``message``), on every surface. Any other exception — ``requests.ConnectionError``,
        ``requests.ConnectTimeout``, ``requests.ReadTimeout``, httpx's — is raised to the caller
        by the next request, Web API or SDK, as its transport would: before the request reaches
        the organization, or with ``applied=True`` after it was answered (a read timeout whose
        write happened).

        Raises:
            ValueError: ``times`` below 1, a misspelt ``message``, ``message`` or ``applied``
                with a fault they do not apply to.
            TypeError: ``error`` is not an exception instance.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if not isinstance(error, BaseException):
            raise TypeError(f"fail_next() takes an exception instance, not {error!r}")
        dataverse_fault = isinstance(error, errors.DataverseError)
        if not dataverse_fault and message is not None:
            raise ValueError(
                "message= picks the Dataverse faults of one message; a transport error fails "
                "the next request whatever it asks for"
            )
        if dataverse_fault and applied:
            raise ValueError("applied=True is for transport errors; a Dataverse fault is an answer")
        self._check_message_name(message)
        with self._lock:
            self.pending.append(InjectedFault(error, message, times, applied=applied))

    def gateway(self, status: int = 503, *, times: int = 1,
                retry_after: float | None = None) -> None:
        """Answer the next ``times`` Web API requests as a failing gateway: 502, 503 or 504.

        The organization never sees them. ``retry_after`` adds a ``Retry-After`` header.

        Raises:
            ValueError: for another status, or ``times`` below 1.
        """
        if status not in GATEWAY_STATUSES:
            raise ValueError(f"status must be 502, 503 or 504, not {status!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if retry_after is not None:
            _retry_after(retry_after)
        with self._lock:
            self.pending.append(
                InjectedFault(None, None, times, status=status, retry_after=retry_after)
            )

    def take_request_fault(self, *, web_api: bool) -> InjectedFault | None:
        """Return (and count) the first pending fault that fails a whole request, or None.

        Gateway faults apply to Web API requests only.
        """
        if not self.pending:
            return None  # nothing armed: the common case skips the lock
        with self._lock:
            for index, fault in enumerate(self.pending):
                if not fault.per_request or (fault.status is not None and not web_api):
                    continue
                self._count(index, fault)
                return fault
        return None

    def _count(self, index: int, fault: InjectedFault) -> None:
        if fault.remaining > 1:
            self.pending[index] = attrs.evolve(fault, remaining=fault.remaining - 1)
        else:
            del self.pending[index]

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
            self.pending.clear()

    def check(self, message_name: str) -> None:
        """Raise the first pending fault that applies to this message (used by the service)."""
        if not self.pending:
            return  # nothing armed: the common case skips the lock
        with self._lock:
            for index, fault in enumerate(self.pending):
                if not fault.per_request and fault.message in (None, message_name):
                    self._count(index, fault)
                    assert fault.error is not None
                    raise fault.error


def _retry_after(seconds: float) -> float:
    """Return a ``retry_after`` a Retry-After header can carry: whole days' worth at most."""
    number = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
    if not number or not 0 <= seconds <= _LONGEST_RETRY_AFTER:
        raise ValueError(
            f"retry_after is a number of seconds from 0 to {_LONGEST_RETRY_AFTER:,}, "
            f"not {seconds!r}"
        )
    return seconds


# A wait no client would take, still one a timedelta and a header hold (about 31 years).
_LONGEST_RETRY_AFTER = 10**9
