"""The built-in messages: every message family, registered in one place.

:func:`register_all` adds each family's handlers to the registry the service dispatches
through. A new family (a module with its own ``MESSAGES``) is added to :data:`FAMILIES`.
"""

from __future__ import annotations

from fake_dataverse._messages import (
    _background,
    _bulk,
    _crud,
    _entity_changes,
    _execute_multiple,
    _retrieve_multiple,
    _whoami,
)
from fake_dataverse._messages._registry import BUILT_IN, MessageRegistry

__all__ = ["FAMILIES", "register_all"]

FAMILIES: tuple[MessageRegistry, ...] = (
    _crud.MESSAGES,
    _bulk.MESSAGES,
    _retrieve_multiple.MESSAGES,
    _entity_changes.MESSAGES,
    _execute_multiple.MESSAGES,
    _whoami.MESSAGES,
    _background.MESSAGES,
)


def register_all(registry: MessageRegistry = BUILT_IN) -> MessageRegistry:
    """Add every built-in message family to ``registry`` (the built-in one by default)."""
    registry.update(*FAMILIES)
    return registry
