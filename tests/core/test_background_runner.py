"""The background runner: handler contexts, time, modes, robustness and threads."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest

from fake_dataverse import (
    CustomApiContext,
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
)

from ..traces import store_state
from .conftest import TABLE

STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"


def _start(dv: FakeDataverse, name: str = "sample_Export", **inputs: Any) -> uuid.UUID:
    response = dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
        "Request": OrganizationRequest(name, inputs)}))
    return response["BackgroundOperationId"]  # type: ignore[no-any-return]


def _row(dv: FakeDataverse, op: uuid.UUID) -> dict[str, Any]:
    [row] = [r for r in dv.rows() if r.id == op]
    return {k: v.value if isinstance(v, OptionSetValue) else v for k, v in row.attributes.items()}


def _pair(dv: FakeDataverse, op: uuid.UUID) -> tuple[int, int]:
    row = _row(dv, op)
    return (row[STATE], row[STATUS])


def _cancel(dv: FakeDataverse, op: uuid.UUID) -> None:
    dv.service.update(Entity(TABLE, op, **{STATE: OptionSetValue(2), STATUS: OptionSetValue(22)}))


class Failing:
    """Fails every attempt; records each attempt's context."""

    def __init__(self) -> None:
        self.contexts: list[CustomApiContext] = []

    def __call__(self, inputs: dict[str, Any], context: CustomApiContext) -> None:
        self.contexts.append(context)
        raise DataverseError("Access is denied.")


class TestHandlerContext:
    def test_context_fields(self, dv: FakeDataverse) -> None:
        """attempt counts 1..4 across retries; operation_id and clock are the operation's."""
        api = Failing()
        dv.background.register("sample_Export", api)
        op = _start(dv)
        dv.background.run(op)
        assert [1, 2, 3, 4] == [c.attempt for c in api.contexts]
        assert {op} == {c.operation_id for c in api.contexts}
        assert dv.clock is api.contexts[0].clock
        assert dv.admin_id == api.contexts[0].service.caller_id

    def test_one_argument_handlers_still_work(self, dv: FakeDataverse) -> None:
        """handler(inputs) is called without a context."""
        dv.background.register("sample_Echo", lambda inputs: {"Echo": inputs["Text"]})
        op = _start(dv, "sample_Echo", Text="hi")
        dv.background.run(op)
        assert '[{"Key":"Echo","Value":"hi"}]' == _row(dv, op)["outputparameters"]

    def test_a_direct_call_gets_the_callers_service_and_no_operation(
        self, dv: FakeDataverse
    ) -> None:
        """Called synchronously, the context has the caller's service and operation_id None."""
        seen: list[CustomApiContext] = []
        dv.background.register("sample_Look", lambda inputs, context: seen.append(context))
        user = dv.add_user("Jane Doe")
        dv.service_for(user).execute(OrganizationRequest("sample_Look", {}))
        assert [(user, None, 1)] == [(c.service.caller_id, c.operation_id, c.attempt)
                                      for c in seen]

    def test_a_python_error_fails_with_code_zero(self, dv: FakeDataverse) -> None:
        """A non-Dataverse exception fails the operation with errorcode 0 and its text."""
        def broken(inputs: dict[str, Any]) -> None:
            raise KeyError("FetchXml")

        dv.background.register("sample_Export", broken)
        op = _start(dv)
        dv.background.run_all()
        row = _row(dv, op)
        assert ((3, 31), 0, "'FetchXml'") == (_pair(dv, op), row["errorcode"],
                                              row["errormessage"])


