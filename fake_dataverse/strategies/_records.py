"""Valid write payloads: ``records()`` (Web API JSON) and ``entities()`` (SDK ``Entity``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse._model._metadata import AttributeMetadata, AttributeTypeCode, EntityMetadata
from fake_dataverse._model._values import Entity
from fake_dataverse.strategies._columns import column_of, encode, payload_key, raw_values
from fake_dataverse.strategies._tables import (
    Operation,
    Surface,
    TableArg,
    check_operation,
    is_required,
    resolve_table,
    valid_for,
    writable_columns,
)

__all__ = ["entities", "payload_key", "raw_payloads", "records"]


def _state_status(table: EntityMetadata) -> st.SearchStrategy[dict[str, int]]:
    """Draw a valid state/status pair, then keep both, one of them (the fake derives the
    other) or neither."""
    assert table.state_attribute is not None and table.status_attribute is not None
    state_name, status_name = table.state_attribute, table.status_attribute
    status = table.attribute(status_name)
    assert status is not None
    pairs = [(option.state, option.value) for option in status.options if option.state is not None]
    if not pairs:
        return st.just({})
    return st.tuples(st.sampled_from(pairs), st.sampled_from(("both", "state", "status", ""))).map(
        lambda drawn: {
            name: value
            for name, value, kept in (
                (state_name, drawn[0][0], drawn[1] in ("both", "state")),
                (status_name, drawn[0][1], drawn[1] in ("both", "status")),
            )
            if kept
        }
    )


def _never_null(
    table: EntityMetadata, attr: AttributeMetadata, operation: Operation, surface: Surface
) -> bool:
    """Return True for a column sent with a value or not at all: state and status, and a
    lookup on a Web API create (a null ``@odata.bind`` only ever disassociates)."""
    if attr.logical_name in (table.state_attribute, table.status_attribute):
        return True
    return (
        surface == "webapi"
        and operation == "create"
        and attr.attribute_type is AttributeTypeCode.LOOKUP
    )


def raw_payloads(
    table: EntityMetadata, operation: Operation, surface: Surface, *, skip: frozenset[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy of valid payloads as raw values keyed by logical name.

    On a create or upsert the required columns are always there; other columns may be absent
    or null. State and status are drawn as a valid pair.
    """
    pair = frozenset(n for n in (table.state_attribute, table.status_attribute) if n)
    if pair & skip:
        skip = skip | pair  # a given state or status decides the other: never contradict it
    columns = [a for a in writable_columns(table, operation) if a.logical_name not in skip]
    by_name = {a.logical_name: a for a in columns}
    paired = table.state_attribute in by_name and table.status_attribute in by_name
    pair_names = {table.state_attribute, table.status_attribute} if paired else set()
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for attr in columns:
        if attr.logical_name in pair_names:
            continue
        if operation != "update" and is_required(attr):
            required[attr.logical_name] = raw_values(attr, table)
        elif _never_null(table, attr, operation, surface):
            optional[attr.logical_name] = raw_values(attr, table)
        else:
            optional[attr.logical_name] = st.none() | raw_values(attr, table)
    body = st.fixed_dictionaries(required, optional=optional)
    if not paired:
        return body
    return st.tuples(body, _state_status(table)).map(lambda parts: {**parts[0], **parts[1]})


def _check_overrides(
    table: EntityMetadata, operation: Operation, overrides: Mapping[str, Any]
) -> None:
    for name, override in overrides.items():
        if not valid_for(column_of(table, name), operation):
            raise InvalidArgument(
                f"{name} cannot be set by a {operation} of {table.logical_name}, so a body "
                f"overriding it would not be valid; invalid_records(for_={operation!r}, "
                "rules=['not_valid_for_operation'], strict_writes=True) draws such bodies"
            )
        if override is not Ellipsis and not isinstance(override, st.SearchStrategy):
            raise InvalidArgument(
                f"{name}={override!r} must be a strategy (st.just({override!r}) for a fixed "
                "value) or ... to always generate the column"
            )


def _override_strategy(
    table: EntityMetadata, attr: AttributeMetadata, override: Any, surface: Surface
) -> st.SearchStrategy[Any]:
    if override is not Ellipsis:
        return override  # type: ignore[no-any-return]
    return raw_values(attr, table).map(lambda raw: encode(attr, raw, surface))


def _payloads(
    table: TableArg, for_: str, surface: Surface, overrides: Mapping[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    metadata = resolve_table(table)
    operation = check_operation(for_)
    _check_overrides(metadata, operation, overrides)
    fixed = {
        payload_key(column_of(metadata, name), surface): _override_strategy(
            metadata, column_of(metadata, name), override, surface
        )
        for name, override in overrides.items()
    }
    auto = raw_payloads(metadata, operation, surface, skip=frozenset(overrides)).map(
        lambda raw: {
            payload_key(column_of(metadata, name), surface): encode(
                column_of(metadata, name), value, surface
            )
            for name, value in raw.items()
        }
    )
    return st.tuples(auto, st.fixed_dictionaries(fixed)).map(lambda parts: {**parts[0], **parts[1]})


def records(
    table: TableArg = "backgroundoperation",
    *,
    for_: str = "create",
    **overrides: Any,
) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy of Web API JSON bodies the fake accepts for a write.

    ``for_`` is ``"create"`` (POST), ``"update"`` (PATCH of an existing row) or ``"upsert"``
    (PATCH that creates or replaces). Each keyword names a column and gives a strategy for it
    (in JSON form), or ``...`` to always generate it. Update bodies suit any row that is not
    Completed (Dataverse refuses to cancel, 2/22, a Completed operation).

    Raises:
        InvalidArgument: for an unknown table, operation or column, a column the operation
            cannot set, or an override that is not a strategy.
    """
    return _payloads(table, for_, "webapi", overrides)


def entities(
    table: TableArg = "backgroundoperation",
    *,
    for_: str = "create",
    **overrides: Any,
) -> st.SearchStrategy[Entity]:
    """Return a strategy of SDK ``Entity`` payloads the fake accepts for a write.

    Same options as :func:`records`; override strategies give SDK values
    (``st.just(OptionSetValue(2))``). The entity has no id: set ``entity.id`` for an update.

    Raises:
        InvalidArgument: for an unknown table, operation or column, a column the operation
            cannot set, or an override that is not a strategy.
    """
    metadata = resolve_table(table)
    return _payloads(metadata, for_, "sdk", overrides).map(
        lambda attributes: Entity(metadata.logical_name, attributes=attributes)
    )
