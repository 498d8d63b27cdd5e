"""``POST $batch``: many requests in one ``multipart/mixed`` body, change sets included.

The batch is read completely and checked (framing, at most 1000 requests, no nested batch, no
GET in a change set) before any inner request runs. Requests then run in order through
``dispatch``; by default processing stops after the first failure and the batch answers with
that failure's status (``Prefer: odata.continue-on-error`` goes on and answers 200). Change sets
run in order and are not atomic on elastic tables: a failure ends the change
set, whose answer is that failure alone, and the requests before it stay done — unless
``atomic_changesets``, which puts back the state from before the change set. ``Content-ID``
values are referenced as ``$n`` in later URLs and bodies of the same change set.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._prefer import parse_prefer
from fake_dataverse._webapi._reply import error_reply
from fake_dataverse._webapi.batch._multipart import (
    CRLF,
    InnerRequest,
    Part,
    boundary_of,
    framing_error,
    parse_request,
    render_multipart,
    render_response,
    split_lines,
    split_parts,
)

__all__ = ["MAX_BATCH_REQUESTS", "handle_batch"]

MAX_BATCH_REQUESTS = 1000
_INHERITED_HEADERS = ("Authorization", "CallerObjectId", "MSCRMCallerID")
_BOUNDARY_NAMESPACE = uuid.UUID("3d4f7a2e-9b61-4c0e-8f15-2a7c9e6b5d31")
_REFERENCE = re.compile(r"\$([A-Za-z0-9_.\-]+)")
_BODY_REFERENCE = re.compile(r"\"\$([A-Za-z0-9_.\-]+)((?:/[^\"]*)?)\"")
_BOUND_REFERENCE = re.compile(r"@odata\.(?:bind|id)\"\s*:\s*\"\$([A-Za-z0-9_.\-]+)")
_CHANGESET_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@attrs.frozen
class _ChangeSet:
    requests: tuple[InnerRequest, ...]


_Item = InnerRequest | _ChangeSet


@attrs.frozen
class _Batch:
    """The outer request's context: service root, inherited headers, dispatch and settings."""

    root: str
    inherited: Mapping[str, str]
    dispatch: Callable[[HttpRequest], HttpResponse]
    atomic: bool
    snapshot: Callable[[], object]
    restore: Callable[[object], None]
    release: Callable[[object], None]


def _read_items(lines: list[str], boundary: str) -> list[_Item]:
    items: list[_Item] = []
    for part in split_parts(lines, boundary):
        if part.content_type == "multipart/mixed":
            items.append(_read_changeset(part))
        elif part.content_type == "application/http":
            items.append(parse_request(part))
        else:
            raise framing_error(_content_type_fault(part))
    return items


def _content_type_fault(part: Part) -> str:
    return (
        "The message header 'Content-Type' is invalid. The header value must be "
        f"'application/http', but was '{part.headers.get('Content-Type', '')}'."
    )


def _read_changeset(part: Part) -> _ChangeSet:
    boundary = boundary_of(part.headers.get("Content-Type"))
    if boundary is None:
        raise framing_error("A change set part has no boundary.")
    requests: list[InnerRequest] = []
    for inner in split_parts(part.lines, boundary):
        if inner.content_type == "multipart/mixed":
            raise errors.ODataError("Nested change sets in a batch payload are not supported.")
        if inner.content_type != "application/http":
            raise framing_error(_content_type_fault(inner))
        request = parse_request(inner)
        if request.method not in _CHANGESET_METHODS:
            raise errors.ODataError(
                f"An invalid HTTP method '{request.method}' was detected for a request in a change "
                "set. Requests in change sets only support the HTTP methods 'POST', 'PUT', "
                "'DELETE', and 'PATCH'."
            )
        requests.append(request)
    return _ChangeSet(tuple(requests))


def _requests_of(items: list[_Item]) -> list[InnerRequest]:
    found: list[InnerRequest] = []
    for item in items:
        found.extend(item.requests if isinstance(item, _ChangeSet) else (item,))
    return found


def _check(items: list[_Item]) -> None:
    requests = _requests_of(items)
    if len(requests) > MAX_BATCH_REQUESTS:
        raise errors.ODataError(
            f"The batch holds {len(requests)} requests; a $batch request can hold at most "
            f"{MAX_BATCH_REQUESTS}."
        )
    for request in requests:
        path = request.url.split("?")[0].rstrip("/")
        if path.endswith("$batch"):
            raise errors.ODataError("A $batch request cannot contain another $batch request.")


def _absolute(root: str, url: str) -> str:
    if "://" in url:
        return url
    if url.startswith("/"):
        scheme, _, rest = root.partition("://")
        return f"{scheme}://{rest.split('/')[0]}{url}"
    return root + url


