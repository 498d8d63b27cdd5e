"""The official SDK's whole surface, unmodified, sync and async, in-process and over HTTPS.

One scenario walks every namespace a user meets on day one — records (create, retrieve, update,
upsert by id and by the elastic key with its partition, delete, list, list_pages), the query
builder, FetchXML with paging, ``query.sql``, ``tables.get`` and column listings, ``batch`` with
a change set and ``continue_on_error``, ``dataframe`` reads — and checks each answer against the
fake's store. The fake pages at 3 rows, so every unbounded read follows next links.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from fake_dataverse import FakeAsyncCredential, FakeCredential, FakeDataverse

client_module = pytest.importorskip("PowerPlatform.Dataverse.client")
aio = pytest.importorskip("PowerPlatform.Dataverse.aio.async_client")
upsert = pytest.importorskip("PowerPlatform.Dataverse.models.upsert")
filters = pytest.importorskip("PowerPlatform.Dataverse.models.filters")
sdk_errors = pytest.importorskip("PowerPlatform.Dataverse.core.errors")

T = "backgroundoperation"
NAMES = ["op0", "op1", "op2", "op3", "op4", "op5", "op6"]
FETCH = (
    '<fetch count="2"><entity name="backgroundoperation"><attribute name="name"/>'
    '<order attribute="name" descending="true"/>'
    '<filter><condition attribute="priority" operator="ge" value="1"/></filter></entity></fetch>'
)
MISSING = "00000000-0000-4000-8000-000000000009"


def stored(dv: FakeDataverse, column: str = "name") -> list[Any]:
    """Return a column's values over the store's rows, sorted (None first)."""
    return sorted((row[column] for row in dv.rows()), key=lambda v: (v is not None, v))


def by_id(dv: FakeDataverse, row_id: str) -> Any:
    return next(row for row in dv.rows() if str(row.id) == row_id)


class Expected:
    """What the scenario's reads must return, computed from the store after the writes."""

    def __init__(self, dv: FakeDataverse) -> None:
        rows = [r for r in dv.rows() if r["name"] in NAMES]
        self.priority_ge_1 = sorted(
            (r["name"] for r in rows if (r["priority"] or 0) >= 1), reverse=True
        )
        self.by_priority: dict[int, int] = {}
        for row in rows:
            self.by_priority[row["priority"]] = self.by_priority.get(row["priority"], 0) + 1


