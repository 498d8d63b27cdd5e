"""Request and response classes, named and shaped as in the Dataverse SDK.

As in ``Microsoft.Xrm.Sdk``, a request is a name plus a ``parameters`` dictionary keyed by the
SDK's PascalCase parameter names (``Target``, ``ColumnSet``, ``partitionId``…); the typed classes
add snake_case properties over those entries. So ``OrganizationRequest("Create",
{"Target": entity})`` and ``CreateRequest(target=entity)`` are the same request.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast, overload

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
    "Output",
    "Parameter",
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


_Request = TypeVar("_Request", bound="OrganizationRequest")
_Response = TypeVar("_Response", bound="OrganizationResponse")


class OrganizationRequest:
    """A message request: ``request_name`` plus a ``parameters`` dictionary.

    A typed request (``CreateRequest``) declares each parameter once, as a :class:`Parameter`;
    its constructor takes those as keywords, and any other keyword as an SDK parameter by name
    (``RetrieveMultipleRequest(query=q, partitionId="p")``).
    """

    message_name: ClassVar[str] = ""
    _fields: ClassVar[Mapping[str, Parameter[Any]]] = {}
    #: Each declared field's SDK name and conversion (what the constructor stores, by keyword).
    _stores: ClassVar[Mapping[str, tuple[str, Callable[[Any], Any] | None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {k: v for k, v in vars(cls).items() if isinstance(v, Parameter)}
        cls._fields = {**cls._fields, **declared}
        cls._stores = {k: (v.name, v._convert) for k, v in cls._fields.items()}

    def __init__(
        self,
        request_name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        typed = type(self) is not OrganizationRequest
        if typed:
            if request_name is not None or parameters is not None:
                raise TypeError(f"{type(self).__name__} takes keyword arguments only")
            name = self.message_name
        else:
            name = request_name or ""
            if not name:
                raise TypeError("OrganizationRequest needs a request name, e.g. 'DeleteMultiple'")
        self.request_name: str = name
        stored: dict[str, Any] = dict(parameters) if parameters else {}
        self.parameters = stored
        stores = self._stores
        for field, value in fields.items():
            store = stores.get(field)
            if store is not None:
                if value is not None:  # what :meth:`Parameter.stored` does, inline
                    key, convert = store
                    stored[key] = value if convert is None else convert(value)
            elif typed:
                stored[field] = value
            else:
                allowed = ", ".join(sorted(self._fields)) or "none"
                raise TypeError(f"{type(self).__name__} has no field {field!r} (fields: {allowed})")

    @classmethod
    def _with_parameters(cls: type[_Request], parameters: dict[str, Any]) -> _Request:
        """Return a typed request holding ``parameters`` (by SDK name), taken as they are.

        For callers that already hold the values in their stored form (the service's
        shortcuts): the keyword constructor's checks and conversions are skipped.
        """
        made = cls.__new__(cls)
        made.request_name = cls.message_name
        made.parameters = parameters
        return made

    @classmethod
    def from_request(cls, request: OrganizationRequest) -> OrganizationRequest:
        """Return a typed request holding the same parameters as a generic one."""
        typed = cls._with_parameters(dict(request.parameters))
        typed.request_name = request.request_name
        return typed

    def __getitem__(self, name: str) -> Any:
        return self.parameters[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self.parameters[name] = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.request_name!r}, {self.parameters!r})"


class OrganizationResponse:
    """A message response: ``response_name`` plus a ``results`` dictionary."""

    def __init__(self, response_name: str, results: Mapping[str, Any] | None = None) -> None:
        self.response_name = response_name
        self._results: dict[str, Any] = dict(results or {})

    @classmethod
    def _with_results(
        cls: type[_Response], response_name: str, results: dict[str, Any]
    ) -> _Response:
        """Return a response holding ``results`` as they are (a handler's own new dictionary:
        the constructor's copy is for a caller's)."""
        made = cls.__new__(cls)
        made.response_name = response_name
        made._results = results
        return made

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


# ---- declared parameters: each written once, as a typed attribute naming its SDK key -----------
T = TypeVar("T")
Holder = TypeVar("Holder")


class _Declared(property, Generic[Holder, T]):
    """A value a message holds under its SDK name, read as the declared type (``convert``).

    A property: handlers read parameters on every message, and a property's lookup is the
    interpreter's own, calling only the small reader made here. A request parameter may be set
    too (see :class:`Parameter`); a response output is read-only.
    """

    def __init__(self, name: str, *, convert: Callable[[Any], T] | None = None) -> None:
        super().__init__(self._reader(name, convert), self._writer(name))
        self.name = name
        self._convert = convert

    @staticmethod
    def _reader(name: str, convert: Callable[[Any], T] | None) -> Callable[[Any], Any]:
        raise NotImplementedError

    def _writer(self, name: str) -> Callable[[Any, Any], None] | None:
        return None  # read-only unless a subclass says otherwise

    if TYPE_CHECKING:

        @overload
        def __get__(self, holder: None, owner: type | None = None) -> _Declared[Holder, T]: ...

        @overload
        def __get__(self, holder: Holder, owner: type | None = None) -> T: ...

        def __get__(
            self, holder: Holder | None, owner: type | None = None
        ) -> _Declared[Holder, T] | T: ...


class Parameter(_Declared["OrganizationRequest", T]):
    """One request parameter: its SDK name, and how a stored value reads (``convert``).

    ``convert`` turns what is stored (or given to the constructor) into the declared type; it
    also receives None for a missing parameter, so it can supply a default.
    """

    @staticmethod
    def _reader(name: str, convert: Callable[[Any], T] | None) -> Callable[[Any], Any]:
        if convert is None:
            return lambda request: request.parameters.get(name)
        return lambda request: convert(request.parameters.get(name))

    def _writer(self, name: str) -> Callable[[Any, Any], None] | None:
        def write(request: OrganizationRequest, value: Any) -> None:
            """Set the parameter, as the constructor does (None: not set)."""
            if value is None:
                request.parameters.pop(name, None)
            else:
                request.parameters[name] = self.stored(value)

        return write

    def stored(self, value: Any) -> Any:
        """Return the form a constructor keyword is stored in (None: not stored)."""
        if value is None or self._convert is None:
            return value
        return self._convert(value)


class Output(_Declared["OrganizationResponse", T]):
    """One response output, read from the response's ``Results`` by its SDK name."""

    @staticmethod
    def _reader(name: str, convert: Callable[[Any], T] | None) -> Callable[[Any], Any]:
        if convert is None:
            return lambda response: response._results.get(name)
        return lambda response: convert(response._results.get(name))


