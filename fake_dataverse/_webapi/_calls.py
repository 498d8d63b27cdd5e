"""``dv.requests``: the requests an organization answered, and ``assert_called`` over them.

A Web API entry keeps the request and the response as they were; the path, the parsed query
options, the JSON body and the error code are read from them only when asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, overload
from urllib.parse import urlsplit

import attrs

from fake_dataverse._messages._calls import MessageCall
from fake_dataverse._model import _errors as errors
from fake_dataverse._storage._request_log import RequestLogEntries
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._url import API_VERSION, parse_query, parse_url

__all__ = ["Call", "RequestLog", "WebApiCall"]

_API_PREFIX = re.compile(rf"^/?api/data/{API_VERSION}/?")


@attrs.define
class WebApiCall:
    """One HTTP request the Web API answered (through any transport), with its answer.

    A record of what happened (slotted rather than frozen: every request makes one).
    """

    request: HttpRequest
    response: HttpResponse
    org_url: str
    batch_part: bool = False  # True for a request inside a ``$batch`` (logged after its parts)
    surface: ClassVar[str] = "webapi"

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        return self.request.method.upper()

    @property
    def url(self) -> str:
        """The absolute URL as sent, query string included."""
        return self.request.url

    @property
    def path(self) -> str:
        """The resource path after the service root (``backgroundoperations(…)``), decoded as
        sent; a URL off the Web API gives its whole path."""
        parsed = parse_url(self.org_url, self.request.url.split("?", 1)[0])
        return parsed.path if parsed is not None else urlsplit(self.request.url).path

    @property
    def query(self) -> dict[str, str]:
        """The query options, decoded (``{"$select": "name", "$filter": "priority eq 3"}``)."""
        raw = urlsplit(self.request.url).query
        try:
            return parse_query(raw)
        except errors.DataverseError:  # an option given twice: the fake answered 400
            return dict(pair.partition("=")[::2] for pair in raw.split("&") if pair)

    @property
    def headers(self) -> Mapping[str, str]:
        """The request's headers (case-insensitive)."""
        return self.request.headers

    @property
    def json(self) -> Any:
        """The request's JSON body, or None when it had none (or it was not JSON)."""
        return _json_or_none(self.request.body)

    @property
    def status(self) -> int:
        """The status the fake answered."""
        return self.response.status

    @property
    def error_code(self) -> str | None:
        """The answer's ``error.code`` (``0x80040217``), or None for a success."""
        if self.response.status < 400:
            return None
        body = _json_or_none(self.response.body)
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, str) else None

    def describe(self) -> str:
        """Return one line: ``POST backgroundoperations -> 204`` (with the error code)."""
        query = urlsplit(self.request.url).query
        code = self.error_code
        tail = f" {code}" if code else ""
        target = self.path + (f"?{query}" if query else "")
        return f"{self.method} {target} -> {self.status}{tail}"


Call = WebApiCall | MessageCall


def _json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class RequestLog(Sequence[Call]):
    """Every request an organization answered, oldest first: Web API requests (any transport,
    ``$batch`` parts included) and messages run through ``OrganizationService``."""

    def __init__(self, calls: RequestLogEntries) -> None:
        self._calls = calls

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        return list(self._calls.entries)[index]

    def __len__(self) -> int:
        return len(self._calls.entries)

    @property
    def answered(self) -> int:
        """Return how many requests the organization answered since it was made: clearing the
        log, ``reset()`` and ``restore()`` do not lower it."""
        return self._calls.recorded

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self._calls.entries))

    def __repr__(self) -> str:
        return f"<RequestLog of {len(self)} requests>"

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        self._calls.clear()

    def matching(self, method: str, path_or_pattern: str | re.Pattern[str]) -> list[Call]:
        """Return the requests with this method whose path matches (see :meth:`assert_called`)."""
        wanted = method.upper()
        return [
            call
            for call in self
            if (call.method.upper() == wanted) and _path_matches(call, path_or_pattern)
        ]

    def assert_called(
        self, method: str, path_or_pattern: str | re.Pattern[str], times: int | None = None
    ) -> list[Call]:
        """Check that requests were answered; return them.

        ``method`` is an HTTP method (``"POST"``) or, for the SDK-style service, a message name
        (``"Create"``); ``path_or_pattern`` is the path after ``/api/data/v9.2/`` (a full URL or
        ``/api/data/v9.2/…`` works too; the query string is ignored) or a compiled regular
        expression that must match the whole path; for a message, the table's logical name.
        ``times=None`` means at least once.

        Raises:
            AssertionError: listing every request the organization answered.
        """
        found = self.matching(method, path_or_pattern)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least once" if times is None else _times(times)
        shown = path_or_pattern.pattern if isinstance(path_or_pattern, re.Pattern) else (
            _relative(path_or_pattern))
        answered = "\n".join(f"  {call.describe()}" for call in self) or "  (nothing)"
        raise AssertionError(
            f"expected {method} {shown} to be called {wanted}, it was called {_times(len(found))}."
            f"\nThe organization answered:\n{answered}{_wildcard_hint(path_or_pattern)}"
        )


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _wildcard_hint(path_or_pattern: str | re.Pattern[str]) -> str:
    """A '*' in a path is most often a glob guessed: name the pattern that was meant."""
    if isinstance(path_or_pattern, re.Pattern) or "*" not in path_or_pattern:
        return ""
    meant = re.escape(_relative(path_or_pattern)).replace(r"\*", ".+")
    return (
        "\nA path is compared whole, as text ('*' is no wildcard): "
        f"pass re.compile(r'{meant}') to match a pattern."
    )


def _relative(path: str) -> str:
    """Return a path, URL or ``/api/data/v9.2/…`` path as the path after the service root."""
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0]
    return _API_PREFIX.sub("", path).lstrip("/") if _API_PREFIX.match(path) else path.lstrip("/")


def _path_matches(call: Call, path_or_pattern: str | re.Pattern[str]) -> bool:
    if isinstance(path_or_pattern, re.Pattern):
        return path_or_pattern.fullmatch(call.path) is not None
    if call.surface == "sdk":
        return call.path == path_or_pattern
    return call.path == _relative(path_or_pattern)
