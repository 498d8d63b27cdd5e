"""The log of the requests one organization answered (``dv.requests``), oldest first.

The surfaces append one small record per request a caller made (the outermost call into the
organization, see :meth:`CallScope.call`); everything a user reads from a record (parsed
query options, the JSON body, the error code) is worked out only when read, so the log costs
an append per request.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RequestLogEntries"]


class RequestLogEntries:
    """Records, oldest first, of the requests an organization answered."""

    def __init__(self) -> None:
        self.entries: list[Any] = []
        #: How many requests were ever recorded (clearing or restoring the log lowers it not).
        self.recorded = 0

    def record(self, entry: Any) -> None:
        """Append one answered request."""
        self.entries.append(entry)
        self.recorded += 1

    def clear(self) -> None:
        """Forget every record."""
        self.entries.clear()

    def restore(self, entries: tuple[Any, ...]) -> None:
        """Put back the records of a snapshot (:meth:`FakeDataverse.snapshot`)."""
        self.entries[:] = entries
