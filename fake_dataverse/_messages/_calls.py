"""What the SDK-style service records of a message it ran (an entry of ``dv.requests``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from fake_dataverse._messages._registry import table_of_target
from fake_dataverse._messages._requests import OrganizationRequest, OrganizationResponse
from fake_dataverse._model._errors import DataverseError

__all__ = ["MessageCall"]


@attrs.define
class MessageCall:
    """One message a caller ran through ``OrganizationService``: its name, parameters, outcome.

    A record of what happened (slotted rather than frozen: every message a caller runs makes
    one).

    Messages the service runs on the caller's behalf (the requests inside ``ExecuteMultiple``,
    the message behind a Web API request) are part of the call that caused them, not entries.
    """

    request: OrganizationRequest
    response: OrganizationResponse | None
    fault: DataverseError | None
    caller_id: uuid.UUID
    surface: ClassVar[str] = "sdk"

    @property
    def message(self) -> str:
        """The message's name (``Create``, ``RetrieveMultiple``, a custom API's name)."""
        return self.request.request_name

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The request's parameters by the SDK's names (``Target``, ``Query``, …)."""
        return self.request.parameters

    @property
    def outcome(self) -> OrganizationResponse | DataverseError:
        """The response, or the fault the message raised."""
        outcome = self.response if self.fault is None else self.fault
        assert outcome is not None  # one of the two is always set
        return outcome

    @property
    def error_code(self) -> str | None:
        """The fault's code as ``0x…`` text, or None when the message succeeded."""
        return None if self.fault is None else self.fault.hex_code

    @property
    def table(self) -> str | None:
        """The table the message acted on, when it names one."""
        return table_of_target(self.request)

    @property
    def method(self) -> str:
        """What ``assert_called`` matches as the method: the message's name."""
        return self.message

    @property
    def path(self) -> str:
        """What ``assert_called`` matches as the path: the table's logical name (or "")."""
        return self.table or ""

    def describe(self) -> str:
        """Return one line: ``Create backgroundoperation -> ok`` (or the fault's code)."""
        outcome = "ok" if self.fault is None else self.fault.hex_code
        return f"SDK {self.message} {self.path}".rstrip() + f" -> {outcome}"
