"""The fake's clock and id factory: time and ids are injected, never read from the world."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Callable

__all__ = ["DEFAULT_START", "Clock", "IdFactory", "dotnet_ticks", "moment", "moved"]

DEFAULT_START = dt.datetime(2026, 1, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
_TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000


_UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def dotnet_ticks(moment: dt.datetime) -> int:
    """Return .NET ticks (100 ns since 0001-01-01 UTC) for an aware datetime."""
    return _TICKS_AT_UNIX_EPOCH + (moment - _UNIX_EPOCH) // _MICROSECOND * 10


def moment(value: dt.datetime | str, name: str = "the clock's time") -> dt.datetime:
    """Return an instant as an aware UTC datetime, from a datetime or ISO-8601 text.

    The one reading of "a point in time" every surface shares (``FakeDataverse(clock=…)``,
    ``clock.set(…)``, the pytest marker's ``now=``): text needs an offset (``Z`` or
    ``+02:00``), a datetime a ``tzinfo``, so no test depends on the machine's time zone.

    Raises:
        ValueError: for text that is not ISO-8601, or a time without an offset.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO-8601 date and time (e.g. '2026-01-01T09:00:00Z')"
            ) from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(
            f"{name} must be an aware datetime or an ISO-8601 string with an offset, "
            f"e.g. datetime(2026, 1, 1, tzinfo=timezone.utc) or '2026-01-01T09:00:00Z'; "
            f"got {value!r}"
        )
    return value.astimezone(dt.timezone.utc)


class Clock:
    """A controllable UTC clock, the fake's own: nothing outside it (freezegun included) moves it.

    Frozen by default: time moves only through :meth:`set` and :meth:`advance`. :meth:`unfreeze`
    lets it run with the wall clock from the current fake instant; :meth:`follow` makes it read
    another clock (``lambda: datetime.now(timezone.utc)`` follows freezegun's).
    """

    def __init__(self, start: dt.datetime | str | None = None, *, frozen: bool = True) -> None:
        self._lock = threading.Lock()
        self._base = moment(start) if start is not None else DEFAULT_START
        self._anchor: float | None = None if frozen else time.monotonic()
        self._source: Callable[[], dt.datetime] | None = None

    def now(self) -> dt.datetime:
        """Return the current fake time (aware, UTC)."""
        source = self._source
        if source is not None:
            return moment(source(), "the time a followed clock reads")
        with self._lock:
            if self._anchor is None:
                return self._base
            return self._base + dt.timedelta(seconds=time.monotonic() - self._anchor)

    def set(self, instant: dt.datetime | str) -> None:
        """Move the clock to an instant (backwards too): a datetime or ISO-8601 text.

        Raises:
            ValueError: for a time without an offset, or while the clock follows another.
        """
        new_base = moment(instant)
        with self._lock:
            self._check_own("set()")
            self._base = new_base
            if self._anchor is not None:
                self._anchor = time.monotonic()

    def return_to(self, instant: dt.datetime) -> None:
        """Put the clock back at a saved instant (a rollback, a restore).

        A clock that follows another keeps following it: that time is not the fake's to move.
        """
        with self._lock:
            if self._source is None:
                self._base = instant
                if self._anchor is not None:
                    self._anchor = time.monotonic()

    def advance(self, seconds: float | dt.timedelta = 0.0, **delta: float) -> dt.datetime:
        """Move the clock forward and return the new time.

        ``advance(90)``, ``advance(timedelta(minutes=5))``, ``advance(days=2)``.

        Raises:
            TypeError: for a step that is not a number of seconds or a timedelta.
            ValueError: for a step backwards, one no date can hold (not finite, or past the
                year 9999), or while the clock follows another.
        """
        step = _step(seconds, delta)
        if step < dt.timedelta(0):
            raise ValueError("advance() moves forward; use set() to go back in time")
        with self._lock:
            self._check_own("advance()")
            self._base = moved(self._base, step)
            now = self._base
        return self.now() if self._anchor is not None else now

    def follow(self, source: Callable[[], dt.datetime]) -> None:
        """Read the time from ``source`` (a function returning an aware datetime) from now on.

        ``dv.clock.follow(lambda: datetime.now(timezone.utc))`` ties the fake to freezegun or
        time-machine: their ``tick()`` and ``move_to()`` then move it. :meth:`freeze` ends it.
        """
        moment(source(), "the time a followed clock reads")  # a wrong source fails here
        with self._lock:
            self._source = source

    def _check_own(self, operation: str) -> None:
        if self._source is not None:
            raise ValueError(
                f"{operation} cannot move a clock that follows another: move that one (e.g. "
                "freezegun's tick() or move_to()), or call freeze() first"
            )

    def freeze(self) -> None:
        """Stop the clock at the current fake instant (and stop following another clock)."""
        current = self.now()
        with self._lock:
            self._base, self._anchor, self._source = current, None, None

    def unfreeze(self) -> None:
        """Let the clock run with the wall clock from the current fake instant."""
        current = self.now()
        with self._lock:
            self._base, self._anchor, self._source = current, time.monotonic(), None

    @property
    def following(self) -> bool:
        """Return True while the clock reads another (:meth:`follow`): only that one moves it."""
        return self._source is not None

    @property
    def frozen(self) -> bool:
        """Return True when the clock only moves on command."""
        return self._anchor is None and self._source is None


