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


class TestRegistration:
    @pytest.mark.parametrize(
        "setup",
        [
            "import hypothesis; from fake_dataverse import Entity",
            "from fake_dataverse import Entity; import hypothesis",
            "import hypothesis; import fake_dataverse; Entity = fake_dataverse.FakeDataverse and "
            "fake_dataverse.Entity",
        ],
    )
    def test_from_type_resolves_in_any_import_order(self, setup: str) -> None:
        """Whether Hypothesis or the package comes first, from_type(Entity) is entities()."""
        code = (
            f"{setup}\n"
            "from hypothesis import strategies as st\n"
            "entity = st.from_type(Entity).example()\n"
            "print(type(entity).__name__, entity.logical_name)\n"
        )
        output = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "Entity backgroundoperation" == output.strip()


class TestCheapHook:
    def test_importing_hypothesis_imports_only_the_lazy_package_modules(self) -> None:
        """``import hypothesis`` in a process that never uses fake-dataverse loads three tiny
        modules of it and nothing they would need (no attrs, no Entity, no fake)."""
        code = (
            "import sys, hypothesis; print(sorted(m for m in sys.modules if "
            "m.startswith(('fake_dataverse', 'attr'))))"
        )
        output = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        expected = ["fake_dataverse", "fake_dataverse.strategies",
                    "fake_dataverse.strategies._hypothesis_setup"]
        assert str(expected) == output.strip()

    def test_importing_hypothesis_loads_no_strategy_module(self) -> None:
        """The entry point runs on every ``import hypothesis``: it imports only what ``Entity``
        needs, not the strategies, ``hypothesis.stateful``, ``responses`` or ``requests``."""
        code = (
            "import sys, hypothesis; print(sorted(m for m in ('responses', 'requests', "
            "'hypothesis.stateful', 'fake_dataverse.strategies._records') if m in sys.modules))"
        )
        output = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "[]" == output.strip()
