"""Transport-free HTTP types: the Web API is a function ``HttpRequest -> HttpResponse``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar, overload

import attrs

__all__ = ["Headers", "HttpRequest", "HttpResponse"]

_T = TypeVar("_T")


def _headers(value: Mapping[str, str] | None) -> Headers:
    return value if isinstance(value, Headers) else Headers(value or {})


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers that keep the first spelling of each name."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in (items or {}).items():
            self._items[name.lower()] = (name, value)

    @classmethod
    def by_lowered_name(cls, items: Mapping[str, tuple[str, str]]) -> Headers:
        """Return headers from ``{lower-cased name: (name, value)}`` (what ``requests`` keeps),
        without reading them one name at a time."""
        headers = cls.__new__(cls)
        headers._items = dict(items)
        return headers

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    @overload
    def get(self, name: str, /) -> str | None: ...

    @overload
    def get(self, name: str, default: str | _T, /) -> str | _T: ...

    def get(self, name: str, default: object = None, /) -> object:
        """Return a header's value, or ``default`` (one look-up: headers are read on every
        request, and ``Mapping.get`` goes through ``__getitem__`` and an exception)."""
        found = self._items.get(name.lower())
        return default if found is None else found[1]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@attrs.define
class HttpRequest:
    """One HTTP request: ``url`` is absolute (scheme, host, path and raw query string).

    Requests and responses are records (slotted rather than frozen: every request makes one of
    each, and ``dv.requests`` keeps them).
    """

    method: str
    url: str
    headers: Headers = attrs.field(factory=Headers, converter=_headers)
    body: bytes = b""


@attrs.define
class HttpResponse:
    """One HTTP response."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""
