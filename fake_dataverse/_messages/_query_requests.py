"""Request and response classes of the read messages: RetrieveMultiple, RetrieveEntityChanges.

Shaped as in the SDK: parameters keyed ``Query`` (and ``partitionId``) for RetrieveMultiple,
``EntityName``, ``Columns``, ``DataVersion``, ``PageInfo`` for RetrieveEntityChanges.
"""

from __future__ import annotations

import enum

import attrs

from fake_dataverse._messages._requests import (
    OrganizationRequest,
    OrganizationResponse,
    Output,
    Parameter,
)
from fake_dataverse._model._values import ColumnSet, Entity, EntityCollection, EntityReference
from fake_dataverse._query._expression import (
    FetchExpression,
    PagingInfo,
    QueryByAttribute,
    QueryExpression,
)
from fake_dataverse._query._model import Query

__all__ = [
    "ChangeType",
    "EntityChanges",
    "NewOrUpdatedItem",
    "RemovedOrDeletedItem",
    "RetrieveEntityChangesRequest",
    "RetrieveEntityChangesResponse",
    "RetrieveMultipleRequest",
    "RetrieveMultipleResponse",
]

AnyQuery = QueryExpression | QueryByAttribute | FetchExpression | Query


class RetrieveMultipleRequest(OrganizationRequest):
    """Read the rows a query selects (``Query``; ``partitionId`` scopes to one partition)."""

    message_name = "RetrieveMultiple"
    #: The query: QueryExpression, QueryByAttribute, FetchExpression or a bound Query.
    query = Parameter[AnyQuery]("Query")


class RetrieveMultipleResponse(OrganizationResponse):
    """The page of rows read."""

    #: The rows, with ``more_records``, ``paging_cookie`` and ``total_record_count``.
    entity_collection = Output[EntityCollection]("EntityCollection")


class ChangeType(enum.Enum):
    """What happened to a row since the data token (``ChangeType``)."""

    NEW_OR_UPDATED = 0
    REMOVE_OR_DELETED = 1


@attrs.frozen
class NewOrUpdatedItem:
    """A row created or updated since the token, in its latest state."""

    new_or_updated_entity: Entity

    @property
    def type(self) -> ChangeType:
        """``ChangeType.NEW_OR_UPDATED``."""
        return ChangeType.NEW_OR_UPDATED


@attrs.frozen
class RemovedOrDeletedItem:
    """A row deleted since the token."""

    removed_item: EntityReference

    @property
    def type(self) -> ChangeType:
        """``ChangeType.REMOVE_OR_DELETED``."""
        return ChangeType.REMOVE_OR_DELETED


ChangedItem = NewOrUpdatedItem | RemovedOrDeletedItem


@attrs.frozen
class EntityChanges:
    """The changes since a data token (``BusinessEntityChanges``)."""

    changes: tuple[ChangedItem, ...]
    data_token: str
    more_records: bool = False
    paging_cookie: str | None = None


class RetrieveEntityChangesRequest(OrganizationRequest):
    """Read the rows changed since a data token (none: every row, as new)."""

    message_name = "RetrieveEntityChanges"
    entity_name = Parameter[str]("EntityName")
    #: The columns of each new or updated row.
    columns = Parameter[ColumnSet | None]("Columns")
    #: The data token of the previous sync (None: first sync).
    data_version = Parameter[str | None]("DataVersion")
    page_info = Parameter[PagingInfo | None]("PageInfo")
    get_global_metadata_version = Parameter[bool | None]("GetGlobalMetadataVersion")


class RetrieveEntityChangesResponse(OrganizationResponse):
    """The changes since the token."""

    #: The changes, the new data token, and paging.
    entity_changes = Output[EntityChanges]("EntityChanges")
