"""RetrieveEntityChanges: first sync, incremental syncs, deletes, tokens, paging."""

from __future__ import annotations

import re
import uuid

import pytest

from fake_dataverse import (
    ColumnSet,
    Entity,
    EntityChanges,
    EntityReference,
    FakeDataverse,
    NewOrUpdatedItem,
    PagingInfo,
    RemovedOrDeletedItem,
    RetrieveEntityChangesRequest,
    RetrieveEntityChangesResponse,
)
from fake_dataverse._messages._entity_changes import format_data_token

from .conftest import ITEM_TABLE, NOW, Rejects

TABLE = "backgroundoperation"


def changes(
    dv: FakeDataverse,
    token: str | None = None,
    page_info: PagingInfo | None = None,
    columns: ColumnSet | None = None,
) -> EntityChanges:
    request = RetrieveEntityChangesRequest(
        entity_name=TABLE,
        columns=columns or ColumnSet("name", "retrycount"),
        data_version=token,
        page_info=page_info,
    )
    response = dv.service.execute(request)
    assert isinstance(response, RetrieveEntityChangesResponse)
    return response.entity_changes


def summary(result: EntityChanges) -> list[tuple[str, object]]:
    """Return ('new', name) / ('deleted', id) for each change, in order."""
    out: list[tuple[str, object]] = []
    for item in result.changes:
        if isinstance(item, NewOrUpdatedItem):
            entity = item.new_or_updated_entity
            retries = entity.get("retrycount")
            out.append(("new", entity["name"] + (f"@{retries}" if retries else "")))
        else:
            out.append(("deleted", item.removed_item.id))
    return out


class TestSync:
    def test_first_sync_returns_every_row_as_new(self, dv: FakeDataverse) -> None:
        """Without a token every live row comes as new, by version, and no deletes."""
        a = dv.service.create(Entity(TABLE, name="a"))
        dv.service.create(Entity(TABLE, name="b"))
        dv.service.delete(TABLE, a)
        dv.service.create(Entity(TABLE, name="c"))
        result = changes(dv)
        assert [("new", "b"), ("new", "c")] == summary(result)
        assert not result.more_records
        assert result.paging_cookie is None

    def test_token_format(self, dv: FakeDataverse) -> None:
        """The data token is ``<version>!<MM/dd/yyyy HH:mm:ss>`` of the fake clock."""
        dv.service.create(Entity(TABLE, name="a"))
        token = changes(dv).data_token
        assert f"{dv.organization.store.last_version}!01/01/2026 09:00:00" == token

    def test_later_sync_returns_changes_once_in_latest_state(self, dv: FakeDataverse) -> None:
        """Rows changed since the token come once each, latest state, ordered by version."""
        a = dv.service.create(Entity(TABLE, name="a"))
        b = dv.service.create(Entity(TABLE, name="b"))
        dv.service.create(Entity(TABLE, name="untouched"))
        token = changes(dv).data_token
        dv.service.update(Entity(TABLE, b, retrycount=1))
        dv.service.update(Entity(TABLE, a, retrycount=1))
        dv.service.update(Entity(TABLE, b, retrycount=2))
        dv.service.create(Entity(TABLE, name="d"))
        assert [("new", "a@1"), ("new", "b@2"), ("new", "d")] == summary(changes(dv, token))

    def test_deletes_come_after_updates(self, dv: FakeDataverse) -> None:
        """Deleted rows are reported as RemovedOrDeletedItem after the new and updated rows."""
        a = dv.service.create(Entity(TABLE, name="a"))
        b = dv.service.create(Entity(TABLE, name="b"))
        token = changes(dv).data_token
        dv.service.delete(TABLE, a)
        dv.service.update(Entity(TABLE, b, retrycount=1))
        result = changes(dv, token)
        assert [("new", "b@1"), ("deleted", a)] == summary(result)
        removed = result.changes[1]
        assert isinstance(removed, RemovedOrDeletedItem)
        assert EntityReference(TABLE, a) == removed.removed_item

    def test_create_then_delete_between_syncs_reports_the_delete(self, dv: FakeDataverse) -> None:
        """A row created and deleted between two syncs is reported deleted."""
        token = changes(dv).data_token
        gone = dv.service.create(Entity(TABLE, name="brief"))
        dv.service.delete(TABLE, gone)
        assert [("deleted", gone)] == summary(changes(dv, token))

    def test_deleted_row_in_custom_partition_names_its_key(self, dv: FakeDataverse) -> None:
        """A removed row in a custom partition is referenced with its key attributes."""
        token = changes(dv).data_token
        row = dv.service.create(Entity(TABLE, name="p", partitionid="tenant-a"))
        dv.service.delete(TABLE, row, partition_id="tenant-a")
        (item,) = changes(dv, token).changes
        assert isinstance(item, RemovedOrDeletedItem)
        assert {"backgroundoperationid": row, "partitionid": "tenant-a"} == dict(
            item.removed_item.key_attributes
        )

    def test_no_changes(self, dv: FakeDataverse) -> None:
        """A sync with nothing changed returns no items and a token as new as the last one."""
        dv.service.create(Entity(TABLE, name="a"))
        first = changes(dv)
        again = changes(dv, first.data_token)
        assert [] == summary(again)
        assert first.data_token.split("!")[0] == again.data_token.split("!")[0]

    def test_columns_are_projected(self, dv: FakeDataverse) -> None:
        """New items hold the requested columns (nulls left out) and the primary key."""
        row = dv.service.create(Entity(TABLE, name="a", priority=3))
        (item,) = changes(dv, columns=ColumnSet("priority", "errorcode")).changes
        assert isinstance(item, NewOrUpdatedItem)
        assert {"backgroundoperationid": row, "priority": 3} == dict(item.new_or_updated_entity)

    def test_ttl_expiry_is_not_a_delete(self, dv: FakeDataverse) -> None:
        """A row that expires by TTL disappears without a delete entry (the default)."""
        token = changes(dv).data_token
        dv.service.create(Entity(TABLE, name="short", ttlinseconds=60))
        dv.clock.advance(120)
        assert [] == summary(changes(dv, token))


