"""Web API URLs: the service root, the resource path, key segments and query options.

Query strings arrive encoded every way clients encode them (``%24select=a+b``, raw ``$select``,
raw FetchXML): they are decoded with ``+`` as a space and each pair is split on its first ``=``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Mapping
from urllib.parse import SplitResult, unquote, unquote_plus, urlsplit

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import parse_datetime_text

__all__ = [
    "API_VERSION",
    "KeyLiteral",
    "KeySegment",
    "ODataUrl",
    "parse_key",
    "parse_url",
    "request_base",
    "split_top_level",
    "split_url",
]

#: The Web API versions served (``/api/data/v9.0/`` to ``/api/data/v9.2/``).
API_VERSION = r"v9\.[0-2]"
_API_ROOT = re.compile(rf"/api/data/(?P<version>{API_VERSION})(?:/(?P<path>.*))?$")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@attrs.frozen
class ODataUrl:
    """A request URL split into the service root, the resource path and the query options."""

    root: str
    path: str
    query: Mapping[str, str]
    raw_query: str

    @property
    def base(self) -> str:
        """Return the ``scheme://host`` the request was sent to (every URL written starts so)."""
        return self.root.rsplit("/api/data/", 1)[0]

    @property
    def metadata_url(self) -> str:
        """Return the ``$metadata`` URL that ``@odata.context`` values start with."""
        return f"{self.root}/$metadata"


def request_base(org_url: str, url: str) -> str:
    """Return the base URL the answer to a request writes its URLs on.

    The organization's URL when the request was sent to it; else (a local server, reached at
    ``http://127.0.0.1:<port>``) the ``scheme://host:port`` the request was sent to, so every
    link the client follows comes back to the same place.
    """
    try:  # a host urllib refuses (an unbalanced "[")
        parts = urlsplit(url)
    except ValueError:
        return org_url
    return _base(org_url, parts.scheme, parts.netloc)


@functools.lru_cache(maxsize=64)
def _base(org_url: str, scheme: str, netloc: str) -> str:
    # A function of its arguments only, so cached: a client sends to one or two hosts, and
    # reading a host's name and port costs more than routing the rest of the request.
    if not scheme or not netloc:
        return org_url
    try:  # a port that is not a number
        parts, org = SplitResult(scheme, netloc, "", "", ""), urlsplit(org_url)
        default = {"https": 443, "http": 80}.get(scheme.lower())
        same = (scheme.lower(), parts.hostname, parts.port or default) == (
            org.scheme.lower(), org.hostname, org.port or default
        )
    except ValueError:
        return org_url
    return org_url if same else f"{scheme}://{netloc}"


def split_url(url: str) -> tuple[str, str]:
    """Return a URL's path and raw query string; any text is accepted.

    ``urlsplit`` refuses some hosts (an unbalanced ``[``); the host plays no part in routing,
    so such a URL is split without it.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        after_scheme = url.split("://", 1)[-1]
        rest = after_scheme[len(re.split(r"[/?#]", after_scheme, maxsplit=1)[0]) :]
        parts = urlsplit("http://host" + rest)
    return parts.path, parts.query


def parse_url(org_url: str, url: str) -> ODataUrl | None:
    """Return the parts of a Web API URL on the organization, or None off the API root.

    Raises:
        ODataError: 0x0 when a query option appears twice.
    """
    url_path, query = split_url(url)
    match = _API_ROOT.match(url_path)
    if match is None:
        return None
    root = f"{request_base(org_url, url)}/api/data/{match['version']}"
    path = match["path"] or ""
    return ODataUrl(root=root, path=path, query=parse_query(query), raw_query=query)


def parse_query(raw: str) -> dict[str, str]:
    """Decode a query string (``+`` is a space; each pair splits on its first ``=``).

    Raises:
        ODataError: 0x0 when a query option appears twice.
    """
    options: dict[str, str] = {}
    if not raw:
        return options  # most requests have no query string
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name, value = unquote_plus(name), unquote_plus(value)
        if name in options:
            raise errors.ODataError(
                f"Query option '{name}' was specified more than once, but it must be specified at "
                "most once."
            )
        options[name] = value
    return options


def path_segments(path: str) -> list[str]:
    """Split a resource path on ``/`` outside parentheses and quotes, percent-decoding each."""
    return [unquote(segment) for segment in split_top_level(path, "/")]


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on a separator that is outside parentheses and single-quoted literals."""
    if "'" not in text and "(" not in text and ")" not in text:
        return text.split(separator)  # nothing nests: every separator splits (most paths)
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


@attrs.frozen
class KeySegment:
    """``name(key)``: the segment's name and its key (a bare value or ``name=value`` pairs)."""

    name: str
    key: str | None


_SEGMENT = re.compile(r"(?P<name>[^()]+)(?:\((?P<key>.*)\))?", re.DOTALL)


def parse_segment(segment: str) -> KeySegment | None:
    """Split ``backgroundoperations(<key>)`` into its name and key text; None if malformed."""
    match = _SEGMENT.fullmatch(segment)
    if match is None:
        return None
    return KeySegment(match["name"], match["key"])


KeyLiteral = str | uuid.UUID | int | dt.datetime


def parse_literal(text: str) -> KeyLiteral | None:
    """Return a key literal: a quoted string, a GUID, an integer or a date/time; None if invalid."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        inner = text[1:-1]
        if re.search(r"(?<!')'(?!')", inner.replace("''", "")):
            return None
        return inner.replace("''", "'")
    if _GUID.fullmatch(text):
        return uuid.UUID(text)
    if re.fullmatch(r"-?[0-9]{1,18}", text):
        return int(text)
    return parse_datetime_text(text)


def parse_key(text: str) -> dict[str, KeyLiteral] | None:
    """Parse a key: ``<guid>`` (under the name ``""``) or ``a=<literal>,b=<literal>``.

    Key property names are matched case-insensitively (lower-cased here). None when malformed.
    """
    pairs = split_top_level(text, ",")
    if len(pairs) == 1 and "=" not in pairs[0]:
        value = parse_literal(pairs[0])
        return None if value is None else {"": value}
    key: dict[str, KeyLiteral] = {}
    for pair in pairs:
        name, sep, literal = pair.partition("=")
        value = parse_literal(literal)
        name = name.strip().lower()
        if not sep or not name or value is None or name in key:
            return None
        key[name] = value
    return key