# A version-4 GUID: the variant bits (10) and the version nibble (4) set, as
# ``uuid.UUID(int=bits, version=4)`` sets them.
_VERSION_4_MASK = ~((0xC000 << 48) | (0xF000 << 64))
_VERSION_4_BITS = (0x8000 << 48) | (0x4000 << 64)
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # read once: an enum member's lookup is not free


def _made_guid(value: int) -> uuid.UUID:
    """Return the GUID with this 128-bit value, as ``uuid.UUID(int=value)`` does, without its
    argument checks (every create makes one; the value is in range by construction)."""
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", _UNKNOWN_SAFETY)
    return made


def _checked_guid(value: int) -> uuid.UUID:
    return uuid.UUID(int=value)


_guid = _made_guid
if _made_guid(2**127 + 1) != _checked_guid(2**127 + 1) or str(_made_guid(1)) != str(
    _checked_guid(1)
):
    _guid = _checked_guid  # pragma: no cover - a Python whose GUIDs are built differently


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
        return _guid((bits & _VERSION_4_MASK) | _VERSION_4_BITS)

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



def _step(seconds: float | dt.timedelta, delta: dict[str, float]) -> dt.timedelta:
    """Return the step ``advance()`` was given, or say what it takes (never an OverflowError)."""
    given: dict[str, object] = {**delta, "seconds": seconds}
    for name, value in given.items():
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not (number or (name == "seconds" and isinstance(value, dt.timedelta))):
            raise TypeError(
                "advance() takes a number of seconds or a timedelta (and numbers as days=, "
                f"hours=, …), not {name}={value!r}"
            )
    try:
        step = dt.timedelta(**delta)
        return step + (
            seconds if isinstance(seconds, dt.timedelta) else dt.timedelta(seconds=seconds)
        )
    except (OverflowError, ValueError):
        shown = ", ".join(f"{name}={value!r}" for name, value in given.items())
        raise ValueError(
            f"advance({shown}) is no step a date can take (not finite, or past the year 9999)"
        ) from None


def later(moment: dt.datetime, step: dt.timedelta) -> dt.datetime | None:
    """Return ``moment + step``, or None past the last date a clock can show (a retry or an
    expiry there never comes)."""
    try:
        return moment + step
    except OverflowError:
        return None


def moved(moment: dt.datetime, seconds: float | dt.timedelta, **delta: float) -> dt.datetime:
    """Return ``moment`` moved by a step as ``advance()`` takes it, refused as it refuses it.

    Raises:
        TypeError: for a step that is not a number of seconds or a timedelta.
        ValueError: for a step no date can take (not finite, or past the year 9999).
    """
    step = _step(seconds, delta)
    try:
        return moment + step
    except OverflowError:
        raise ValueError(f"a step of {step} would move the clock past the year 9999") from None
