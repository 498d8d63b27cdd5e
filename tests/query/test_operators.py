"""Every condition operator on every column type it applies to, null rows included."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import requests

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    Entity,
    FakeDataverse,
    FetchExpression,
    QueryExpression,
)

from .conftest import ITEM, ITEM_VALUES, G, Rejects, names

Op = ConditionOperator
UTC = dt.timezone.utc
AUTH = {"Authorization": "Bearer t"}
ALL = {"low", "mid", "high", "old"}


def when(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def run(dv: FakeDataverse, attribute: str, op: ConditionOperator, *values: Any) -> set[str]:
    query = QueryExpression(ITEM, column_set=ColumnSet("name"))
    query.criteria.add_condition(attribute, op, *values)
    return names(dv.service.retrieve_multiple(query))


COLUMNS = ["s", "m", "i", "b", "d", "p", "l", "g", "f"]

CASES: list[tuple[str, ConditionOperator, tuple[Any, ...], set[str]]] = [
    # Equal / NotEqual: every type; strings ignore case; the null row never matches
    ("s", Op.EQUAL, ("ALPHA",), {"low"}),
    ("m", Op.EQUAL, ("disk",), {"old"}),
    ("i", Op.EQUAL, (5,), {"mid"}),
    ("b", Op.EQUAL, (20,), {"mid"}),
    ("d", Op.EQUAL, (when(2026, 1, 1, 8),), {"mid"}),
    ("p", Op.EQUAL, (2,), {"mid"}),
    ("g", Op.EQUAL, (G[2],), {"high"}),
    ("f", Op.EQUAL, (True,), {"mid", "high"}),
    ("s", Op.NOT_EQUAL, ("alpha",), {"mid", "high", "old"}),
    ("m", Op.NOT_EQUAL, ("DISK",), {"low", "mid", "high"}),
    ("i", Op.NOT_EQUAL, (5,), {"low", "high", "old"}),
    ("b", Op.NOT_EQUAL, (20,), {"low", "high", "old"}),
    ("d", Op.NOT_EQUAL, (when(2026, 1, 1, 8),), {"low", "high", "old"}),
    ("p", Op.NOT_EQUAL, (1,), {"mid", "high"}),
    ("g", Op.NOT_EQUAL, (G[2],), {"low", "mid", "old"}),
    ("f", Op.NOT_EQUAL, (True,), {"low", "old"}),
    # ordering comparisons
    ("s", Op.GREATER_THAN, ("BETA",), {"high"}),
    ("s", Op.GREATER_EQUAL, ("BETA",), {"mid", "high"}),
    ("s", Op.LESS_THAN, ("beta",), {"low", "old"}),
    ("s", Op.LESS_EQUAL, ("Alpha",), {"low"}),
    ("m", Op.GREATER_THAN, ("disk",), {"low", "mid", "high"}),
    ("m", Op.LESS_EQUAL, ("DISK",), {"old"}),
    ("i", Op.GREATER_THAN, (1,), {"mid", "high"}),
    ("i", Op.GREATER_EQUAL, (1,), {"low", "mid", "high"}),
    ("i", Op.LESS_THAN, (1,), {"old"}),
    ("i", Op.LESS_EQUAL, (5,), {"low", "mid", "old"}),
    ("b", Op.GREATER_THAN, (10,), {"mid", "high"}),
    ("b", Op.LESS_EQUAL, (10,), {"low", "old"}),
    ("d", Op.GREATER_THAN, (when(2026, 1, 1),), {"mid", "high"}),
    ("d", Op.LESS_THAN, (when(2025, 12, 31, 10),), {"old"}),
    ("d", Op.GREATER_EQUAL, (when(2025, 12, 31, 10),), {"low", "mid", "high"}),
    ("d", Op.LESS_EQUAL, (when(2025, 12, 31, 10),), {"low", "old"}),
    ("p", Op.GREATER_THAN, (1,), {"mid", "high"}),
    ("p", Op.LESS_EQUAL, (2,), {"low", "mid", "old"}),
    ("g", Op.GREATER_THAN, (G[1],), {"high", "old"}),
    ("g", Op.LESS_EQUAL, (G[1],), {"low", "mid"}),
    # In / NotIn
    ("s", Op.IN, (["alpha", "BETA"],), {"low", "mid"}),
    ("m", Op.NOT_IN, (["ok 100%"],), {"low", "mid", "old"}),
    ("i", Op.IN, ([1, 10],), {"low", "high"}),
    ("b", Op.NOT_IN, ([10, 20],), {"high", "old"}),
    ("d", Op.IN, ([when(2025, 6, 15)],), {"old"}),
    ("p", Op.NOT_IN, ([1],), {"mid", "high"}),
    ("g", Op.IN, ([G[0], G[3]],), {"low", "old"}),
    ("f", Op.IN, ([False],), {"low", "old"}),
    ("f", Op.NOT_IN, ([False],), {"mid", "high"}),
    # Between / NotBetween
    ("i", Op.BETWEEN, (1, 5), {"low", "mid"}),
    ("i", Op.NOT_BETWEEN, (1, 5), {"high", "old"}),
    ("b", Op.BETWEEN, (0, 25), {"low", "mid"}),
    ("b", Op.NOT_BETWEEN, (0, 25), {"high", "old"}),
    ("d", Op.BETWEEN, (when(2025, 12, 31), when(2026, 1, 2)), {"low", "mid"}),
    ("d", Op.NOT_BETWEEN, (when(2025, 12, 31), when(2026, 1, 2)), {"high", "old"}),
    ("p", Op.BETWEEN, (2, 3), {"mid", "high"}),
    ("p", Op.NOT_BETWEEN, (2, 3), {"low", "old"}),
    # text patterns: % _ [] [^] wildcards, case-insensitive
    ("s", Op.LIKE, ("AL%",), {"low", "old"}),
    ("s", Op.LIKE, ("_eta",), {"mid"}),
    ("s", Op.LIKE, ("[ab]%",), {"low", "mid", "old"}),
    ("s", Op.LIKE, ("[^ab]%",), {"high"}),
    ("s", Op.LIKE, ("[f-h]%",), {"high"}),  # a range: g lies between its ends
    ("s", Op.LIKE, ("[^a-f]%",), {"high"}),
    ("s", Op.LIKE, ("gamma[_]1",), {"high"}),
    ("m", Op.LIKE, ("%[[]x]",), {"mid"}),
    ("m", Op.LIKE, ("%full",), {"low"}),
    ("s", Op.NOT_LIKE, ("al%",), {"mid", "high"}),
    ("m", Op.NOT_LIKE, ("%disk%",), {"mid", "high"}),
    ("s", Op.BEGINS_WITH, ("AL",), {"low", "old"}),
    ("m", Op.BEGINS_WITH, ("disk",), {"low", "old"}),
    ("s", Op.DOES_NOT_BEGIN_WITH, ("al",), {"mid", "high"}),
    ("m", Op.DOES_NOT_BEGIN_WITH, ("disk",), {"mid", "high"}),
    ("s", Op.ENDS_WITH, ("_1",), {"high"}),
    ("m", Op.ENDS_WITH, ("FULL",), {"low"}),
    ("s", Op.DOES_NOT_END_WITH, ("a",), {"high", "old"}),
    ("m", Op.DOES_NOT_END_WITH, ("k",), {"low", "mid", "high"}),
    ("s", Op.CONTAINS, ("PH",), {"low", "old"}),
    ("m", Op.DOES_NOT_CONTAIN, ("out",), {"low", "high", "old"}),
    ("m", Op.CONTAINS, ("SK",), {"low", "old"}),
    ("s", Op.DOES_NOT_CONTAIN, ("a_",), {"mid"}),
]


class TestComparisons:
    @pytest.mark.parametrize(
        ("attribute", "op", "values", "expected"),
        CASES,
        ids=[f"{c[1].value}-{c[0]}-{i}" for i, c in enumerate(CASES)],
    )
    def test_operator_selects_rows(
        self,
        dv: FakeDataverse,
        items: dict[str, uuid.UUID],
        attribute: str,
        op: ConditionOperator,
        values: tuple[Any, ...],
        expected: set[str],
    ) -> None:
        """Each operator returns exactly the matching rows; a null column never matches."""
        assert expected == run(dv, attribute, op, *values)

    @pytest.mark.parametrize("attribute", COLUMNS)
    def test_null_selects_only_null_rows(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], attribute: str
    ) -> None:
        """Null matches the row whose column is empty, on every column type."""
        assert {"null"} == run(dv, attribute, Op.NULL)

    @pytest.mark.parametrize("attribute", COLUMNS)
    def test_not_null_selects_rows_with_a_value(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], attribute: str
    ) -> None:
        """NotNull matches every row whose column holds a value, on every column type."""
        assert ALL == run(dv, attribute, Op.NOT_NULL)

    def test_patterns_span_lines(self, dv: FakeDataverse) -> None:
        """``%`` and ``_`` match line breaks too, as SQL's LIKE does (multiline text)."""
        dv.service.create(Entity(ITEM, name="lines", m="first line\nsecond line"))
        dv.service.create(Entity(ITEM, name="one", m="first line"))
        assert {"lines", "one"} == run(dv, "m", Op.BEGINS_WITH, "first")
        assert {"lines"} == run(dv, "m", Op.LIKE, "first line_second%")
        assert {"lines"} == run(dv, "m", Op.ENDS_WITH, "second line")
        assert {"lines"} == run(dv, "m", Op.CONTAINS, "line\nsecond")

    def test_lookup_comparisons(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], user2: uuid.UUID
    ) -> None:
        """Lookups compare by id: Equal, NotEqual, In and NotIn; the null lookup never matches."""
        assert {"mid", "old"} == run(dv, "l", Op.EQUAL, user2)
        assert {"low", "high"} == run(dv, "l", Op.NOT_EQUAL, user2)
        assert {"mid", "old"} == run(dv, "l", Op.IN, [user2])
        assert {"low", "high"} == run(dv, "l", Op.NOT_IN, [user2])
        low, high = sorted([dv.admin_id, user2])
        assert ALL == run(dv, "l", Op.GREATER_EQUAL, low)
        assert ALL == run(dv, "l", Op.LESS_EQUAL, high)

    def test_guid_text_is_accepted_for_ids(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """A GUID given as text (with or without braces) compares as the id."""
        assert {"mid"} == run(dv, "contoso_itemid", Op.EQUAL, "{" + str(items["mid"]) + "}")


# ---- the caller ---------------------------------------------------------------------------
class TestUserOperators:
    def test_equal_user_id_on_lookups(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID], user2: uuid.UUID
    ) -> None:
        """EqualUserId matches rows whose lookup is the caller; NotEqualUserId the others."""
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.criteria.add_condition("l", Op.EQUAL_USER_ID)
        assert {"mid", "old"} == names(dv.service_for(user2).retrieve_multiple(query))
        assert {"low", "high"} == names(dv.service.retrieve_multiple(query))
        query.criteria.conditions[0] = query.criteria.conditions[0].__class__(
            "l", Op.NOT_EQUAL_USER_ID
        )
        assert {"low", "high"} == names(dv.service_for(user2).retrieve_multiple(query))

    def test_equal_user_id_on_created_by(self, dv: FakeDataverse, user2: uuid.UUID) -> None:
        """EqualUserId on createdby finds the rows the caller created."""
        dv.service.create(Entity("backgroundoperation", name="admin's"))
        dv.service_for(user2).create(Entity("backgroundoperation", name="mine"))
        query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"))
        query.criteria.add_condition("createdby", Op.EQUAL_USER_ID)
        assert {"mine"} == names(dv.service_for(user2).retrieve_multiple(query))
        query.criteria.conditions.clear()
        query.criteria.add_condition("createdonbehalfby", Op.NOT_EQUAL_USER_ID)
        assert set() == names(dv.service.retrieve_multiple(query))

    def test_equal_user_id_on_a_guid_column(self, dv: FakeDataverse) -> None:
        """EqualUserId also applies to a uniqueidentifier column holding user ids."""
        dv.service.create(Entity(ITEM, name="me", g=dv.admin_id))
        dv.service.create(Entity(ITEM, name="other", g=G[0]))
        dv.service.create(Entity(ITEM, name="none"))
        assert {"me"} == run(dv, "g", Op.EQUAL_USER_ID)
        assert {"other"} == run(dv, "g", Op.NOT_EQUAL_USER_ID)


