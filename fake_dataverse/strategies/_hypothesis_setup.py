"""Hypothesis' ``hypothesis`` entry point: ``st.from_type(Entity)`` draws valid rows."""

from __future__ import annotations

from hypothesis import strategies as st

__all__: list[str] = []


def _register() -> None:
    """Register the ``Entity`` strategy (called by Hypothesis when it is imported)."""
    from fake_dataverse._values import Entity
    from fake_dataverse.strategies._records import entities

    st.register_type_strategy(Entity, st.deferred(lambda: entities()))