class TestTime:
    def test_advance_runs_exactly_what_falls_due(self, dv: FakeDataverse) -> None:
        """A retry due in 60 s does not run in a 59 s window, and runs in the next second."""
        api = Failing()
        dv.background.register("sample_Export", api)
        op = _start(dv)
        start = dv.clock.now()
        assert [op] == dv.background.advance(0)  # due now: start, fail, wait for the retry
        assert ((0, 0), 1) == (_pair(dv, op), len(api.contexts))
        assert [] == dv.background.advance(59)
        assert (start + dt.timedelta(seconds=59), 1) == (dv.clock.now(), len(api.contexts))
        assert [op] == dv.background.advance(1)
        assert 2 == len(api.contexts)
        assert [op] == dv.background.advance(10_000)
        assert ((3, 31), 4) == (_pair(dv, op), len(api.contexts))
        assert start + dt.timedelta(seconds=10_060) == dv.clock.now()

    def test_advance_never_moves_time_back_past_what_a_handler_did(
        self, dv: FakeDataverse
    ) -> None:
        """A handler that moves the clock on (work that takes an hour) keeps it there: a
        10 s advance ends at the later time, so the row's end is not in the clock's future."""

        def slow(inputs: dict[str, Any]) -> None:
            dv.clock.advance(hours=1)

        dv.background.register("sample_Slow", slow)
        op = _start(dv, "sample_Slow")
        start = dv.clock.now()
        assert [op] == dv.background.advance(10)
        assert start + dt.timedelta(hours=1) == dv.clock.now() == _row(dv, op)["endtime"]

    def test_advance_runs_in_due_order(self, dv: FakeDataverse) -> None:
        """Operations run in the order they fall due, each at its moment."""
        ran: list[tuple[str, dt.datetime]] = []
        dv.background.register("sample_Export", lambda i, c: ran.append((i["N"], c.clock.now())))
        start = dv.clock.now()
        first = _start(dv, N="first")
        dv.clock.advance(10)
        second = _start(dv, N="second")
        dv.clock.set(start)  # both now lie in the window ahead
        assert [first, second] == dv.background.advance(30)
        assert [("first", start), ("second", start + dt.timedelta(seconds=10))] == ran

    @pytest.mark.parametrize("written", ["created directly", "put back by a restore"])
    def test_a_row_the_runner_did_not_start_runs_in_due_order(
        self, dv: FakeDataverse, written: str
    ) -> None:
        """An operation written another way runs when due, before a retry that falls due later."""
        ran: list[tuple[str, dt.datetime]] = []

        def fails_once(inputs: dict[str, Any], context: CustomApiContext) -> None:
            ran.append((inputs["N"], context.clock.now()))
            if inputs["N"] == "retried" and context.attempt == 1:
                raise DataverseError("Access is denied.")

        dv.background.register("sample_Export", fails_once)
        start = dv.clock.now()
        retried = _start(dv, N="retried")
        assert [retried] == dv.background.advance(0)  # failed once: its retry is due in 60 s
        saved = dv.snapshot()
        direct = dv.service.create(Entity(
            TABLE, name="sample_Export", runas=str(dv.admin_id),
            inputparameters='[{"Key": "N", "Value": "direct"}]',
        ))
        if written == "put back by a restore":
            dv.background.pending()  # the runner has seen the row ...
            later = dv.snapshot()
            dv.restore(saved)  # ... which goes, and comes back
            dv.restore(later)
        assert [direct, retried] == dv.background.run_all()
        assert [("retried", start), ("direct", start),
                ("retried", start + dt.timedelta(seconds=60))] == ran

    def test_operations_started_in_the_window_run_too(self, dv: FakeDataverse) -> None:
        """A handler that starts another operation: advance() runs that one as well."""
        def chain(inputs: dict[str, Any], context: CustomApiContext) -> None:
            if inputs.get("Next"):
                context.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
                    "Request": OrganizationRequest("sample_Chain", {})}))

        dv.background.register("sample_Chain", chain)
        first = _start(dv, "sample_Chain", Next=True)
        moved = dv.background.advance(0)
        assert 2 == len(moved) and first == moved[0]
        assert [(3, 30), (3, 30)] == [_pair(dv, op) for op in moved]

    def test_advance_refuses_a_negative_window(self, dv: FakeDataverse) -> None:
        """Time only moves forward."""
        with pytest.raises(ValueError, match="seconds from 0"):
            dv.background.advance(-1)

    @pytest.mark.parametrize("seconds", [1e20, 1e12, float("nan"), float("inf")])
    def test_advance_refuses_a_window_no_date_can_take(
        self, dv: FakeDataverse, seconds: float
    ) -> None:
        """A window past the year 9999 (or not finite) is a ValueError; nothing moves."""
        dv.background.register("sample_Export", lambda inputs: {})
        op = _start(dv)
        before = dv.clock.now()
        with pytest.raises(ValueError, match=r"no step a date can take|past the year 9999"):
            dv.background.advance(seconds)
        assert (before, [op]) == (dv.clock.now(), dv.background.pending())

    def test_a_failure_with_no_date_left_for_its_retry_fails_for_good(self) -> None:
        """Near the end of the calendar a failed attempt whose retry would fall past 9999 ends
        the operation 3/31 (was an OverflowError leaving it In Progress)."""
        dv = FakeDataverse(clock="9999-12-31T23:59:00Z")
        dv.background.register("sample_Export", Failing())
        op = _start(dv)
        dv.background.start(op)
        dv.background.finish(op)
        assert ((3, 31), 0) == (_pair(dv, op), _row(dv, op)["retrycount"])
        assert [] == dv.background.pending()

    def test_start_moves_the_clock_to_a_retry(self, dv: FakeDataverse) -> None:
        """start() of a waiting retry happens at its due time: the clock moves there."""
        dv.background.register("sample_Export", Failing())
        op = _start(dv)
        dv.background.start(op)
        dv.background.finish(op)
        failed_at = dv.clock.now()
        dv.background.start(op)
        assert failed_at + dt.timedelta(seconds=60) == _row(dv, op)["starttime"] == dv.clock.now()


