"""Storage: clock, ids, TTL expiry, change log, snapshots and reset."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
import requests

from fake_dataverse import (
    Clock,
    CreateRequest,
    DataverseError,
    Entity,
    ExecuteTransactionRequest,
    FakeDataverse,
    IdFactory,
)

from ..traces import store_state
from .conftest import TABLE, Rejects

START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)


class TestClock:
    def test_frozen_set_and_advance(self) -> None:
        """The clock stands still until set or advanced."""
        clock = Clock(START)
        assert START == clock.now() == clock.now()
        assert START + dt.timedelta(days=1, seconds=5) == clock.advance(5, days=1)
        later = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
        clock.set(later)
        assert later == clock.now()

    def test_naive_datetimes_are_refused(self) -> None:
        """The clock needs aware datetimes, so tests cannot mix up time zones."""
        with pytest.raises(ValueError, match="aware"):
            Clock(dt.datetime(2026, 1, 1))

    def test_advance_backwards_is_refused(self) -> None:
        """advance() only moves forward."""
        with pytest.raises(ValueError, match="forward"):
            Clock(START).advance(-1)

    def test_unfrozen_clock_runs(self) -> None:
        """An unfrozen clock moves with the wall clock from the fake instant."""
        clock = Clock(START, frozen=False)
        assert not clock.frozen
        assert clock.now() >= START
        clock.freeze()
        assert clock.now() == clock.now()

    def test_advance_of_a_running_clock_returns_the_time_it_now_reads(self) -> None:
        """advance() on an unfrozen clock returns the new time including the wall-clock time
        that has passed since it started, as now() reads it."""
        clock = Clock(START, frozen=False)
        time.sleep(0.002)
        before = clock.now()
        returned = clock.advance(60)
        assert before + dt.timedelta(seconds=60) <= returned <= clock.now()


class TestClockInputs:
    def test_advance_takes_a_timedelta(self) -> None:
        """advance(timedelta(...)) moves the clock as advance(seconds) does; both add up."""
        clock = Clock(START)
        assert START + dt.timedelta(minutes=5) == clock.advance(dt.timedelta(minutes=5))
        assert START + dt.timedelta(minutes=5, hours=1, seconds=1) == clock.advance(
            dt.timedelta(seconds=1), hours=1
        )
        with pytest.raises(ValueError, match="forward"):
            clock.advance(dt.timedelta(seconds=-1))

    @pytest.mark.parametrize(
        ("step", "error", "message"),
        [
            ("60", TypeError, "not seconds='60'"),
            (None, TypeError, "not seconds=None"),
            (True, TypeError, "not seconds=True"),
            (1e20, ValueError, "is no step a date can take"),
            (float("nan"), ValueError, "is no step a date can take"),
            (float("inf"), ValueError, "is no step a date can take"),
            (dt.timedelta(days=999_999_999), ValueError, "past the year 9999"),
        ],
    )
    def test_a_step_no_date_can_take_says_so(
        self, step: object, error: type[Exception], message: str
    ) -> None:
        """advance() refuses what is no step (TypeError) or none a date can take (ValueError,
        never an OverflowError), and the clock does not move."""
        clock = Clock(START)
        with pytest.raises(error, match=message):
            clock.advance(step)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="not days='1'"):
            clock.advance(days="1")  # type: ignore[arg-type]
        assert START == clock.now()

    def test_iso_text_is_a_time(self) -> None:
        """Clock(), set() and FakeDataverse(clock=) take ISO-8601 text with an offset."""
        new_year = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
        clock = Clock("2026-01-01T11:00:00+02:00")
        assert START == clock.now()
        clock.set("2027-01-01T00:00:00Z")
        assert new_year == clock.now()
        assert new_year == FakeDataverse(clock="2027-01-01T00:00:00Z").clock.now()

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "2027-01-01T00:00:00",
                "the clock's time must be an aware datetime or an ISO-8601 string with an offset, "
                "e.g. datetime(2026, 1, 1, tzinfo=timezone.utc) or '2026-01-01T09:00:00Z'; got "
                "datetime.datetime(2027, 1, 1, 0, 0)",
            ),
            ("next tuesday", "'next tuesday' is not an ISO-8601 date and time"),
        ],
    )
    def test_text_without_an_offset_is_refused(self, text: str, message: str) -> None:
        """Text naming no offset (or no time) is refused, and the clock does not move."""
        clock = Clock(START)
        with pytest.raises(ValueError) as info:
            clock.set(text)
        assert str(info.value).startswith(message)
        with pytest.raises(ValueError) as info:
            FakeDataverse(clock=text)
        assert str(info.value).startswith(message)
        assert START == clock.now()

    def test_follow_reads_another_clock(self) -> None:
        """follow(source) reads the time from a function until freeze(); set() is refused."""
        outside = [START]
        clock = Clock()
        clock.follow(lambda: outside[0])
        outside[0] = START + dt.timedelta(hours=1)
        assert outside[0] == clock.now() and not clock.frozen
        with pytest.raises(ValueError, match="follows another"):
            clock.set(START)
        clock.freeze()
        outside[0] = START + dt.timedelta(hours=2)
        assert START + dt.timedelta(hours=1) == clock.now()
        with pytest.raises(ValueError, match="aware"):
            clock.follow(lambda: dt.datetime(2026, 1, 1))

    def test_a_failed_transaction_and_a_restore_work_on_a_followed_clock(self) -> None:
        """Rolling back and restoring leave a followed clock alone (its time is not the fake's)."""
        outside = [START]
        dv = FakeDataverse(atomic_changesets=True)
        dv.clock.follow(lambda: outside[0])
        existing = dv.service.create(Entity(TABLE, name="a"))
        saved = dv.snapshot()
        before = store_state(dv)
        outside[0] = START + dt.timedelta(hours=1)
        transaction = ExecuteTransactionRequest(requests=[
            CreateRequest(target=Entity(TABLE, name="b")),
            CreateRequest(target=Entity(TABLE, existing, name="again")),
        ])
        with pytest.raises(DataverseError) as raised:
            dv.service.execute(transaction)
        assert "0x80040237" == raised.value.hex_code  # the duplicate, not the clock
        assert before == store_state(dv)
        dv.service.create(Entity(TABLE, name="c"))
        dv.restore(saved)
        assert before == store_state(dv)
        assert outside[0] == dv.clock.now()


class TestVersionsFollowTheClock:
    def test_a_clock_set_back_before_any_write_is_where_versions_start(self) -> None:
        """Rows written after clock.set(<earlier>) carry versions of that time, rising."""
        from fake_dataverse._storage._clock import dotnet_ticks

        dv = FakeDataverse()
        earlier = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        dv.clock.set(earlier)
        first = dv.service.create(Entity(TABLE, name="a"))
        second = dv.service.create(Entity(TABLE, name="b"))
        versions = [
            dv.service.retrieve(TABLE, row, ["versionnumber"])["versionnumber"]
            for row in (first, second)
        ]
        assert [dotnet_ticks(earlier), dotnet_ticks(earlier) + 1] == versions

    def test_versions_still_rise_when_the_clock_goes_back_after_writes(self) -> None:
        """Set back after a write, the clock cannot make a version older than the last one."""
        dv = FakeDataverse()
        first = dv.service.create(Entity(TABLE, name="a"))
        dv.clock.set("2020-01-01T00:00:00Z")
        second = dv.service.create(Entity(TABLE, name="b"))
        before, after = (
            dv.service.retrieve(TABLE, row, ["versionnumber"])["versionnumber"]
            for row in (first, second)
        )
        assert after == before + 1


class TestIds:
    def test_same_seed_same_ids(self) -> None:
        """Ids are deterministic version-4 GUIDs from a seed."""
        first, second = IdFactory(7), IdFactory(7)
        ids = [first.new_id() for _ in range(3)]
        assert ids == [second.new_id() for _ in range(3)]
        assert all(4 == i.version for i in ids)
        assert ids != [IdFactory(8).new_id() for _ in range(3)]

    def test_fake_ids_follow_the_seed(self) -> None:
        """Two fakes with one seed create rows with the same ids."""
        a, b = FakeDataverse(id_factory=42), FakeDataverse(id_factory=42)
        assert a.service.create(Entity(TABLE)) == b.service.create(Entity(TABLE))


class TestTtl:
    def test_an_expiry_past_the_year_9999_never_comes(self) -> None:
        """Near the end of the calendar a row's ttl is kept and the row never expires (was an
        OverflowError raised from Create and from every Web API POST)."""
        dv = FakeDataverse(clock="9999-12-31T23:59:00Z")
        row_id = dv.service.create(Entity(TABLE, name="late", ttlinseconds=3600))
        with dv.intercept():
            reply = requests.post(f"{dv.url}/api/data/v9.2/backgroundoperations",
                                  json={"name": "later"}, headers={"Authorization": "Bearer t"})
        assert 204 == reply.status_code
        assert 3600 == dv.service.retrieve(TABLE, row_id, ["ttlinseconds"])["ttlinseconds"]
        assert ["late", "later"] == sorted(row["name"] for row in dv.rows())

    def test_row_expires_after_ttl_from_last_modification(self, dv: FakeDataverse) -> None:
        """A row with ttlinseconds disappears that long after its last write (#18)."""
        row_id = dv.service.create(Entity(TABLE, name="short", ttlinseconds=60))
        dv.clock.advance(50)
        dv.service.update(Entity(TABLE, row_id, retrycount=1))
        dv.clock.advance(50)
        assert 1 == len(dv.rows())  # 50 s after the update: still alive
        dv.clock.advance(10)
        assert [] == dv.rows()

    def test_expired_row_is_not_found(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """Every read misses an expired row at once."""
        row_id = dv.service.create(Entity(TABLE, name="short", ttlinseconds=1))
        dv.clock.advance(1)
        with rejects("0x80048d02"):
            dv.service.retrieve(TABLE, row_id)

    def test_expiry_writes_no_change_by_default(self, dv: FakeDataverse) -> None:
        """TTL expiry adds no change-log entry unless ttl_emits_deletes."""
        dv.service.create(Entity(TABLE, name="short", ttlinseconds=1))
        dv.clock.advance(2)
        assert [] == dv.rows()
        assert [False] == [c.deleted for c in dv.organization.store.changes_since(TABLE, 0)]
        emitting = FakeDataverse(ttl_emits_deletes=True)
        emitting.service.create(Entity(TABLE, name="short", ttlinseconds=1))
        emitting.clock.advance(2)
        assert [] == emitting.rows()
        changes = emitting.organization.store.changes_since(TABLE, 0)
        assert [False, True] == [c.deleted for c in changes]

    def test_row_without_ttl_persists(self, dv: FakeDataverse) -> None:
        """No ttlinseconds: the row never expires."""
        dv.service.create(Entity(TABLE, name="forever"))
        dv.clock.advance(days=3650)
        assert 1 == len(dv.rows())


class TestChangeLog:
    def test_every_write_and_delete_is_logged_in_version_order(self, dv: FakeDataverse) -> None:
        """Create, update, upsert and delete each append one entry with a rising version."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        dv.service.update(Entity(TABLE, row_id, retrycount=1))
        dv.service.upsert(Entity(TABLE, row_id, name="b"))
        dv.service.delete(TABLE, row_id)
        changes = dv.organization.store.changes_since(TABLE, 0)
        assert [False, False, False, True] == [c.deleted for c in changes]
        versions = [c.version for c in changes]
        assert versions == sorted(set(versions))
        assert changes[1:] == dv.organization.store.changes_since(TABLE, versions[0])


class TestSnapshots:
    def test_restore_puts_everything_back(self, dv: FakeDataverse) -> None:
        """restore() brings back rows, users, versions, ids and time."""
        dv.service.create(Entity(TABLE, name="kept"))
        saved = dv.snapshot()
        version = dv.organization.store.last_version
        user = dv.add_user("Later User")
        next_id = dv.service.create(Entity(TABLE, name="later"))
        dv.clock.advance(100)
        dv.restore(saved)
        assert ["kept"] == [r["name"] for r in dv.rows()]
        assert version == dv.organization.store.last_version
        assert user not in dv.organization.users
        assert START == dv.clock.now()
        dv.add_user("Later User")
        assert next_id == dv.service.create(Entity(TABLE, name="later"))

    def test_reset_empties_the_organization(self, dv: FakeDataverse) -> None:
        """reset() removes rows and added users but keeps the administrator."""
        first = dv.service.create(Entity(TABLE, name="a"))
        dv.add_user("Gone Soon")
        dv.reset()
        assert [] == dv.rows()
        assert [dv.admin_id] == list(dv.organization.users)
        assert first == dv.service.create(Entity(TABLE, name="a"))  # ids start again

    def test_rows_are_independent_copies(self, dv: FakeDataverse) -> None:
        """Changing an Entity from rows() or retrieve() never changes the store."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        dv.rows()[0]["name"] = "changed"
        dv.service.retrieve(TABLE, row_id)["name"] = "changed"
        assert "a" == dv.rows()[0]["name"]


def test_url_must_be_an_organization_root() -> None:
    """A URL with a path is refused with a message showing the expected form."""
    with pytest.raises(ValueError, match="contoso"):
        FakeDataverse("https://contoso.crm.dynamics.com/api/data/v9.2")
    assert "https://x.crm.dynamics.com" == FakeDataverse("https://x.crm.dynamics.com/").url


def test_unknown_user_cannot_get_a_service(dv: FakeDataverse) -> None:
    """service_for() an unknown user id fails at once."""
    with pytest.raises(Exception, match="Does Not Exist"):
        dv.service_for(uuid.uuid4())
