"""The RetrieveMultiple message: compile the query, run it, project the page to Entities."""

from __future__ import annotations

import attrs

from fake_dataverse._messages._query_requests import (
    RetrieveMultipleRequest,
    RetrieveMultipleResponse,
)
from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._rows import project
from fake_dataverse._model._address import PARTITION_ID, partition_value
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._validation import raw_to_sdk
from fake_dataverse._model._values import ColumnSet, Entity, EntityCollection
from fake_dataverse._query._aggregate import Group
from fake_dataverse._query._compile import compile_query, query_table_name
from fake_dataverse._query._engine import run_query
from fake_dataverse._query._expression import AliasedValue
from fake_dataverse._query._model import Query
from fake_dataverse._query._operators import EvaluationContext

__all__: list[str] = []

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()


def _table_of(request: RetrieveMultipleRequest) -> str | None:
    return query_table_name(request.parameters.get("Query"))


def _group_entity(table: EntityMetadata, query: Query, group: Group) -> Entity:
    converted = {g.alias for g in query.group_by}
    converted |= {a.alias for a in query.aggregates if a.function in ("min", "max")}
    entity = Entity(table.logical_name)
    for alias, (name, raw) in group.items():
        attr = table.attribute(name)
        if raw is None or attr is None:
            continue
        value = raw_to_sdk(attr, raw) if alias in converted else raw
        entity[alias] = AliasedValue(table.logical_name, name, value)
    return entity


def _columns(query: Query) -> ColumnSet:
    if query.columns is None:
        return ColumnSet(all_columns=True)
    return ColumnSet(*query.columns)


@MESSAGES.handler(RetrieveMultipleRequest, table_of=_table_of)
def _retrieve_multiple(
    ctx: ExecutionContext, request: RetrieveMultipleRequest
) -> RetrieveMultipleResponse:
    query = compile_query(ctx.org.metadata, request.parameters.get("Query"))
    partition = partition_value(request.parameters.get(PARTITION_ID))
    if partition is not None:
        query = attrs.evolve(query, partition_id=partition)
    table = ctx.org.table(query.table)
    ctx.org.check_privilege(ctx.caller, table, "Read")
    evaluation = EvaluationContext(ctx.org.clock.now(), ctx.caller.user_id)
    page = run_query(
        ctx.org.store, table, query, evaluation, max_page_size=ctx.org.settings.max_page_size
    )
    if page.groups is not None:
        entities = [_group_entity(table, query, g) for g in page.groups]
    else:
        columns = _columns(query)
        entities = [project(ctx.org, table, row, columns) for row in page.rows]
    collection = EntityCollection(
        entities,
        entity_name=table.logical_name,
        more_records=page.more_records,
        paging_cookie=page.paging_cookie,
        total_record_count=page.total_record_count,
        total_record_count_limit_exceeded=page.total_record_count_limit_exceeded,
    )
    return RetrieveMultipleResponse("RetrieveMultiple", {"EntityCollection": collection})
