"""The ``hypothesis`` entry point: ``st.from_type(Entity)`` works once the package is installed."""

from __future__ import annotations

import subprocess
import sys

import pytest
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


class TestImportOrder:
    @pytest.mark.parametrize(
        "first", ["fake_dataverse.strategies", "fake_dataverse.strategies._columns", "hypothesis"]
    )
    def test_any_import_order_works(self, first: str) -> None:
        """Hypothesis calls the entry point while importing; no import order may loop."""
        code = f"import {first}; import fake_dataverse.strategies; import hypothesis"
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
