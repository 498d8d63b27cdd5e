"""Hypothesis' ``hypothesis`` entry point: ``st.from_type(Entity)`` draws valid rows.

Hypothesis calls :func:`_register` while it is being imported, in every process that imports it,
whether or not the process uses fake-dataverse; so it imports nothing of the package beyond its
lazy ``__init__`` modules. When ``Entity`` is already loaded the strategy is registered at once;
otherwise the registration waits until the first public name of the package is used. Nothing of
the strategies is imported until a strategy is first drawn.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis import strategies as st

__all__: list[str] = []

_VALUES = "fake_dataverse._model._values"


def _entities() -> st.SearchStrategy[Any]:
    from fake_dataverse.strategies._records import entities

    return entities()


def _register_entity() -> None:
    """Register ``entities()`` as Hypothesis' strategy for ``Entity``."""
    from hypothesis import strategies as st  # not at the top: this module may load first

    from fake_dataverse._model._values import Entity

    st.register_type_strategy(Entity, st.deferred(_entities))


def _register() -> None:
    """Register the ``Entity`` strategy now, or when the package is first used."""
    if _VALUES in sys.modules:
        _register_entity()
        return
    import fake_dataverse

    fake_dataverse._on_first_use.append(_register_entity)
