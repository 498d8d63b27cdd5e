"""Request and response classes of the read messages: RetrieveMultiple, RetrieveEntityChanges.

Shaped as in the SDK: parameters keyed ``Query`` (and ``partitionId``) for RetrieveMultiple,
``EntityName``, ``Columns``, ``DataVersion``, ``PageInfo`` for RetrieveEntityChanges.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from fake_dataverse._messages._requests import OrganizationRequest, OrganizationResponse
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
    _fields = {"query": "Query"}

    def __init__(self, *, query: AnyQuery | None = None, **parameters: Any) -> None:
        super().__init__(parameters=parameters, query=query)

    @property
    def query(self) -> AnyQuery:
        """The query: QueryExpression, QueryByAttribute, FetchExpression or a bound Query."""
        return self._get("Query")  # type: ignore[no-any-return]


class RetrieveMultipleResponse(OrganizationResponse):
    """The page of rows read."""

    @property
    def entity_collection(self) -> EntityCollection:
        """The rows, with ``more_records``, ``paging_cookie`` and ``total_record_count``."""
        return self._results["EntityCollection"]  # type: ignore[no-any-return]


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
    _fields = {
        "entity_name": "EntityName",
        "columns": "Columns",
        "data_version": "DataVersion",
        "page_info": "PageInfo",
        "get_global_metadata_version": "GetGlobalMetadataVersion",
    }

    def __init__(
        self,
        *,
        entity_name: str | None = None,
        columns: ColumnSet | None = None,
        data_version: str | None = None,
        page_info: PagingInfo | None = None,
        get_global_metadata_version: bool | None = None,
        **parameters: Any,
    ) -> None:
        super().__init__(
            parameters=parameters,
            entity_name=entity_name,
            columns=columns,
            data_version=data_version,
            page_info=page_info,
            get_global_metadata_version=get_global_metadata_version,
        )

    @property
    def entity_name(self) -> str:
        """The table."""
        return self._get("EntityName")  # type: ignore[no-any-return]

    @property
    def columns(self) -> ColumnSet | None:
        """The columns of each new or updated row."""
        return self._get("Columns")  # type: ignore[no-any-return]

    @property
    def data_version(self) -> str | None:
        """The data token of the previous sync (None: first sync)."""
        return self._get("DataVersion")  # type: ignore[no-any-return]

    @property
    def page_info(self) -> PagingInfo | None:
        """Paging of the changes."""
        return self._get("PageInfo")  # type: ignore[no-any-return]


class RetrieveEntityChangesResponse(OrganizationResponse):
    """The changes since the token."""

    @property
    def entity_changes(self) -> EntityChanges:
        """The changes, the new data token, and paging."""
        return self._results["EntityChanges"]  # type: ignore[no-any-return]