class TestModes:
    def test_constructor_settings(self) -> None:
        """FakeDataverse(background=, advance_on_poll=) set the modes; wrong values say so."""
        dv = FakeDataverse(background="auto", advance_on_poll=2)
        assert (True, 2) == (dv.background.auto_run, dv.background.advance_on_poll)
        assert (False, None) == (FakeDataverse().background.auto_run,
                                 FakeDataverse().background.advance_on_poll)
        with pytest.raises(ValueError, match='background must be "manual" or "auto"'):
            FakeDataverse(background="automatic")
        with pytest.raises(ValueError, match="advance_on_poll is None or a whole number"):
            FakeDataverse(advance_on_poll=0)

    def test_auto_run_with_sdk_execute(self, dv: FakeDataverse) -> None:
        """auto_run: ExecuteBackgroundOperation returns with the operation finished."""
        dv.background.register("sample_Export", lambda inputs: {"Done": True})
        dv.background.auto_run = True
        op = _start(dv)
        assert ((3, 30), []) == (_pair(dv, op), dv.background.pending())

    def test_reads_through_retrieve_multiple_do_not_count(self, dv: FakeDataverse) -> None:
        """Only reads of the row itself (Retrieve, GET) and the status monitor are polls."""
        dv.background.register("sample_Export", lambda inputs: None)
        dv.background.advance_on_poll = 1
        op = _start(dv)
        dv.rows()
        from fake_dataverse import QueryExpression

        dv.service.retrieve_multiple(QueryExpression(TABLE))
        assert (0, 0) == _pair(dv, op)
        dv.service.retrieve(TABLE, op, [STATE])
        assert (2, 20) == _pair(dv, op)


