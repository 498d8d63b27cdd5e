"""``OrganizationService``: the SDK-style surface. ``execute(request)`` dispatches by message name.

Every message runs under the store's lock, so several threads may call one service (or several
services of one organization) at once; each message sees and leaves a consistent store.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from fake_dataverse._messages._background import CustomApi, CustomApiContext
from fake_dataverse._messages._calls import MessageCall
from fake_dataverse._messages._catalogue import register_all
from fake_dataverse._messages._hints import note, unregistered_custom_api
from fake_dataverse._messages._query_requests import (
    RetrieveMultipleRequest,
    RetrieveMultipleResponse,
)
from fake_dataverse._messages._registry import (
    BUILT_IN,
    ExecutionContext,
    MessageRegistry,
    table_of_target,
)
from fake_dataverse._messages._requests import (
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    OrganizationRequest,
    OrganizationResponse,
    RetrieveRequest,
    RetrieveResponse,
    UpdateRequest,
    UpsertRequest,
    UpsertResponse,
)
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import PARTITION_ID
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import (
    ColumnSet,
    Entity,
    EntityCollection,
    EntityReference,
    coerce_id,
)
from fake_dataverse._storage._organization import Caller, Organization

__all__ = ["OrganizationService"]

register_all()  # the one place the built-in messages are registered

# The SDK names of the parameters the shortcuts fill, as their requests declare them.
_CREATE_TARGET = CreateRequest.target.name
_RETRIEVE_TARGET = RetrieveRequest.target.name
_RETRIEVE_COLUMNS = RetrieveRequest.column_set.name


class OrganizationService:
    """Run messages against one organization as one caller."""

    def __init__(
        self, org: Organization, caller: Caller, *, messages: MessageRegistry = BUILT_IN
    ) -> None:
        self._org = org
        self._caller = caller
        self._messages = messages
        self._context = ExecutionContext(org, caller, self.execute)  # the same for every message

    @property
    def caller_id(self) -> uuid.UUID:
        """The user the messages run as (``createdby``/``modifiedby``)."""
        return self._caller.user_id

    def check_privilege(self, table: EntityMetadata, access: str) -> None:
        """Check that the caller may ``access`` (``Read``, ``Write``…) rows of ``table``.

        Raises:
            PrivilegeDenied: 0x80040220 naming the missing privilege.
        """
        self._org.check_privilege(self._caller, table, access)

    def impersonate(self, user_id: uuid.UUID | str) -> OrganizationService:
        """Return a service that acts on behalf of another user (the SDK's ``CallerId``).

        The real caller needs ``prvActOnBehalfOfAnotherUser``; rows record the impersonated
        user as ``createdby`` and the real caller as ``createdonbehalfby``.
        """
        if isinstance(user_id, str):
            user_id = _as_id(user_id)
        if not isinstance(user_id, uuid.UUID) or user_id.int == 0:
            raise errors.InvalidCallerId()
        return OrganizationService(
            self._org, Caller(user_id, self._caller.user_id), messages=self._messages
        )

    def __repr__(self) -> str:
        caller = self._caller
        text = f"{self._org.user_name(caller.user_id)!r} ({caller.user_id})"
        if caller.on_behalf_of_id is not None:
            real = self._org.user_name(caller.on_behalf_of_id)
            text += f" on behalf of {real!r} ({caller.on_behalf_of_id})"
        return f"<OrganizationService {self._org.url} as {text}>"

    def execute(self, request: OrganizationRequest) -> OrganizationResponse:
        """Run one message and return its response.

        Raises:
            DataverseError: the fault Dataverse returns for the request (see the catalogue).
        """
        if not isinstance(request, OrganizationRequest):
            raise TypeError(f"execute() takes an OrganizationRequest, not {type(request).__name__}")
        org = self._org
        calls = org.calls
        here = calls.call()
        if here.inside:  # on a caller's behalf: part of that call, inside its scope
            return self._execute(request)
        with here:  # work the message sets off runs once it has returned
            log = org.request_log
            faults = org.faults
            injected = faults.take_request_fault(web_api=False) if faults.pending else None
            if injected is not None and not injected.applied:
                assert injected.error is not None
                raise injected.error  # the transport failed: the organization never saw it
            try:
                response = self._execute(request)
            except errors.DataverseError as fault:
                log.record(MessageCall(request, None, fault, self._caller.user_id))
                if injected is not None and injected.error is not None:
                    raise injected.error from None  # the fault's answer never arrived either
                raise
            log.record(MessageCall(request, response, None, self._caller.user_id))
            if injected is not None and injected.error is not None:
                raise injected.error  # answered, but the answer never reached the caller
            return response

    def _execute(self, request: OrganizationRequest) -> OrganizationResponse:
        org = self._org
        name = request.request_name
        if org.faults.pending:
            org.faults.check(name)
        definition = self._messages.get(name)
        if definition is None:
            custom_api = org.custom_apis.get(name)
            if custom_api is not None:
                return self._run_custom_api(custom_api, request)
            target_table = table_of_target(request)
            if target_table is not None and target_table in org.metadata:
                raise errors.MessageNotSupported(request=name, entity=target_table)
            raise note(errors.UnknownMessage(request=name), unregistered_custom_api(name))
        typed = request
        if not isinstance(request, definition.request_type):
            typed = definition.request_type.from_request(request)
        table_name = definition.table_of(typed)
        if table_name is not None and name not in org.table(table_name).messages:
            raise definition.not_supported(table_name)
        with org.store.lock:
            org.check_caller(self._caller)
            return definition.handler(self._context, typed)

    def _run_custom_api(
        self, api: CustomApi, request: OrganizationRequest
    ) -> OrganizationResponse:
        with self._org.store.lock:
            self._org.check_caller(self._caller)
        context = CustomApiContext(self, None, 1, self._org.clock)
        outputs = api.outputs_of(api.call(dict(request.parameters), context))
        return OrganizationResponse(request.request_name, outputs)

    # ---- shortcuts ---------------------------------------------------------------------------
    def create(self, entity: Entity) -> uuid.UUID:
        """Create a row and return its id."""
        response = self.execute(CreateRequest._with_parameters({_CREATE_TARGET: entity}))
        assert isinstance(response, CreateResponse)
        return response.id

    def retrieve(
        self,
        table: str,
        id: uuid.UUID | str,
        columns: ColumnSet | Iterable[str] | bool | None = None,
        *,
        partition_id: str | None = None,
    ) -> Entity:
        """Read a row; ``columns`` is a ColumnSet, a list of names, or None for every column."""
        request = RetrieveRequest._with_parameters(
            {
                _RETRIEVE_TARGET: EntityReference(
                    table, id if type(id) is uuid.UUID else _as_id(id)
                ),
                _RETRIEVE_COLUMNS: ColumnSet.coerce(columns),
            }
        )
        if partition_id is not None:
            request.parameters[PARTITION_ID] = partition_id
        response = self.execute(request)
        assert isinstance(response, RetrieveResponse)
        return response.entity

    def update(self, entity: Entity) -> None:
        """Update a row (given by ``entity.id`` or its key attributes)."""
        self.execute(UpdateRequest(target=entity))

    def upsert(self, entity: Entity) -> UpsertResponse:
        """Create a row or replace it whole."""
        response = self.execute(UpsertRequest(target=entity))
        assert isinstance(response, UpsertResponse)
        return response

    def delete(
        self,
        table: str,
        id: uuid.UUID | str,
        *,
        partition_id: str | None = None,
    ) -> None:
        """Delete a row."""
        request = DeleteRequest(target=EntityReference(table, _as_id(id)))
        if partition_id is not None:
            request.parameters[PARTITION_ID] = partition_id
        self.execute(request)

    def retrieve_multiple(self, query: Any, *, partition_id: str | None = None) -> EntityCollection:
        """Run a QueryExpression, QueryByAttribute or FetchExpression; return the page of rows."""
        request = RetrieveMultipleRequest(query=query)
        if partition_id is not None:
            request.parameters[PARTITION_ID] = partition_id
        response = self.execute(request)
        assert isinstance(response, RetrieveMultipleResponse)
        return response.entity_collection


def _as_id(value: Any) -> uuid.UUID:
    row_id = coerce_id(value)
    if row_id is None:
        raise TypeError("a row id is a uuid.UUID or GUID text, not None")
    return row_id
