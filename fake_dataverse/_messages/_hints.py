"""Hints for callers that guessed: Dataverse's fault stays exact, the hint rides alongside.

Raised to Python code, a hint is a note on the exception (shown under its traceback on Python
3.11+); the Web API sends it in an ``x-fake-dataverse-hint`` header.
"""

from __future__ import annotations

__all__ = ["note", "unregistered_custom_api"]


def unregistered_custom_api(name: str) -> str:
    """Return the hint for a message or action nobody registered."""
    return (
        f"no custom API named {name!r} is registered in this fake: "
        f"dv.background.register({name!r}, handler) adds one (see docs/background.md)"
    )


def note(error: BaseException, hint: str) -> BaseException:
    """Attach a hint to an exception and return it (Python 3.11+ shows the note)."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(f"fake-dataverse hint: {hint}")
    return error
