"""A fake's plain intercept() inside a test whose fixture already intercepts keeps both working."""

from __future__ import annotations

import requests
import responses

from fake_dataverse import FakeDataverse

AUTH = {"Authorization": "Bearer t"}
CONTOSO, FABRIKAM = "https://contoso.crm.dynamics.com", "https://fabrikam.crm.dynamics.com"


def _list(dv: FakeDataverse) -> requests.Response:
    return requests.get(f"{dv.url}/api/data/v9.2/backgroundoperations", headers=AUTH)


def _create(dv: FakeDataverse, name: str) -> requests.Response:
    return requests.post(
        f"{dv.url}/api/data/v9.2/backgroundoperations", json={"name": name}, headers=AUTH
    )


class TestJoiningAnActiveMock:
    def test_inside_a_caller_owned_mock(self) -> None:
        """intercept() inside a mock another fake joined reaches both fakes, then the first."""
        first, second = FakeDataverse(CONTOSO), FakeDataverse(FABRIKAM)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            first.intercept(mock)  # as the pytest plugin does
            with second.intercept() as interception:
                assert interception.mock is mock
                assert (_create(first, "a").status_code, _create(second, "b").status_code) == (
                    204,
                    204,
                )
            assert _list(first).status_code == 200
        assert [r["name"] for r in first.rows()] == ["a"]
        assert [r["name"] for r in second.rows()] == ["b"]

    def test_a_stopped_mock_is_not_joined(self) -> None:
        """Once the caller's mock has stopped, intercept() starts a mock of its own."""
        first, second = FakeDataverse(CONTOSO), FakeDataverse(FABRIKAM)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            first.intercept(mock)
        with second.intercept() as interception:
            assert interception.mock is not mock
            assert _create(second, "alone").status_code == 204
        assert [r["name"] for r in second.rows()] == ["alone"]

    def test_with_the_dataverse_fixture(self, dataverse: FakeDataverse) -> None:
        """A test's own FakeDataverse(...).intercept() leaves the fixture's fake reachable."""
        other = FakeDataverse(FABRIKAM)
        with other.intercept():
            assert _create(other, "other").status_code == 204
            assert _create(dataverse, "fixture").status_code == 204
        assert _list(dataverse).json()["value"][0]["name"] == "fixture"
        assert [r["name"] for r in other.rows()] == ["other"]
