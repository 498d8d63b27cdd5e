"""Every SDK request class with boundary values: a response or a ``DataverseError``, never
another exception, and a store left as it was by every fault.

Integers at every width, datetimes at 0001 and 9999 (naive and with offsets), text far past
column lengths, FetchXML and paging cookies with numbers Python refuses, data tokens with
huge versions. The count is ``FAKE_DATAVERSE_FUZZ_EXAMPLES`` (see ``tests/boundaries.py``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    CreateMultipleRequest,
    CreateRequest,
    DataverseError,
    DeleteRequest,
    Entity,
    EntityCollection,
    EntityReference,
    ExecuteMultipleRequest,
    ExecuteMultipleSettings,
    ExecuteTransactionRequest,
    FakeDataverse,
    FetchExpression,
    OptionSetValue,
    OrganizationRequest,
    PagingInfo,
    QueryByAttribute,
    QueryExpression,
    RetrieveEntityChangesRequest,
    RetrieveMultipleRequest,
    RetrieveRequest,
    UpdateMultipleRequest,
    UpdateRequest,
    UpsertMultipleRequest,
    UpsertRequest,
    WhoAmIRequest,
)

from ..boundaries import DATES, DIGIT_LOOKALIKES, INTEGERS, NUMBER_TEXTS, examples

COUNT = examples(1_500)
TABLE = "backgroundoperation"
INT_COLUMNS = ["priority", "retrycount", "ttlinseconds", "errorcode", "importsequencenumber"]
DATE_COLUMNS = ["overriddencreatedon", "starttime", "endtime"]
_EXTREME_MOMENTS = [
    dt.datetime(1, 1, 1),
    dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    dt.datetime(1, 1, 1, 13, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    dt.datetime(1752, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
    dt.datetime(1753, 1, 1, tzinfo=dt.timezone.utc),
    dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=dt.timezone.utc),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14))),
    dt.datetime(9999, 12, 31, 10, tzinfo=dt.timezone(dt.timedelta(hours=-23, minutes=-59))),
]
COUNT_OPERATORS = [
    ConditionOperator.LAST_X_DAYS,
    ConditionOperator.NEXT_X_YEARS,
    ConditionOperator.OLDER_THAN_X_MONTHS,
    ConditionOperator.LAST_X_HOURS,
    ConditionOperator.NEXT_X_WEEKS,
]
DAY_OPERATORS = [
    ConditionOperator.ON_OR_BEFORE,
    ConditionOperator.ON_OR_AFTER,
    ConditionOperator.ON,
]


class SdkBoundaries:
    """Builds SDK requests holding boundary values."""

    def __init__(self, rng: random.Random, rows: list[Any]) -> None:
        self.rng = rng
        self.rows = rows

    def integer(self) -> int:
        return self.rng.choice([*INTEGERS, 10**4300, -(10**5000)])

    def moment(self) -> dt.datetime:
        return self.rng.choice(_EXTREME_MOMENTS)

    def text(self) -> str:
        return self.rng.choice(
            [*NUMBER_TEXTS[-12:], *DIGIT_LOOKALIKES, *DATES[:5], "x" * 1_100_000, "a#b", ""]
        )

    def entity(self, row_id: Any = None) -> Entity:
        entity = Entity(TABLE, row_id, name="b")
        pick = self.rng.random()
        if pick < 0.45:
            entity[self.rng.choice(INT_COLUMNS)] = self.integer()
        elif pick < 0.8:
            entity[self.rng.choice(DATE_COLUMNS)] = self.moment()
        elif pick < 0.9:
            entity["backgroundoperationstatecode"] = OptionSetValue(self.integer())
        else:
            entity[self.rng.choice(["name", "inputparameters", "partitionid"])] = self.text()
        return entity

    def query(self) -> Any:
        query = QueryExpression(TABLE, ColumnSet("name"))
        pick = self.rng.random()
        if pick < 0.3:
            query.criteria.add_condition(
                self.rng.choice(INT_COLUMNS), ConditionOperator.EQUAL, self.integer()
            )
        elif pick < 0.55:
            query.criteria.add_condition(
                "createdon", self.rng.choice(COUNT_OPERATORS), self.integer()
            )
        elif pick < 0.75:
            query.criteria.add_condition("createdon", self.rng.choice(DAY_OPERATORS), self.moment())
        elif pick < 0.85:
            query.top_count = self.integer()
        else:
            query.page_info = PagingInfo(
                count=self.integer(),
                page_number=self.integer(),
                paging_cookie=f'<cookie page="{self.text()[:5000]}" />',
            )
        if self.rng.random() < 0.2:
            return QueryByAttribute(TABLE, ColumnSet("name"), ["priority"], [self.integer()])
        return query

    def fetch(self) -> FetchExpression:
        value = self.rng.choice(NUMBER_TEXTS + DIGIT_LOOKALIKES + DATES)
        operator = self.rng.choice(["eq", "last-x-days", "next-x-years", "on-or-before", "gt"])
        column = self.rng.choice(["priority", "createdon"])
        top = self.rng.choice(["", f" top='{self.rng.choice(NUMBER_TEXTS)}'"])
        return FetchExpression(
            f"<fetch{top}><entity name='{TABLE}'><filter><condition attribute='{column}' "
            f"operator='{operator}' value='{value}'/></filter></entity></fetch>"
        )

    def pair(self, row: Any) -> list[OrganizationRequest]:
        return [CreateRequest(target=self.entity()), UpdateRequest(target=self.entity(row))]

    def request(self) -> OrganizationRequest:
        row = self.rng.choice(self.rows)
        makers: list[Callable[[], OrganizationRequest]] = [
            lambda: CreateRequest(target=self.entity()),
            lambda: UpdateRequest(target=self.entity(row)),
            lambda: UpsertRequest(target=self.entity(row)),
            lambda: DeleteRequest(target=EntityReference(TABLE, row)),
            lambda: RetrieveRequest(
                target=EntityReference(TABLE, row), column_set=ColumnSet("name")
            ),
            lambda: RetrieveMultipleRequest(query=self.query()),
            lambda: RetrieveMultipleRequest(query=self.fetch()),
            lambda: CreateMultipleRequest(
                targets=EntityCollection([self.entity(), self.entity()], entity_name=TABLE)
            ),
            lambda: UpdateMultipleRequest(
                targets=EntityCollection([self.entity(row)], entity_name=TABLE)
            ),
            lambda: UpsertMultipleRequest(
                targets=EntityCollection([self.entity(row)], entity_name=TABLE)
            ),
            lambda: ExecuteMultipleRequest(
                requests=self.pair(row),
                settings=ExecuteMultipleSettings(continue_on_error=self.rng.random() < 0.5),
            ),
            lambda: ExecuteTransactionRequest(requests=self.pair(row)),
            lambda: RetrieveEntityChangesRequest(
                entity_name=TABLE,
                columns=ColumnSet("name"),
                data_version=self.rng.choice(
                    [f"{self.rng.choice(NUMBER_TEXTS)}!01/01/2026 09:00:00", self.text()[:5000],
                     f"1!{self.rng.choice(DATES)}"]
                ),
                page_info=PagingInfo(count=self.integer(), page_number=self.integer()),
            ),
            lambda: WhoAmIRequest(),
            lambda: OrganizationRequest(
                "ExecuteBackgroundOperation",
                {"Request": OrganizationRequest("sample_Echo", {"Data": self.text()})},
            ),
        ]
        return self.rng.choice(makers)()


def _state(dv: FakeDataverse) -> tuple[Any, ...]:
    store = dv.organization.store
    with store.lock:
        rows = sorted(
            (str(r.id), r.partition, sorted(r.values.items()), r.version, r.etag)
            for r in store.rows(TABLE)
        )
        return rows, store.last_version, list(store.changes_since(TABLE, 0))


class TestSdkBoundaries:
    def test_every_request_class_with_boundary_values(self) -> None:
        """COUNT SDK requests: each a response or a DataverseError; faults change nothing."""
        dv = FakeDataverse(atomic_changesets=True)  # ExecuteTransaction rolls back: checkable
        dv.background.register("sample_Echo", lambda inputs: {})
        rows = [dv.service.create(Entity(TABLE, name=f"r{i}", priority=i)) for i in range(3)]
        boundaries = SdkBoundaries(random.Random(20261206), rows)
        saved = dv.snapshot()
        faults = 0
        for _ in range(COUNT):
            request = boundaries.request()
            before = _state(dv)
            try:
                dv.service.execute(request)
            except DataverseError as fault:
                faults += 1
                shaped = fault.hex_code.startswith("0x") and bool(fault.message)
                assert shaped, request.request_name
                if request.request_name not in ("ExecuteMultiple", "CreateMultiple",
                                                "UpdateMultiple", "UpsertMultiple"):
                    assert before == _state(dv), request.request_name  # (those are not atomic)
            dv.restore(saved)
        assert 0 < faults < COUNT
