"""A small client for Dataverse background operations, as an application would write it.

It starts a custom API in the background (``Prefer: respond-async``), polls the operation's
``backgroundoperation`` row until it ends, cancels it, and keeps a local copy of every
operation in sync with change tracking (``Prefer: odata.track-changes`` and delta links).
Everything goes through ``requests``; the tests run it against fake-dataverse.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

__all__ = [
    "BackgroundOperationsClient",
    "DataverseApiError",
    "Operation",
    "OperationTimeoutError",
    "Replica",
]

SELECT = (
    "name,backgroundoperationstatecode,backgroundoperationstatuscode,outputparameters,"
    "errorcode,errormessage,retrycount"
)
COMPLETED = 3
SUCCEEDED, FAILED, CANCELED = 30, 31, 32


class DataverseApiError(Exception):
    """An error answer from the Web API: HTTP status, Dataverse code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class OperationTimeoutError(Exception):
    """The operation did not end within the time allowed."""


@dataclass(frozen=True)
class Operation:
    """One background operation as the client reads it."""

    id: uuid.UUID
    name: str | None
    state: int
    status: int
    outputs: dict[str, Any] = field(default_factory=dict)
    error_code: int | None = None
    error_message: str | None = None
    retry_count: int = 0

    @property
    def done(self) -> bool:
        """True once the operation is Completed (succeeded, failed or canceled)."""
        return self.state == COMPLETED

    @property
    def succeeded(self) -> bool:
        """True when the operation completed successfully."""
        return self.status == SUCCEEDED

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Operation:
        """Build an Operation from a Web API row."""
        return cls(
            id=uuid.UUID(row["backgroundoperationid"]),
            name=row.get("name"),
            state=row["backgroundoperationstatecode"],
            status=row["backgroundoperationstatuscode"],
            outputs=_key_values(row.get("outputparameters")),
            error_code=row.get("errorcode"),
            error_message=row.get("errormessage"),
            retry_count=row.get("retrycount") or 0,
        )


def _key_values(text: str | None) -> dict[str, Any]:
    """Parse ``[{"Key": …, "Value": …}]`` (what background operations write); else nothing."""
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return {}
    if not isinstance(items, list):
        return {}
    return {
        item["Key"]: item.get("Value")
        for item in items
        if isinstance(item, dict) and isinstance(item.get("Key"), str)
    }


@dataclass
class Replica:
    """A local copy of every background operation, kept current with change tracking."""

    operations: dict[uuid.UUID, Operation] = field(default_factory=dict)
    delta_link: str | None = None


class BackgroundOperationsClient:
    """Start, watch, cancel and mirror Dataverse background operations over the Web API."""

    def __init__(
        self,
        org_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 3,
    ) -> None:
        self.api = f"{org_url.rstrip('/')}/api/data/v9.2"
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        self.sleep = sleep
        self.max_retries = max_retries

    # ---- transport ---------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send a request; wait and retry on 429 (service protection), raise on errors."""
        for attempt in range(self.max_retries + 1):
            reply = self.session.request(method, url, timeout=30, **kwargs)
            if reply.status_code != 429 or attempt == self.max_retries:
                break
            self.sleep(float(reply.headers.get("Retry-After", "1")))
        if reply.status_code >= 400:
            error = reply.json().get("error", {}) if reply.content else {}
            raise DataverseApiError(
                reply.status_code, error.get("code", ""), error.get("message", reply.reason)
            )
        return reply

    # ---- background operations ---------------------------------------------------------------
    def start(self, custom_api: str, parameters: Mapping[str, Any]) -> uuid.UUID:
        """Run a custom API in the background; return the operation's id."""
        reply = self._send(
            "POST",
            f"{self.api}/{custom_api}",
            json=dict(parameters),
            headers={"Prefer": "respond-async"},
        )
        if reply.status_code != 202:
            raise DataverseApiError(reply.status_code, "", "the API did not run in the background")
        return uuid.UUID(reply.headers["x-ms-dyn-backgroundoperationid"])

    def get(self, operation_id: uuid.UUID) -> Operation:
        """Read an operation's current state."""
        reply = self._send(
            "GET", f"{self.api}/backgroundoperations({operation_id})?$select={SELECT}"
        )
        return Operation.from_row(reply.json())

    def wait(
        self, operation_id: uuid.UUID, *, poll_seconds: float = 60, timeout_seconds: float = 3600
    ) -> Operation:
        """Poll until the operation completes (Microsoft suggests polling at most every minute).

        Raises:
            OperationTimeoutError: when it is still running after ``timeout_seconds``.
        """
        waited = 0.0
        while True:
            operation = self.get(operation_id)
            if operation.done:
                return operation
            if waited >= timeout_seconds:
                raise OperationTimeoutError(f"{operation_id} still running after {waited:.0f} s")
            self.sleep(poll_seconds)
            waited += poll_seconds

    def cancel(self, operation_id: uuid.UUID) -> None:
        """Ask Dataverse to cancel an operation (only before it completes)."""
        self._send(
            "PATCH",
            f"{self.api}/backgroundoperations({operation_id})",
            json={"backgroundoperationstatecode": 2, "backgroundoperationstatuscode": 22},
            headers={"If-Match": "*"},
        )

    # ---- change tracking -----------------------------------------------------------------------
    def _pages(self, url: str) -> Iterator[dict[str, Any]]:
        headers = {"Prefer": "odata.track-changes,odata.maxpagesize=100"}
        while True:
            body: dict[str, Any] = self._send("GET", url, headers=headers).json()
            yield body
            if "@odata.nextLink" not in body:
                return
            url = body["@odata.nextLink"]

    def sync(self, replica: Replica) -> Replica:
        """Bring a replica up to date: everything the first time, then only the changes."""
        url = replica.delta_link or f"{self.api}/backgroundoperations?$select={SELECT}"
        for body in self._pages(url):
            for row in body["value"]:
                if str(row.get("@odata.context", "")).endswith("$deletedEntity"):
                    replica.operations.pop(uuid.UUID(row["id"]), None)
                else:
                    operation = Operation.from_row(row)
                    replica.operations[operation.id] = operation
            replica.delta_link = body.get("@odata.deltaLink", replica.delta_link)
        return replica
