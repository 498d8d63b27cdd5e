"""Background operations: custom APIs run asynchronously and tracked in ``backgroundoperation``.

``ExecuteBackgroundOperation`` (SDK) — or a custom API called with ``Prefer: respond-async`` on
the Web API — creates a row in state Ready / Waiting For Resources (0/0). The runner
(``_background_runner.py``) moves it on command, or as the organization's modes say:

    0/0 Ready ──start──► 2/20 In Progress ──finish──► 3/30 Succeeded | 3/31 Failed
    (cancel: 2/22 Canceling) — not started: ► 3/32 Canceled; started: runs to its end.

A failure is retried up to three times (``retrycount``) after a backoff, except after a cancel
request. Source: Microsoft Learn, "Background operations (preview)"
(powerapps-docs ``developer/data-platform/background-operations.md``).
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from fake_dataverse._messages._background_state import state_of
from fake_dataverse._messages._crud import read_rule, update_rule
from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import (
    OrganizationRequest,
    OrganizationResponse,
    Parameter,
)
from fake_dataverse._messages._rows import build_created_row
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import default_partition
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._validation import Operation, validate_write
from fake_dataverse._storage._clock import Clock
from fake_dataverse._storage._store import StoredRow

if TYPE_CHECKING:
    from fake_dataverse._messages._service import OrganizationService

__all__ = [
    "BACKGROUND_TTL_SECONDS",
    "CustomApi",
    "CustomApiContext",
    "ExecuteBackgroundOperationRequest",
    "key_value_json",
    "location_of",
    "pair_of",
    "status_monitor_body",
]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

TABLE = "backgroundoperation"
STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"
BACKGROUND_TTL_SECONDS = 7_776_000  # 90 days
READY, IN_PROGRESS, CANCELING = (0, 0), (2, 20), (2, 22)
SUCCEEDED, FAILED, CANCELED = (3, 30), (3, 31), (3, 32)

#: ``handler(inputs)`` or ``handler(inputs, context)`` -> outputs (a mapping) or None.
CustomApiHandler = Callable[..., Mapping[str, Any] | None]


@attrs.frozen
class CustomApiContext:
    """What a custom API's handler gets besides its inputs: ``handler(inputs, context)``.

    ``service`` acts as the user the operation runs as (``runas``; the caller, for a direct
    call), so its writes are ordinary privilege-checked rows created by that user.
    ``operation_id`` is the background operation's id (None for a direct call), ``attempt`` is
    1 for the first run and 2, 3, 4 for the retries, ``clock`` is the organization's clock.
    """

    service: OrganizationService
    operation_id: uuid.UUID | None
    attempt: int
    clock: Clock


def _takes_context(handler: Callable[..., object]) -> bool:
    """Return True when a handler takes a second positional argument (the context)."""
    try:
        parameters = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: called with inputs only
        return False
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional for p in parameters) >= 2


@attrs.frozen
class CustomApi:
    """A custom API the organization can run: ``handler(inputs[, context]) -> outputs``.

    The handler raises a :class:`DataverseError` (its code becomes ``errorcode``) or any other
    exception (``errorcode`` 0) to fail.
    """

    unique_name: str
    handler: CustomApiHandler
    display_name: str = ""
    takes_context: bool = attrs.field(
        default=attrs.Factory(lambda self: _takes_context(self.handler), takes_self=True)
    )

    def call(self, inputs: dict[str, Any], context: CustomApiContext) -> object:
        """Run the handler with the inputs (and the context, when it takes one)."""
        if self.takes_context:
            return self.handler(inputs, context)
        return self.handler(inputs)

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


class ExecuteBackgroundOperationRequest(OrganizationRequest):
    """Run a custom API in the background (``Request``, optional ``CallbackUri``)."""

    message_name = "ExecuteBackgroundOperation"
    #: The custom API request to run.
    request = Parameter[OrganizationRequest]("Request")
    #: Where to POST the completion notification.
    callback_uri = Parameter[str | None]("CallbackUri")


def key_value_json(values: Mapping[str, Any], *, allow_nan: bool = True) -> str:
    pairs = [{"Key": k, "Value": v} for k, v in values.items()]
    return json.dumps(pairs, default=str, separators=(",", ":"), allow_nan=allow_nan)


def pair_of(row: StoredRow) -> tuple[Any, Any]:
    """Return an operation row's (state, status)."""
    return (row.values.get(STATE), row.values.get(STATUS))


def _outputs(text: object) -> list[tuple[str, Any]]:
    """Return the ``[{"Key":…,"Value":…}]`` pairs of ``outputparameters`` (none if malformed:
    the column is writable, so it may hold anything)."""
    try:
        items = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [(i["Key"], i.get("Value")) for i in items
            if isinstance(i, dict) and isinstance(i.get("Key"), str)]


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
    """Create the Ready row of a new background operation.

    The row's text columns are checked as a direct write would check them, before anything is
    stored: inputs longer than ``inputparameters`` holds are 0x80044331.

    Raises:
        StringLengthTooLong: 0x80044331 for inputs (or names) longer than their column.
        InvalidArgument: 0x80040203 for inputs that are not valid JSON (NaN, Infinity).
    """
    try:
        inputs_json = key_value_json(inputs, allow_nan=False)
    except ValueError:
        raise errors.InvalidArgument(
            "The input parameters are not valid JSON: NaN and Infinity are not JSON numbers."
        ) from None
    text = {
        "name": api.unique_name, "displayname": api.display_name or api.unique_name,
        "inputparameters": inputs_json, "runas": str(ctx.caller.user_id),
    }
    validate_write(table, text, operation=Operation.CREATE, settings=ctx.org.settings.writes)
    now = ctx.org.clock.now()
    row_id = ctx.org.ids.new_id()
    kept = {
        **text, "retrycount": 0, "ttlinseconds": BACKGROUND_TTL_SECONDS,
        STATE: READY[0], STATUS: READY[1],
    }
    key = (row_id, default_partition(row_id))
    row = build_created_row(table, kept, key=key, caller=ctx.caller, now=now)
    committed = ctx.org.store.commit(row, moment=now, version_column="versionnumber")
    state = state_of(ctx.org)
    with state.lock:
        state.due[row_id] = now
        if callback_uri:
            state.callback_urls[row_id] = callback_uri
    state.schedule(row_id, now, now)
    if state.auto_run and state.engine is not None:
        engine = state.engine
        ctx.org.calls.defer(lambda: engine.run_deferred(row_id))  # once the request is answered
    return committed


@read_rule(TABLE)
def _count_poll(ctx: ExecutionContext, row: StoredRow) -> None:
    """Under ``advance_on_poll = n``, every n-th read of an operation moves it one step on,
    once the read has been answered (so the reader sees 0/0, then 2/20, then its end)."""
    state = ctx.org.background
    if state is None or not state.advance_on_poll:
        return  # no state yet, or reads move nothing: the common case, without the lock
    if state.count_read(row.id) and state.engine is not None:
        engine = state.engine
        ctx.org.calls.defer(lambda: engine.step_deferred(row.id))


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
    state, status = pair_of(row)
    if status == FAILED[1]:
        body["backgroundOperationErrorCode"] = row.values.get("errorcode")
        body["backgroundOperationErrorMessage"] = row.values.get("errormessage")
    body["backgroundOperationStateCode"] = state
    body["backgroundOperationStatusCode"] = status
    if status == SUCCEEDED[1]:
        body.update(_outputs(row.values.get("outputparameters")))
    return body
