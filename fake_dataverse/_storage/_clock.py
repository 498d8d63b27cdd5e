"""The fake's clock and id factory: time and ids are injected, never read from the world."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid

__all__ = ["DEFAULT_START", "Clock", "IdFactory", "dotnet_ticks"]

DEFAULT_START = dt.datetime(2026, 1, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
_TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000


def dotnet_ticks(moment: dt.datetime) -> int:
    """Return .NET ticks (100 ns since 0001-01-01 UTC) for an aware datetime."""
    delta = moment.astimezone(dt.timezone.utc) - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return _TICKS_AT_UNIX_EPOCH + micros * 10


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("the fake's clock needs an aware datetime (e.g. tzinfo=timezone.utc)")
    return moment.astimezone(dt.timezone.utc)


class Clock:
    """A controllable UTC clock.

    Frozen by default: time moves only through :meth:`set` and :meth:`advance`. :meth:`unfreeze`
    lets it run with the wall clock from the current fake instant.
    """

    def __init__(self, start: dt.datetime | None = None, *, frozen: bool = True) -> None:
        self._lock = threading.Lock()
        self._base = _aware(start) if start is not None else DEFAULT_START
        self._anchor: float | None = None if frozen else time.monotonic()

    def now(self) -> dt.datetime:
        """Return the current fake time (aware, UTC)."""
        with self._lock:
            if self._anchor is None:
                return self._base
            return self._base + dt.timedelta(seconds=time.monotonic() - self._anchor)

    def set(self, moment: dt.datetime) -> None:
        """Move the clock to an instant (backwards too)."""
        with self._lock:
            self._base = _aware(moment)
            if self._anchor is not None:
                self._anchor = time.monotonic()

    def advance(self, seconds: float = 0.0, **delta: float) -> dt.datetime:
        """Move the clock forward (``advance(90)``, ``advance(days=2)``) and return the new time."""
        step = dt.timedelta(seconds=seconds, **delta)
        if step < dt.timedelta(0):
            raise ValueError("advance() moves forward; use set() to go back in time")
        with self._lock:
            self._base += step
            now = self._base
        return self.now() if self._anchor is not None else now

    def freeze(self) -> None:
        """Stop the clock at the current fake instant."""
        current = self.now()
        with self._lock:
            self._base, self._anchor = current, None

    def unfreeze(self) -> None:
        """Let the clock run with the wall clock from the current fake instant."""
        current = self.now()
        with self._lock:
            self._base, self._anchor = current, time.monotonic()

    @property
    def frozen(self) -> bool:
        """Return True when the clock only moves on command."""
        return self._anchor is None


class IdFactory:
    """Deterministic version-4 GUIDs from a seed: the same seed gives the same ids."""

    def __init__(self, seed: int | str | None = 0) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def new_id(self) -> uuid.UUID:
        """Return the next GUID."""
        with self._lock:
            bits = self._random.getrandbits(128)
        return uuid.UUID(int=bits, version=4)

    def reset(self) -> None:
        """Start the sequence again from the seed."""
        with self._lock:
            self._random = random.Random(self._seed)

    def getstate(self) -> object:
        """Return the generator state (for snapshots)."""
        with self._lock:
            return self._random.getstate()

    def setstate(self, state: object) -> None:
        """Restore a state returned by :meth:`getstate`."""
        with self._lock:
            self._random.setstate(state)  # type: ignore[arg-type]
