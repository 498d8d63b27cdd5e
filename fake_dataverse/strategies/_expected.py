"""``ExpectedError``: the fault an invalid payload must get, as data."""

from __future__ import annotations

import attrs

from fake_dataverse._model._errors import DataverseError, signed_code

__all__ = ["ExpectedError"]


@attrs.frozen
class ExpectedError:
    """The Dataverse fault a payload breaking one rule must be rejected with.

    ``rule`` names the broken rule (``"length"``, ``"range"``, ``"choice"``, ``"state_status"``,
    ``"datetime_range"``, ``"type"``, ``"unknown_column"``, ``"partition_value"``,
    ``"not_valid_for_operation"``, ``"required_missing"``); ``column`` the payload property or
    column it breaks; ``message`` the exact message, or None where only the code is fixed.
    """

    rule: str
    error_type: type[DataverseError]
    column: str | None
    message: str | None

    @classmethod
    def of(cls, rule: str, column: str | None, error: DataverseError) -> ExpectedError:
        """Return the expectation for a fault instance from the catalogue."""
        return cls(rule, type(error), column, error.message)

    @property
    def code(self) -> int:
        """The Dataverse error code, unsigned (``0x8004432f``)."""
        return self.error_type.code

    @property
    def hex_code(self) -> str:
        """The code as the Web API writes it in ``error.code`` (``"0x8004432f"``)."""
        return f"0x{self.code:08x}"

    @property
    def error_code(self) -> int:
        """The code as the SDK's signed ``ErrorCode`` (-2147204305)."""
        return signed_code(self.code)

    @property
    def http_status(self) -> int:
        """The HTTP status the Web API answers with."""
        return self.error_type.http_status

    def matches(self, error: BaseException) -> bool:
        """Return True when an SDK fault is this one (code, and message where fixed)."""
        return (
            isinstance(error, DataverseError)
            and error.code == self.code
            and (self.message is None or error.message == self.message)
        )
