"""fake-dataverse: an in-process, fully validating fake of Microsoft Dataverse's
``backgroundoperation`` table, for offline tests.

    >>> from fake_dataverse import FakeDataverse, Entity
    >>> dv = FakeDataverse()
    >>> row_id = dv.service.create(Entity("backgroundoperation", name="export", priority=3))
    >>> dv.service.retrieve("backgroundoperation", row_id, ["name"])["name"]
    'export'
"""

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
