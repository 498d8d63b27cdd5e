"""Request and response classes, named and shaped as in the Dataverse SDK.

As in ``Microsoft.Xrm.Sdk``, a request is a name plus a ``parameters`` dictionary keyed by the
SDK's PascalCase parameter names (``Target``, ``ColumnSet``, ``partitionId``…); the typed classes
add snake_case properties over those entries. So ``OrganizationRequest("Create",
{"Target": entity})`` and ``CreateRequest(target=entity)`` are the same request.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from fake_dataverse._model._values import (
    ColumnSet,
    Entity,
    EntityCollection,
    EntityReference,
    EntityReferenceCollection,
)

__all__ = [
    "ConcurrencyBehavior",
    "CreateMultipleRequest",
    "CreateMultipleResponse",
    "CreateRequest",
    "CreateResponse",
    "DeleteMultipleRequest",
    "DeleteRequest",
    "DeleteResponse",
    "OrganizationRequest",
    "OrganizationResponse",
    "RetrieveRequest",
    "RetrieveResponse",
    "UpdateMultipleRequest",
    "UpdateRequest",
    "UpdateResponse",
    "UpsertMultipleRequest",
    "UpsertMultipleResponse",
    "UpsertRequest",
    "UpsertResponse",
]

SESSION_TOKEN = "x-ms-session-token"


class ConcurrencyBehavior(enum.Enum):
    """How an update or delete treats the row version (``ConcurrencyBehavior``)."""

    DEFAULT = 0
    IF_ROW_VERSION_MATCHES = 1
    ALWAYS_OVERWRITE = 2


class OrganizationRequest:
    """A message request: ``request_name`` plus a ``parameters`` dictionary."""

    message_name: ClassVar[str] = ""
    _fields: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        request_name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        name = request_name or self.message_name
        if not name:
            raise TypeError("OrganizationRequest needs a request name, e.g. 'DeleteMultiple'")
        self.request_name: str = name
        self.parameters: dict[str, Any] = dict(parameters or {})
        for field, value in fields.items():
            if field not in self._fields:
                allowed = ", ".join(sorted(self._fields)) or "none"
                raise TypeError(f"{type(self).__name__} has no field {field!r} (fields: {allowed})")
            if value is not None:
                self.parameters[self._fields[field]] = value

    @classmethod
    def from_request(cls, request: OrganizationRequest) -> OrganizationRequest:
        """Return a typed request holding the same parameters as a generic one."""
        typed = cls.__new__(cls)
        typed.request_name = request.request_name
        typed.parameters = dict(request.parameters)
        return typed

    def __getitem__(self, name: str) -> Any:
        return self.parameters[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self.parameters[name] = value

    def _get(self, name: str) -> Any:
        return self.parameters.get(name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.request_name!r}, {self.parameters!r})"


class OrganizationResponse:
    """A message response: ``response_name`` plus a ``results`` dictionary."""

    def __init__(self, response_name: str, results: Mapping[str, Any] | None = None) -> None:
        self.response_name = response_name
        self._results: dict[str, Any] = dict(results or {})

    @property
    def results(self) -> Any:
        """The SDK's ``Results`` collection (a dictionary of output parameters)."""
        return self._results

    def __getitem__(self, name: str) -> Any:
        return self._results[name]

    def __contains__(self, name: object) -> bool:
        return name in self._results

    @property
    def session_token(self) -> str | None:
        """Return the elastic session token of a write (``x-ms-session-token``), if any."""
        token = self._results.get(SESSION_TOKEN)
        return token if isinstance(token, str) else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._results!r})"


# ---- single-row messages ---------------------------------------------------------------------
class CreateRequest(OrganizationRequest):
    """Create one row (``Target``: Entity)."""

    message_name = "Create"
    _fields = {"target": "Target"}

    def __init__(self, *, target: Entity | None = None, **parameters: Any) -> None:
        super().__init__(parameters=parameters, target=target)

    @property
    def target(self) -> Entity:
        """The row to create."""
        return self._get("Target")  # type: ignore[no-any-return]


class CreateResponse(OrganizationResponse):
    """The id of the created row."""

    @property
    def id(self) -> uuid.UUID:
        """The new row's id."""
        return self._results["id"]  # type: ignore[no-any-return]


class RetrieveRequest(OrganizationRequest):
    """Read one row (``Target``: EntityReference, ``ColumnSet``)."""

    message_name = "Retrieve"
    _fields = {"target": "Target", "column_set": "ColumnSet"}

    def __init__(
        self,
        *,
        target: EntityReference | None = None,
        column_set: ColumnSet | None = None,
        **parameters: Any,
    ) -> None:
        super().__init__(parameters=parameters, target=target, column_set=column_set)

    @property
    def target(self) -> EntityReference:
        """The row to read."""
        return self._get("Target")  # type: ignore[no-any-return]

    @property
    def column_set(self) -> ColumnSet:
        """The columns to return."""
        return self._get("ColumnSet")  # type: ignore[no-any-return]


class RetrieveResponse(OrganizationResponse):
    """The row read."""

    @property
    def entity(self) -> Entity:
        """The row."""
        return self._results["Entity"]  # type: ignore[no-any-return]