# ---- dates against the fake clock (2026-01-01 09:00 UTC, a Thursday) --------------------------
DATES = {
    "hour_ago": when(2026, 1, 1, 8),
    "in_hour": when(2026, 1, 1, 10),
    "yesterday": when(2025, 12, 31, 10),
    "tomorrow": when(2026, 1, 2, 10),
    "next_week": when(2026, 1, 5, 12),
    "last_week": when(2025, 12, 24, 12),
    "ten_days_ago": when(2025, 12, 22, 9),
    "next_month": when(2026, 2, 10),
    "last_year": when(2025, 6, 15),
    "next_year": when(2027, 3, 1),
    "ancient": when(2020, 1, 1),
    "null": None,
}
OLDER = {"ancient"}
DATE_CASES: list[tuple[ConditionOperator, tuple[Any, ...], set[str]]] = [
    (Op.ON, (when(2025, 12, 31),), {"yesterday"}),
    (Op.ON, (dt.date(2026, 1, 1),), {"hour_ago", "in_hour"}),
    (Op.ON_OR_AFTER, (when(2026, 1, 2, 23),), {"tomorrow", "next_week", "next_month", "next_year"}),
    (Op.ON_OR_BEFORE, (when(2025, 12, 24),), {"last_week", "ten_days_ago", "last_year", "ancient"}),
    (Op.TODAY, (), {"hour_ago", "in_hour"}),
    (Op.YESTERDAY, (), {"yesterday"}),
    (Op.TOMORROW, (), {"tomorrow"}),
    (Op.LAST_7_DAYS, (), {"hour_ago", "yesterday"}),
    (Op.NEXT_7_DAYS, (), {"in_hour", "tomorrow", "next_week"}),
    (Op.LAST_X_HOURS, (2,), {"hour_ago"}),
    (Op.NEXT_X_HOURS, (2,), {"in_hour"}),
    (Op.LAST_X_DAYS, (10,), {"hour_ago", "yesterday", "last_week", "ten_days_ago"}),
    (Op.NEXT_X_DAYS, (1,), {"in_hour", "tomorrow"}),
    (Op.LAST_X_WEEKS, (1,), {"hour_ago", "yesterday"}),
    (Op.NEXT_X_WEEKS, (1,), {"in_hour", "tomorrow", "next_week"}),
    (Op.LAST_X_MONTHS, (1,), {"hour_ago", "yesterday", "last_week", "ten_days_ago"}),
    (Op.NEXT_X_MONTHS, (2,), {"in_hour", "tomorrow", "next_week", "next_month"}),
    (Op.LAST_X_YEARS, (1,), {"hour_ago", "yesterday", "last_week", "ten_days_ago", "last_year"}),
    (Op.NEXT_X_YEARS, (1,), {"in_hour", "tomorrow", "next_week", "next_month"}),
    (
        Op.OLDER_THAN_X_MINUTES,
        (30,),
        {"hour_ago", "yesterday", "last_week", "ten_days_ago", "last_year", *OLDER},
    ),
    (Op.OLDER_THAN_X_HOURS, (2,), {"yesterday", "last_week", "ten_days_ago", "last_year", *OLDER}),
    (Op.OLDER_THAN_X_DAYS, (8,), {"ten_days_ago", "last_year", *OLDER}),
    (Op.OLDER_THAN_X_WEEKS, (1,), {"last_week", "ten_days_ago", "last_year", *OLDER}),
    (Op.OLDER_THAN_X_MONTHS, (3,), {"last_year", *OLDER}),
    (Op.OLDER_THAN_X_YEARS, (1,), OLDER),
    (Op.THIS_WEEK, (), {"hour_ago", "in_hour", "yesterday", "tomorrow"}),
    (Op.LAST_WEEK, (), {"last_week", "ten_days_ago"}),
    (Op.NEXT_WEEK, (), {"next_week"}),
    (Op.THIS_MONTH, (), {"hour_ago", "in_hour", "tomorrow", "next_week"}),
    (Op.LAST_MONTH, (), {"yesterday", "last_week", "ten_days_ago"}),
    (Op.NEXT_MONTH, (), {"next_month"}),
    (Op.THIS_YEAR, (), {"hour_ago", "in_hour", "tomorrow", "next_week", "next_month"}),
    (Op.LAST_YEAR, (), {"yesterday", "last_week", "ten_days_ago", "last_year"}),
    (Op.NEXT_YEAR, (), {"next_year"}),
]


