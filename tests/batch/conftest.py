"""Fixtures for the $batch tests: a stub router, batch bodies and a response reader."""

from __future__ import annotations

import json
import re
from typing import Any

import attrs
import pytest

from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi.batch._batch import handle_batch

ORG = "https://contoso.crm.dynamics.com"
ROOT = f"{ORG}/api/data/v9.2/"
BATCH_URL = ROOT + "$batch"


@attrs.define
class StubApi:
    """A tiny router: rows in a dict, ``POST rows`` creates, ``PATCH``/``GET``/``DELETE rows(n)``.

    Records every request it receives. A body ``{"fail": true}`` is answered 400.
    """

    rows: dict[int, dict[str, Any]] = attrs.field(factory=dict)
    received: list[HttpRequest] = attrs.field(factory=list)
    next_id: int = 1

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        self.received.append(request)
        path = request.url.removeprefix(ROOT).split("?")[0]
        try:
            body = json.loads(request.body) if request.body else {}
        except ValueError:
            return _error(400, "0x80048d19", "The body is not JSON.")
        if not isinstance(body, dict) or body.get("fail"):
            return _error(400, "0x80040203", "Invalid argument.")
        match = re.fullmatch(r"rows\((\d+)\)", path)
        if request.method == "POST" and path == "rows":
            return self._create(body)
        if match is None or int(match[1]) not in self.rows:
            return _error(404, "0x80048d02", f"Could not find item '{path}'.")
        key = int(match[1])
        if request.method == "PATCH":
            self.rows[key].update(body)
            return HttpResponse(204, {"OData-Version": "4.0", "OData-EntityId": ROOT + path})
        if request.method == "DELETE":
            del self.rows[key]
            return HttpResponse(204, {"OData-Version": "4.0"})
        payload = json.dumps({"id": key, **self.rows[key]}).encode()
        return HttpResponse(200, {"Content-Type": "application/json"}, payload)

    def _create(self, body: dict[str, Any]) -> HttpResponse:
        key, self.next_id = self.next_id, self.next_id + 1
        self.rows[key] = dict(body)
        headers = {"OData-Version": "4.0", "OData-EntityId": f"{ROOT}rows({key})"}
        return HttpResponse(204, headers)

    def snapshot(self) -> object:
        return (json.dumps(self.rows), self.next_id)

    def restore(self, saved: object) -> None:
        rows, self.next_id = saved  # type: ignore[misc]
        self.rows = {int(k): v for k, v in json.loads(rows).items()}

    def batch(
        self, body: str, *, atomic: bool = False, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        """POST a batch body (boundary ``batch_1``) and return the answer."""
        all_headers = {"Content-Type": "multipart/mixed; boundary=batch_1", **(headers or {})}
        request = HttpRequest("POST", BATCH_URL, all_headers, body.encode("utf-8"))
        return handle_batch(
            request,
            self.dispatch,
            atomic_changesets=atomic,
            snapshot=self.snapshot,
            restore=self.restore,
        )


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return HttpResponse(status, {"Content-Type": "application/json"}, body)


def request_part(
    method: str,
    url: str,
    body: Any = None,
    *,
    content_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Return one ``application/http`` part (LF line endings; bodies are JSON)."""
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"{method} {url} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body is not None:
        lines += ["Content-Type: application/json", "", json.dumps(body)]
    else:
        lines += [""]
    return "\n".join(lines) + "\n"


def changeset(*parts: str, boundary: str = "changeset_1") -> str:
    """Return a change set part holding these request parts."""
    inner = "".join(f"--{boundary}\n{part}" for part in parts)
    return f"Content-Type: multipart/mixed; boundary={boundary}\n\n{inner}--{boundary}--\n"


def batch_body(*parts: str, boundary: str = "batch_1") -> str:
    """Return a batch body holding these parts."""
    return "".join(f"--{boundary}\n{part}" for part in parts) + f"--{boundary}--\n"


@attrs.frozen
class Answer:
    """One inner answer read back from a batch response."""

    status: int
    reason: str
    headers: dict[str, str]
    body: str
    part_headers: dict[str, str]


def _headers(lines: list[str]) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def read_answers(response: HttpResponse) -> list[Answer | list[Answer]]:
    """Read a batch response: one Answer per part, a list of Answers for a change set."""
    boundary = response.headers["Content-Type"].split("boundary=")[1]
    return _read(response.body.decode("utf-8"), boundary)


def _read(text: str, boundary: str) -> list[Answer | list[Answer]]:
    assert text.endswith(f"--{boundary}--\r\n")
    chunks = text.split(f"--{boundary}")[1:-1]
    answers: list[Answer | list[Answer]] = []
    for chunk in chunks:
        head, _, rest = chunk.removeprefix("\r\n").partition("\r\n\r\n")
        part_headers = _headers(head.split("\r\n"))
        if part_headers["Content-Type"].startswith("multipart/mixed"):
            inner = part_headers["Content-Type"].split("boundary=")[1]
            answers.append(_read(rest, inner))  # type: ignore[arg-type]
            continue
        status_line, _, message = rest.partition("\r\n")
        header_text, _, body = message.partition("\r\n\r\n")
        _, status, reason = status_line.split(" ", 2)
        headers = _headers(header_text.split("\r\n")) if header_text else {}
        answers.append(
            Answer(int(status), reason, headers, body.removesuffix("\r\n"), part_headers)
        )
    return answers


@pytest.fixture
def api() -> StubApi:
    """A fresh stub router."""
    return StubApi()