class _UnknownReferenceError(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _substitute(request: InnerRequest, locations: Mapping[str, str]) -> tuple[str, str]:
    def location(name: str) -> str:
        if name not in locations:
            raise _UnknownReferenceError(name)
        return locations[name]

    url = request.url
    if url.startswith("$"):
        match = _REFERENCE.match(url)
        if match:
            url = location(match[1]) + url[match.end() :]
    for match in _BOUND_REFERENCE.finditer(request.body):
        location(match[1])
    body = _BODY_REFERENCE.sub(
        lambda m: f'"{locations[m[1]]}{m[2]}"' if m[1] in locations else m[0], request.body
    )
    return url, body


def _run(batch: _Batch, request: InnerRequest, locations: Mapping[str, str]) -> HttpResponse:
    try:
        url, body = _substitute(request, locations)
    except _UnknownReferenceError as missing:
        fault = errors.ODataError(
            f"Content-ID Reference: '${missing.name}' does not exist in the batch context."
        )
        return error_reply(fault, parse_prefer(request.headers.get("Prefer")))
    headers = {**batch.inherited}
    for name, value in request.headers.items():
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        headers[name] = value
    inner = HttpRequest(request.method, _absolute(batch.root, url), headers, body.encode("utf-8"))
    return batch.dispatch(inner)


def _entity_url(response: HttpResponse) -> str | None:
    lowered = {name.lower(): value for name, value in response.headers.items()}
    return lowered.get("odata-entityid") or lowered.get("location")


def _failed(response: HttpResponse) -> bool:
    return response.status >= 400


def _run_changeset(
    batch: _Batch, changeset: _ChangeSet, boundary: str
) -> tuple[list[str], int | None]:
    saved = batch.snapshot() if batch.atomic else None
    locations: dict[str, str] = {}
    answers: list[list[str]] = []
    try:
        for request in changeset.requests:
            try:
                response = _run(batch, request, locations)
            except BaseException:  # a crash is a failure too: undo, then let it surface
                if saved is not None:
                    batch.restore(saved)
                raise
            if _failed(response):
                if saved is not None:
                    batch.restore(saved)
                return render_response(response, request.content_id), response.status
            url = _entity_url(response)
            if request.content_id is not None and url is not None:
                locations[request.content_id] = url
            answers.append(render_response(response, request.content_id))
    finally:
        if saved is not None:
            batch.release(saved)
    header = [f"Content-Type: multipart/mixed; boundary={boundary}", ""]
    return header + render_multipart(boundary, answers), None


def _boundary_ids(request: HttpRequest) -> uuid.UUID:
    digest = hashlib.sha256(request.url.encode("utf-8") + b"\n" + request.body).hexdigest()
    return uuid.uuid5(_BOUNDARY_NAMESPACE, digest)


def _service_root(url: str) -> str:
    path = url.split("?")[0]
    return path[: path.rindex("$batch")] if "$batch" in path else path.rstrip("/") + "/"


def _run_items(
    batch: _Batch, items: list[_Item], seed: uuid.UUID, *, continue_on_error: bool
) -> tuple[list[list[str]], int]:
    """Run the items in order; return the answer parts and the batch's HTTP status.

    Without continue-on-error the first failure ends the batch, whose status is that failure's.
    """
    parts: list[list[str]] = []
    for index, item in enumerate(items):
        failure: int | None
        if isinstance(item, _ChangeSet):
            changeset_id = uuid.uuid5(seed, str(index))
            part, failure = _run_changeset(batch, item, f"changesetresponse_{changeset_id}")
        else:
            response = _run(batch, item, {})
            part = render_response(response, item.content_id)
            failure = response.status if _failed(response) else None
        parts.append(part)
        if failure is not None and not continue_on_error:
            return parts, failure
    return parts, 200


def _keep(saved: object) -> None:
    """Close a saved state: nothing to do for a plain snapshot."""


def handle_batch(
    request: HttpRequest,
    dispatch: Callable[[HttpRequest], HttpResponse],
    *,
    atomic_changesets: bool,
    snapshot: Callable[[], object],
    restore: Callable[[object], None],
    release: Callable[[object], None] | None = None,
) -> HttpResponse:
    """Run the requests of a ``$batch`` body and return the ``multipart/mixed`` answer.

    With ``atomic_changesets`` each change set starts with ``snapshot()``; a failure calls
    ``restore(saved)``, and ``release(saved)`` (when given) closes it either way.

    The answer is 200, or, when a request fails without ``Prefer: odata.continue-on-error``,
    that request's status (the parts up to the failure are still in the body).

    Raises:
        ODataClientPayloadError: 0x80048d19 for a body that is not a readable multipart batch.
        ODataError: 0x0 (HTTP 400) for more than 1000 requests, a nested batch, a nested change
            set or a GET inside a change set.
    """
    boundary = boundary_of(request.headers.get("Content-Type"))
    if boundary is None:
        raise framing_error("The Content-Type must be multipart/mixed with a boundary.")
    items = _read_items(split_lines(request.body), boundary)
    _check(items)
    inherited = {n: request.headers[n] for n in _INHERITED_HEADERS if n in request.headers}
    root = _service_root(request.url)
    batch = _Batch(
        root, inherited, dispatch, atomic_changesets, snapshot, restore, release or _keep
    )
    continue_on_error = parse_prefer(request.headers.get("Prefer")).continue_on_error
    seed = _boundary_ids(request)
    parts, status = _run_items(batch, items, seed, continue_on_error=continue_on_error)
    outer = f"batchresponse_{seed}"
    body = CRLF.join(render_multipart(outer, parts)) + CRLF
    headers = {"OData-Version": "4.0", "Content-Type": f"multipart/mixed; boundary={outer}"}
    return HttpResponse(status, headers, body.encode("utf-8"))
