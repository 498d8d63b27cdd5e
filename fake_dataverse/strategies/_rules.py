"""The rules an invalid payload can break, one builder per rule (registered by name).

A builder looks at the table, the operation and the surface and returns a strategy of
:class:`Break` — the property to set (or the column to leave out) and the fault it must
cause — or None when the rule cannot be broken there (no such column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import check_partition_value
from fake_dataverse._model._literals import INT32
from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._validation import utf16_length
from fake_dataverse.strategies._columns import (
    PARTITION_ALPHABET,
    encode,
    payload_key,
    raw_values,
)
from fake_dataverse.strategies._expected import ExpectedError
from fake_dataverse.strategies._tables import Operation, Surface, is_required, valid_for
from fake_dataverse.strategies._wrong_types import WRONG_JSON, WRONG_SDK

__all__ = ["RULES", "Break", "RuleContext"]

_TEXT = AttributeTypeCode.STRING, AttributeTypeCode.MEMO


@attrs.frozen
class RuleContext:
    """Where a rule is broken: the table, the operation, the surface and the settings."""

    table: EntityMetadata
    operation: Operation
    surface: Surface
    columns: tuple[AttributeMetadata, ...]
    strict_writes: bool
    enforce_state_status: bool

    def key(self, attr: AttributeMetadata) -> str:
        """Return the payload name of a column on this surface."""
        return payload_key(attr, self.surface)

    def of_type(self, *types: AttributeTypeCode) -> list[AttributeMetadata]:
        """Return the breakable columns of some types."""
        return [attr for attr in self.columns if attr.attribute_type in types]


@attrs.frozen
class Break:
    """One broken rule: properties to set, columns to leave out, and the expected fault."""

    expected: ExpectedError
    set: dict[str, Any] = attrs.field(factory=dict)
    remove: frozenset[str] = frozenset()


RuleBuilder = Callable[[RuleContext], "st.SearchStrategy[Break] | None"]
RULES: dict[str, RuleBuilder] = {}


def _rule(name: str) -> Callable[[RuleBuilder], RuleBuilder]:
    def decorate(build: RuleBuilder) -> RuleBuilder:
        RULES[name] = build
        return build

    return decorate


def _choose(columns: list[AttributeMetadata]) -> st.SearchStrategy[AttributeMetadata] | None:
    return st.sampled_from(columns) if columns else None


def _one(ctx: RuleContext, attr: AttributeMetadata, value: Any, expected: ExpectedError) -> Break:
    return Break(expected, {ctx.key(attr): value}, frozenset({attr.logical_name}))


@_rule("length")
def _length(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A string one or more UTF-16 code units over the column's maximum length."""
    columns = [a for a in ctx.of_type(*_TEXT) if a.max_length is not None]
    if not columns:
        return None

    def build(attr: AttributeMetadata) -> st.SearchStrategy[Break]:
        limit = attr.max_length or 0
        ascii_text = st.tuples(st.text(PARTITION_ALPHABET, max_size=8), st.integers(1, 8)).map(
            lambda drawn: drawn[0] + "x" * (limit + drawn[1] - utf16_length(drawn[0]))
        )
        astral = st.integers(1, 4).map(lambda extra: "\U0001f600" * (limit // 2 + extra))
        fault = errors.StringLengthTooLong(
            name=attr.logical_name, entity=ctx.table.logical_name, max_length=limit
        )
        expected = ExpectedError.of("length", ctx.key(attr), fault)
        return st.one_of(ascii_text, astral).map(lambda text: _one(ctx, attr, text, expected))

    return st.sampled_from(columns).flatmap(build)


def _outside(attr: AttributeMetadata) -> st.SearchStrategy[int] | None:
    low = attr.min_value if attr.min_value is not None else INT32[0]
    high = attr.max_value if attr.max_value is not None else INT32[1]
    sides = []
    if low > INT32[0]:
        sides.append(st.integers(INT32[0], low - 1))
    if high < INT32[1]:
        sides.append(st.integers(high + 1, INT32[1]))
    return st.one_of(*sides) if sides else None


@_rule("range")
def _range(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A whole number outside the column's minimum and maximum (but a valid Int32)."""
    columns = [a for a in ctx.of_type(AttributeTypeCode.INTEGER) if _outside(a) is not None]
    if not columns:
        return None

    def build(attr: AttributeMetadata) -> st.SearchStrategy[Break]:
        outside = _outside(attr)
        assert outside is not None
        return outside.map(
            lambda value: _one(
                ctx,
                attr,
                value,
                ExpectedError.of(
                    "range",
                    ctx.key(attr),
                    errors.IntegerValueOutOfRange(
                        value=value,
                        name=attr.logical_name,
                        entity=ctx.table.logical_name,
                        min_value=attr.min_value if attr.min_value is not None else INT32[0],
                        max_value=attr.max_value if attr.max_value is not None else INT32[1],
                    ),
                ),
            )
        )

    return st.sampled_from(columns).flatmap(build)


@_rule("choice")
def _choice(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A choice value the column does not define (the other half of state/status left out)."""
    columns = ctx.of_type(AttributeTypeCode.PICKLIST)
    if not columns:
        return None
    pair = frozenset(n for n in (ctx.table.state_attribute, ctx.table.status_attribute) if n)

    def build(attr: AttributeMetadata) -> st.SearchStrategy[Break]:
        defined = {option.value for option in attr.options}
        accepted = ", ".join(str(option.value) for option in attr.options)
        remove = pair if attr.logical_name in pair else frozenset({attr.logical_name})
        return (
            (st.integers(-5, 100) | st.integers(*INT32))
            .filter(lambda value: value not in defined)
            .map(
                lambda value: Break(
                    ExpectedError.of(
                        "choice",
                        ctx.key(attr),
                        errors.PicklistValueOutOfRange(
                            value=value,
                            name=attr.logical_name,
                            entity=ctx.table.logical_name,
                            accepted=accepted,
                        ),
                    ),
                    {ctx.key(attr): encode(attr, value, ctx.surface)},
                    remove,
                )
            )
        )

    return st.sampled_from(columns).flatmap(build)


@_rule("state_status")
def _state_status(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A state and a status that are each defined but do not belong together."""
    by_name = {a.logical_name: a for a in ctx.columns}
    state = by_name.get(ctx.table.state_attribute or "")
    status = by_name.get(ctx.table.status_attribute or "")
    if state is None or status is None or not ctx.enforce_state_status:
        return None
    mismatched = [
        (s.value, o.value) for s in state.options for o in status.options if o.state != s.value
    ]
    expected = ExpectedError.of("state_status", None, errors.InvalidStateCodeStatusCode())
    return st.sampled_from(mismatched).map(
        lambda pair: Break(
            expected,
            {
                ctx.key(state): encode(state, pair[0], ctx.surface),
                ctx.key(status): encode(status, pair[1], ctx.surface),
            },
            frozenset({state.logical_name, status.logical_name}),
        )
    )


@_rule("datetime_range")
def _datetime_range(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A date and time before 1753-01-01 or after 9999-12-30 23:59:59."""
    column = _choose(ctx.of_type(AttributeTypeCode.DATETIME))
    if column is None:
        return None
    early = st.datetimes(max_value=dt.datetime(1752, 12, 31, 23, 59, 59))
    late = st.datetimes(
        min_value=dt.datetime(9999, 12, 31), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
    )
    moments = (early | late).map(
        lambda moment: moment.replace(microsecond=0, fold=0, tzinfo=dt.timezone.utc)
    )
    expected = errors.InvalidDateTime()
    return st.tuples(column, moments).map(
        lambda drawn: _one(
            ctx,
            drawn[0],
            encode(drawn[0], drawn[1], ctx.surface),
            ExpectedError.of("datetime_range", ctx.key(drawn[0]), expected),
        )
    )


@_rule("unknown_column")
def _unknown_column(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A property the table does not have: a made-up name or a column in the wrong case."""
    known = {a.logical_name for a in ctx.table.attributes} | {
        a.odata_name for a in ctx.table.attributes
    }
    made_up = st.from_regex(r"[a-z][a-z0-9]{2,20}", fullmatch=True)
    cased = (
        st.sampled_from([a.logical_name for a in ctx.columns]).map(str.capitalize)
        if ctx.columns
        else st.nothing()
    )
    names = (cased | made_up).filter(lambda name: name not in known)
    fault: Callable[..., errors.DataverseError] = (
        errors.InvalidPropertyInODataRequestBody
        if ctx.surface == "webapi"
        else errors.InvalidAttribute
    )
    return st.tuples(names, st.text(max_size=10) | st.integers(0, 100)).map(
        lambda drawn: Break(
            ExpectedError.of(
                "unknown_column", drawn[0], fault(name=drawn[0], entity=ctx.table.logical_name)
            ),
            {drawn[0]: drawn[1]},
        )
    )


@_rule("partition_value")
def _partition_value(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A ``partitionid`` holding a character Cosmos DB cannot key on (create only)."""
    name = ctx.table.partition_attribute
    attr = next((a for a in ctx.columns if a.logical_name == name), None)
    if attr is None or ctx.operation != "create":
        return None
    values = st.tuples(
        st.text(PARTITION_ALPHABET, max_size=10),
        st.sampled_from("/<>*%&:\\?+"),
        st.text(PARTITION_ALPHABET, max_size=10),
    ).map("".join)
    return values.map(lambda value: _one(ctx, attr, value, _partition_fault(ctx, value)))


def _partition_fault(ctx: RuleContext, value: str) -> ExpectedError:
    try:
        check_partition_value(value)
    except errors.DataverseError as fault:
        return ExpectedError.of("partition_value", ctx.table.partition_attribute, fault)
    raise AssertionError(f"partition value {value!r} was expected to be refused")


@_rule("not_valid_for_operation")
def _not_valid(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """Under ``strict_writes``: a column the operation cannot set (``createdon``, ``name`` on an
    update) with a well-typed value."""
    if not ctx.strict_writes:
        return None
    skipped = {ctx.table.primary_id_attribute, ctx.table.partition_attribute}
    columns = [
        a
        for a in ctx.table.stored_attributes()
        if not valid_for(a, ctx.operation)
        and a.logical_name not in skipped
        and a.attribute_type is not AttributeTypeCode.LOOKUP
    ]
    column = _choose(columns)
    if column is None:
        return None
    return column.flatmap(
        lambda attr: raw_values(attr, ctx.table).map(
            lambda raw: _one(
                ctx,
                attr,
                encode(attr, raw, ctx.surface),
                ExpectedError.of(
                    "not_valid_for_operation",
                    ctx.key(attr),
                    errors.NonUpdateableField(name=attr.logical_name),
                ),
            )
        )
    )


@_rule("required_missing")
def _required_missing(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """Under ``strict_writes``: a create or upsert without an ``ApplicationRequired`` column."""
    if not ctx.strict_writes or ctx.operation == "update":
        return None
    column = _choose([a for a in ctx.columns if is_required(a)])
    if column is None:
        return None
    return column.map(
        lambda attr: Break(
            ExpectedError.of(
                "required_missing",
                ctx.key(attr),
                errors.RequiredAttributeMissing(
                    name=attr.logical_name, entity=ctx.table.logical_name
                ),
            ),
            remove=frozenset({attr.logical_name}),
        )
    )


def _type_fault(ctx: RuleContext, attr: AttributeMetadata, value: Any) -> ExpectedError:
    if ctx.surface == "webapi":
        return ExpectedError("type", errors.ODataClientPayloadError, ctx.key(attr), None)
    fault = errors.IncorrectAttributeValueType(type=type(value).__name__, name=attr.logical_name)
    return ExpectedError.of("type", ctx.key(attr), fault)


@_rule("type")
def _wrong_type(ctx: RuleContext) -> st.SearchStrategy[Break] | None:
    """A value of the wrong type: JSON of the wrong kind, or the wrong SDK class."""
    table = WRONG_JSON if ctx.surface == "webapi" else WRONG_SDK
    column = _choose([a for a in ctx.columns if a.attribute_type in table])
    if column is None:
        return None
    return column.flatmap(
        lambda attr: table[attr.attribute_type].map(
            lambda value: _one(ctx, attr, value, _type_fault(ctx, attr, value))
        )
    )
