"""The message registry: message name → request class, handler, and the table it acts on.

Each message family's module declares its handlers in its own :class:`MessageRegistry`
(``@MESSAGES.handler(CreateRequest)``); ``_catalogue.register_all()`` adds every family to
:data:`BUILT_IN`, in one place; the service dispatches by looking the name up there (see "How to
add a message" in ``docs/architecture.md``).
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
    "BUILT_IN",
    "ExecutionContext",
    "MessageDefinition",
    "MessageRegistry",
    "definition_for",
    "message_names",
    "table_of_target",
]


@attrs.frozen
class ExecutionContext:
    """What a handler works with: the organization, the caller, and the service's ``execute``
    (for messages that run other messages). One per service, shared by its messages."""

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


TypedHandler = Callable[[ExecutionContext, RequestT], OrganizationResponse]


class MessageRegistry:
    """Message name → :class:`MessageDefinition`.

    Each message family's module fills its own registry with :meth:`handler`;
    ``_catalogue.register_all`` adds every family to :data:`BUILT_IN`, the registry services
    dispatch through.
    """

    def __init__(self) -> None:
        self._definitions: dict[str, MessageDefinition] = {}

    def add(
        self,
        request_type: type[RequestT],
        handler: TypedHandler[RequestT],
        *,
        table_of: Callable[[RequestT], str | None] | None = None,
        unsupported: Callable[[str, str], Exception] = _not_supported,
    ) -> None:
        """Register the handler of ``request_type.message_name``.

        ``table_of(request)`` names the table the request acts on (by default its ``Target``,
        ``Targets`` or ``EntityName``), whose ``messages`` must list the message;
        ``unsupported(message, table)`` builds the fault for a table that does not list it (by
        default MessageNotSupported, 0x80040315).
        """
        name = request_type.message_name
        self._definitions[name] = MessageDefinition(
            name, request_type, handler, table_of or table_of_target, unsupported
        )

    def handler(
        self,
        request_type: type[RequestT],
        *,
        table_of: Callable[[RequestT], str | None] | None = None,
        unsupported: Callable[[str, str], Exception] = _not_supported,
    ) -> Callable[[TypedHandler[RequestT]], TypedHandler[RequestT]]:
        """Decorate a function as the handler of ``request_type`` (see :meth:`add`)."""

        def decorate(function: TypedHandler[RequestT]) -> TypedHandler[RequestT]:
            self.add(request_type, function, table_of=table_of, unsupported=unsupported)
            return function

        return decorate

    def update(self, *others: MessageRegistry) -> None:
        """Add every message of other registries."""
        for other in others:
            self._definitions.update(other._definitions)

    def copy(self) -> MessageRegistry:
        """Return a registry with the same messages (to extend without changing this one)."""
        clone = MessageRegistry()
        clone.update(self)
        return clone

    def get(self, name: str) -> MessageDefinition | None:
        """Return the registered message with this name, or None."""
        return self._definitions.get(name)

    def names(self) -> list[str]:
        """Return the names of every registered message."""
        return list(self._definitions)


#: The built-in messages, filled once by ``_catalogue.register_all()``.
BUILT_IN = MessageRegistry()


def message_names() -> list[str]:
    """Return the names of every built-in message."""
    return BUILT_IN.names()


def definition_for(name: str) -> MessageDefinition | None:
    """Return the built-in message with this name, or None."""
    return BUILT_IN.get(name)


def table_of_target(request: Any) -> str | None:
    """Return the table a request acts on, from its ``Target``/``Targets``/``EntityName``."""
    params: dict[str, Any] = request.parameters
    # (``is None``, not truth: an Entity without columns is empty, yet still names its table)
    target = params.get("Target")
    if target is None:
        target = params.get("EntityMoniker")
    # EntityReference first: an Entity check of anything else goes through ``abc``.
    if isinstance(target, (EntityReference, Entity)):
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
