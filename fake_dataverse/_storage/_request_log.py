"""The log of the requests one organization answered (``dv.requests``), oldest first.

The surfaces append one small record per request a caller made (the outermost call into the
organization, see :meth:`CallScope.call`); everything a user reads from a record (parsed
query options, the JSON body, the error code) is worked out only when read, so the log costs
an append per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["RequestLogEntries"]


class RequestLogEntries:
    """Records, oldest first, of the requests an organization answered."""

    __slots__ = ("_earlier", "entries", "record")

    def __init__(self) -> None:
        self.entries: list[Any] = []
        #: Append one answered request: the list's own ``append``, so recording a request runs
        #: no Python code of its own (every request records one).
        self.record: Callable[[Any], None] = self.entries.append
        self._earlier = 0  # records counted by :attr:`recorded` but no longer in the list

    @property
    def recorded(self) -> int:
        """How many requests were ever recorded (clearing or restoring the log lowers it not)."""
        return self._earlier + len(self.entries)

    def clear(self) -> None:
        """Forget every record."""
        self._earlier += len(self.entries)
        self.entries.clear()

    def restore(self, entries: tuple[Any, ...]) -> None:
        """Put back the records of a snapshot (:meth:`FakeDataverse.snapshot`)."""
        self._earlier += len(self.entries) - len(entries)
        self.entries[:] = entries
