"""Background operations: custom APIs run asynchronously and tracked in ``backgroundoperation``.

``ExecuteBackgroundOperation`` (SDK) — or a custom API called with ``Prefer: respond-async`` on
the Web API — creates a row in state Ready / Waiting For Resources (0/0). Nothing runs by
itself: tests drive the lifecycle with :class:`BackgroundRunner` (``start``, ``finish``,
``run``, ``run_all``), so every intermediate state can be observed:

    0/0 Ready ──start──► 2/20 In Progress ──finish──► 3/30 Succeeded | 3/31 Failed
    (cancel: 2/22 Canceling) — not started: ► 3/32 Canceled; started: runs to its end.

A failure is retried up to three times (``retrycount``), except after a cancel request.
Source: Microsoft Learn, "Background operations (preview)"
(powerapps-docs ``developer/data-platform/background-operations.md``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from fake_dataverse._messages._crud import update_rule
from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry, definition_for
from fake_dataverse._messages._requests import (
    OrganizationRequest,
    OrganizationResponse,
    Parameter,
)
from fake_dataverse._messages._rows import build_created_row, build_updated_row
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._storage._store import StoredRow

__all__ = [
    "BACKGROUND_TTL_SECONDS",
    "BackgroundCallback",
    "BackgroundRunner",
    "CustomApi",
    "ExecuteBackgroundOperationRequest",
    "status_monitor_body",
]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

TABLE = "backgroundoperation"
STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"
BACKGROUND_TTL_SECONDS = 7_776_000  # 90 days (DECISIONS #19)
MAX_RETRIES = 3
READY, IN_PROGRESS, CANCELING = (0, 0), (2, 20), (2, 22)
SUCCEEDED, FAILED, CANCELED = (3, 30), (3, 31), (3, 32)

CustomApiHandler = Callable[[dict[str, Any]], Mapping[str, Any] | None]


@attrs.frozen
class CustomApi:
    """A custom API the organization can run: ``handler(inputs) -> outputs``.

    The handler raises a :class:`DataverseError` (its code becomes ``errorcode``) or any other
    exception (``errorcode`` 0) to fail.
    """

    unique_name: str
    handler: CustomApiHandler
    display_name: str = ""

    def outputs_of(self, result: object) -> dict[str, Any]:
        """Return what the handler returned as output parameters (None: no outputs).

        Raises:
            TypeError: the handler returned something other than a mapping or None (a bug in
                the test's stand-in, not a failure of the operation).
        """
        if result is None:
            return {}
        if not isinstance(result, Mapping):
            raise TypeError(
                f"the handler of custom API {self.unique_name!r} returned "
                f"{type(result).__name__} {result!r}: return a dict of output parameters, or None"
            )
        return dict(result)


@attrs.frozen
class BackgroundCallback:
    """A completion notification Dataverse would POST to the operation's ``CallbackUri``."""

    url: str
    body: Mapping[str, Any]


class ExecuteBackgroundOperationRequest(OrganizationRequest):
    """Run a custom API in the background (``Request``, optional ``CallbackUri``)."""

    message_name = "ExecuteBackgroundOperation"
    #: The custom API request to run.
    request = Parameter[OrganizationRequest]("Request")
    #: Where to POST the completion notification.
    callback_uri = Parameter[str | None]("CallbackUri")


def _key_value_json(values: Mapping[str, Any]) -> str:
    pairs = [{"Key": k, "Value": v} for k, v in values.items()]
    return json.dumps(pairs, default=str, separators=(",", ":"))


def _pair(row: StoredRow) -> tuple[int, int]:
    return (row.values[STATE], row.values[STATUS])


def location_of(base_url: str, operation_id: uuid.UUID) -> str:
    """Return the status monitor URL of an operation, on a base URL (the organization's)."""
    return f"{base_url}/api/backgroundoperation/{operation_id}"


@MESSAGES.handler(ExecuteBackgroundOperationRequest, table_of=lambda request: None)
def _execute_background(ctx: ExecutionContext, request: ExecuteBackgroundOperationRequest
                        ) -> OrganizationResponse:
    table = ctx.org.table(TABLE)
    for access in ("Read", "Write"):
        ctx.org.check_privilege(ctx.caller, table, access)
    inner = request.request
    if not isinstance(inner, OrganizationRequest):
        raise errors.InvalidArgument("Required field 'Request' is missing.")
    api = ctx.org.custom_apis.get(inner.request_name)
    if api is None:
        raise errors.InvalidArgument(
            f"The message '{inner.request_name}' cannot run in the background: only custom APIs "
            "can."
        )
    row = start_operation(ctx, table, api, inner.parameters, request.callback_uri)
    return OrganizationResponse("ExecuteBackgroundOperation", {
        "BackgroundOperationId": row.id, "Location": location_of(ctx.org.url, row.id)})


def start_operation(ctx: ExecutionContext, table: EntityMetadata, api: CustomApi,
                    inputs: Mapping[str, Any], callback_uri: str | None) -> StoredRow:
    """Create the Ready row of a new background operation."""
    now = ctx.org.clock.now()
    row_id = ctx.org.ids.new_id()
    kept = {
        "name": api.unique_name, "displayname": api.display_name or api.unique_name,
        "inputparameters": _key_value_json(inputs), "runas": str(ctx.caller.user_id),
        "retrycount": 0, "ttlinseconds": BACKGROUND_TTL_SECONDS,
        STATE: READY[0], STATUS: READY[1],
    }
    row = build_created_row(table, kept, key=(row_id, str(row_id)), caller=ctx.caller, now=now)
    if callback_uri:
        ctx.org.background_callbacks[row_id] = callback_uri
    return ctx.org.store.commit(row, moment=now, version_column="versionnumber")


@update_rule(TABLE)
def _no_cancel_after_terminal(table: EntityMetadata, current: StoredRow,
                              kept: Mapping[str, Any]) -> None:
    """Reject a cancel request (2/22) on an operation in a terminal state.

    Raises:
        InvalidArgument: 0x80040203 "Canceling background operation is not allowed after it
            is in terminal state."
    """
    if (kept.get(STATE), kept.get(STATUS)) == CANCELING and current.values.get(STATE) == 3:
        raise errors.InvalidArgument(
            "Canceling background operation is not allowed after it is in terminal state."
        )


def status_monitor_body(row: StoredRow) -> dict[str, Any]:
    """Return the status monitor resource's JSON body for an operation row."""
    body: dict[str, Any] = {}
    state, status = _pair(row)
    if status == FAILED[1]:
        body["backgroundOperationErrorCode"] = row.values.get("errorcode")
        body["backgroundOperationErrorMessage"] = row.values.get("errormessage")
    body["backgroundOperationStateCode"] = state
    body["backgroundOperationStatusCode"] = status
    if status == SUCCEEDED[1] and row.values.get("outputparameters"):
        for item in json.loads(row.values["outputparameters"]):
            body[item["Key"]] = item["Value"]
    return body


class BackgroundRunner:
    """Drives background operations on command (the fake never runs them by itself)."""

    def __init__(self, org: Organization) -> None:
        self._org = org

    @property
    def callbacks(self) -> list[BackgroundCallback]:
        """The completion notifications sent so far, oldest first."""
        return list(self._org.background_callback_log)

    def register(self, unique_name: str, handler: CustomApiHandler, *,
                 display_name: str = "") -> None:
        """Make a custom API available (synchronously and in the background).

        Raises:
            ValueError: the name is one of Dataverse's own messages (a custom API's unique name
                starts with its publisher's prefix, such as ``sample_``).
        """
        if definition_for(unique_name) is not None:
            raise ValueError(
                f"{unique_name!r} is a Dataverse message, not a custom API: a custom API's "
                "unique name starts with its publisher's prefix, e.g. 'sample_Export'"
            )
        self._org.custom_apis[unique_name] = CustomApi(unique_name, handler, display_name)

    def pending(self) -> list[uuid.UUID]:
        """Return the operations not yet finished, oldest first."""
        rows = [r for r in self._org.store.rows(TABLE) if r.values.get(STATE) in (0, 2)]
        return [r.id for r in sorted(rows, key=lambda r: r.values["createdon"])]

    def start(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Move a Ready operation to In Progress (2/20); a canceled one ends Canceled (3/32)."""
        with self._org.store.lock:
            row = self._pick(_as_id(operation_id), wanted=(READY, CANCELING), started=False)
            if _pair(row) == CANCELING:
                self._finalize(row, CANCELED, {})
            else:
                self._write(row, {STATE: 2, STATUS: 20, "starttime": self._org.clock.now()})
            return row.id

    def finish(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Run a started operation's custom API and record the outcome (or a retry)."""
        with self._org.store.lock:
            row = self._pick(_as_id(operation_id), wanted=(IN_PROGRESS, CANCELING), started=True)
            api = self._org.custom_apis.get(row.values["name"])
            inputs = {i["Key"]: i["Value"] for i in json.loads(row.values["inputparameters"])}
            try:
                if api is None:
                    raise errors.UnknownMessage(request=row.values["name"])
                result = api.handler(inputs)
            except Exception as error:  # the custom API's failure is the operation's outcome
                self._failed(row, error)
            else:
                outputs = api.outputs_of(result)
                self._finalize(row, SUCCEEDED, {"outputparameters": _key_value_json(outputs)})
            return row.id

    def run(self, operation_id: uuid.UUID | str | None = None) -> uuid.UUID:
        """Start and finish one operation (retries included)."""
        started = self.start(operation_id)
        while self._current(started).values.get(STATE) == 2:
            self.finish(started)
            if self._current(started).values.get(STATE) == 0:
                self.start(started)
        return started

    def run_all(self) -> list[uuid.UUID]:
        """Run every pending operation to its end; return their ids."""
        done = []
        while pending := self.pending():
            done.append(self.run(pending[0]))
        return done

    # ---- internals -----------------------------------------------------------------------
    def _current(self, operation_id: uuid.UUID) -> StoredRow:
        row = self._org.store.get(TABLE, (operation_id, str(operation_id)))
        if row is None:
            raise LookupError(f"no background operation with id {operation_id}")
        return row

    def _pick(self, operation_id: uuid.UUID | None, *, wanted: tuple[tuple[int, int], ...],
              started: bool) -> StoredRow:
        candidates = [operation_id] if operation_id else self.pending()
        for candidate in candidates:
            row = self._current(candidate)
            if _pair(row) in wanted and (row.values.get("starttime") is not None) == started:
                return row
        phase = "started" if started else "ready"
        raise LookupError(f"no {phase} background operation"
                          + (f" with id {operation_id}" if operation_id else ""))

    def _failed(self, row: StoredRow, error: Exception) -> None:
        canceled = _pair(row) == CANCELING
        if not canceled and row.values.get("retrycount", 0) < MAX_RETRIES:
            self._write(row, {STATE: 0, STATUS: 0, "starttime": None,
                              "retrycount": row.values.get("retrycount", 0) + 1})
            return
        code = error.error_code if isinstance(error, errors.DataverseError) else 0
        message = error.message if isinstance(error, errors.DataverseError) else str(error)
        self._finalize(row, FAILED, {"errorcode": code, "errormessage": message})

    def _finalize(self, row: StoredRow, pair: tuple[int, int], extra: dict[str, Any]) -> None:
        updated = self._write(row, {STATE: pair[0], STATUS: pair[1],
                                    "endtime": self._org.clock.now(), **extra})
        url = self._org.background_callbacks.pop(row.id, None)
        if url:
            body = {"location": location_of(self._org.url, row.id),
                    "backgroundOperationId": str(row.id), **status_monitor_body(updated)}
            for name in [k for k in body if k not in _CALLBACK_KEYS]:
                del body[name]
            self._org.background_callback_log.append(BackgroundCallback(url, body))

    def _write(self, row: StoredRow, changes: dict[str, Any]) -> StoredRow:
        table = self._org.table(TABLE)
        now: dt.datetime = self._org.clock.now()
        caller = Caller(uuid.UUID(row.values["runas"])) if row.values.get("runas") else Caller(
            self._org.admin_id)
        updated = build_updated_row(table, row, changes, caller=caller, now=now)
        return self._org.store.commit(updated, moment=now, version_column="versionnumber")


def _as_id(operation_id: uuid.UUID | str | None) -> uuid.UUID | None:
    """Return an operation id given as a UUID or as GUID text (as the Web API's headers hold it).

    Raises:
        LookupError: the text is not a GUID (no operation can have it as id).
    """
    if operation_id is None or isinstance(operation_id, uuid.UUID):
        return operation_id
    try:
        return uuid.UUID(str(operation_id))
    except ValueError:
        raise LookupError(f"no background operation with id {operation_id!r}: not a GUID") from None


_CALLBACK_KEYS = frozenset({
    "location", "backgroundOperationId", "backgroundOperationStateCode",
    "backgroundOperationStatusCode", "backgroundOperationErrorCode",
    "backgroundOperationErrorMessage",
})
