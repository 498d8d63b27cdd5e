"""Transport-free HTTP types: the Web API is a function ``HttpRequest -> HttpResponse``."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["Headers", "HttpRequest", "HttpResponse"]


def _headers(value: Mapping[str, str] | None) -> Headers:
    return value if isinstance(value, Headers) else Headers(value or {})


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers that keep the first spelling of each name."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in (items or {}).items():
            self._items[name.lower()] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@attrs.frozen
class HttpRequest:
    """One HTTP request: ``url`` is absolute (scheme, host, path and raw query string)."""

    method: str
    url: str
    headers: Headers = attrs.field(factory=Headers, converter=_headers)
    body: bytes = b""


@attrs.frozen
class HttpResponse:
    """One HTTP response."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""
