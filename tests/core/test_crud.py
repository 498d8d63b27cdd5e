"""Single-row messages: what a user reads back after each write."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    ColumnSet,
    ConcurrencyBehavior,
    CreateRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityReference,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
    RetrieveEntityChangesRequest,
    RetrieveRequest,
    UpdateRequest,
    UpsertRequest,
)

from ..traces import store_state
from .conftest import TABLE, Rejects

START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"


def _ticks(moment: dt.datetime) -> int:
    epoch = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)
    return (moment - epoch) // dt.timedelta(microseconds=1) * 10


class TestCreate:
    def test_system_columns_and_defaults(self, dv: FakeDataverse) -> None:
        """A created row has state 0 / status 0, times from the clock and the caller as owner."""
        row_id = dv.service.create(Entity(TABLE, name="export"))
        row = dv.service.retrieve(TABLE, row_id)
        assert OptionSetValue(0) == row[STATE]
        assert OptionSetValue(0) == row[STATUS]
        assert START == row["createdon"] == row["modifiedon"]
        assert EntityReference("systemuser", dv.admin_id) == row["createdby"]
        assert "System Administrator" == row["createdby"].name
        assert row["createdby"] == row["modifiedby"]
        assert "createdonbehalfby" not in row  # null columns are left out, as in the SDK
        assert 0 <= row["versionnumber"] - _ticks(START) < 10  # ticks of the write (ties +1)
        assert str(row["versionnumber"]) == row.row_version

    def test_client_supplied_id(self, dv: FakeDataverse) -> None:
        """The id may come from the Entity or from the primary key column."""
        given = uuid.UUID("11111111-2222-4333-8444-555555555555")
        assert given == dv.service.create(Entity(TABLE, given, name="a"))
        other = uuid.UUID("11111111-2222-4333-8444-666666666666")
        assert other == dv.service.create(Entity(TABLE, backgroundoperationid=other))

    def test_conflicting_ids(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """An Entity id that differs from the primary key column is 0x80040203."""
        with rejects("0x80040203"):
            dv.service.create(Entity(TABLE, uuid.uuid4(), backgroundoperationid=uuid.uuid4()))

    def test_columns_not_valid_for_create_are_dropped(self, dv: FakeDataverse) -> None:
        """outputparameters (not valid for create) and createdon (read-only) are ignored."""
        row_id = dv.service.create(Entity(
            TABLE, name="a", outputparameters="[]", createdon=START - dt.timedelta(days=9),
            errorcode=5,
        ))
        row = dv.service.retrieve(TABLE, row_id, ["outputparameters", "createdon", "errorcode"])
        assert {"backgroundoperationid": row_id, "createdon": START} == dict(row)

    def test_strict_writes_rejects_dropped_columns(self, rejects: Rejects) -> None:
        """With strict_writes a column not valid for create is 0x80041100, naming it."""
        strict = FakeDataverse(strict_writes=True)
        with pytest.raises(DataverseError) as info:
            strict.service.create(Entity(TABLE, name="a", outputparameters="[]"))
        assert "0x80041100" == info.value.hex_code
        assert "outputparameters" in info.value.message
        assert [] == strict.rows()

    def test_application_required_name(self) -> None:
        """name may be left out (only SystemRequired is enforced) unless strict_writes."""
        assert FakeDataverse().service.create(Entity(TABLE, priority=1))
        strict = FakeDataverse(strict_writes=True)
        with pytest.raises(DataverseError) as info:
            strict.service.create(Entity(TABLE, priority=1))
        assert ("0x80040203", True) == (info.value.hex_code, "'name'" in info.value.message)

    def test_overridden_created_on_becomes_created_on(self, dv: FakeDataverse) -> None:
        """A migrated row keeps its original date in createdon; overriddencreatedon is now."""
        migrated = dt.datetime(2020, 5, 1, tzinfo=dt.timezone.utc)
        row_id = dv.service.create(Entity(TABLE, name="old", overriddencreatedon=migrated))
        row = dv.service.retrieve(TABLE, row_id, ["createdon", "overriddencreatedon"])
        assert (migrated, START) == (row["createdon"], row["overriddencreatedon"])

    def test_session_token_on_every_write_but_delete(self, dv: FakeDataverse) -> None:
        """Writes return x-ms-session-token, rising; Delete returns none."""
        first = dv.service.execute(CreateRequest(target=Entity(TABLE, name="a")))
        second = dv.service.execute(UpdateRequest(target=Entity(TABLE, first["id"], retrycount=1)))
        tokens = [first.session_token, second.session_token]
        assert all(re.fullmatch(r"\d+:\d+#\d+#7=-1", t or "") for t in tokens)
        counters = [int((t or "").split("#")[1]) for t in tokens]
        assert counters[0] < counters[1]
        deleted = dv.service.execute(DeleteRequest(target=EntityReference(TABLE, first["id"])))
        assert deleted.session_token is None

    def test_session_token_parameter_is_accepted(self, dv: FakeDataverse) -> None:
        """The SessionToken optional parameter is accepted (the fake is strongly consistent)."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        request = RetrieveRequest(target=EntityReference(TABLE, row_id),
                                  column_set=ColumnSet("name"))
        request["SessionToken"] = "207:8#1#7=-1"
        assert "a" == dv.service.execute(request)["Entity"]["name"]


