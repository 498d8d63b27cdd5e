"""A state machine interleaving start / run / advance / poll / cancel / unregister, on the
fake's own clock or on one that follows another clock (moved forward or back meanwhile).

Whatever the order, the runner never raises (but for moving a followed clock, which it refuses
without changing anything), every row holds a valid state/status pair, an operation canceled
before it (re)started never runs again, no operation is retried more than three times, a
finished operation stays finished, and ``on_complete`` fires once per completion.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from fake_dataverse import (
    CustomApiContext,
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
    OrganizationRequest,
)

from ..traces import store_state

TABLE = "backgroundoperation"
API = "sample_Export"
STATE, STATUS = "backgroundoperationstatecode", "backgroundoperationstatuscode"
VALID = {(0, 0), (2, 20), (2, 22), (3, 30), (3, 31), (3, 32)}


class BackgroundMachine(RuleBasedStateMachine):
    operations = Bundle("operations")

    def __init__(self) -> None:
        super().__init__()
        self.dv = FakeDataverse()
        self.interception = self.dv.intercept()
        self.interception.__enter__()
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer t"
        self.calls: dict[uuid.UUID, int] = {}
        self.frozen_calls: dict[uuid.UUID, int] = {}  # canceled before (re)start: calls then
        self.final: dict[uuid.UUID, tuple[int, int]] = {}
        self.completions: list[uuid.UUID] = []
        self.dv.background.on_complete(lambda row: self.completions.append(row.id))
        self.outside = [self.dv.clock.now()]  # the other clock (what freezegun would patch)
        self._register()

    def teardown(self) -> None:
        self.interception.__exit__(None, None, None)

    def _register(self) -> None:
        def export(inputs: dict[str, Any], context: CustomApiContext) -> None:
            assert context.operation_id is not None
            self.calls[context.operation_id] = self.calls.get(context.operation_id, 0) + 1
            if context.attempt <= inputs["Failures"]:
                raise DataverseError("Access is denied.")

        self.dv.background.register(API, export)

    def _pair(self, op: uuid.UUID) -> tuple[int, int]:
        row = self.dv.organization.store.get(TABLE, (op, str(op)))
        assert row is not None
        return (row.values[STATE], row.values[STATUS])

    @initialize(every=st.sampled_from([None, 1, 2]), auto=st.booleans())
    def modes(self, every: int | None, auto: bool) -> None:
        self.dv.background.advance_on_poll = every
        self.dv.background.auto_run = auto

    # ---- starting ---------------------------------------------------------------------------
    @rule(target=operations, failures=st.integers(0, 5), web=st.booleans())
    def start_operation(self, failures: int, web: bool) -> uuid.UUID:
        if web:
            response = self.session.post(
                f"{self.dv.url}/api/data/v9.2/{API}", json={"Failures": failures},
                headers={"Prefer": 'respond-async, odata.callback; url="https://hooks.example/x"'})
            if API not in self.dv.organization.custom_apis:
                assert 404 == response.status_code
                return uuid.UUID(int=0)
            assert 202 == response.status_code, response.text
            return uuid.UUID(response.headers["x-ms-dyn-backgroundoperationid"])
        try:
            response = self.dv.service.execute(OrganizationRequest(
                "ExecuteBackgroundOperation",
                {"Request": OrganizationRequest(API, {"Failures": failures})}))
        except DataverseError:
            assert API not in self.dv.organization.custom_apis
            return uuid.UUID(int=0)
        return response["BackgroundOperationId"]  # type: ignore[no-any-return]

    # ---- driving ----------------------------------------------------------------------------
    @rule(op=operations)
    def run_one(self, op: uuid.UUID) -> None:
        pending = op in self.dv.background.pending()
        try:
            self.dv.background.run(op)
        except LookupError:
            assert not pending
        else:
            assert pending

    @rule(op=operations, finish=st.booleans())
    def manual_step(self, op: uuid.UUID, finish: bool) -> None:
        before = (self._pair(op) if op.int else None, store_state(self.dv))
        try:
            (self.dv.background.finish if finish else self.dv.background.start)(op)
        except LookupError:  # not in that phase: the runner says so and changes nothing
            assert before == (self._pair(op) if op.int else None, store_state(self.dv))
        except ValueError:  # a retry the followed clock has not reached: likewise
            assert self.dv.clock.following and not finish
            assert before == (self._pair(op) if op.int else None, store_state(self.dv))

    @rule(seconds=st.sampled_from([0, 1, 59, 60, 120, 240, 1000]))
    def advance(self, seconds: int) -> None:
        before = (self.dv.clock.now(), store_state(self.dv))
        if self.dv.clock.following and seconds:
            try:
                self.dv.background.advance(seconds)
            except ValueError:
                assert before == (self.dv.clock.now(), store_state(self.dv))
                return
            raise AssertionError("advance() moved a followed clock")
        self.dv.background.advance(seconds)
        assert (self.dv.clock.now() - before[0]).total_seconds() >= seconds

    @rule()
    def run_all(self) -> None:
        self.dv.background.run_all()
        if self.dv.clock.following:  # what waits, waits for that clock: nothing is due now
            assert [] == self.dv.background.advance(0)
        else:
            assert [] == self.dv.background.pending()

    # ---- the clock --------------------------------------------------------------------------
    @rule()
    def follow(self) -> None:
        self.outside[0] = self.dv.clock.now()
        self.dv.clock.follow(lambda: self.outside[0])

    @rule(seconds=st.sampled_from([1, 59, 60, 120, 240, 1000, -600]))
    def move_the_followed_clock(self, seconds: int) -> None:
        self.outside[0] += dt.timedelta(seconds=seconds)

    @rule()
    def freeze(self) -> None:
        self.dv.clock.freeze()

    # ---- client side ------------------------------------------------------------------------
    @rule(op=operations, web=st.booleans())
    def poll(self, op: uuid.UUID, web: bool) -> None:
        if op.int == 0:
            return
        if web:
            body = self.session.get(f"{self.dv.url}/api/backgroundoperation/{op}").json()
            assert (body["backgroundOperationStateCode"],
                    body["backgroundOperationStatusCode"]) in VALID
        else:
            self.dv.service.retrieve(TABLE, op, [STATE, STATUS])

    @rule(op=operations, web=st.booleans())
    def cancel(self, op: uuid.UUID, web: bool) -> None:
        if op.int == 0:
            return
        pair = self._pair(op)
        refused: str | None = None
        if web:  # DELETE on the status monitor
            reply = self.session.delete(f"{self.dv.url}/api/backgroundoperation/{op}")
            if reply.status_code != 200:
                refused = reply.json()["error"]["message"]
        else:
            try:
                self.dv.service.update(Entity(TABLE, op, **{
                    STATE: OptionSetValue(2), STATUS: OptionSetValue(22)}))
            except DataverseError as error:
                refused = error.message
        assert (refused is not None) == (pair[0] == 3), refused
        if pair == (0, 0):
            self.frozen_calls[op] = self.calls.get(op, 0)

    @precondition(lambda self: API in self.dv.organization.custom_apis)
    @rule()
    def unregister(self) -> None:
        self.dv.background.unregister(API)

    @precondition(lambda self: API not in self.dv.organization.custom_apis)
    @rule()
    def register_again(self) -> None:
        self._register()

    @rule(op=consumes(operations))
    def forget(self, op: uuid.UUID) -> None:
        """Keep the bundle small (the operation stays in the store)."""

    # ---- invariants -------------------------------------------------------------------------
    @invariant()
    def rows_are_valid(self) -> None:
        for row in self.dv.organization.store.rows(TABLE):
            pair = (row.values[STATE], row.values[STATUS])
            assert pair in VALID
            assert 0 <= row.values["retrycount"] <= 3
            assert self.calls.get(row.id, 0) <= 4
            if row.id in self.final:
                assert self.final[row.id] == pair, "a finished operation moved"
            elif pair[0] == 3:
                self.final[row.id] = pair

        for op, calls in self.frozen_calls.items():
            assert calls == self.calls.get(op, 0), "an operation canceled before it started ran"
        assert len(self.completions) == len(set(self.completions))
        assert set(self.completions) == set(self.final)


TestBackgroundMachine = BackgroundMachine.TestCase
TestBackgroundMachine.settings = settings(max_examples=60, stateful_step_count=30)
