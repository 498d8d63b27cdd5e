"""Interceptions of one fake nest and overlap (counted, from any thread); two fakes at one URL
are refused; every HTTP method reaches the Web API."""

from __future__ import annotations

import threading

import pytest
import requests
import responses

from fake_dataverse import FakeDataverse

AUTH = {"Authorization": "Bearer t"}
CONTOSO, FABRIKAM = "https://contoso.crm.dynamics.com", "https://fabrikam.crm.dynamics.com"


def _list(dv: FakeDataverse) -> requests.Response:
    return requests.get(f"{dv.url}/api/data/v9.2/backgroundoperations", headers=AUTH)


class TestNesting:
    def test_an_inner_intercept_leaves_the_outer_one_on(self) -> None:
        """Leaving a nested intercept() of the same fake keeps the outer one answering."""
        dv = FakeDataverse()
        with dv.intercept():
            with dv.intercept():
                assert _list(dv).status_code == 200
            assert _list(dv).status_code == 200
        with pytest.raises(requests.ConnectionError):
            _list(dv)

    def test_overlapping_interceptions_end_in_any_order(self) -> None:
        """Two interceptions of one fake may end in either order; the last one ends it."""
        dv = FakeDataverse()
        first, second = dv.intercept(), dv.intercept()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert _list(dv).status_code == 200
        second.__exit__(None, None, None)
        with pytest.raises(requests.ConnectionError):
            _list(dv)

    def test_nested_inside_the_dataverse_fixture(self, dataverse: FakeDataverse) -> None:
        """``with dataverse.intercept():`` inside a test using the fixture keeps it reachable."""
        with dataverse.intercept():
            assert _list(dataverse).status_code == 200
        assert _list(dataverse).status_code == 200

    def test_nested_on_a_caller_mock(self) -> None:
        """The same fake joining one caller-owned mock twice leaves it once, not both times."""
        dv = FakeDataverse()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            with dv.intercept(mock):
                with dv.intercept(mock):
                    assert _list(dv).status_code == 200
                assert _list(dv).status_code == 200
                assert len(mock.registered()) == 1
            assert mock.registered() == []

    def test_the_same_interception_entered_twice(self) -> None:
        """One Interception object entered twice is counted twice."""
        dv = FakeDataverse()
        interception = dv.intercept()
        with interception:
            with interception:
                assert _list(dv).status_code == 200
            assert _list(dv).status_code == 200

    def test_repeated_requests_keep_answering(self) -> None:
        """Nested registrations never stack up in the mock (responses pops duplicates)."""
        dv = FakeDataverse()
        with dv.intercept(), dv.intercept(), dv.intercept():
            assert [_list(dv).status_code for _ in range(5)] == [200] * 5


class TestThreads:
    def test_one_intercept_per_thread(self) -> None:
        """Threads each entering and leaving intercept() of one fake never switch it off for the
        others: every request of every thread is answered and every row is stored."""
        dv = FakeDataverse()
        start = threading.Barrier(6)
        failures: list[BaseException] = []

        def work(number: int) -> None:
            start.wait()
            try:
                for index in range(15):
                    with dv.intercept():
                        response = requests.post(
                            f"{dv.url}/api/data/v9.2/backgroundoperations",
                            json={"name": f"t{number}-{index}"},
                            headers=AUTH,
                        )
                        assert response.status_code == 204
            except BaseException as error:
                failures.append(error)

        with dv.intercept():  # keeps the shared mock on while threads come and go
            threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert failures == []
        assert len(dv.rows()) == 90

    def test_a_decorated_function_called_from_threads(self) -> None:
        """@dv.intercept() on a function that several threads run at once."""
        dv = FakeDataverse()

        @dv.intercept()
        def status() -> int:
            return _list(dv).status_code

        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(status())) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [200] * 8
        with pytest.raises(requests.ConnectionError):
            _list(dv)


class TestTwoFakesAtOneUrl:
    def test_refused_with_the_url(self) -> None:
        """A second fake at a URL another fake is intercepted on is an error naming the URL."""
        first, second = FakeDataverse(CONTOSO), FakeDataverse(CONTOSO)
        with first.intercept():
            with pytest.raises(RuntimeError) as info:
                second.intercept().__enter__()
            assert str(info.value) == (
                f"another FakeDataverse is already intercepted at {CONTOSO}: requests to one URL "
                "can reach only one fake. Give each fake its own url "
                "(FakeDataverse('https://<name>.crm.dynamics.com')), or end the other fake's "
                "intercept() first."
            )
            assert _list(first).status_code == 200
        with second.intercept():  # free again once the first one ended
            assert _list(second).status_code == 200

    def test_refused_on_a_caller_mock(self) -> None:
        """Joining a caller's mock at a URL another fake serves is refused as well."""
        first, second = FakeDataverse(CONTOSO), FakeDataverse("https://CONTOSO.crm.dynamics.com")
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            first.intercept(mock)
            with pytest.raises(RuntimeError, match="already intercepted"):
                second.intercept(mock)

    def test_refused_beside_the_dataverse_fixture(self, dataverse: FakeDataverse) -> None:
        """A test's own fake at the fixture's URL is refused instead of stealing its requests."""
        with pytest.raises(RuntimeError, match=dataverse.url):
            FakeDataverse(dataverse.url).intercept().__enter__()
        assert _list(dataverse).status_code == 200

    def test_a_torn_down_mock_frees_the_url(self) -> None:
        """A fake left joined to a mock that has since stopped no longer holds its URL."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            FakeDataverse(CONTOSO).intercept(mock)  # never left
        other = FakeDataverse(CONTOSO)
        with other.intercept():
            assert _list(other).status_code == 200

    def test_different_urls_still_work_together(self) -> None:
        """Fakes at different URLs are intercepted together as before."""
        one, two = FakeDataverse(CONTOSO), FakeDataverse(FABRIKAM)
        with one.intercept(), two.intercept():
            assert (_list(one).status_code, _list(two).status_code) == (200, 200)


class TestEveryMethod:
    @pytest.mark.parametrize("method", ["MERGE", "FOO", "PROPFIND", "TRACE"])
    def test_unknown_methods_answer_405(self, method: str) -> None:
        """A method the Web API does not serve is answered (405 and a JSON error), not refused
        as a connection error."""
        dv = FakeDataverse()
        before = dv.rows()
        with dv.intercept():
            response = requests.request(
                method, f"{dv.url}/api/data/v9.2/backgroundoperations", headers=AUTH
            )
        assert response.status_code == 405
        assert response.json()["error"]["message"]
        assert dv.rows() == before