# ---- single-row messages ---------------------------------------------------------------------
class CreateRequest(OrganizationRequest):
    """Create one row (``Target``: Entity)."""

    message_name = "Create"
    target = Parameter[Entity]("Target")


class CreateResponse(OrganizationResponse):
    """The id of the created row."""

    id = Output[uuid.UUID]("id")


class RetrieveRequest(OrganizationRequest):
    """Read one row (``Target``: EntityReference, ``ColumnSet``)."""

    message_name = "Retrieve"
    target = Parameter[EntityReference]("Target")
    column_set = Parameter[ColumnSet]("ColumnSet")


class RetrieveResponse(OrganizationResponse):
    """The row read."""

    entity = Output[Entity]("Entity")


def _concurrency(value: Any) -> ConcurrencyBehavior:
    return cast(ConcurrencyBehavior, value or ConcurrencyBehavior.DEFAULT)


class _ConcurrencyRequest(OrganizationRequest):
    """A single-row write that may require the row version to match."""

    concurrency_behavior = Parameter("ConcurrencyBehavior", convert=_concurrency)


class UpdateRequest(_ConcurrencyRequest):
    """Update one row (``Target``: Entity with id or key attributes)."""

    message_name = "Update"
    target = Parameter[Entity]("Target")


class UpdateResponse(OrganizationResponse):
    """An update has no results besides the session token."""


class DeleteRequest(_ConcurrencyRequest):
    """Delete one row (``Target``: EntityReference)."""

    message_name = "Delete"
    target = Parameter[EntityReference]("Target")


class DeleteResponse(OrganizationResponse):
    """A delete has no results."""


class UpsertRequest(OrganizationRequest):
    """Create a row, or replace it whole when it exists (elastic upsert)."""

    message_name = "Upsert"
    target = Parameter[Entity]("Target")


class UpsertResponse(OrganizationResponse):
    """Whether the upsert created the row, and a reference to it."""

    record_created = Output("RecordCreated", convert=bool)
    target = Output[EntityReference]("Target")


# ---- bulk messages ---------------------------------------------------------------------------
def _entity_collection(value: Any) -> EntityCollection:
    if value is None or isinstance(value, EntityCollection):
        return cast(EntityCollection, value)
    return EntityCollection(list(value))


class _TargetsRequest(OrganizationRequest):
    targets = Parameter("Targets", convert=_entity_collection)


class CreateMultipleRequest(_TargetsRequest):
    """Create many rows (not transactional on an elastic table)."""

    message_name = "CreateMultiple"


class CreateMultipleResponse(OrganizationResponse):
    """The ids of the created rows, in request order."""

    ids = Output[list[uuid.UUID]]("Ids")


class UpdateMultipleRequest(_TargetsRequest):
    """Update many rows (not transactional on an elastic table)."""

    message_name = "UpdateMultiple"


class UpsertMultipleRequest(_TargetsRequest):
    """Upsert many rows (not transactional on an elastic table)."""

    message_name = "UpsertMultiple"


class UpsertMultipleResponse(OrganizationResponse):
    """One :class:`UpsertResponse` per target."""

    #: The per-target responses (the SDK's ``UpsertMultipleResponse.Results``).
    results = Output[list[UpsertResponse]]("Results")


def _reference_collection(value: Any) -> EntityReferenceCollection | None:
    if value is None or isinstance(value, EntityReferenceCollection):
        return value
    return EntityReferenceCollection(list(value))


class DeleteMultipleRequest(OrganizationRequest):
    """Delete many rows; the SDK sends it as ``OrganizationRequest("DeleteMultiple")``."""

    message_name = "DeleteMultiple"
    targets = Parameter("Targets", convert=_reference_collection)