@pytest.fixture
def dated(dv: FakeDataverse) -> None:
    """Create one background operation per instant in DATES (``starttime``, set by update)."""
    for name, moment in DATES.items():
        row_id = dv.service.create(Entity("backgroundoperation", name=name))
        dv.service.update(Entity("backgroundoperation", row_id, starttime=moment))


class TestDateOperators:
    @pytest.mark.parametrize(
        ("op", "values", "expected"),
        DATE_CASES,
        ids=[f"{c[0].value}-{i}" for i, c in enumerate(DATE_CASES)],
    )
    def test_date_operator_uses_the_fake_clock(
        self,
        dv: FakeDataverse,
        dated: None,
        op: ConditionOperator,
        values: tuple[Any, ...],
        expected: set[str],
    ) -> None:
        """Each date operator selects its calendar range around the fake now; null never."""
        query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"))
        query.criteria.add_condition("starttime", op, *values)
        assert expected == names(dv.service.retrieve_multiple(query))

    def test_moving_the_clock_moves_the_range(self, dv: FakeDataverse, dated: None) -> None:
        """Today follows the fake clock."""
        dv.clock.advance(days=1)
        query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"))
        query.criteria.add_condition("starttime", Op.TODAY)
        assert {"tomorrow"} == names(dv.service.retrieve_multiple(query))

    def test_a_day_includes_its_midnight_and_not_the_next(self, dv: FakeDataverse) -> None:
        """A calendar range runs from its first instant up to, not including, the next
        range's first instant (the fake now: 2026-01-01 09:00 UTC)."""
        for name, moment in [("today", when(2026, 1, 1)), ("tomorrow", when(2026, 1, 2))]:
            row_id = dv.service.create(Entity("backgroundoperation", name=name))
            dv.service.update(Entity("backgroundoperation", row_id, starttime=moment))

        def matching(op: ConditionOperator, *values: Any) -> set[str]:
            query = QueryExpression("backgroundoperation", column_set=ColumnSet("name"))
            query.criteria.add_condition("starttime", op, *values)
            return names(dv.service.retrieve_multiple(query))

        assert {"today"} == matching(Op.TODAY)
        assert {"tomorrow"} == matching(Op.TOMORROW)
        assert {"today"} == matching(Op.ON, dt.date(2026, 1, 1))
        assert {"today"} == matching(Op.ON_OR_BEFORE, dt.date(2026, 1, 1))
        assert {"tomorrow"} == matching(Op.ON_OR_AFTER, dt.date(2026, 1, 2))

    def test_date_operators_on_the_item_table(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """Date operators apply to any DateTime column; the null row never matches."""
        assert {"mid"} == run(dv, "d", Op.TODAY)
        assert {"low", "mid", "old"} == run(dv, "d", Op.OLDER_THAN_X_MINUTES, 1)


# ---- the full matrix: every value operator on every column type -----------------------------
#: Each column's non-null rows by ascending rank (rows of equal rank share a number); the
#: lookup's ranks depend on the two user ids and are filled in by the test.
RANKS: dict[str, dict[str, int]] = {
    "s": {"low": 0, "old": 1, "mid": 2, "high": 3},
    "m": {"old": 0, "low": 1, "high": 2, "mid": 3},
    "i": {"old": 0, "low": 1, "mid": 2, "high": 3},
    "b": {"old": 0, "low": 1, "mid": 2, "high": 3},
    "d": {"old": 0, "low": 1, "mid": 2, "high": 3},
    "p": {"low": 0, "old": 0, "mid": 1, "high": 2},
    "g": {"low": 0, "mid": 1, "high": 2, "old": 3},
}
EQUALITY = [Op.EQUAL, Op.NOT_EQUAL, Op.IN, Op.NOT_IN]
ORDERED = [*EQUALITY, Op.GREATER_THAN, Op.GREATER_EQUAL, Op.LESS_THAN, Op.LESS_EQUAL]
RANGED = ["i", "b", "d", "p"]  # Between takes numbers, choices and dates only
MATRIX = [(c, op) for c in [*RANKS, "l"] for op in ORDERED]
MATRIX += [(c, op) for c in RANGED for op in (Op.BETWEEN, Op.NOT_BETWEEN)]
MATRIX += [("f", op) for op in EQUALITY]
_PICK = {
    Op.EQUAL: lambda r, p, q: r == p,
    Op.NOT_EQUAL: lambda r, p, q: r != p,
    Op.IN: lambda r, p, q: r in (p, q),
    Op.NOT_IN: lambda r, p, q: r not in (p, q),
    Op.GREATER_THAN: lambda r, p, q: r > p,
    Op.GREATER_EQUAL: lambda r, p, q: r >= p,
    Op.LESS_THAN: lambda r, p, q: r < p,
    Op.LESS_EQUAL: lambda r, p, q: r <= p,
    Op.BETWEEN: lambda r, p, q: p <= r <= q,
    Op.NOT_BETWEEN: lambda r, p, q: not p <= r <= q,
}


class TestOperatorMatrix:
    @pytest.mark.parametrize(("attribute", "op"), MATRIX, ids=[f"{o.value}-{c}" for c, o in MATRIX])
    def test_operator_on_column_type(
        self,
        dv: FakeDataverse,
        items: dict[str, uuid.UUID],
        users: dict[str, uuid.UUID],
        attribute: str,
        op: ConditionOperator,
    ) -> None:
        """Comparisons, In and Between select rows by the column's order; never the null row.

        The pivot values are the ``mid`` row's (and the ``high`` row's for a second value).
        """
        values = {label: row.get(attribute) for label, row in ITEM_VALUES.items()}
        if attribute == "l":
            values = {k: users[v] if v else None for k, v in values.items()}
            order = sorted(users.values())
            ranks = {k: order.index(v) for k, v in values.items() if v is not None}
        elif attribute == "f":
            ranks = {k: int(v) for k, v in values.items() if v is not None}
        else:
            ranks = RANKS[attribute]
        low, high = sorted(
            [values["mid"], values["high"]], key=lambda v: ranks_of(v, values, ranks)
        )
        arguments: tuple[Any, ...] = (low,) if op not in (Op.IN, Op.NOT_IN) else ([low, high],)
        if op in (Op.BETWEEN, Op.NOT_BETWEEN):
            arguments = (low, high)
        pivot, second = ranks_of(low, values, ranks), ranks_of(high, values, ranks)
        expected = {k for k, r in ranks.items() if _PICK[op](r, pivot, second)}
        assert expected == run(dv, attribute, op, *arguments)


def ranks_of(value: Any, values: dict[str, Any], ranks: dict[str, int]) -> int:
    """Return the rank of a value held by one of the rows."""
    return next(ranks[k] for k, v in values.items() if v == value and k in ranks)


class TestOperatorTypes:
    """One table says which operators apply to which column types, for every front end."""

    @pytest.mark.parametrize("attribute", ["s", "m", "g", "l"])
    @pytest.mark.parametrize("op", [Op.BETWEEN, Op.NOT_BETWEEN])
    def test_between_takes_numbers_choices_and_dates_only(
        self, dv: FakeDataverse, rejects: Rejects, attribute: str, op: ConditionOperator
    ) -> None:
        """Between on text or ids is InvalidArgument 0x80040203 naming the operator and column
        (Learn, FetchXML "condition operator values": between takes Number and Datetime)."""
        values: tuple[Any, ...] = ("a", "b") if attribute in ("s", "m") else (G[0], G[1])
        with rejects("0x80040203") as info:
            run(dv, attribute, op, *values)
        assert (
            f"The condition operator '{op.value}' is not valid for attribute "
            f"'{ITEM}.{attribute}'" in info.value.message
        )

    def test_fetchxml_between_on_text_is_refused_too(
        self, dv: FakeDataverse, rejects: Rejects
    ) -> None:
        """FetchXML checks against the same table as QueryExpression."""
        fetch = (
            f"<fetch><entity name='{ITEM}'><filter><condition attribute='s' operator='between'>"
            "<value>a</value><value>b</value></condition></filter></entity></fetch>"
        )
        with rejects("0x80040203"):
            dv.service.retrieve_multiple(FetchExpression(fetch))

    def test_odata_between_on_text_is_refused(self, dv: FakeDataverse) -> None:
        """The OData query function checks the same table (400, naming the column's type)."""
        items_url = f"{dv.url}/api/data/v9.2/contoso_items"
        between = 'Microsoft.Dynamics.CRM.Between(PropertyName=\'s\',PropertyValues=["a","b"])'
        with dv.intercept():
            response = requests.get(items_url, params={"$filter": between}, headers=AUTH)
        assert 400 == response.status_code
        assert (
            "'Microsoft.Dynamics.CRM.Between' cannot be applied to column 's' of type "
            "'Edm.String'." == response.json()["error"]["message"]
        )

    def test_odata_in_on_a_yes_no_column(
        self, dv: FakeDataverse, items: dict[str, uuid.UUID]
    ) -> None:
        """``In`` takes a Yes/No column over OData as it does in QueryExpression (was 400)."""
        items_url = f"{dv.url}/api/data/v9.2/contoso_items"
        in_false = 'Microsoft.Dynamics.CRM.In(PropertyName=\'f\',PropertyValues=["false"])'
        with dv.intercept():
            response = requests.get(
                items_url, params={"$filter": in_false, "$select": "name"}, headers=AUTH
            )
        assert 200 == response.status_code, response.text
        assert {"low", "old"} == {row["name"] for row in response.json()["value"]}
        assert {"low", "old"} == run(dv, "f", Op.IN, [False])
