"""Validation: a write payload plus metadata becomes checked column values, or a DataverseError.

One :class:`AttributeRule` per column type, registered in a table (no if-ladder). A rule turns an
SDK value into the stored ("raw") value, parses a Web API JSON value into an SDK value, checks
the column's bounds, and turns a raw value back into an SDK value. :func:`validate_write` runs
the whole write check *before* anything is stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import (
    INT32,
    INT64,
    in_datetime_range,
    parse_datetime_text,
    utc_instant,
)
from fake_dataverse._model._metadata import (
    AttributeMetadata,
    AttributeRequiredLevel,
    AttributeTypeCode,
    EntityMetadata,
)
from fake_dataverse._model._values import EntityReference, OptionSetValue

__all__ = [
    "AttributeRule",
    "Operation",
    "WriteSettings",
    "json_to_sdk",
    "raw_to_sdk",
    "rule_for",
    "sdk_to_raw",
    "utf16_length",
    "validate_write",
]



class Operation(enum.Enum):
    """Which validity flag a write is checked against (an upsert-replace is a create)."""

    CREATE = "create"
    UPDATE = "update"


_CREATE = Operation.CREATE  # compared on every write: read once


@attrs.frozen
class WriteSettings:
    """The organization settings that change what a write accepts."""

    strict_writes: bool = False
    enforce_state_status: bool = True


def utf16_length(text: str) -> int:
    """Return a string's length as Dataverse counts it (UTF-16 code units)."""
    if text.isascii():
        return len(text)  # one unit per character, without encoding the text
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class AttributeRule:
    """How one column type converts and checks values. Subclasses register per type."""

    sdk_types: ClassVar[tuple[type, ...]] = ()

    def from_sdk(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        """Return the raw value for an SDK value, or raise IncorrectAttributeValueType."""
        if isinstance(value, bool) and bool not in self.sdk_types:
            raise _wrong_type(attr, value)
        if not isinstance(value, self.sdk_types):
            raise _wrong_type(attr, value)
        return value

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        """Return the SDK value for a Web API JSON value, or raise ODataClientPayloadError."""
        raise _payload_error(table, attr, value)

    def check(self, attr: AttributeMetadata, raw: Any, table: EntityMetadata) -> None:
        """Raise the column's Dataverse error when a raw value is out of its bounds."""

    def to_sdk(self, attr: AttributeMetadata, raw: Any) -> Any:
        """Return the SDK value for a raw value."""
        return raw


_RULES: dict[AttributeTypeCode, AttributeRule] = {}


def register(*types: AttributeTypeCode) -> Callable[[type[AttributeRule]], type[AttributeRule]]:
    """Register a rule class for one or more column types."""

    def decorate(cls: type[AttributeRule]) -> type[AttributeRule]:
        for type_code in types:
            _RULES[type_code] = cls()
        return cls

    return decorate


def rule_for(attr: AttributeMetadata) -> AttributeRule:
    """Return the rule for a column's type."""
    return _RULES[attr.attribute_type]


def _wrong_type(attr: AttributeMetadata, value: Any) -> errors.DataverseError:
    return errors.IncorrectAttributeValueType(type=type(value).__name__, name=attr.logical_name)


def _payload_error(table: EntityMetadata, attr: AttributeMetadata, value: Any) -> Exception:
    literal = value if isinstance(value, str) else repr(value)
    inner = (
        f"Microsoft.OData.ODataException: Cannot convert the literal '{literal}' to the expected "
        f"type '{attr.attribute_type.edm_type}'."
    )
    return errors.ODataClientPayloadError(entity_set=table.entity_set_name, inner=inner)


@register(AttributeTypeCode.STRING, AttributeTypeCode.MEMO)
class _StringRule(AttributeRule):
    sdk_types = (str,)

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        if not isinstance(value, str):
            raise _payload_error(table, attr, value)
        return value

    def check(self, attr: AttributeMetadata, raw: Any, table: EntityMetadata) -> None:
        if attr.max_length is not None and utf16_length(raw) > attr.max_length:
            raise errors.StringLengthTooLong(
                name=attr.logical_name, entity=table.logical_name, max_length=attr.max_length
            )


class _IntegerBase(AttributeRule):
    sdk_types = (int,)
    json_range: ClassVar[tuple[int, int]] = INT32

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _payload_error(table, attr, value)
        low, high = self.json_range
        if not low <= value <= high:
            raise _payload_error(table, attr, value)
        return value

    def check(self, attr: AttributeMetadata, raw: Any, table: EntityMetadata) -> None:
        low = attr.min_value if attr.min_value is not None else self.json_range[0]
        high = attr.max_value if attr.max_value is not None else self.json_range[1]
        if not low <= raw <= high:
            raise errors.IntegerValueOutOfRange(
                value=raw,
                name=attr.logical_name,
                entity=table.logical_name,
                min_value=low,
                max_value=high,
            )


@register(AttributeTypeCode.INTEGER)
class _IntegerRule(_IntegerBase):
    json_range = INT32


@register(AttributeTypeCode.BIGINT)
class _BigIntRule(_IntegerBase):
    json_range = INT64


@register(AttributeTypeCode.BOOLEAN)
class _BooleanRule(AttributeRule):
    sdk_types = (bool,)

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        if not isinstance(value, bool):
            raise _payload_error(table, attr, value)
        return value


@register(AttributeTypeCode.UNIQUEIDENTIFIER)
class _GuidRule(AttributeRule):
    sdk_types = (uuid.UUID,)

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        if isinstance(value, str) and _GUID.fullmatch(value):
            return uuid.UUID(value)
        raise _payload_error(table, attr, value)


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@register(AttributeTypeCode.DATETIME)
class _DateTimeRule(AttributeRule):
    sdk_types = (dt.datetime,)

    def from_sdk(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        instant = utc_instant(super().from_sdk(attr, value, table))
        if instant is None:
            raise errors.InvalidDateTime()
        return instant.replace(microsecond=0)

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        parsed = parse_datetime_text(value) if isinstance(value, str) else None
        if parsed is None:
            raise _payload_error(table, attr, value)
        return parsed

    def check(self, attr: AttributeMetadata, raw: Any, table: EntityMetadata) -> None:
        if not in_datetime_range(raw):
            raise errors.InvalidDateTime()


@register(AttributeTypeCode.PICKLIST)
class _PicklistRule(AttributeRule):
    sdk_types = (OptionSetValue,)

    def from_sdk(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        option = super().from_sdk(attr, value, table)
        if isinstance(option.value, bool) or not isinstance(option.value, int):
            raise _wrong_type(attr, option.value)
        return option.value

    def from_json(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _payload_error(table, attr, value)
        if not INT32[0] <= value <= INT32[1]:
            raise _payload_error(table, attr, value)
        return OptionSetValue(value)

    def check(self, attr: AttributeMetadata, raw: Any, table: EntityMetadata) -> None:
        if attr.option(raw) is None:
            accepted = ", ".join(str(o.value) for o in attr.options)
            raise errors.PicklistValueOutOfRange(
                value=raw, name=attr.logical_name, entity=table.logical_name, accepted=accepted
            )

    def to_sdk(self, attr: AttributeMetadata, raw: Any) -> Any:
        return OptionSetValue(raw)


@register(AttributeTypeCode.LOOKUP)
class _LookupRule(AttributeRule):
    sdk_types = (EntityReference,)

    def from_sdk(self, attr: AttributeMetadata, value: Any, table: EntityMetadata) -> Any:
        reference = super().from_sdk(attr, value, table)
        if reference.logical_name not in attr.targets or reference.id is None:
            raise errors.InvalidArgument(
                f"Invalid lookup for attribute '{attr.logical_name}': expected a reference to "
                f"{' or '.join(attr.targets)} with an id."
            )
        return reference.id

    def to_sdk(self, attr: AttributeMetadata, raw: Any) -> Any:
        return EntityReference(attr.targets[0], raw)


def sdk_to_raw(table: EntityMetadata, attr: AttributeMetadata, value: Any) -> Any:
    """Convert one SDK value to its raw (stored) form; None stays None."""
    return None if value is None else rule_for(attr).from_sdk(attr, value, table)


def raw_to_sdk(attr: AttributeMetadata, raw: Any) -> Any:
    """Convert one raw value to its SDK form; None stays None."""
    return None if raw is None else rule_for(attr).to_sdk(attr, raw)


def json_to_sdk(table: EntityMetadata, attr: AttributeMetadata, value: Any) -> Any:
    """Parse one Web API JSON value into its SDK form; null stays None.

    Raises:
        ODataClientPayloadError: 0x80048d19 for a value of the wrong JSON type or unparseable.
    """
    return None if value is None else rule_for(attr).from_json(attr, value, table)


def validate_write(
    table: EntityMetadata,
    values: Mapping[str, Any],
    *,
    operation: Operation,
    settings: WriteSettings,
) -> dict[str, Any]:
    """Check a write completely and return the raw values to store.

    ``values`` maps logical names to SDK values (the row's key columns already taken out).
    Columns not valid for the operation are dropped (or rejected under ``strict_writes``).

    Raises:
        DataverseError: InvalidAttribute 0x8005e009, IncorrectAttributeValueType 0x80040203,
            NonUpdateableField 0x80041100, StringLengthTooLong 0x80044331,
            IntegerValueOutOfRange 0x8004432f, PicklistValueOutOfRange 0x8004431a,
            InvalidDateTime 0x80040239, InvalidStateCodeStatusCode 0x80048408,
            RequiredAttributeMissing 0x80040203.
    """
    # Every value converts (or fails) before any is judged for the operation. Each column's
    # rule is looked up once per table (this runs for every column of every write).
    checks = table.derived(_column_checks)
    converted: list[tuple[str, _ColumnCheck, Any]] = []
    for name, value in values.items():
        column = checks.get(name)
        if column is None:
            raise errors.InvalidAttribute(name=name, entity=table.logical_name)
        raw = None if value is None else column.rule.from_sdk(column.attr, value, table)
        converted.append((name, column, raw))
    creating = operation is _CREATE
    kept: dict[str, Any] = {}
    for name, column, raw in converted:
        if not (column.attr.is_valid_for_create if creating else column.attr.is_valid_for_update):
            if settings.strict_writes:
                raise errors.NonUpdateableField(name=name)
            continue
        if raw is not None and column.checks:
            column.rule.check(column.attr, raw, table)
        kept[name] = raw
    if settings.enforce_state_status and (
        table.state_attribute in kept or table.status_attribute in kept  # (most writes: neither)
    ):
        _resolve_state_status(table, kept)
    if settings.strict_writes and creating:
        _check_required(table, kept)
    return kept


@attrs.frozen
class _ColumnCheck:
    """A column with its type's rule, and whether that rule has bounds to check."""

    attr: AttributeMetadata
    rule: AttributeRule
    checks: bool


def _column_checks(table: EntityMetadata) -> dict[str, _ColumnCheck]:
    found = {}
    for attr in table.attributes:
        rule = rule_for(attr)
        bounded = type(rule).check is not AttributeRule.check
        found[attr.logical_name] = _ColumnCheck(attr, rule, bounded)
    return found


def _resolve_state_status(table: EntityMetadata, kept: dict[str, Any]) -> None:
    """Complete or check a write's state and status (it sets at least one of them)."""
    state_name, status_name = table.state_attribute, table.status_attribute
    if state_name is None or status_name is None:
        return
    has_state, has_status = state_name in kept, status_name in kept
    if (has_state and kept[state_name] is None) or (has_status and kept[status_name] is None):
        raise errors.InvalidStateCodeStatusCode()
    if has_state and not has_status:
        statuses = table.status_options_for(kept[state_name])
        if not statuses:
            raise errors.InvalidStateCodeStatusCode()
        kept[status_name] = statuses[0]
    elif has_status and not has_state:
        state = table.state_of_status(kept[status_name])
        if state is None:
            raise errors.InvalidStateCodeStatusCode()
        kept[state_name] = state
    elif kept[status_name] not in table.status_options_for(kept[state_name]):
        raise errors.InvalidStateCodeStatusCode()


def _check_required(table: EntityMetadata, kept: Mapping[str, Any]) -> None:
    for attr in table.stored_attributes():
        if (
            attr.required_level is AttributeRequiredLevel.APPLICATION_REQUIRED
            and attr.is_valid_for_create
            and attr.default_value is None
            and kept.get(attr.logical_name) is None
        ):
            raise errors.RequiredAttributeMissing(name=attr.logical_name, entity=table.logical_name)
