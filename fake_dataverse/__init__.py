"""fake-dataverse: an in-process, fully validating fake of Microsoft Dataverse's
``backgroundoperation`` table, for offline tests.

    >>> from fake_dataverse import FakeDataverse, Entity
    >>> dv = FakeDataverse()
    >>> row_id = dv.service.create(Entity("backgroundoperation", name="export", priority=3))
    >>> dv.service.retrieve("backgroundoperation", row_id, ["name"])["name"]
    'export'

Each name is imported from its module when first used, so ``import fake_dataverse`` (and the
``hypothesis`` entry point, which Hypothesis runs in every process that imports it) stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fake_dataverse._fake import FakeDataverse, Snapshot
    from fake_dataverse._interception._credential import FakeAsyncCredential, FakeCredential
    from fake_dataverse._messages._background import CustomApiContext
    from fake_dataverse._messages._background_runner import BackgroundRunner
    from fake_dataverse._messages._background_state import BackgroundCallback
    from fake_dataverse._messages._execute_multiple import (
        ExecuteMultipleRequest,
        ExecuteMultipleResponse,
        ExecuteMultipleResponseItem,
        ExecuteMultipleSettings,
        ExecuteTransactionRequest,
        ExecuteTransactionResponse,
    )
    from fake_dataverse._messages._query_requests import (
        ChangeType,
        EntityChanges,
        NewOrUpdatedItem,
        RemovedOrDeletedItem,
        RetrieveEntityChangesRequest,
        RetrieveEntityChangesResponse,
        RetrieveMultipleRequest,
        RetrieveMultipleResponse,
    )
    from fake_dataverse._messages._requests import (
        ConcurrencyBehavior,
        CreateMultipleRequest,
        CreateMultipleResponse,
        CreateRequest,
        CreateResponse,
        DeleteRequest,
        DeleteResponse,
        OrganizationRequest,
        OrganizationResponse,
        RetrieveRequest,
        RetrieveResponse,
        UpdateMultipleRequest,
        UpdateRequest,
        UpdateResponse,
        UpsertMultipleRequest,
        UpsertMultipleResponse,
        UpsertRequest,
        UpsertResponse,
    )
    from fake_dataverse._messages._service import OrganizationService
    from fake_dataverse._messages._whoami import WhoAmIRequest, WhoAmIResponse
    from fake_dataverse._model._errors import DataverseError, OrganizationServiceFault
    from fake_dataverse._model._metadata import (
        AttributeMetadata,
        AttributeRequiredLevel,
        AttributeTypeCode,
        EntityKeyMetadata,
        EntityMetadata,
        OptionMetadata,
        entity_metadata_from_dict,
    )
    from fake_dataverse._model._values import (
        ColumnSet,
        Entity,
        EntityCollection,
        EntityReference,
        EntityReferenceCollection,
        OptionSetValue,
    )
    from fake_dataverse._query._expression import (
        AliasedValue,
        ConditionExpression,
        FetchExpression,
        FilterExpression,
        JoinOperator,
        LinkEntity,
        LogicalOperator,
        OrderExpression,
        OrderType,
        PagingInfo,
        QueryByAttribute,
        QueryExpression,
    )
    from fake_dataverse._query._model import ConditionOperator
    from fake_dataverse._storage._clock import Clock, IdFactory
    from fake_dataverse._webapi._http import HttpRequest, HttpResponse

#: Where each public name lives (``tests/test_public_api.py`` checks it against ``__all__``).
_MODULES = {
    "AliasedValue": "fake_dataverse._query._expression",
    "AttributeMetadata": "fake_dataverse._model._metadata",
    "AttributeRequiredLevel": "fake_dataverse._model._metadata",
    "AttributeTypeCode": "fake_dataverse._model._metadata",
    "BackgroundCallback": "fake_dataverse._messages._background_state",
    "BackgroundRunner": "fake_dataverse._messages._background_runner",
    "ChangeType": "fake_dataverse._messages._query_requests",
    "Clock": "fake_dataverse._storage._clock",
    "ColumnSet": "fake_dataverse._model._values",
    "ConcurrencyBehavior": "fake_dataverse._messages._requests",
    "ConditionExpression": "fake_dataverse._query._expression",
    "ConditionOperator": "fake_dataverse._query._model",
    "CreateMultipleRequest": "fake_dataverse._messages._requests",
    "CreateMultipleResponse": "fake_dataverse._messages._requests",
    "CreateRequest": "fake_dataverse._messages._requests",
    "CreateResponse": "fake_dataverse._messages._requests",
    "CustomApiContext": "fake_dataverse._messages._background",
    "DataverseError": "fake_dataverse._model._errors",
    "DeleteRequest": "fake_dataverse._messages._requests",
    "DeleteResponse": "fake_dataverse._messages._requests",
    "Entity": "fake_dataverse._model._values",
    "EntityChanges": "fake_dataverse._messages._query_requests",
    "EntityCollection": "fake_dataverse._model._values",
    "EntityKeyMetadata": "fake_dataverse._model._metadata",
    "EntityMetadata": "fake_dataverse._model._metadata",
    "EntityReference": "fake_dataverse._model._values",
    "EntityReferenceCollection": "fake_dataverse._model._values",
    "ExecuteMultipleRequest": "fake_dataverse._messages._execute_multiple",
    "ExecuteMultipleResponse": "fake_dataverse._messages._execute_multiple",
    "ExecuteMultipleResponseItem": "fake_dataverse._messages._execute_multiple",
    "ExecuteMultipleSettings": "fake_dataverse._messages._execute_multiple",
    "ExecuteTransactionRequest": "fake_dataverse._messages._execute_multiple",
    "ExecuteTransactionResponse": "fake_dataverse._messages._execute_multiple",
    "FakeAsyncCredential": "fake_dataverse._interception._credential",
    "FakeCredential": "fake_dataverse._interception._credential",
    "FakeDataverse": "fake_dataverse._fake",
    "FetchExpression": "fake_dataverse._query._expression",
    "FilterExpression": "fake_dataverse._query._expression",
    "HttpRequest": "fake_dataverse._webapi._http",
    "HttpResponse": "fake_dataverse._webapi._http",
    "IdFactory": "fake_dataverse._storage._clock",
    "JoinOperator": "fake_dataverse._query._expression",
    "LinkEntity": "fake_dataverse._query._expression",
    "LogicalOperator": "fake_dataverse._query._expression",
    "NewOrUpdatedItem": "fake_dataverse._messages._query_requests",
    "OptionMetadata": "fake_dataverse._model._metadata",
    "OptionSetValue": "fake_dataverse._model._values",
    "OrderExpression": "fake_dataverse._query._expression",
    "OrderType": "fake_dataverse._query._expression",
    "OrganizationRequest": "fake_dataverse._messages._requests",
    "OrganizationResponse": "fake_dataverse._messages._requests",
    "OrganizationService": "fake_dataverse._messages._service",
    "OrganizationServiceFault": "fake_dataverse._model._errors",
    "PagingInfo": "fake_dataverse._query._expression",
    "QueryByAttribute": "fake_dataverse._query._expression",
    "QueryExpression": "fake_dataverse._query._expression",
    "RemovedOrDeletedItem": "fake_dataverse._messages._query_requests",
    "RetrieveEntityChangesRequest": "fake_dataverse._messages._query_requests",
    "RetrieveEntityChangesResponse": "fake_dataverse._messages._query_requests",
    "RetrieveMultipleRequest": "fake_dataverse._messages._query_requests",
    "RetrieveMultipleResponse": "fake_dataverse._messages._query_requests",
    "RetrieveRequest": "fake_dataverse._messages._requests",
    "RetrieveResponse": "fake_dataverse._messages._requests",
    "Snapshot": "fake_dataverse._fake",
    "UpdateMultipleRequest": "fake_dataverse._messages._requests",
    "UpdateRequest": "fake_dataverse._messages._requests",
    "UpdateResponse": "fake_dataverse._messages._requests",
    "UpsertMultipleRequest": "fake_dataverse._messages._requests",
    "UpsertMultipleResponse": "fake_dataverse._messages._requests",
    "UpsertRequest": "fake_dataverse._messages._requests",
    "UpsertResponse": "fake_dataverse._messages._requests",
    "WhoAmIRequest": "fake_dataverse._messages._whoami",
    "WhoAmIResponse": "fake_dataverse._messages._whoami",
    "entity_metadata_from_dict": "fake_dataverse._model._metadata",
}

__all__ = [
    "AliasedValue",
    "AttributeMetadata",
    "AttributeRequiredLevel",
    "AttributeTypeCode",
    "BackgroundCallback",
    "BackgroundRunner",
    "ChangeType",
    "Clock",
    "ColumnSet",
    "ConcurrencyBehavior",
    "ConditionExpression",
    "ConditionOperator",
    "CreateMultipleRequest",
    "CreateMultipleResponse",
    "CreateRequest",
    "CreateResponse",
    "CustomApiContext",
    "DataverseError",
    "DeleteRequest",
    "DeleteResponse",
    "Entity",
    "EntityChanges",
    "EntityCollection",
    "EntityKeyMetadata",
    "EntityMetadata",
    "EntityReference",
    "EntityReferenceCollection",
    "ExecuteMultipleRequest",
    "ExecuteMultipleResponse",
    "ExecuteMultipleResponseItem",
    "ExecuteMultipleSettings",
    "ExecuteTransactionRequest",
    "ExecuteTransactionResponse",
    "FakeAsyncCredential",
    "FakeCredential",
    "FakeDataverse",
    "FetchExpression",
    "FilterExpression",
    "HttpRequest",
    "HttpResponse",
    "IdFactory",
    "JoinOperator",
    "LinkEntity",
    "LogicalOperator",
    "NewOrUpdatedItem",
    "OptionMetadata",
    "OptionSetValue",
    "OrderExpression",
    "OrderType",
    "OrganizationRequest",
    "OrganizationResponse",
    "OrganizationService",
    "OrganizationServiceFault",
    "PagingInfo",
    "QueryByAttribute",
    "QueryExpression",
    "RemovedOrDeletedItem",
    "RetrieveEntityChangesRequest",
    "RetrieveEntityChangesResponse",
    "RetrieveMultipleRequest",
    "RetrieveMultipleResponse",
    "RetrieveRequest",
    "RetrieveResponse",
    "Snapshot",
    "UpdateMultipleRequest",
    "UpdateRequest",
    "UpdateResponse",
    "UpsertMultipleRequest",
    "UpsertMultipleResponse",
    "UpsertRequest",
    "UpsertResponse",
    "WhoAmIRequest",
    "WhoAmIResponse",
    "entity_metadata_from_dict",
]


#: Run once when the first public name is used: the ``hypothesis`` entry point leaves its
#: registration here when Hypothesis is imported before the package is in use.
_on_first_use: list[Callable[[], None]] = []


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    while _on_first_use:
        _on_first_use.pop()()
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own."""
    return sorted({*globals(), *__all__})
