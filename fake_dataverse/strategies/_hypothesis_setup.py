"""Hypothesis' ``hypothesis`` entry point: ``st.from_type(Entity)`` draws valid rows.

Hypothesis calls :func:`_register` while it is being imported, possibly from inside an import of
this very package; so nothing of the strategies is imported until a strategy is first drawn.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__: list[str] = []


def _entities() -> st.SearchStrategy[Any]:
    from fake_dataverse.strategies._records import entities

    return entities()


def _register() -> None:
    """Register the ``Entity`` strategy (called by Hypothesis when it is imported)."""
    from fake_dataverse._model._values import Entity

    st.register_type_strategy(Entity, st.deferred(_entities))