class TestFollowedClock:
    """A clock that follows another is not the fake's to move: a retry waits for that clock."""

    @pytest.fixture
    def outside(self, dv: FakeDataverse) -> list[dt.datetime]:
        """The other clock (what freezegun would patch), followed by ``dv``'s."""
        time = [dv.clock.now()]
        dv.clock.follow(lambda: time[0])
        return time

    @staticmethod
    def _failing(attempts: list[dt.datetime]) -> Any:
        def fail(inputs: dict[str, Any], context: CustomApiContext) -> None:
            attempts.append(context.clock.now())
            raise DataverseError("Access is denied.")

        return fail

    def test_auto_run_leaves_a_retry_waiting_for_the_other_clock(
        self, dv: FakeDataverse, outside: list[dt.datetime]
    ) -> None:
        """The start is answered (was a ValueError from deferred work); attempt 2 runs once the
        other clock reaches its due time, at that time."""
        attempts: list[dt.datetime] = []
        dv.background.register("sample_Export", self._failing(attempts))
        dv.background.auto_run = True
        start = outside[0]
        op = _start(dv)
        assert ((0, 0), 1, [op]) == (_pair(dv, op), _row(dv, op)["retrycount"],
                                     dv.background.pending())
        assert [] == dv.background.advance(0)  # not due yet
        outside[0] = start + dt.timedelta(seconds=59)
        assert [] == dv.background.advance(0)
        outside[0] = start + dt.timedelta(seconds=60)
        assert [op] == dv.background.advance(0)
        assert [start, start + dt.timedelta(seconds=60)] == attempts

    def test_run_all_runs_what_the_other_clock_has_reached(
        self, dv: FakeDataverse, outside: list[dt.datetime]
    ) -> None:
        """run_all() runs what is due and stops at a wait; each retry runs once the other
        clock has passed its due time (the backoff counts from the failed attempt)."""
        attempts: list[dt.datetime] = []
        dv.background.register("sample_Export", self._failing(attempts))
        dv.background.register("sample_Fine", lambda inputs: {})
        failing, fine = _start(dv), _start(dv, "sample_Fine")
        start = outside[0]
        assert [failing, fine] == dv.background.run_all()
        assert ((0, 0), (3, 30), [start]) == (_pair(dv, failing), _pair(dv, fine), attempts)
        assert start == dv.clock.now()
        for hours in (1, 2, 3):
            outside[0] = start + dt.timedelta(hours=hours)
            assert [failing] == dv.background.run_all()
        assert [start + dt.timedelta(hours=h) for h in range(4)] == attempts
        assert ((3, 31), []) == (_pair(dv, failing), dv.background.pending())

    def test_advance_and_start_refuse_to_move_it_and_change_nothing(
        self, dv: FakeDataverse, outside: list[dt.datetime]
    ) -> None:
        """advance(seconds) and start() of a retry the other clock has not reached: a ValueError
        saying what to do; nothing runs, nothing is written."""
        dv.background.register("sample_Export", Failing())
        op = _start(dv)
        dv.background.run(op)  # attempt 1 fails: the retry is due in 60 s
        before = store_state(dv)
        with pytest.raises(ValueError, match=r"advance\(\) cannot move a clock that follows"):
            dv.background.advance(60)
        with pytest.raises(ValueError, match=f"{op} is due at .*followed clock"):
            dv.background.start(op)
        with pytest.raises(ValueError, match=f"{op} is due at .*followed clock"):
            dv.background.start()
        assert (before, [op]) == (store_state(dv), dv.background.pending())

    def test_a_poll_moves_an_operation_only_once_it_is_due(
        self, dv: FakeDataverse, outside: list[dt.datetime]
    ) -> None:
        """advance_on_poll: a poll before the retry's due time moves nothing, one after it
        starts the retry."""
        dv.background.register("sample_Export", Failing())
        dv.background.advance_on_poll = 1
        op = _start(dv)
        dv.service.retrieve(TABLE, op, [STATE])  # starts it
        dv.service.retrieve(TABLE, op, [STATE])  # attempt 1 fails
        assert ((0, 0), 1) == (_pair(dv, op), _row(dv, op)["retrycount"])
        dv.service.retrieve(TABLE, op, [STATE])
        assert (0, 0) == _pair(dv, op)
        outside[0] += dt.timedelta(seconds=60)
        dv.service.retrieve(TABLE, op, [STATE])
        assert (2, 20) == _pair(dv, op)


class TestRobustness:
    def test_run_all_after_a_cancel_of_a_started_operation(self, dv: FakeDataverse) -> None:
        """Started, then canceled (2/22 with a starttime): run_all finishes it, no retry."""
        api = Failing()
        dv.background.register("sample_Export", api)
        op = _start(dv)
        dv.background.start(op)
        _cancel(dv, op)
        assert [op] == dv.background.run_all()
        assert ((3, 31), 1, []) == (_pair(dv, op), len(api.contexts), dv.background.pending())

    def test_run_finishes_a_started_operation(self, dv: FakeDataverse) -> None:
        """run(id) of an operation already started finishes it."""
        dv.background.register("sample_Export", lambda inputs: None)
        op = _start(dv)
        dv.background.start(op)
        assert op == dv.background.run(op)
        assert (3, 30) == _pair(dv, op)

    def test_an_unregistered_custom_api_fails_as_unknown(self, dv: FakeDataverse) -> None:
        """Its operations fail with Dataverse's unknown-message error (0x80040219)."""
        dv.background.register("sample_Export", lambda inputs: None)
        op = _start(dv)
        dv.background.unregister("sample_Export")
        dv.background.run_all()
        row = _row(dv, op)
        assert ((3, 31), 0x80040219 - 2**32, 3) == (_pair(dv, op), row["errorcode"],
                                                    row["retrycount"])
        assert row["errormessage"].startswith("Request 'sample_Export' is not a valid message.")
        with pytest.raises(KeyError, match="no custom API named 'sample_Export'"):
            dv.background.unregister("sample_Export")

    def test_garbage_the_columns_allow_fails_the_operation(self, dv: FakeDataverse) -> None:
        """Writable columns edited by hand (inputs, runas) fail the operation, never the runner."""
        dv.background.register("sample_Export", lambda inputs: None)
        bad_inputs = dv.service.create(Entity(TABLE, name="sample_Export",
                                              inputparameters="not json"))
        bad_runas = dv.service.create(Entity(TABLE, name="sample_Export", runas="nobody"))
        dv.background.run_all()
        assert [(3, 31, 0x80040203 - 2**32), (3, 31, 0x80040217 - 2**32)] == [
            (*_pair(dv, op), _row(dv, op)["errorcode"]) for op in (bad_inputs, bad_runas)]

    def test_a_handler_returning_a_wrong_type_raises_and_writes_nothing(
        self, dv: FakeDataverse
    ) -> None:
        """A stand-in returning 42 is the test's bug: TypeError, the operation stays started."""
        dv.background.register("sample_Bad", lambda inputs: 42)
        op = _start(dv, "sample_Bad")
        dv.background.start(op)
        with pytest.raises(TypeError) as info:
            dv.background.run_all()
        assert str(info.value) == (
            "the handler of custom API 'sample_Bad' returned int 42: return a dict of output "
            "parameters, or None"
        )
        assert (2, 20) == _pair(dv, op)

    def test_one_thread_polls_while_another_drives(self) -> None:
        """Polling (advance_on_poll) and run_all from two threads: each operation runs once."""
        dv = FakeDataverse(advance_on_poll=1)
        calls: list[uuid.UUID] = []
        dv.background.register("sample_Export", lambda i, c: calls.append(c.operation_id))
        ops = [_start(dv) for _ in range(40)]
        failures: list[BaseException] = []

        def poll() -> None:
            try:
                for _ in range(3):
                    for op in ops:
                        dv.service.retrieve(TABLE, op, [STATE])
            except BaseException as error:  # reported by the main thread
                failures.append(error)

        def drive() -> None:
            try:
                dv.background.run_all()
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=poll), threading.Thread(target=drive)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        dv.background.run_all()
        assert [] == failures
        assert sorted(ops) == sorted(calls)
        assert {(3, 30)} == {_pair(dv, op) for op in ops}


