"""Interceptions that overlap — a fixture's mock, a plain intercept(), a session-wide one — all
keep answering."""

from __future__ import annotations

import pytest
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


class TestASessionWideInterception:
    def test_a_later_mock_adopts_it(self) -> None:
        """A mock started inside a plain intercept() and joined by a fake keeps both reachable."""
        outer, inner = FakeDataverse(FABRIKAM), FakeDataverse(CONTOSO)
        with outer.intercept():
            with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
                mock.add(responses.GET, "https://graph.example.com/me", json={"id": "me"})
                with inner.intercept(mock):
                    assert _create(outer, "outer").status_code == 204
                    assert _create(inner, "inner").status_code == 204
                    assert requests.get("https://graph.example.com/me").json() == {"id": "me"}
                assert [type(r).__name__ for r in mock.registered()] == ["Response"]
            assert _list(outer).status_code == 200
        assert [r["name"] for r in outer.rows()] == ["outer"]
        assert [r["name"] for r in inner.rows()] == ["inner"]

    def test_a_session_fixture_beside_the_dataverse_fixture(
        self, pytester: pytest.Pytester
    ) -> None:
        """A session-scoped fake's intercept() still answers in a test using ``dataverse``."""
        pytester.makeconftest(SESSION_CONFTEST)
        pytester.makepyfile(SESSION_TEST)
        pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark").assert_outcomes(passed=2)


SESSION_CONFTEST = """
import pytest
from fake_dataverse import FakeDataverse

@pytest.fixture(scope="session")
def fabrikam():
    dv = FakeDataverse("https://fabrikam.crm.dynamics.com")
    with dv.intercept():
        yield dv
"""
SESSION_TEST = """
import requests
AUTH = {"Authorization": "Bearer t"}

def _status(dv):
    return requests.get(f"{dv.url}/api/data/v9.2/backgroundoperations", headers=AUTH).status_code

def test_session_only(fabrikam):
    assert _status(fabrikam) == 200

def test_both(fabrikam, dataverse):
    assert (_status(fabrikam), _status(dataverse)) == (200, 200)
"""


class TestTheRouter:
    def test_answers_the_request_it_is_given(self) -> None:
        """What matching one request found is never used for another: a request answered after
        another was matched reaches its own fake, and only it."""
        from fake_dataverse._interception._responses import _Router

        first, second = FakeDataverse(CONTOSO), FakeDataverse(FABRIKAM)

        def post(dv: FakeDataverse, name: str) -> requests.PreparedRequest:
            url = f"{dv.url}/api/data/v9.2/backgroundoperations"
            return requests.Request("POST", url, json={"name": name}, headers=AUTH).prepare()

        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            first.intercept(mock)
            second.intercept(mock)
            router = next(r for r in mock.registered() if isinstance(r, _Router))
            assert router.matches(post(first, "matched"))[0]
            answer = router.get_response(post(second, "answered"))
            assert answer.status == 204
            assert _create(first, "a").status_code == 204
        assert [r["name"] for r in first.rows()] == ["a"]
        assert [r["name"] for r in second.rows()] == ["answered"]
