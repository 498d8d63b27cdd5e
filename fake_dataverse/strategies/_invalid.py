"""Invalid write payloads: each breaks exactly one rule and says which fault it must get."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._model._values import Entity
from fake_dataverse.strategies._columns import encode
from fake_dataverse.strategies._expected import ExpectedError
from fake_dataverse.strategies._records import payload_key, raw_payloads
from fake_dataverse.strategies._rules import RULES, Break, RuleContext
from fake_dataverse.strategies._tables import (
    Surface,
    TableArg,
    check_flag,
    check_operation,
    check_rule_names,
    resolve_table,
    writable_columns,
)

__all__ = ["invalid_entities", "invalid_records"]


def _context(
    table: EntityMetadata, for_: str, surface: Surface, strict_writes: bool, enforce: bool
) -> RuleContext:
    operation = check_operation(for_)
    columns = tuple(
        attr
        for attr in writable_columns(table, operation)
        if not (operation == "upsert" and attr.logical_name == table.partition_attribute)
    )
    return RuleContext(table, operation, surface, columns, strict_writes, enforce)


def _rule_strategies(
    ctx: RuleContext, rules: Iterable[str] | None
) -> list[st.SearchStrategy[Break]]:
    chosen = list(RULES) if rules is None else list(rules)
    unknown = [name for name in chosen if name not in RULES]
    if unknown:
        raise InvalidArgument(f"unknown rules {unknown}; the rules are {sorted(RULES)}")
    built = [strategy for name in chosen if (strategy := RULES[name](ctx)) is not None]
    if not built:
        raise InvalidArgument(
            f"none of the rules {chosen} can be broken by a {ctx.operation} payload for "
            f"{ctx.table.logical_name} (strict_writes={ctx.strict_writes})"
        )
    return built


def _payloads(
    table: TableArg,
    for_: str,
    surface: Surface,
    *,
    rules: Iterable[str] | None,
    strict_writes: bool,
    enforce_state_status: bool,
) -> st.SearchStrategy[tuple[dict[str, Any], ExpectedError]]:
    metadata = resolve_table(table)
    ctx = _context(
        metadata,
        for_,
        surface,
        check_flag("strict_writes", strict_writes),
        check_flag("enforce_state_status", enforce_state_status),
    )
    breaks = st.one_of(*_rule_strategies(ctx, check_rule_names(rules)))

    def with_base(broken: Break) -> st.SearchStrategy[tuple[dict[str, Any], ExpectedError]]:
        base = raw_payloads(metadata, ctx.operation, surface, skip=broken.remove)

        def assemble(raw: dict[str, Any]) -> tuple[dict[str, Any], ExpectedError]:
            payload: dict[str, Any] = {}
            for name, value in raw.items():
                attr = metadata.attribute(name)
                assert attr is not None
                payload[payload_key(attr, surface)] = encode(attr, value, surface)
            payload.update(broken.set)
            return payload, broken.expected

        return base.map(assemble)

    return breaks.flatmap(with_base)


def invalid_records(
    table: TableArg = "backgroundoperation",
    *,
    for_: str = "create",
    rules: Iterable[str] | None = None,
    strict_writes: bool = False,
    enforce_state_status: bool = True,
) -> st.SearchStrategy[tuple[dict[str, Any], ExpectedError]]:
    """Return a strategy of ``(web_api_body, expected_error)``: bodies breaking one rule.

    ``rules`` limits the rules broken (default: every rule that applies); ``strict_writes``
    and ``enforce_state_status`` say how the fake under test is configured.

    Raises:
        InvalidArgument: for an unknown table, operation or rule, an option of the wrong
            type, or when no rule applies.
    """
    return _payloads(
        table,
        for_,
        "webapi",
        rules=rules,
        strict_writes=strict_writes,
        enforce_state_status=enforce_state_status,
    )


def invalid_entities(
    table: TableArg = "backgroundoperation",
    *,
    for_: str = "create",
    rules: Iterable[str] | None = None,
    strict_writes: bool = False,
    enforce_state_status: bool = True,
) -> st.SearchStrategy[tuple[Entity, ExpectedError]]:
    """Return a strategy of ``(entity, expected_error)``: SDK payloads breaking one rule.

    Same options as :func:`invalid_records`.

    Raises:
        InvalidArgument: for an unknown table, operation or rule, an option of the wrong
            type, or when no rule applies.
    """
    metadata = resolve_table(table)
    return _payloads(
        metadata,
        for_,
        "sdk",
        rules=rules,
        strict_writes=strict_writes,
        enforce_state_status=enforce_state_status,
    ).map(lambda drawn: (Entity(metadata.logical_name, attributes=drawn[0]), drawn[1]))
