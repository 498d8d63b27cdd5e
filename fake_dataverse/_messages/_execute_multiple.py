"""ExecuteMultiple and ExecuteTransaction: several requests in one message.

ExecuteMultiple runs each request on its own (``Settings``: ``ContinueOnError``,
``ReturnResponses``). ExecuteTransaction stops at the first fault and raises it with
``FaultedRequestIndex``; on an elastic table it is **not atomic** (the writes before the fault
stay), unless the organization has ``atomic_changesets=True`` (standard-table behaviour).
At most 1000 requests; neither message may contain another of them.
Source: Microsoft Learn, "Execute multiple requests" and "Use ExecuteTransaction".
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, cast

import attrs

from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import (
    OrganizationRequest,
    OrganizationResponse,
    Output,
    Parameter,
)
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

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()

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


def _requests(value: Any) -> list[OrganizationRequest]:
    return list(value or [])


def _settings(value: Any) -> ExecuteMultipleSettings:
    return cast(ExecuteMultipleSettings, value or ExecuteMultipleSettings())


class _BatchRequest(OrganizationRequest):
    #: The requests, in order.
    requests = Parameter("Requests", convert=_requests)


class ExecuteMultipleRequest(_BatchRequest):
    """Run several requests, each on its own (``Requests``, ``Settings``)."""

    message_name = "ExecuteMultiple"
    #: How to run them.
    settings = Parameter("Settings", convert=_settings)


class ExecuteMultipleResponse(OrganizationResponse):
    """The response items (only the faults unless ``return_responses``), and ``is_faulted``."""

    responses = Output[list[ExecuteMultipleResponseItem]]("Responses")
    is_faulted = Output("IsFaulted", convert=bool)


class ExecuteTransactionRequest(_BatchRequest):
    """Run several requests in order, stopping at the first fault."""

    message_name = "ExecuteTransaction"
    #: Whether to return every response.
    return_responses = Parameter("ReturnResponses", convert=bool)


class ExecuteTransactionResponse(OrganizationResponse):
    """The responses, one per request, in order (empty unless ``return_responses``)."""

    responses = Output[list[OrganizationResponse]]("Responses")


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


@MESSAGES.handler(ExecuteMultipleRequest, table_of=lambda request: None)
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


@MESSAGES.handler(ExecuteTransactionRequest, table_of=lambda request: None)
def _execute_transaction(ctx: ExecutionContext, request: ExecuteTransactionRequest
                         ) -> ExecuteTransactionResponse:
    requests = _checked(request.requests)
    atomic = ctx.org.store.atomic() if ctx.org.settings.atomic_changesets else nullcontext()
    responses: list[OrganizationResponse] = []
    with atomic:  # a failure (or a crash) leaving the block undoes the requests run so far
        for index, inner in enumerate(requests):
            try:
                responses.append(_run_one(ctx, inner))
            except errors.DataverseError as error:
                raise error.with_details(FaultedRequestIndex=index) from None
    return ExecuteTransactionResponse(
        "ExecuteTransaction", {"Responses": responses if request.return_responses else []})
