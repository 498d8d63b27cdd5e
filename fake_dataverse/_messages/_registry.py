"""The message registry: message name → request class, handler, and the table it acts on.

Handlers register with :func:`message`; the service dispatches by looking the name up here, so
adding a message is adding one decorated function (see ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from fake_dataverse._messages._requests import OrganizationRequest, OrganizationResponse
from fake_dataverse._model import _errors as errors
from fake_dataverse._model._values import Entity, EntityCollection, EntityReference
from fake_dataverse._storage._organization import Caller, Organization

__all__ = [
    "ExecutionContext",
    "MessageDefinition",
    "definition_for",
    "message",
    "message_names",
    "table_of_target",
]


@attrs.frozen
class ExecutionContext:
    """What a handler works with: the organization, the caller, and the service's ``execute``
    (for messages that run other messages)."""

    org: Organization
    caller: Caller
    execute: Callable[[OrganizationRequest], OrganizationResponse]


RequestT = TypeVar("RequestT", bound=OrganizationRequest)
Handler = Callable[[ExecutionContext, Any], OrganizationResponse]


@attrs.frozen
class MessageDefinition:
    """A registered message."""

    name: str
    request_type: type[OrganizationRequest]
    handler: Handler
    table_of: Callable[[Any], str | None]
    unsupported: Callable[[str, str], Exception]

    def not_supported(self, table: str) -> Exception:
        """Return the fault for this message on a table that does not list it."""
        return self.unsupported(self.name, table)


def _not_supported(name: str, table: str) -> Exception:
    return errors.MessageNotSupported(request=name, entity=table)


_MESSAGES: dict[str, MessageDefinition] = {}


def message(
    request_type: type[RequestT],
    *,
    table_of: Callable[[RequestT], str | None] | None = None,
    unsupported: Callable[[str, str], Exception] = _not_supported,
) -> Callable[
    [Callable[[ExecutionContext, RequestT], OrganizationResponse]],
    Callable[[ExecutionContext, RequestT], OrganizationResponse],
]:
    """Register a handler for ``request_type.message_name``.

    ``unsupported(message, table)`` builds the fault for a table that does not list the message
    (by default MessageNotSupported, 0x80040315).
    """

    def decorate(
        handler: Callable[[ExecutionContext, RequestT], OrganizationResponse],
    ) -> Callable[[ExecutionContext, RequestT], OrganizationResponse]:
        _MESSAGES[request_type.message_name] = MessageDefinition(
            request_type.message_name, request_type, handler, table_of or table_of_target,
            unsupported,
        )
        return handler

    return decorate


def message_names() -> list[str]:
    """Return the names of every registered message."""
    return list(_MESSAGES)


def definition_for(name: str) -> MessageDefinition | None:
    """Return the registered message with this name, or None."""
    return _MESSAGES.get(name)


def table_of_target(request: Any) -> str | None:
    """Return the table a request acts on, from its ``Target``/``Targets``/``EntityName``."""
    params: dict[str, Any] = request.parameters
    target = params.get("Target") or params.get("EntityMoniker")
    if isinstance(target, (Entity, EntityReference)):
        return target.logical_name
    targets = params.get("Targets")
    if isinstance(targets, EntityCollection) and targets.entity_name:
        return targets.entity_name
    if targets is not None:
        for item in targets:
            if isinstance(item, (Entity, EntityReference)):
                return item.logical_name
    name = params.get("EntityName")
    return name if isinstance(name, str) else None