def test_sync_scenario(reach: tuple[FakeDataverse, str]) -> None:
    """DataverseClient: every namespace answers as the store says."""
    dv, url = reach
    with client_module.DataverseClient(url, FakeCredential()) as client:
        # records: create one, create many (CreateMultiple), retrieve, update
        first = client.records.create(T, {"name": NAMES[0], "priority": 0})
        ids = client.records.create(T, [{"name": n, "priority": i % 3} for i, n in
                                        enumerate(NAMES[1:], 1)])
        assert len(ids) == 6
        assert stored(dv) == NAMES
        record = client.records.retrieve(T, ids[0], select=["name", "priority"])
        assert (record["name"], record["priority"]) == ("op1", 1)
        client.records.update(T, ids[0], {"retrycount": 2})
        assert by_id(dv, ids[0])["retrycount"] == 2

        # upsert by id (replaces the row) and by the elastic key with a partition (creates, then
        # replaces the row in that partition)
        client.records.upsert(T, [upsert.UpsertItem(
            alternate_key={"backgroundoperationid": ids[1]},
            record={"name": "op2", "priority": 2, "retrycount": 1})])
        assert by_id(dv, ids[1])["retrycount"] == 1
        keyed = str(uuid.uuid4())
        key = {"backgroundoperationid": keyed, "partitionid": "p1"}
        client.records.upsert(T, [upsert.UpsertItem(alternate_key=key, record={"name": "keyed"})])
        client.records.upsert(T, [upsert.UpsertItem(alternate_key=key,
                                                    record={"name": "keyed", "retrycount": 3})])
        row = by_id(dv, keyed)
        assert (row["partitionid"], row["retrycount"]) == ("p1", 3)
        expected = Expected(dv)

        # list (every page) and list_pages (one result per page)
        listed = client.records.list(T, select=["name"], filter="priority ge 1",
                                     orderby=["name desc"])
        assert [r["name"] for r in listed] == expected.priority_ge_1
        pages = list(client.records.list_pages(T, select=["name"], filter="priority ge 1",
                                               orderby=["name desc"], page_size=2))
        assert [[r["name"] for r in page] for page in pages] == [
            expected.priority_ge_1[i : i + 2] for i in range(0, len(expected.priority_ge_1), 2)
        ]

        # query builder
        built = (client.query.builder(T).select("name")
                 .where(filters.col("priority") >= 1).order_by("name", descending=True).execute())
        assert [r["name"] for r in built] == expected.priority_ge_1
        frame = (client.query.builder(T).select("name", "priority")
                 .where(filters.col("priority") == 2).execute().to_dataframe())
        assert sorted(frame["name"]) == ["op2", "op5"]

        # FetchXML: pages of 2 through the paging cookie, and all pages at once
        query = client.query.fetchxml(FETCH)
        fetched_pages = [[r["name"] for r in page] for page in query.execute_pages()]
        assert [n for page in fetched_pages for n in page] == expected.priority_ge_1
        assert {len(page) for page in fetched_pages[:-1]} == {2}
        assert [r["name"] for r in query.execute()] == expected.priority_ge_1

        # SQL: rows, aggregates, and paging past the 3-row page through @odata.nextLink
        rows = client.query.sql("SELECT name, priority AS p FROM backgroundoperation "
                                "WHERE priority >= 1 ORDER BY name DESC")
        assert [r["name"] for r in rows] == expected.priority_ge_1
        counts = client.query.sql("SELECT priority, COUNT(*) AS n FROM backgroundoperation "
                                  "WHERE name LIKE 'op%' GROUP BY priority")
        assert {r["priority"]: r["n"] for r in counts} == expected.by_priority
        everything = client.query.sql("SELECT backgroundoperationid FROM backgroundoperation")
        assert sorted(r["backgroundoperationid"] for r in everything) == sorted(
            str(r.id) for r in dv.rows())
        sql_frame = client.dataframe.sql("SELECT name, priority FROM backgroundoperation "
                                         "WHERE priority = 2")
        assert sorted(sql_frame["name"]) == ["op2", "op5"]

        # tables and columns
        info = client.tables.get(T)
        assert (info.logical_name, info.entity_set_name, info.primary_id_attribute) == (
            T, "backgroundoperations", "backgroundoperationid")
        columns = {c["LogicalName"] for c in client.tables.list_columns(T)}
        assert {"name", "priority", "partitionid", "createdby"} <= columns
        sql_columns = {c["name"] for c in client.query.sql_columns(T)}
        assert {"name", "priority"} <= sql_columns

        # batch: a create, a change set, a failing update, two reads; continue_on_error
        batch = client.batch.new()
        batch.records.create(T, {"name": "in-batch"})
        with batch.changeset() as changeset:
            changeset.records.create(T, {"name": "in-changeset"})
        batch.records.update(T, MISSING, {"retrycount": 1})
        batch.records.list(T, select=["name"], filter="name eq 'in-batch'")
        batch.query.sql("SELECT name FROM backgroundoperation WHERE name = 'in-changeset'")
        result = batch.execute(continue_on_error=True)
        assert [r.status_code for r in result.responses] == [204, 204, 404, 200, 200]
        assert (len(result.succeeded), len(result.failed)) == (4, 1)
        assert [r["name"] for r in result.responses[3].data["value"]] == ["in-batch"]
        assert result.responses[4].data["value"] == [{"name": "in-changeset"}]
        assert {"in-batch", "in-changeset"} <= set(stored(dv))

        # delete, and an error surfacing as the SDK's HttpError
        client.records.delete(T, first)
        assert first not in {str(r.id) for r in dv.rows()}
        before = stored(dv)
        with pytest.raises(sdk_errors.HttpError) as caught:
            client.records.create(T, {"priority": 99})
        assert caught.value.status_code == 400
        assert stored(dv) == before