class TestPartitions:
    def test_row_in_a_custom_partition_needs_its_partition(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """A partitioned row is found by id + partition, not by id alone (#9)."""
        row_id = dv.service.create(Entity(TABLE, name="p", partitionid="tenant-1"))
        assert "tenant-1" == dv.service.retrieve(TABLE, row_id, partition_id="tenant-1")[
            "partitionid"]
        keyed = EntityReference(TABLE, key_attributes={
            "backgroundoperationid": row_id, "partitionid": "tenant-1"})
        found = dv.service.execute(RetrieveRequest(target=keyed, column_set=ColumnSet("name")))
        assert "p" == found["Entity"]["name"]
        with rejects("0x80048d02"):
            dv.service.retrieve(TABLE, row_id)
        with rejects("0x80048d02"):
            dv.service.retrieve(TABLE, row_id, partition_id="tenant-2")

    def test_default_partition_reads_null(self, dv: FakeDataverse) -> None:
        """Without partitionid the column reads null and the id alone finds the row (#8)."""
        row_id = dv.service.create(Entity(TABLE, name="d"))
        assert dv.rows()[0]["partitionid"] is None
        assert "d" == dv.service.retrieve(TABLE, row_id, ["name"])["name"]

    def test_same_id_in_two_partitions(self, dv: FakeDataverse) -> None:
        """Uniqueness is (id, partitionid): the same id may live in two partitions."""
        row_id = uuid.uuid4()
        dv.service.create(Entity(TABLE, row_id, name="one", partitionid="a"))
        dv.service.create(Entity(TABLE, row_id, name="two", partitionid="b"))
        names = {dv.service.retrieve(TABLE, row_id, ["name"], partition_id=p)["name"]
                 for p in ("a", "b")}
        assert {"one", "two"} == names

    def test_update_never_moves_a_row(self, dv: FakeDataverse) -> None:
        """A partitionid naming another partition in an update is ignored (#10)."""
        row_id = dv.service.create(Entity(TABLE, name="p", partitionid="a"))
        keyed = Entity(TABLE, key_attributes={"backgroundoperationid": row_id, "partitionid": "a"},
                       partitionid="b", retrycount=2)
        dv.service.update(keyed)
        row = dv.service.retrieve(TABLE, row_id, ["partitionid", "retrycount"], partition_id="a")
        assert ("a", 2) == (row["partitionid"], row["retrycount"])

    def test_update_addressed_by_partitionid_column(self, dv: FakeDataverse) -> None:
        """The partitionid column of an update identifies the row, as the SDK samples do."""
        row_id = dv.service.create(Entity(TABLE, name="p", partitionid="a"))
        dv.service.update(Entity(TABLE, row_id, partitionid="a", retrycount=7))
        assert 7 == dv.service.retrieve(TABLE, row_id, ["retrycount"], partition_id="a")[
            "retrycount"]

    def test_partition_characters(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A partitionid with a character Cosmos DB keys cannot hold is 0x80040203."""
        with rejects("0x80040203"):
            dv.service.create(Entity(TABLE, name="p", partitionid="a/b"))

    def test_key_attributes_must_be_a_key(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Key attributes that are not a key of the table are 0x80060890 EntityKeyNotDefined."""
        with rejects("0x80060890"):
            dv.service.execute(RetrieveRequest(
                target=EntityReference(TABLE, key_attributes={"name": "x"}),
                column_set=ColumnSet("name")))


class TestUpdate:
    def test_state_only_takes_the_first_status(self, dv: FakeDataverse) -> None:
        """Setting only the state picks that state's first status (2 → 20, 3 → 30)."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        for state, status in ((2, 20), (3, 30), (0, 0)):
            dv.service.update(Entity(TABLE, row_id, **{STATE: OptionSetValue(state)}))
            row = dv.service.retrieve(TABLE, row_id, [STATE, STATUS])
            assert (OptionSetValue(state), OptionSetValue(status)) == (row[STATE], row[STATUS])

    def test_status_only_moves_the_state(self, dv: FakeDataverse) -> None:
        """Setting only the status moves the state to the one it belongs to (22 → 2)."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        dv.service.update(Entity(TABLE, row_id, **{STATUS: OptionSetValue(22)}))
        row = dv.service.retrieve(TABLE, row_id, [STATE, STATUS])
        assert (OptionSetValue(2), OptionSetValue(22)) == (row[STATE], row[STATUS])

    def test_state_status_not_enforced_when_switched_off(self) -> None:
        """With enforce_state_status=False a mismatched pair is stored as given."""
        dv = FakeDataverse(enforce_state_status=False)
        row_id = dv.service.create(Entity(TABLE, **{STATE: OptionSetValue(0),
                                                     STATUS: OptionSetValue(31)}))
        row = dv.service.retrieve(TABLE, row_id, [STATE, STATUS])
        assert (OptionSetValue(0), OptionSetValue(31)) == (row[STATE], row[STATUS])

    def test_not_valid_for_update_is_dropped(self, dv: FakeDataverse) -> None:
        """name and priority cannot change after create; the update still applies the rest."""
        row_id = dv.service.create(Entity(TABLE, name="a", priority=1))
        dv.service.update(Entity(TABLE, row_id, name="b", priority=2, retrycount=3))
        row = dv.service.retrieve(TABLE, row_id, ["name", "priority", "retrycount"])
        assert ("a", 1, 3) == (row["name"], row["priority"], row["retrycount"])

    def test_modified_columns_version_and_etag_move(self, dv: FakeDataverse) -> None:
        """An update moves modifiedon/modifiedby, the version and the etag; not createdon."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        before = dv.organization.store.get(TABLE, (row_id, str(row_id)))
        assert before is not None
        old_version, old_etag = before.version, before.etag
        dv.clock.advance(60)
        user = dv.add_user("Uma Updater")
        dv.service_for(user).update(Entity(TABLE, row_id, retrycount=1))
        row = dv.service.retrieve(TABLE, row_id)
        assert (START, START + dt.timedelta(seconds=60)) == (row["createdon"], row["modifiedon"])
        assert (dv.admin_id, user) == (row["createdby"].id, row["modifiedby"].id)
        after = dv.organization.store.get(TABLE, (row_id, str(row_id)))
        assert after is not None and after.version > old_version and after.etag != old_etag
        assert re.fullmatch(r'W/"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"', after.etag)

    def test_if_row_version_matches(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """IfRowVersionMatches updates with the current version and rejects a stale one."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        current = dv.service.retrieve(TABLE, row_id, ["name"]).row_version
        stale = Entity(TABLE, row_id, row_version="1", retrycount=1)
        with rejects("0x80060882"):
            dv.service.execute(UpdateRequest(
                target=stale, concurrency_behavior=ConcurrencyBehavior.IF_ROW_VERSION_MATCHES))
        with rejects("0x80060883"):
            dv.service.execute(UpdateRequest(
                target=Entity(TABLE, row_id, retrycount=1),
                concurrency_behavior=ConcurrencyBehavior.IF_ROW_VERSION_MATCHES))
        fresh = Entity(TABLE, row_id, row_version=current, retrycount=2)
        dv.service.execute(UpdateRequest(
            target=fresh, concurrency_behavior=ConcurrencyBehavior.IF_ROW_VERSION_MATCHES))
        assert 2 == dv.service.retrieve(TABLE, row_id, ["retrycount"])["retrycount"]

    def test_impersonation(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Impersonating: createdby is the impersonated user, createdonbehalfby the caller."""
        delegate = dv.add_user("Dee Legate")
        row_id = dv.service.impersonate(delegate).create(Entity(TABLE, name="a"))
        row = dv.service.retrieve(TABLE, row_id, ["createdby", "createdonbehalfby"])
        assert (delegate, dv.admin_id) == (row["createdby"].id, row["createdonbehalfby"].id)
        plain = dv.add_user("Plain User", privileges=["prvCreatebackgroundoperation"])
        with rejects("0x80040220") as info:
            dv.service_for(plain).impersonate(delegate).create(Entity(TABLE, name="b"))
        assert "prvActOnBehalfOfAnotherUser" in info.value.message


class TestUpsert:
    def test_upsert_creates_then_replaces_whole(self, dv: FakeDataverse) -> None:
        """Upsert creates a missing row, then replaces it: omitted columns become null."""
        row_id = uuid.uuid4()
        first = dv.service.upsert(Entity(TABLE, row_id, name="a", priority=4, retrycount=1))
        assert first.record_created and row_id == first.target.id
        dv.service.update(Entity(TABLE, row_id, errormessage="boom"))
        dv.clock.advance(5)
        second = dv.service.upsert(Entity(TABLE, row_id, name="b"))
        assert not second.record_created
        row = dv.rows()[0]
        assert ("b", None, None, None) == (
            row["name"], row["priority"], row["retrycount"], row["errormessage"])
        assert (START, START + dt.timedelta(seconds=5)) == (row["createdon"], row["modifiedon"])
        assert OptionSetValue(0) == row[STATE]

    def test_upsert_in_a_partition(self, dv: FakeDataverse) -> None:
        """An upsert keyed by id + partition writes that partition's row."""
        row_id = uuid.uuid4()
        keys = {"backgroundoperationid": row_id, "partitionid": "p9"}
        dv.service.upsert(Entity(TABLE, key_attributes=keys, name="a"))
        response = dv.service.upsert(Entity(TABLE, key_attributes=keys, name="b"))
        assert not response.record_created
        assert {"p9"} == {r["partitionid"] for r in dv.rows()}
        assert ["b"] == [r["name"] for r in dv.rows()]


class TestDelete:
    def test_delete_then_missing(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A deleted row is gone; deleting again is 0x80048d02."""
        row_id = dv.service.create(Entity(TABLE, name="a", partitionid="p"))
        dv.service.delete(TABLE, row_id, partition_id="p")
        assert [] == dv.rows()
        with rejects("0x80048d02"):
            dv.service.delete(TABLE, row_id, partition_id="p")


class TestMessages:
    def test_generic_request_equals_typed(self, dv: FakeDataverse) -> None:
        """OrganizationRequest("Create", {"Target": …}) is the same message as CreateRequest."""
        response = dv.service.execute(
            OrganizationRequest("Create", {"Target": Entity(TABLE, name="g")}))
        assert "g" == dv.service.retrieve(TABLE, response["id"], ["name"])["name"]

    @pytest.mark.parametrize("name", ["Assign", "SetState", "GrantAccess"])
    def test_unsupported_message(self, dv: FakeDataverse, rejects: Rejects, name: str) -> None:
        """A message the table does not list fails with 0x80040315, never silently."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        with rejects("0x80040315") as info:
            dv.service.execute(
                OrganizationRequest(name, {"Target": EntityReference(TABLE, row_id)}))
        expected = f"The '{name}' method does not support entities of type 'backgroundoperation'."
        assert expected == info.value.message

    def test_unknown_message(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A message name Dataverse does not know is 0x80040219."""
        with rejects("0x80040219"):
            dv.service.execute(OrganizationRequest("NoSuchMessage", {}))

    def test_systemuser_supports_only_reads(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """systemuser is read-only here: Create is not supported on it."""
        with rejects("0x80040315"):
            dv.service.create(Entity("systemuser", lastname="x"))
        admin = dv.service.retrieve("systemuser", dv.admin_id, ["fullname"])
        assert "System Administrator" == admin["fullname"]

    @pytest.mark.parametrize(
        ("name", "make"),
        [
            ("Create", lambda dv: CreateRequest(target=Entity("systemuser"))),
            ("Update", lambda dv: UpdateRequest(target=Entity("systemuser", dv.admin_id))),
            ("Upsert", lambda dv: UpsertRequest(target=Entity("systemuser", dv.admin_id))),
        ],
    )
    def test_an_entity_without_columns_still_names_its_table(
        self, dv: FakeDataverse, rejects: Rejects, name: str, make: Any
    ) -> None:
        """A Target with no columns is refused on a table that does not list the message, as a
        Target with columns is: it neither adds a user nor touches the administrator's row."""
        before = store_state(dv, "systemuser")
        with rejects("0x80040315") as info:
            dv.service.execute(make(dv))
        expected = f"The '{name}' method does not support entities of type 'systemuser'."
        assert expected == info.value.message
        assert before == store_state(dv, "systemuser")

    def test_unknown_table(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A table the organization does not have is 0x80040217."""
        with rejects("0x80040217"):
            dv.service.create(Entity("account", name="x"))

    def test_upsert_request_wrong_target_type(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A request with a Target of the wrong type is 0x80040203, not a Python error."""
        with rejects("0x80040203"):
            reference = EntityReference(TABLE, uuid.uuid4())
            dv.service.execute(UpsertRequest(target=reference))  # type: ignore[arg-type]


class TestOddInput:
    def test_unpaired_surrogate_is_a_string_like_any_other(self, dv: FakeDataverse) -> None:
        """A lone UTF-16 surrogate counts one unit and never crashes the fake."""
        row_id = dv.service.create(Entity(TABLE, name="\ud800"))
        assert "\ud800" == dv.service.retrieve(TABLE, row_id, ["name"])["name"]

    def test_change_tracking_on_a_table_without_it(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """systemuser is not change-tracked: RetrieveEntityChanges is 0x80072491."""
        with rejects("0x80072491"):
            dv.service.execute(RetrieveEntityChangesRequest(
                entity_name="systemuser", columns=ColumnSet("fullname")))
