"""``multipart/mixed`` framing for ``$batch``: lenient reading, exact writing.

Reading accepts what real clients send (CRLF or LF-only lines, quoted or unquoted boundaries,
an extra blank line before a body, ``Content-ID`` as a part header or an inner header); writing
always uses CRLF, ``application/http`` parts and ``binary`` transfer encoding.
"""

from __future__ import annotations

import http
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._webapi._http import Headers, HttpResponse

__all__ = [
    "CRLF",
    "InnerRequest",
    "Part",
    "boundary_of",
    "framing_error",
    "parse_request",
    "render_multipart",
    "render_response",
    "split_lines",
    "split_parts",
]

CRLF = "\r\n"
_BOUNDARY = re.compile(r"""boundary\s*=\s*(?:"([^"]+)"|([^\s;,"]+))""", re.IGNORECASE)
_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})


def framing_error(detail: str) -> errors.DataverseError:
    """Return the 400 ``0x80048d19`` fault for a batch body that cannot be read."""
    return errors.ODataClientPayloadError(
        entity_set="$batch",
        inner=f"System.ArgumentException: Stream was not readable. {detail}",
    )


@attrs.frozen
class Part:
    """One body part: its MIME headers and the lines of its content."""

    headers: Headers
    lines: tuple[str, ...]

    @property
    def content_type(self) -> str:
        """Return the part's media type, lower case, without parameters."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


@attrs.frozen
class InnerRequest:
    """One request inside a batch, before URL resolution and ``$n`` substitution."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: str
    content_id: str | None


def boundary_of(content_type: str | None) -> str | None:
    """Return the boundary of a ``multipart/mixed`` content type, or None."""
    if not content_type or content_type.split(";")[0].strip().lower() != "multipart/mixed":
        return None
    match = _BOUNDARY.search(content_type)
    return (match[1] or match[2]) if match else None


def split_lines(body: bytes) -> list[str]:
    """Split a batch body into lines, CRLF or LF terminated.

    Raises:
        ODataClientPayloadError: 0x80048d19 when the body is not UTF-8 text.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise framing_error("The batch body is not UTF-8 text.") from None
    return text.replace("\r\n", "\n").split("\n")


def split_parts(lines: Sequence[str], boundary: str) -> list[Part]:
    """Return the parts between ``--boundary`` delimiters, up to ``--boundary--``.

    Raises:
        ODataClientPayloadError: 0x80048d19 when no delimiter or no closing delimiter is found.
    """
    delimiter, closing = f"--{boundary}", f"--{boundary}--"
    parts: list[Part] = []
    current: list[str] | None = None
    for line in lines:
        marker = line.rstrip()
        if marker in (delimiter, closing):
            if current is not None:
                parts.append(_part(current))
            if marker == closing:
                return parts
            current = []
        elif current is not None:
            current.append(line)
    raise framing_error(f"The closing boundary '--{boundary}--' was not found.")


def _headers_and_rest(lines: Sequence[str]) -> tuple[Headers, list[str]]:
    headers: dict[str, str] = {}
    index, last = 0, ""
    while index < len(lines) and lines[index].strip():
        line = lines[index]
        if line[0] in " \t" and last:
            headers[last] += " " + line.strip()
        else:
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise framing_error(f"The header line '{line}' has no name and value.")
            last = name.strip()
            headers[last] = value.strip()
        index += 1
    return Headers(headers), list(lines[index + 1 :])


def _part(lines: list[str]) -> Part:
    while lines and not lines[0].strip():
        lines = lines[1:]
    headers, rest = _headers_and_rest(lines)
    return Part(headers, tuple(rest))


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def parse_request(part: Part) -> InnerRequest:
    """Read the HTTP request an ``application/http`` part carries.

    Raises:
        ODataClientPayloadError: 0x80048d19 for a missing or malformed request line.
    """
    lines = _strip_blank(list(part.lines))
    if not lines:
        raise framing_error("A batch part holds no HTTP request.")
    method, url = _request_line(lines[0])
    headers, rest = _headers_and_rest(lines[1:])
    content_id = part.headers.get("Content-ID") or headers.get("Content-ID")
    body = "\n".join(_strip_blank(rest))
    return InnerRequest(method, url, dict(headers.items()), body, content_id)


def _request_line(line: str) -> tuple[str, str]:
    """Return the method and URL of ``METHOD URL [HTTP/1.1]``.

    The URL is everything between the method and the version: Microsoft's Python SDK writes
    query options unencoded (``$filter=name eq 'x'``), so its spaces are encoded here.

    Raises:
        ODataClientPayloadError: 0x80048d19 for an unknown method, no URL, or a space in the
            URL's path.
    """
    method, _, target = line.strip().partition(" ")
    target = target.strip()
    head, _, last = target.rpartition(" ")
    if last.upper().startswith("HTTP/"):
        target = head.strip()
    if method not in _METHODS or not target or " " in target.split("?", 1)[0]:
        raise framing_error(f"The request line '{line}' is not 'METHOD URL HTTP/1.1'.")
    return method, target.replace(" ", "%20")


def render_response(response: HttpResponse, content_id: str | None = None) -> list[str]:
    """Return the lines of one ``application/http`` part answering a request.

    An answer carrying ``OData-EntityId`` also gets ``Location`` with the same URL, as
    Dataverse's batch answers show; an empty body still gets its (empty) line.
    """
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    lines += ["", f"HTTP/1.1 {response.status} {reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in _with_location(response.headers)]
    lines += ["", response.body.decode("utf-8", errors="replace")]
    return lines


def _with_location(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the headers with ``Location`` before ``OData-EntityId``, as batch answers have."""
    if any(name.lower() == "location" for name in headers):
        return list(headers.items())
    items: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name.lower() == "odata-entityid":
            items.append(("Location", value))
        items.append((name, value))
    return items


def render_multipart(boundary: str, parts: Iterable[list[str]]) -> list[str]:
    """Return the lines of a ``multipart/mixed`` body with these parts."""
    lines: list[str] = []
    for part in parts:
        lines.append(f"--{boundary}")
        lines += part
    lines.append(f"--{boundary}--")
    return lines