class TestTokens:
    @pytest.mark.parametrize(
        "token", ["garbage", "12!13/45/2026 09:00:00", "!01/01/2026 09:00:00", "5", "5!"]
    )
    def test_malformed_token(self, dv: FakeDataverse, rejects: Rejects, token: str) -> None:
        """A token that does not parse is 0x80040203."""
        with rejects("0x80040203"):
            changes(dv, token)

    def test_token_from_the_future(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A token ahead of every version of the store is 0x80040203."""
        dv.service.create(Entity(TABLE, name="a"))
        token = format_data_token(dv.organization.store.last_version + 1, NOW)
        with rejects("0x80040203"):
            changes(dv, token)

    def test_expired_token(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A token older than change_tracking_expiry_days of fake time is 0x80044352."""
        token = changes(dv).data_token
        dv.clock.advance(days=30, seconds=1)
        with rejects("0x80044352") as info:
            changes(dv, token)
        assert (
            "Version stamp associated with the client has expired. Please perform a full sync."
            == info.value.message
        )

    def test_token_within_expiry(self) -> None:
        """A token exactly at the expiry limit still works; the setting moves the limit."""
        dv = FakeDataverse(clock=NOW, change_tracking_expiry_days=2)
        token = changes(dv).data_token
        dv.clock.advance(days=2)
        assert [] == summary(changes(dv, token))


class TestPaging:
    def test_changes_page_with_a_cookie(self) -> None:
        """Pages of 2 over 5 changes: 2, 2, 1, with more_records and a cookie until the end."""
        dv = FakeDataverse(clock=NOW)
        for n in range(5):
            dv.service.create(Entity(TABLE, name=f"r{n}"))
        seen, cookie, number, tokens = [], None, 1, set()
        while True:
            result = changes(
                dv, None, PagingInfo(count=2, page_number=number, paging_cookie=cookie)
            )
            seen.append([name for _, name in summary(result)])
            tokens.add(result.data_token)
            if not result.more_records:
                break
            cookie, number = result.paging_cookie, number + 1
        assert [["r0", "r1"], ["r2", "r3"], ["r4"]] == seen
        assert 1 == len(tokens)

    def test_paging_spans_updates_and_deletes(self, dv: FakeDataverse) -> None:
        """Paging continues from the updates into the deletes."""
        rows = [dv.service.create(Entity(TABLE, name=f"r{n}")) for n in range(4)]
        token = changes(dv).data_token
        dv.service.update(Entity(TABLE, rows[0], retrycount=3))
        dv.service.delete(TABLE, rows[1])
        dv.service.delete(TABLE, rows[2])
        first = changes(dv, token, PagingInfo(count=2, page_number=1))
        second = changes(
            dv, token, PagingInfo(count=2, page_number=2, paging_cookie=first.paging_cookie)
        )
        assert [("new", "r0@3"), ("deleted", rows[1])] == summary(first)
        assert [("deleted", rows[2])] == summary(second)
        assert (True, False) == (first.more_records, second.more_records)

    def test_writes_while_paging_wait_for_the_next_sync(self, dv: FakeDataverse) -> None:
        """A row written between pages comes in the next sync, not in this one."""
        for n in range(3):
            dv.service.create(Entity(TABLE, name=f"r{n}"))
        first = changes(dv, None, PagingInfo(count=2, page_number=1))
        dv.service.create(Entity(TABLE, name="late"))
        second = changes(
            dv, None, PagingInfo(count=2, page_number=2, paging_cookie=first.paging_cookie)
        )
        assert [("new", "r2")] == summary(second)
        assert [("new", "late")] == summary(changes(dv, second.data_token))

    @pytest.mark.parametrize(
        "cookie",
        ["nonsense", "<cookie page='1' />", "<cookie page='5' asof='1' since='0' last='0' />"],
    )
    def test_bad_cookie(self, dv: FakeDataverse, rejects: Rejects, cookie: str) -> None:
        """A cookie that does not parse or fit the page is 0x8004112a."""
        with rejects("0x8004112a"):
            changes(dv, None, PagingInfo(count=2, page_number=2, paging_cookie=cookie))

    @pytest.mark.parametrize(("count", "code"), [(-1, "0x8004110c"), (5001, "0x80040203")])
    def test_page_size_out_of_range(
        self, dv: FakeDataverse, rejects: Rejects, count: int, code: str
    ) -> None:
        """A page size below 0 or above 5000 is rejected."""
        with rejects(code):
            changes(dv, None, PagingInfo(count=count, page_number=1))


class TestRequest:
    def test_columns_are_required(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A request without Columns is 0x80040203."""
        with rejects("0x80040203"):
            dv.service.execute(RetrieveEntityChangesRequest(entity_name=TABLE))

    def test_unknown_column(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A column the table lacks is 0x80041103."""
        with rejects("0x80041103"):
            changes(dv, columns=ColumnSet("bogus"))

    def test_table_without_change_tracking(self, rejects: Rejects) -> None:
        """A table not enabled for change tracking is 0x80072491."""
        plain = dict(
            ITEM_TABLE,
            logical_name="contoso_plain",
            entity_set_name="contoso_plains",
            change_tracking_enabled=False,
            attributes=[dict(a) for a in ITEM_TABLE["attributes"]],
        )
        plain["attributes"][0]["logical_name"] = "contoso_plainid"
        plain["primary_id_attribute"] = "contoso_plainid"
        dv = FakeDataverse(tables=[plain])
        with pytest.raises(Exception) as info:
            dv.service.execute(
                RetrieveEntityChangesRequest(entity_name="contoso_plain", columns=ColumnSet())
            )
        assert "0x80072491" == getattr(info.value, "hex_code", None)
        assert re.search("contoso_plain isn't enabled for change tracking", str(info.value))

    def test_read_privilege_is_needed(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A caller without prvReadbackgroundoperation gets 0x80040220."""
        user = dv.add_user("No Read", privileges=[])
        with rejects("0x80040220"):
            dv.service_for(user).execute(
                RetrieveEntityChangesRequest(entity_name=TABLE, columns=ColumnSet("name"))
            )

    def test_unknown_table(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An unknown table is 0x80040217."""
        with rejects("0x80040217"):
            dv.service.execute(
                RetrieveEntityChangesRequest(entity_name="account", columns=ColumnSet())
            )

    def test_systemuser_is_not_change_tracked(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """systemuser is not enabled for change tracking: 0x80072491."""
        with rejects("0x80072491"):
            dv.service.execute(
                RetrieveEntityChangesRequest(entity_name="systemuser", columns=ColumnSet())
            )

    def test_ids_are_uuids(self, dv: FakeDataverse) -> None:
        """Removed items carry the row's id as a UUID."""
        token = changes(dv).data_token
        row = dv.service.create(Entity(TABLE, name="x"))
        dv.service.delete(TABLE, row)
        (item,) = changes(dv, token).changes
        assert isinstance(item, RemovedOrDeletedItem)
        assert isinstance(item.removed_item.id, uuid.UUID)