class _ConcurrencyRequest(OrganizationRequest):
    """A single-row write that may require the row version to match."""

    _fields = {"target": "Target", "concurrency_behavior": "ConcurrencyBehavior"}

    @property
    def concurrency_behavior(self) -> ConcurrencyBehavior:
        """Whether the row version must match."""
        return self._get("ConcurrencyBehavior") or ConcurrencyBehavior.DEFAULT


class UpdateRequest(_ConcurrencyRequest):
    """Update one row (``Target``: Entity with id or key attributes)."""

    message_name = "Update"

    def __init__(
        self,
        *,
        target: Entity | None = None,
        concurrency_behavior: ConcurrencyBehavior | None = None,
        **parameters: Any,
    ) -> None:
        super().__init__(
            parameters=parameters, target=target, concurrency_behavior=concurrency_behavior
        )

    @property
    def target(self) -> Entity:
        """The row and the columns to change."""
        return self._get("Target")  # type: ignore[no-any-return]


class UpdateResponse(OrganizationResponse):
    """An update has no results besides the session token."""


class DeleteRequest(_ConcurrencyRequest):
    """Delete one row (``Target``: EntityReference)."""

    message_name = "Delete"

    def __init__(
        self,
        *,
        target: EntityReference | None = None,
        concurrency_behavior: ConcurrencyBehavior | None = None,
        **parameters: Any,
    ) -> None:
        super().__init__(
            parameters=parameters, target=target, concurrency_behavior=concurrency_behavior
        )

    @property
    def target(self) -> EntityReference:
        """The row to delete."""
        return self._get("Target")  # type: ignore[no-any-return]


class DeleteResponse(OrganizationResponse):
    """A delete has no results."""


class UpsertRequest(OrganizationRequest):
    """Create a row, or replace it whole when it exists (elastic upsert)."""

    message_name = "Upsert"
    _fields = {"target": "Target"}

    def __init__(self, *, target: Entity | None = None, **parameters: Any) -> None:
        super().__init__(parameters=parameters, target=target)

    @property
    def target(self) -> Entity:
        """The full row."""
        return self._get("Target")  # type: ignore[no-any-return]


class UpsertResponse(OrganizationResponse):
    """Whether the upsert created the row, and a reference to it."""

    @property
    def record_created(self) -> bool:
        """True when the row did not exist before."""
        return bool(self._results["RecordCreated"])

    @property
    def target(self) -> EntityReference:
        """The row written."""
        return self._results["Target"]  # type: ignore[no-any-return]


# ---- bulk messages ---------------------------------------------------------------------------
def _entity_collection(value: Any) -> Any:
    if value is None or isinstance(value, EntityCollection):
        return value
    return EntityCollection(list(value))


class _TargetsRequest(OrganizationRequest):
    _fields = {"targets": "Targets"}

    def __init__(
        self, *, targets: EntityCollection | list[Entity] | None = None, **parameters: Any
    ) -> None:
        super().__init__(parameters=parameters, targets=_entity_collection(targets))

    @property
    def targets(self) -> EntityCollection:
        """The rows."""
        return _entity_collection(self._get("Targets"))  # type: ignore[no-any-return]


class CreateMultipleRequest(_TargetsRequest):
    """Create many rows (not transactional on an elastic table)."""

    message_name = "CreateMultiple"


class CreateMultipleResponse(OrganizationResponse):
    """The ids of the created rows, in request order."""

    @property
    def ids(self) -> list[uuid.UUID]:
        """The new rows' ids."""
        return self._results["Ids"]  # type: ignore[no-any-return]


class UpdateMultipleRequest(_TargetsRequest):
    """Update many rows (not transactional on an elastic table)."""

    message_name = "UpdateMultiple"


class UpsertMultipleRequest(_TargetsRequest):
    """Upsert many rows (not transactional on an elastic table)."""

    message_name = "UpsertMultiple"


class UpsertMultipleResponse(OrganizationResponse):
    """One :class:`UpsertResponse` per target."""

    @property
    def results(self) -> list[UpsertResponse]:
        """The per-target responses (the SDK's ``UpsertMultipleResponse.Results``)."""
        return self._results["Results"]  # type: ignore[no-any-return]


class DeleteMultipleRequest(OrganizationRequest):
    """Delete many rows; the SDK sends it as ``OrganizationRequest("DeleteMultiple")``."""

    message_name = "DeleteMultiple"
    _fields = {"targets": "Targets"}

    def __init__(
        self,
        *,
        targets: EntityReferenceCollection | list[EntityReference] | None = None,
        **parameters: Any,
    ) -> None:
        collection = targets
        if targets is not None and not isinstance(targets, EntityReferenceCollection):
            collection = EntityReferenceCollection(targets)
        super().__init__(parameters=parameters, targets=collection)

    @property
    def targets(self) -> EntityReferenceCollection | None:
        """The rows to delete."""
        value = self._get("Targets")
        if value is None or isinstance(value, EntityReferenceCollection):
            return value
        return EntityReferenceCollection(list(value))
