"""fake-dataverse: an in-process, fully validating fake of Microsoft Dataverse's
``backgroundoperation`` table, for offline tests.

    >>> from fake_dataverse import FakeDataverse, Entity
    >>> dv = FakeDataverse()
    >>> row_id = dv.service.create(Entity("backgroundoperation", name="export", priority=3))
    >>> dv.service.retrieve("backgroundoperation", row_id, ["name"])["name"]
    'export'
"""

from fake_dataverse._clock import Clock, IdFactory
from fake_dataverse._errors import DataverseError, OrganizationServiceFault
from fake_dataverse._fake import FakeDataverse, Snapshot
from fake_dataverse._metadata import (
    AttributeMetadata,
    AttributeRequiredLevel,
    AttributeTypeCode,
    EntityKeyMetadata,
    EntityMetadata,
    OptionMetadata,
    entity_metadata_from_dict,
)
from fake_dataverse._requests import (
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
from fake_dataverse._service import OrganizationService
from fake_dataverse._values import (
    ColumnSet,
    Entity,
    EntityCollection,
    EntityReference,
    EntityReferenceCollection,
    OptionSetValue,
)

__all__ = [
    "AttributeMetadata",
    "AttributeRequiredLevel",
    "AttributeTypeCode",
    "Clock",
    "ColumnSet",
    "ConcurrencyBehavior",
    "CreateMultipleRequest",
    "CreateMultipleResponse",
    "CreateRequest",
    "CreateResponse",
    "DataverseError",
    "DeleteRequest",
    "DeleteResponse",
    "Entity",
    "EntityCollection",
    "EntityKeyMetadata",
    "EntityMetadata",
    "EntityReference",
    "EntityReferenceCollection",
    "FakeDataverse",
    "IdFactory",
    "OptionMetadata",
    "OptionSetValue",
    "OrganizationRequest",
    "OrganizationResponse",
    "OrganizationService",
    "OrganizationServiceFault",
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
    "entity_metadata_from_dict",
]
