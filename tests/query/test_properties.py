"""Property tests: QueryExpression and FetchXML agree; pages concatenate; changes replay."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any
from xml.sax.saxutils import quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_dataverse import (
    ColumnSet,
    ConditionExpression,
    DataverseError,
    Entity,
    FakeDataverse,
    FetchExpression,
    FilterExpression,
    LogicalOperator,
    NewOrUpdatedItem,
    OptionSetValue,
    OrderType,
    PagingInfo,
    QueryExpression,
    RetrieveEntityChangesRequest,
    RetrieveEntityChangesResponse,
)
from fake_dataverse._model._metadata import AttributeTypeCode as T
from fake_dataverse._query._model import Condition, ConditionOperator, Filter
from fake_dataverse._query._operators import ValueKind, spec_for
from fake_dataverse._query.fetchxml._operators import FETCH_NAMES

from ..oracle import expected_rows
from ..traces import store_state
from .conftest import ITEM, ITEM_TABLE, NOW, G

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UTC = dt.timezone.utc
TYPES = {
    "s": T.STRING,
    "m": T.MEMO,
    "i": T.INTEGER,
    "b": T.BIGINT,
    "d": T.DATETIME,
    "p": T.PICKLIST,
    "g": T.UNIQUEIDENTIFIER,
    "f": T.BOOLEAN,
}
DAYS = [NOW + dt.timedelta(hours=h) for h in (-24 * 400, -24 * 40, -30, -3, 0, 2, 26, 24 * 9)]
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "s": st.sampled_from(["alpha", "Alpha", "beta", "al", "a%", "_eta", "[ab]%", "gamma"]),
    "m": st.sampled_from(["Disk full", "disk", "ok 100%", "[x]", "%"]),
    "i": st.integers(-3, 3),
    "b": st.integers(-(2**40), 2**40) | st.integers(-2, 2),
    "d": st.sampled_from(DAYS),
    "p": st.integers(1, 3),
    "g": st.sampled_from(G),
    "f": st.booleans(),
}
OPERATORS = {
    column: [
        op for op in FETCH_NAMES if spec_for(op).types is None or kind in (spec_for(op).types or ())
    ]
    for column, kind in TYPES.items()
}


def rows_strategy() -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({}, optional={c: VALUES[c] for c in TYPES})
    return st.lists(row, min_size=0, max_size=12)


def create_rows(dv: FakeDataverse, rows: list[dict[str, Any]]) -> None:
    for n, values in enumerate(rows):
        entity = Entity(ITEM, name=f"r{n}")
        for key, value in values.items():
            entity[key] = OptionSetValue(value) if key == "p" else value
        dv.service.create(entity)


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    column = draw(st.sampled_from(sorted(TYPES)))
    op = draw(st.sampled_from(OPERATORS[column]))
    spec = spec_for(op)
    low, high = spec.arity
    count = draw(st.integers(low, high if high is not None else 3))
    values = st.integers(1, 12) if spec.value_kind is ValueKind.COUNT else VALUES[column]
    return Condition(column, op, tuple(draw(values) for _ in range(count)))


def _joined(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function, not a lambda: Hypothesis reads the extend function's source to check it
    # recurses, and a multi-line lambda's source is not always recoverable (a deprecation warning).
    return st.builds(
        Filter,
        st.sampled_from(["and", "or"]),
        st.lists(children, min_size=1, max_size=3).map(tuple),
    )


filters = st.recursive(conditions(), _joined, max_leaves=6)


def to_filter_expression(node: Condition | Filter) -> FilterExpression:
    if isinstance(node, Condition):
        node = Filter("and", (node,))
    expression = FilterExpression(
        LogicalOperator.OR if node.operator == "or" else LogicalOperator.AND
    )
    for child in node.children:
        if isinstance(child, Condition):
            expression.add_condition(
                ConditionExpression(child.attribute, child.operator, list(child.values))
            )
        else:
            expression.add_filter(to_filter_expression(child))
    return expression


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def to_fetch(node: Condition | Filter) -> str:
    if isinstance(node, Condition):
        values = "".join(f"<value>{quoteattr(text_of(v))[1:-1]}</value>" for v in node.values)
        return (
            f"<condition attribute='{node.attribute}' operator='{FETCH_NAMES[node.operator]}'>"
            f"{values}</condition>"
        )
    return f"<filter type='{node.operator}'>{''.join(to_fetch(c) for c in node.children)}</filter>"


def fresh() -> FakeDataverse:
    return FakeDataverse(clock=NOW, tables=[ITEM_TABLE])


class TestFrontEndsAgree:
    @SETTINGS
    @given(rows=rows_strategy(), node=filters)
    def test_query_expression_and_fetchxml_return_the_same_rows(
        self, rows: list[dict[str, Any]], node: Condition | Filter
    ) -> None:
        """The same random filter as QueryExpression and as FetchXML selects the same rows: the
        ones the tests' own evaluator (``tests/oracle.py``) selects."""
        dv = fresh()
        create_rows(dv, rows)
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.criteria = to_filter_expression(node)
        sdk = [e["name"] for e in dv.service.retrieve_multiple(query)]
        body = node if isinstance(node, Filter) else Filter("and", (node,))
        entity = f"<entity name='{ITEM}'><attribute name='name'/>{to_fetch(body)}</entity>"
        fetch = FetchExpression(f"<fetch>{entity}</fetch>")
        assert sdk == [e["name"] for e in dv.service.retrieve_multiple(fetch)]
        stored = {r.values["name"]: dict(r.values) for r in dv.organization.store.rows(ITEM)}
        expected = expected_rows(stored, node, user=dv.admin_id, now=dv.clock.now())
        assert sorted(expected) == sorted(sdk)


