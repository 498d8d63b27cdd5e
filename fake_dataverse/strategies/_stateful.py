"""``DataverseStateMachine``: random create/update/delete/query steps, checked against a model.

Subclass it and override the ``*_row`` hooks to drive your own client code; the rules draw the
payloads and queries, keep a reference model of what every row must hold, and check after each
step that the fake agrees with it::

    class TestMyClient(DataverseStateMachine):
        def create_row(self, body):
            return my_client.start(body)          # your code, through requests

    TestMyClient = TestMyClient.TestCase
    TestMyClient.settings = DataverseStateMachine.fast_settings

Ids are ``uuid.UUID`` throughout (``self.model``'s keys, ``RowRef.id``); a hook may return GUID
text instead. Every check fails with a message showing what was expected and what the fake held.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import uuid
from typing import Any, ClassVar

import attrs
from hypothesis import HealthCheck, Phase, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from fake_dataverse._fake import FakeDataverse
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import OptionSetValue, coerce_id
from fake_dataverse._query._evaluate import matches
from fake_dataverse._query._model import FilterNode
from fake_dataverse._query._operators import EvaluationContext
from fake_dataverse._query.odata._format import format_filter
from fake_dataverse._webapi._http import HttpRequest
from fake_dataverse.strategies._convert import json_to_entity
from fake_dataverse.strategies._queries import filter_trees
from fake_dataverse.strategies._records import records

__all__ = ["DataverseStateMachine", "RowRef"]

_TABLE = "backgroundoperation"
_DEFAULT_URL = "https://contoso.crm.dynamics.com"
_ID_HINT = "ids are uuid.UUID (a hook may return GUID text)"


@attrs.frozen
class RowRef:
    """A row the machine created: its id, and its partition when it was given one."""

    id: uuid.UUID
    partition_id: str | None = None


class DataverseStateMachine(RuleBasedStateMachine):
    """A state machine over one fake organization's ``backgroundoperation`` rows.

    Hooks to override (defaults use the SDK-style service and the Web API in-process):
    :meth:`make_dataverse`, :meth:`create_row`, :meth:`update_row`, :meth:`delete_row`,
    :meth:`query_rows`. While the machine runs, ``requests`` calls to the organization URL
    reach the fake (set ``intercept_requests = False`` to leave ``requests`` alone).
    """

    intercept_requests: ClassVar[bool] = True
    #: Settings that keep a failing run quick to report: short runs and no shrink phase, so
    #: the report is the failing run itself (at most 8 steps). ``TestX.settings = …``.
    fast_settings: ClassVar[settings] = settings(
        max_examples=15,
        stateful_step_count=8,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=(HealthCheck.too_slow,),
    )
    rows = Bundle("rows")

    def __init__(self) -> None:
        super().__init__()
        self.dataverse = self.make_dataverse()
        self.model: dict[uuid.UUID, dict[str, Any]] = {}
        self.expiry: dict[uuid.UUID, dt.datetime] = {}
        self.expired: set[uuid.UUID] = set()
        self._interception = self.dataverse.intercept() if self.intercept_requests else None
        if self._interception is not None:
            self._interception.__enter__()

    @property
    def table(self) -> EntityMetadata:
        """The metadata of the table the machine works on."""
        return self.dataverse.organization.table(_TABLE)

    # ---- hooks ------------------------------------------------------------------------------
    def make_dataverse(self) -> FakeDataverse:
        """Return the organization to run against (default: a fresh ``FakeDataverse()``)."""
        return FakeDataverse(_DEFAULT_URL)

    def create_row(self, body: dict[str, Any]) -> uuid.UUID:
        """Create a row from a Web API JSON body and return its id."""
        return self.dataverse.service.create(json_to_entity(self.table, body))

    def update_row(self, row: RowRef, body: dict[str, Any]) -> None:
        """Update a row (by id, and partition when it has one) with a Web API JSON body."""
        entity = json_to_entity(self.table, body)
        entity.id = row.id
        if row.partition_id is not None and self.table.partition_attribute:
            entity[self.table.partition_attribute] = row.partition_id
        self.dataverse.service.update(entity)

    def delete_row(self, row: RowRef) -> None:
        """Delete a row (by id, and partition when it has one)."""
        self.dataverse.service.delete(_TABLE, row.id, partition_id=row.partition_id)

    def query_rows(self, odata_filter: str) -> set[uuid.UUID]:
        """Return the ids of the rows a ``$filter`` selects."""
        query = urllib.parse.quote(odata_filter)
        reply = self.dataverse.handle(
            HttpRequest(
                "GET",
                f"{self.dataverse.url}/api/data/v9.2/{self.table.entity_set_name}?$filter={query}",
                {"Authorization": "Bearer state-machine"},
            )
        )
        if reply.status != 200:
            raise AssertionError(
                f"GET {self.table.entity_set_name}?$filter={odata_filter} answered "
                f"{reply.status}, expected 200: {reply.body!r}"
            )
        key = self.table.primary_id_attribute
        return {uuid.UUID(row[key]) for row in json.loads(reply.body)["value"]}

    # ---- rules --------------------------------------------------------------------------------
    @rule(target=rows, body=records())
    def create(self, body: dict[str, Any]) -> RowRef:
        """Create a row; the model expects the values sent."""
        row_id = _row_id(self.create_row(body), "create_row")
        self._written(row_id, self._expected(body, {}))
        return RowRef(row_id, body.get(self.table.partition_attribute or ""))

    @rule(row=rows, body=records(for_="update"))
    def update(self, row: RowRef, body: dict[str, Any]) -> None:
        """Update a live row; the model expects the values sent over the old ones.

        Dataverse refuses to cancel (2/22) a Completed operation: such steps are not taken.
        """
        assume(row.id in self.model)  # not expired
        before = self.model[row.id]
        after = self._expected(body, before)
        assume(not self._cancels_completed(before, after))
        self.update_row(row, body)
        self._written(row.id, after)

    @rule(row=consumes(rows))
    def delete(self, row: RowRef) -> None:
        """Delete a live row; the model forgets it."""
        assume(row.id in self.model)  # not expired
        self.delete_row(row)
        self._forget(row.id)

    @rule(seconds=st.integers(1, 3_000_000))
    def wait(self, seconds: int) -> None:
        """Let time pass: rows whose ``ttlinseconds`` ran out since their last write vanish.

        Their ids are kept in :attr:`expired` (change tracking does not report TTL deletes).
        """
        now = self.dataverse.clock.advance(seconds)
        for row_id, expires in list(self.expiry.items()):
            if expires <= now:
                self._forget(row_id)
                self.expired.add(row_id)

    @rule(tree=filter_trees(max_leaves=4))
    def query(self, tree: FilterNode) -> None:
        """Query with a random ``$filter``: the answer is the rows the filter selects."""
        text = format_filter(self.table, tree)
        found = {_row_id(row_id, "query_rows") for row_id in self.query_rows(text)}
        ctx = EvaluationContext(now=self.dataverse.clock.now(), user_id=self.dataverse.admin_id)
        stored = self.dataverse.organization.store.rows(_TABLE)
        expected = {row.id for row in stored if matches(tree, row.values, ctx)}
        if found != expected:
            raise AssertionError(
                f"$filter={text} selected the wrong rows ({_ID_HINT}):\n"
                f"{_difference(expected, found, 'selected')}"
            )

    # ---- invariants ----------------------------------------------------------------------------
    @invariant()
    def rows_match_the_model(self) -> None:
        """The fake holds exactly the model's rows, each with the values the model expects."""
        stored = {row.id: row for row in self.dataverse.rows(_TABLE) if row.id is not None}
        if set(self.model) != set(stored):
            raise AssertionError(
                f"the fake does not hold the model's rows ({_ID_HINT}):\n"
                f"{_difference(set(self.model), set(stored), 'held')}"
            )
        for row_id, expected in self.model.items():
            actual = {name: stored[row_id].get(name) for name in expected}
            if expected != actual:
                wrong = "\n".join(
                    f"  {name}: expected {expected[name]!r}, the fake holds {actual[name]!r}"
                    for name in expected
                    if expected[name] != actual[name]
                )
                raise AssertionError(f"row {row_id} differs from the model:\n{wrong}")

    def teardown(self) -> None:
        """Stop intercepting ``requests``."""
        if self._interception is not None:
            self._interception.__exit__(None, None, None)
            self._interception = None

    # ---- the reference model ----------------------------------------------------------------
    def _written(self, row_id: uuid.UUID, expected: dict[str, Any]) -> None:
        self.model[row_id] = expected
        ttl = expected.get(self.table.ttl_attribute or "")
        self.expiry.pop(row_id, None)
        if ttl is not None:
            self.expiry[row_id] = self.dataverse.clock.now() + dt.timedelta(seconds=ttl)

    def _forget(self, row_id: uuid.UUID) -> None:
        self.model.pop(row_id, None)
        self.expiry.pop(row_id, None)

    def _expected(self, body: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
        """Return what a row must hold after a write of ``body`` (SDK values by column)."""
        sent = dict(json_to_entity(self.table, body).attributes)
        migrated = sent.pop("overriddencreatedon", None)
        if migrated is not None:
            sent["createdon"] = migrated
        expected = {**before, **sent}
        state_name, status_name = self.table.state_attribute, self.table.status_attribute
        if state_name and status_name:
            self._pair(expected, sent, state_name, status_name)
        return expected

    def _cancels_completed(self, before: dict[str, Any], after: dict[str, Any]) -> bool:
        state, status = self.table.state_attribute, self.table.status_attribute
        if not (state and status):
            return False
        was = before.get(state, OptionSetValue(0))
        pair = (after.get(state), after.get(status))
        return was == OptionSetValue(3) and pair == (OptionSetValue(2), OptionSetValue(22))

    def _pair(
        self, expected: dict[str, Any], sent: dict[str, Any], state: str, status: str
    ) -> None:
        if state in sent and status not in sent:
            first = self.table.status_options_for(sent[state].value)[0]
            expected[status] = _option(first)
        elif status in sent and state not in sent:
            expected[state] = _option(self.table.state_of_status(sent[status].value))


def _option(value: int | None) -> OptionSetValue:
    """Return an ``OptionSetValue`` for a choice value."""
    if value is None:
        raise AssertionError("the table's metadata pairs this state or status with nothing")
    return OptionSetValue(value)


def _row_id(value: Any, hook: str) -> uuid.UUID:
    """Return a hook's row id as a ``uuid.UUID`` (it may give GUID text).

    Raises:
        TypeError: naming the hook, for anything else.
    """
    try:
        row_id = coerce_id(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{hook}() must give row ids as uuid.UUID or GUID text: {error}") from None
    if row_id is None:
        raise TypeError(f"{hook}() must give row ids as uuid.UUID or GUID text, not None")
    return row_id


def _difference(expected: set[uuid.UUID], actual: set[uuid.UUID], verb: str) -> str:
    """Return the lines saying which ids were missing and which were extra."""
    lines = [f"  expected {sorted(map(str, expected))}", f"  {verb:>8} {sorted(map(str, actual))}"]
    if expected - actual:
        lines.append(f"  missing: {sorted(map(str, expected - actual))}")
    if actual - expected:
        lines.append(f"  not expected: {sorted(map(str, actual - expected))}")
    return "\n".join(lines)