class TestRecords:
    def test_an_undeliverable_callback_outside_any_mock(self, dv: FakeDataverse) -> None:
        """No interception active: nothing is sent, the record says why."""
        dv.background.register("sample_Export", lambda inputs: None)
        response = dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
            "Request": OrganizationRequest("sample_Export", {}),
            "CallbackUri": "https://hooks.example/done"}))
        dv.background.run(response["BackgroundOperationId"])
        [record] = dv.background.callbacks
        assert (None, "not delivered: no responses mock is active to receive the POST to "
                "hooks.example (the fake never sends to the network)") == (record.status,
                                                                         record.error)

    def test_snapshot_and_reset_keep_the_schedule_with_the_rows(self, dv: FakeDataverse) -> None:
        """restore() puts back the retry schedule and the callbacks; reset() forgets them."""
        dv.background.register("sample_Export", Failing())
        op = _start(dv)
        dv.background.advance(0)
        saved = dv.snapshot()
        dv.background.run_all()
        dv.restore(saved)
        assert ((0, 0), []) == (_pair(dv, op), dv.background.advance(59))
        assert [op] == dv.background.advance(1)
        dv.reset()
        assert ([], []) == (dv.background.pending(), dv.background.callbacks)

    def test_restore_puts_back_the_callbacks_and_their_urls(self, dv: FakeDataverse) -> None:
        """A callback delivered after snapshot() is gone after restore(), and the operation,
        run again, calls back to the URL it was started with."""
        dv.background.register("sample_Export", lambda inputs: None)
        response = dv.service.execute(OrganizationRequest("ExecuteBackgroundOperation", {
            "Request": OrganizationRequest("sample_Export", {}),
            "CallbackUri": "https://hooks.example/done",
        }))
        op = response["BackgroundOperationId"]
        saved = dv.snapshot()
        assert [op] == dv.background.run_all()
        assert ["https://hooks.example/done"] == [c.url for c in dv.background.callbacks]
        dv.restore(saved)
        assert ([], [op]) == (dv.background.callbacks, dv.background.pending())
        assert [op] == dv.background.run_all()
        assert ["https://hooks.example/done"] == [c.url for c in dv.background.callbacks]

    def test_on_complete_is_a_decorator_and_checks_its_argument(self, dv: FakeDataverse) -> None:
        """on_complete returns the hook; a non-callable is a TypeError."""
        def hook(row: Entity) -> None: ...

        assert hook is dv.background.on_complete(hook)
        with pytest.raises(TypeError, match="function of the completed row"):
            dv.background.on_complete("print")  # type: ignore[arg-type]