orders = st.lists(
    st.tuples(st.sampled_from(["s", "m", "i", "b", "d", "p", "g", "f"]), st.booleans()),
    max_size=3,
    unique_by=lambda o: o[0],
)


def ordered_query(order: list[tuple[str, bool]]) -> QueryExpression:
    query = QueryExpression(ITEM, column_set=ColumnSet("name"))
    for column, descending in order:
        query.add_order(column, OrderType.DESCENDING if descending else OrderType.ASCENDING)
    return query


def read_pages(
    dv: FakeDataverse, query: QueryExpression, size: int, between: Any = None
) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    cookie, number = None, 1
    while True:
        query.page_info = PagingInfo(count=size, page_number=number, paging_cookie=cookie)
        result = dv.service.retrieve_multiple(query)
        seen.extend(e.id for e in result if e.id is not None)
        if not result.more_records:
            return seen
        if between is not None:
            between(number)
        cookie, number = result.paging_cookie, number + 1


class TestPaging:
    @SETTINGS
    @given(rows=rows_strategy(), order=orders, size=st.integers(1, 5))
    def test_pages_concatenate_to_the_unpaged_result(
        self, rows: list[dict[str, Any]], order: list[tuple[str, bool]], size: int
    ) -> None:
        """Reading all pages by cookie gives exactly the unpaged result, in order."""
        dv = fresh()
        create_rows(dv, rows)
        query = ordered_query(order)
        unpaged = [e.id for e in dv.service.retrieve_multiple(query)]
        assert unpaged == read_pages(dv, ordered_query(order), size)

    @SETTINGS
    @given(
        rows=rows_strategy(),
        order=orders,
        size=st.integers(1, 4),
        inserts=st.lists(st.fixed_dictionaries({}, optional={c: VALUES[c] for c in TYPES})),
        deletes=st.lists(st.integers(0, 11)),
    )
    def test_writes_between_pages_neither_skip_nor_repeat(
        self,
        rows: list[dict[str, Any]],
        order: list[tuple[str, bool]],
        size: int,
        inserts: list[dict[str, Any]],
        deletes: list[int],
    ) -> None:
        """With inserts and deletes between pages, no row repeats, order holds, and every row
        present for the whole read is returned."""
        dv = fresh()
        create_rows(dv, rows)
        original = [e.id for e in dv.service.retrieve_multiple(ordered_query(order))]
        removed: set[uuid.UUID] = set()

        def mutate(page: int) -> None:
            if page - 1 < len(inserts):
                create_rows(dv, [inserts[page - 1]])
            if page - 1 < len(deletes) and original:
                victim = original[deletes[page - 1] % len(original)]
                if victim not in removed:
                    dv.service.delete(ITEM, victim)
                    removed.add(victim)

        seen = read_pages(dv, ordered_query(order), size, mutate)
        final = [e.id for e in dv.service.retrieve_multiple(ordered_query(order))]
        assert len(seen) == len(set(seen))
        survivors = [i for i in original if i not in removed]
        assert [i for i in seen if i in set(survivors)] == survivors
        positions = {row_id: n for n, row_id in enumerate(final)}
        live = [positions[i] for i in seen if i in positions]
        assert live == sorted(live)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 3)),
        st.tuples(st.just("update"), st.integers(0, 30)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("sync"), st.just(0)),
    ),
    max_size=25,
)


def table_state(dv: FakeDataverse) -> dict[uuid.UUID, dict[str, Any]]:
    query = QueryExpression(ITEM, column_set=ColumnSet(all_columns=True))
    return {e.id: dict(e) for e in dv.service.retrieve_multiple(query) if e.id is not None}


