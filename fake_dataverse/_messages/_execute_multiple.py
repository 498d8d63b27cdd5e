"""ExecuteMultiple and ExecuteTransaction: several requests in one message.

ExecuteMultiple runs each request on its own (``Settings``: ``ContinueOnError``,
``ReturnResponses``). ExecuteTransaction stops at the first fault and raises it with
``FaultedRequestIndex``; on an elastic table it is **not atomic** (the writes before the fault
stay), unless the organization has ``atomic_changesets=True`` (standard-table behaviour).
At most 1000 requests; neither message may contain another of them.
Source: Microsoft Learn, "Execute multiple requests" and "Use ExecuteTransaction".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from fake_dataverse._messages._registry import ExecutionContext, message
from fake_dataverse._messages._requests import OrganizationRequest, OrganizationResponse
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._errors import OrganizationServiceFault

__all__ = [
    "MAX_BATCH_SIZE",
    "ExecuteMultipleRequest",
    "ExecuteMultipleResponse",
    "ExecuteMultipleResponseItem",
    "ExecuteMultipleSettings",
    "ExecuteTransactionRequest",
    "ExecuteTransactionResponse",
]

MAX_BATCH_SIZE = 1000
_BATCH_MESSAGES = frozenset({"ExecuteMultiple", "ExecuteTransaction"})


@attrs.frozen
class ExecuteMultipleSettings:
    """Whether to go on after a fault, and whether to return every response."""

    continue_on_error: bool = False
    return_responses: bool = False


@attrs.frozen
class ExecuteMultipleResponseItem:
    """The outcome of one request: its index and its response or its fault."""

    request_index: int
    response: OrganizationResponse | None = None
    fault: OrganizationServiceFault | None = None


class ExecuteMultipleRequest(OrganizationRequest):
    """Run several requests, each on its own (``Requests``, ``Settings``)."""

    message_name = "ExecuteMultiple"
    _fields = {"requests": "Requests", "settings": "Settings"}

    def __init__(self, *, requests: Sequence[OrganizationRequest] | None = None,
                 settings: ExecuteMultipleSettings | None = None, **parameters: Any) -> None:
        super().__init__(parameters=parameters,
                         requests=list(requests) if requests is not None else None,
                         settings=settings)

    @property
    def requests(self) -> list[OrganizationRequest]:
        """The requests, in order."""
        return list(self._get("Requests") or [])

    @property
    def settings(self) -> ExecuteMultipleSettings:
        """How to run them."""
        return self._get("Settings") or ExecuteMultipleSettings()


class ExecuteMultipleResponse(OrganizationResponse):
    """The response items (only the faults unless ``return_responses``)."""

    @property
    def responses(self) -> list[ExecuteMultipleResponseItem]:
        """One item per request run (or per fault)."""
        return self._results["Responses"]  # type: ignore[no-any-return]

    @property
    def is_faulted(self) -> bool:
        """True when any request returned a fault."""
        return bool(self._results["IsFaulted"])


class ExecuteTransactionRequest(OrganizationRequest):
    """Run several requests in order, stopping at the first fault."""

    message_name = "ExecuteTransaction"
    _fields = {"requests": "Requests", "return_responses": "ReturnResponses"}

    def __init__(self, *, requests: Sequence[OrganizationRequest] | None = None,
                 return_responses: bool | None = None, **parameters: Any) -> None:
        super().__init__(parameters=parameters,
                         requests=list(requests) if requests is not None else None,
                         return_responses=return_responses)

    @property
    def requests(self) -> list[OrganizationRequest]:
        """The requests, in order."""
        return list(self._get("Requests") or [])

    @property
    def return_responses(self) -> bool:
        """Whether to return every response."""
        return bool(self._get("ReturnResponses"))


class ExecuteTransactionResponse(OrganizationResponse):
    """The responses, in order (empty unless ``return_responses``)."""

    @property
    def responses(self) -> list[OrganizationResponse]:
        """One response per request."""
        return self._results["Responses"]  # type: ignore[no-any-return]


def _checked(requests: list[OrganizationRequest]) -> list[OrganizationRequest]:
    """Check the batch before any request runs.

    Raises:
        InvalidArgument: 0x80040203 for no requests, a non-request item, or more than 1000
            (``error_details["MaxBatchSize"]`` = 1000).
    """
    if not requests:
        raise errors.InvalidArgument("The Requests collection must contain at least one request.")
    if len(requests) > MAX_BATCH_SIZE:
        raise errors.InvalidArgument(
            f"The number of requests ({len(requests)}) exceeds the maximum batch size "
            f"({MAX_BATCH_SIZE}).", error_details={"MaxBatchSize": MAX_BATCH_SIZE})
    for index, request in enumerate(requests):
        if not isinstance(request, OrganizationRequest):
            raise errors.InvalidArgument(f"Requests[{index}] is not an OrganizationRequest.")
    return requests


def _run_one(ctx: ExecutionContext, request: OrganizationRequest) -> OrganizationResponse:
    if request.request_name in _BATCH_MESSAGES:
        raise errors.InvalidArgument(
            f"{request.request_name} cannot be run inside ExecuteMultiple or ExecuteTransaction."
        )
    return ctx.execute(request)


@message(ExecuteMultipleRequest, table_of=lambda request: None)
def _execute_multiple(ctx: ExecutionContext, request: ExecuteMultipleRequest
                      ) -> ExecuteMultipleResponse:
    settings = request.settings
    items: list[ExecuteMultipleResponseItem] = []
    faulted = False
    for index, inner in enumerate(_checked(request.requests)):
        try:
            response = _run_one(ctx, inner)
        except errors.DataverseError as error:
            faulted = True
            items.append(ExecuteMultipleResponseItem(index, fault=error.detail))
            if not settings.continue_on_error:
                break
            continue
        if settings.return_responses:
            items.append(ExecuteMultipleResponseItem(index, response=response))
    return ExecuteMultipleResponse("ExecuteMultiple", {"Responses": items, "IsFaulted": faulted})


@message(ExecuteTransactionRequest, table_of=lambda request: None)
def _execute_transaction(ctx: ExecutionContext, request: ExecuteTransactionRequest
                         ) -> ExecuteTransactionResponse:
    requests = _checked(request.requests)
    saved = ctx.org.store.snapshot() if ctx.org.settings.atomic_changesets else None
    responses: list[OrganizationResponse] = []
    for index, inner in enumerate(requests):
        try:
            responses.append(_run_one(ctx, inner))
        except errors.DataverseError as error:
            if saved is not None:
                ctx.org.store.restore(saved)
            raise error.with_details(FaultedRequestIndex=index) from None
        except BaseException:  # a crash is a failure too: undo, then let it surface
            if saved is not None:
                ctx.org.store.restore(saved)
            raise
    return ExecuteTransactionResponse(
        "ExecuteTransaction", {"Responses": responses if request.return_responses else []})