async def _async_scenario(dv: FakeDataverse, url: str) -> None:
    async with aio.AsyncDataverseClient(url, FakeAsyncCredential()) as client:
        first = await client.records.create(T, {"name": NAMES[0], "priority": 0})
        ids = await client.records.create(T, [{"name": n, "priority": i % 3} for i, n in
                                              enumerate(NAMES[1:], 1)])
        assert stored(dv) == NAMES
        record = await client.records.retrieve(T, ids[0], select=["name", "priority"])
        assert (record["name"], record["priority"]) == ("op1", 1)
        await client.records.update(T, ids[0], {"retrycount": 2})
        assert by_id(dv, ids[0])["retrycount"] == 2
        await client.records.upsert(T, [upsert.UpsertItem(
            alternate_key={"backgroundoperationid": ids[1]},
            record={"name": "op2", "priority": 2, "retrycount": 1})])
        assert by_id(dv, ids[1])["retrycount"] == 1
        keyed = str(uuid.uuid4())
        key = {"backgroundoperationid": keyed, "partitionid": "p1"}
        for retries in (0, 3):
            await client.records.upsert(T, [upsert.UpsertItem(
                alternate_key=key, record={"name": "keyed", "retrycount": retries})])
        row = by_id(dv, keyed)
        assert (row["partitionid"], row["retrycount"]) == ("p1", 3)
        expected = Expected(dv)

        listed = await client.records.list(T, select=["name"], filter="priority ge 1",
                                           orderby=["name desc"])
        assert [r["name"] for r in listed] == expected.priority_ge_1
        pages = [[r["name"] for r in page] async for page in client.records.list_pages(
            T, select=["name"], filter="priority ge 1", orderby=["name desc"], page_size=2)]
        assert [n for page in pages for n in page] == expected.priority_ge_1
        assert {len(page) for page in pages[:-1]} == {2}

        built = await (client.query.builder(T).select("name").where(filters.col("priority") >= 1)
                       .order_by("name", descending=True).execute())
        assert [r["name"] for r in built] == expected.priority_ge_1

        query = client.query.fetchxml(FETCH)
        fetched = [[r["name"] for r in page] async for page in query.execute_pages()]
        assert [n for page in fetched for n in page] == expected.priority_ge_1
        assert [r["name"] for r in await query.execute()] == expected.priority_ge_1

        rows = await client.query.sql("SELECT name FROM backgroundoperation "
                                      "WHERE priority >= 1 ORDER BY name DESC")
        assert [r["name"] for r in rows] == expected.priority_ge_1
        counts = await client.query.sql("SELECT priority, COUNT(*) AS n FROM "
                                        "backgroundoperation WHERE name LIKE 'op%' "
                                        "GROUP BY priority")
        assert {r["priority"]: r["n"] for r in counts} == expected.by_priority
        frame = await client.dataframe.sql("SELECT name FROM backgroundoperation "
                                           "WHERE priority = 2")
        assert sorted(frame["name"]) == ["op2", "op5"]

        info = await client.tables.get(T)
        assert info is not None
        assert (info.logical_name, info.entity_set_name) == (T, "backgroundoperations")
        columns = {c["LogicalName"] for c in await client.tables.list_columns(T)}
        assert {"name", "priority", "partitionid"} <= columns

        batch = client.batch.new()
        batch.records.create(T, {"name": "in-batch"})
        async with batch.changeset() as changeset:
            changeset.records.create(T, {"name": "in-changeset"})
        batch.records.update(T, MISSING, {"retrycount": 1})
        result = await batch.execute(continue_on_error=True)
        assert [r.status_code for r in result.responses] == [204, 204, 404]
        assert {"in-batch", "in-changeset"} <= set(stored(dv))

        await client.records.delete(T, first)
        assert first not in {str(r.id) for r in dv.rows()}
        before = stored(dv)
        with pytest.raises(sdk_errors.HttpError) as caught:
            await client.records.create(T, {"priority": 99})
        assert caught.value.status_code == 400
        assert stored(dv) == before


def test_async_scenario(reach_async: tuple[FakeDataverse, str]) -> None:
    """AsyncDataverseClient (aiohttp): the same scenario, the same answers."""
    dv, url = reach_async
    asyncio.run(_async_scenario(dv, url))