def sync(dv: FakeDataverse, token: str | None, size: int) -> tuple[list[Any], str]:
    items: list[Any] = []
    cookie, number = None, 1
    while True:
        request = RetrieveEntityChangesRequest(
            entity_name=ITEM,
            columns=ColumnSet(all_columns=True),
            data_version=token,
            page_info=PagingInfo(count=size, page_number=number, paging_cookie=cookie),
        )
        response = dv.service.execute(request)
        assert isinstance(response, RetrieveEntityChangesResponse)
        changes = response.entity_changes
        items.extend(changes.changes)
        if not changes.more_records:
            return items, changes.data_token
        cookie, number = changes.paging_cookie, number + 1


class TestChangeTracking:
    @SETTINGS
    @given(ops=operations, size=st.integers(1, 4))
    def test_applying_changes_to_the_snapshot_reproduces_the_table(
        self, ops: list[tuple[str, int]], size: int
    ) -> None:
        """For every token: the state at that token plus the changes since equals the table."""
        dv = fresh()
        create_rows(dv, [{"i": 1}, {"s": "alpha"}])
        _, token = sync(dv, None, size)
        checkpoints: list[tuple[str | None, dict[uuid.UUID, dict[str, Any]]]] = [
            (None, {}),
            (token, table_state(dv)),
        ]
        for verb, n in ops:
            ids = sorted(table_state(dv))
            if verb == "create":
                dv.service.create(Entity(ITEM, name="x", i=n))
            elif verb == "update" and ids:
                dv.service.update(Entity(ITEM, ids[n % len(ids)], i=n % 7))
            elif verb == "delete" and ids:
                dv.service.delete(ITEM, ids[n % len(ids)])
            elif verb == "sync":
                _, token = sync(dv, checkpoints[-1][0], size)
                assert token is not None
                checkpoints.append((token, table_state(dv)))
            dv.clock.advance(1)
        current = table_state(dv)
        for token, snapshot in checkpoints:
            replayed = dict(snapshot)
            changes, _ = sync(dv, token, size)
            for item in changes:
                if isinstance(item, NewOrUpdatedItem):
                    entity = item.new_or_updated_entity
                    replayed[entity.id] = dict(entity)
                else:
                    replayed.pop(item.removed_item.id, None)
            assert current == replayed


VALID_FETCH = (
    f"<fetch count='2' page='1'><entity name='{ITEM}'><attribute name='name'/>"
    "<filter><condition attribute='i' operator='between'><value>1</value><value>3</value>"
    "</condition></filter><order attribute='s' descending='true'/></entity></fetch>"
)
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.uuids(),
    st.datetimes(),
    st.lists(st.integers(), max_size=3),
)


class TestBadInputNeverCrashes:
    @SETTINGS
    @given(
        text=st.one_of(
            st.text(max_size=60),
            st.builds(
                lambda cut, junk: VALID_FETCH[:cut] + junk + VALID_FETCH[cut:],
                st.integers(0, len(VALID_FETCH)),
                st.text(alphabet="<>/='\" &;!x", max_size=6),
            ),
        )
    )
    def test_fetchxml_text_fails_only_with_dataverse_errors(self, text: str) -> None:
        """Any FetchXML text runs or fails with a DataverseError, and changes nothing."""
        dv = fresh()
        create_rows(dv, [{"i": 2, "s": "x"}])
        before = store_state(dv, ITEM)
        with contextlib.suppress(DataverseError):
            dv.service.retrieve_multiple(FetchExpression(text))
        assert before == store_state(dv, ITEM)

    @SETTINGS
    @given(
        column=st.sampled_from([*TYPES, "l", "name", "nope"]),
        op=st.sampled_from(list(ConditionOperator)),
        values=st.lists(anything, max_size=3),
        cookie=st.none() | st.text(max_size=30),
        count=st.integers(-2, 6000),
        page=st.integers(-1, 3),
    )
    def test_query_expression_fails_only_with_dataverse_errors(
        self,
        column: str,
        op: ConditionOperator,
        values: list[Any],
        cookie: str | None,
        count: int,
        page: int,
    ) -> None:
        """Any condition, values and paging run or fail with a DataverseError."""
        dv = fresh()
        create_rows(dv, [{"i": 2, "s": "x", "d": NOW}])
        query = QueryExpression(ITEM, column_set=ColumnSet("name"))
        query.criteria.add_condition(ConditionExpression(column, op, values))
        query.page_info = PagingInfo(count=count, page_number=page, paging_cookie=cookie)
        with contextlib.suppress(DataverseError):
            dv.service.retrieve_multiple(query)
