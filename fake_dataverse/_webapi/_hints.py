"""Hints for Web API requests that guessed, sent in an ``x-fake-dataverse-hint`` header.

Dataverse never sends that header, so the status and body stay exactly Dataverse's.
"""

from __future__ import annotations

from collections.abc import Callable

from fake_dataverse._messages._hints import unregistered_custom_api
from fake_dataverse._model import _errors as errors

__all__ = ["HINT_HEADER", "hint_for"]

HINT_HEADER = "x-fake-dataverse-hint"

_RESPOND_ASYNC = (
    "the Web API has no ExecuteBackgroundOperation action: send the custom API's own request "
    "(POST .../api/data/v9.2/<custom API name>) with the header 'Prefer: respond-async' to run "
    "it in the background (see docs/background.md)"
)


def _unrouted_post(method: str, path: str) -> str | None:
    """A POST to one unknown segment is most often a custom API nobody registered."""
    if method.upper() != "POST" or not path or "/" in path or "(" in path:
        return None
    if path == "ExecuteBackgroundOperation":
        return _RESPOND_ASYNC
    return unregistered_custom_api(path)


_HINTS: dict[type[errors.DataverseError], Callable[[str, str], str | None]] = {
    errors.ResourceNotFound: _unrouted_post,
}


def hint_for(error: errors.DataverseError, method: str, path: str) -> str | None:
    """Return the hint for a fault answering ``method`` on ``path`` (after the service root)."""
    hint = _HINTS.get(type(error))
    return hint(method, path) if hint is not None else None
