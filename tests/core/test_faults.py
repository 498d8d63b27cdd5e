"""Fault injection: throttling and injected faults for testing a client's retries."""

from __future__ import annotations

import datetime as dt

import pytest

from fake_dataverse import DataverseError, Entity, FakeDataverse

from .conftest import TABLE, Rejects


class TestThrottle:
    def test_next_message_is_throttled_once(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """throttle() answers the next message with 0x80072322 and Retry-After; then it passes."""
        dv.faults.throttle(retry_after=7)
        with rejects("0x80072322") as info:
            dv.service.create(Entity(TABLE, name="a"))
        assert 429 == info.value.http_status
        assert dt.timedelta(seconds=7) == info.value.error_details["Retry-After"]
        dv.service.create(Entity(TABLE, name="a"))
        assert 1 == len(dv.rows())

    @pytest.mark.parametrize(("kind", "code"), [("execution_time", "0x80072321"),
                                                ("concurrency", "0x80072326")])
    def test_other_limits(self, dv: FakeDataverse, rejects: Rejects, kind: str, code: str) -> None:
        """The execution-time and concurrency limits have their own codes."""
        dv.faults.throttle(kind)
        with rejects(code):
            dv.service.create(Entity(TABLE, name="a"))

    def test_only_the_named_message(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """A fault for one message leaves the others alone, for as many times as asked."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        dv.faults.throttle(message="Update", times=2)
        dv.service.retrieve(TABLE, row_id)
        for _ in range(2):
            with rejects("0x80072322"):
                dv.service.update(Entity(TABLE, row_id, retrycount=1))
        dv.service.update(Entity(TABLE, row_id, retrycount=1))

    def test_unknown_kind(self, dv: FakeDataverse) -> None:
        """An unknown limit name is refused with the names allowed."""
        with pytest.raises(ValueError, match="concurrency"):
            dv.faults.throttle("bandwidth")


class TestFailNext:
    def test_any_fault(self, dv: FakeDataverse, rejects: Rejects) -> None:
        """fail_next() raises the given fault from the next message; reset() clears it."""
        dv.faults.fail_next(DataverseError("Service unavailable"), times=3)
        with rejects("0x80040216"):
            dv.service.create(Entity(TABLE, name="a"))
        dv.reset()
        dv.service.create(Entity(TABLE, name="a"))
