"""The ``hypothesis`` entry point: ``st.from_type(Entity)`` works once the package is installed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import Entity, FakeDataverse

from .conftest import TABLE


class TestFromType:
    @settings(max_examples=20)
    @given(entity=st.from_type(Entity))
    def test_from_type_draws_creatable_rows(self, entity: Entity) -> None:
        """Hypothesis resolves Entity to entities(): rows the fake accepts."""
        dv = FakeDataverse(strict_writes=True)
        dv.service.create(entity)
        assert [TABLE] == [row.logical_name for row in dv.rows(TABLE)]
