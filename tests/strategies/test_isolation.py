"""``isolate_examples``: each Hypothesis example sees the fixture's fresh organization."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from conftest_plugin import DataverseFactory
from fake_dataverse import Entity, FakeDataverse
from fake_dataverse.strategies import entities, isolate_examples

from .conftest import API, AUTH, TABLE

START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
FIRST_IDS: list[uuid.UUID] = []


class TestIsolateExamples:
    @isolate_examples
    @settings(max_examples=25)
    @given(entity=entities(), seconds=st.integers(1, 10_000))
    def test_every_example_starts_from_the_fixture(
        self, dataverse: FakeDataverse, entity: Entity, seconds: int
    ) -> None:
        """Rows and time written by one example are gone in the next."""
        assert [] == dataverse.rows(TABLE)
        assert START == dataverse.clock.now()
        dataverse.service.create(entity)
        assert 1 == len(dataverse.rows(TABLE))
        dataverse.clock.advance(seconds)

    @pytest.mark.dataverse(rows=[{"name": "seeded"}])
    @isolate_examples
    @settings(max_examples=10)
    @given(name=st.text(max_size=5))
    def test_seeded_rows_stay(self, dataverse: FakeDataverse, name: str) -> None:
        """What the fixture seeded is part of the state every example starts from."""
        assert ["seeded"] == [row["name"] for row in dataverse.rows(TABLE)]
        dataverse.service.create(Entity(TABLE, name=name))

    @isolate_examples
    @settings(max_examples=10)
    @given(name=st.text(max_size=3))
    def test_ids_repeat_per_example(self, dataverse: FakeDataverse, name: str) -> None:
        """The id sequence restarts, so every example creates the same first id."""
        FIRST_IDS.append(dataverse.service.create(Entity(TABLE, name=name)))
        assert {FIRST_IDS[0]} == set(FIRST_IDS)

    @isolate_examples
    @settings(max_examples=10)
    @given(name=st.text(max_size=3))
    def test_factory_organizations_are_per_example(
        self, dataverse_factory: DataverseFactory, name: str
    ) -> None:
        """Each example can make the same extra organization afresh."""
        other = dataverse_factory(url="https://fabrikam.crm.dynamics.com")
        assert [] == other.rows(TABLE)
        other.service.create(Entity(TABLE, name=name))

    def test_needs_a_given_test(self) -> None:
        """Decorating a plain function says where the decorator goes."""
        with pytest.raises(InvalidArgument, match="above @given"):
            isolate_examples(lambda: None)

    def test_without_it_hypothesis_rejects_the_fixture(self, pytester: pytest.Pytester) -> None:
        """A @given test using the function-scoped fixture alone fails Hypothesis' check."""
        pytester.makepyfile(
            """
            from hypothesis import given, strategies as st

            @given(st.integers())
            def test_it(dataverse, n):
                pass
            """
        )
        result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["*function_scoped_fixture*", "*Put @fake_dataverse.strategies.isolate_examples above*"]
        )

    @isolate_examples
    @settings(max_examples=10)
    @given(name=st.text(max_size=3))
    def test_recorded_calls_are_per_example(
        self, dataverse: FakeDataverse, dataverse_responses: responses.RequestsMock, name: str
    ) -> None:
        """dataverse_responses.calls holds only this example's requests."""
        requests.post(f"{API}/backgroundoperations", json={"name": name}, headers=AUTH)
        assert 1 == len(dataverse_responses.calls)
        assert 1 == len(dataverse.rows(TABLE))
