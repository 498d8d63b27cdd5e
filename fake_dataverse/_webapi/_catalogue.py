"""The Web API's routes: every resource family, registered in one place.

:func:`register_all` adds each family's routes (and unbound functions) to the table the app
resolves and dispatches through. A new family (a module with its own ``ROUTES``) is added to
:data:`FAMILIES`.
"""

from __future__ import annotations

from fake_dataverse._webapi import (
    _actions,
    _background,
    _collection,
    _entities,
    _functions,
    _properties,
)
from fake_dataverse._webapi._router import BUILT_IN, RouteTable
from fake_dataverse._webapi.batch import _route as _batch
from fake_dataverse._webapi.metadata import _message_filters, _routes

__all__ = ["FAMILIES", "register_all"]

FAMILIES: tuple[RouteTable, ...] = (
    _collection.ROUTES,
    _entities.ROUTES,
    _properties.ROUTES,
    _actions.ROUTES,
    _functions.ROUTES,
    _background.ROUTES,
    _batch.ROUTES,
    _routes.ROUTES,
    _message_filters.ROUTES,
)


def register_all(table: RouteTable = BUILT_IN) -> RouteTable:
    """Add every built-in resource family's routes to ``table`` (the app's by default)."""
    table.update(*FAMILIES)
    return table
