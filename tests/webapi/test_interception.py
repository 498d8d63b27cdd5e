"""Interception with ``responses``: context manager, decorator, a caller's mock, several fakes."""

from __future__ import annotations

import pytest
import requests
import responses

from fake_dataverse import FakeDataverse

AUTH = {"Authorization": "Bearer t"}


def create(dv: FakeDataverse, name: str) -> int:
    url = f"{dv.url}/api/data/v9.2/backgroundoperations"
    return requests.post(url, json={"name": name}, headers=AUTH).status_code


class TestIntercept:
    def test_context_manager_routes_calls_and_stops_on_exit(self) -> None:
        """Inside the block calls reach the fake; after it the patch is gone."""
        dv = FakeDataverse()
        with dv.intercept():
            assert create(dv, "a") == 204
        assert [r["name"] for r in dv.rows()] == ["a"]
        assert responses.mock is not None  # the default mock stays untouched

    def test_decorator_form(self) -> None:
        """@dv.intercept() wraps a function."""
        dv = FakeDataverse()

        @dv.intercept()
        def work() -> int:
            return create(dv, "a")

        assert work() == 204
        assert len(dv.rows()) == 1

    def test_other_hosts_raise_connection_error(self) -> None:
        """Calls to another host raise requests.ConnectionError from responses, never a socket."""
        dv = FakeDataverse()
        with dv.intercept(), pytest.raises(requests.ConnectionError):
            requests.get("https://example.invalid/", timeout=1)

    def test_several_fakes_at_once(self) -> None:
        """Two fakes with different URLs, both active: each gets its own calls."""
        one = FakeDataverse("https://one.crm.dynamics.com")
        two = FakeDataverse("https://two.crm4.dynamics.com")
        with one.intercept(), two.intercept():
            assert create(one, "first") == 204
            assert create(two, "second") == 204
        assert [r["name"] for r in one.rows()] == ["first"]
        assert [r["name"] for r in two.rows()] == ["second"]

    def test_caller_owned_mock_keeps_other_mocks(self) -> None:
        """dv.intercept(rsps) adds the fake to the caller's mock beside their own mocks."""
        dv = FakeDataverse()
        with responses.RequestsMock() as rsps:
            rsps.add(responses.GET, "https://api.example.com/ping", json={"ok": True})
            dv.intercept(rsps)
            assert requests.get("https://api.example.com/ping").json() == {"ok": True}
            assert create(dv, "a") == 204
        assert len(dv.rows()) == 1

    def test_query_strings_and_host_case(self) -> None:
        """URLs with query strings and an upper-case host still reach the fake."""
        dv = FakeDataverse()
        with dv.intercept():
            response = requests.get(
                "https://CONTOSO.crm.dynamics.com/api/data/v9.2/backgroundoperations(11111111-2222-4333-8444-555555555555)",
                params={"$select": "name"},
                headers=AUTH,
            )
        assert response.status_code == 404


CLASS_FAKE = FakeDataverse("https://classdeco.crm.dynamics.com")


@CLASS_FAKE.intercept()
class TestClassDecorator:
    def test_methods_of_a_decorated_class_are_intercepted(self) -> None:
        """@dv.intercept() on a class wraps each test method."""
        assert create(CLASS_FAKE, "from a method") == 204
        assert len(CLASS_FAKE.rows()) >= 1


class TestResponsesActivate:
    @responses.activate
    def test_joins_an_active_default_mock(self) -> None:
        """Under @responses.activate, intercept() joins the default mock: both kinds work."""
        responses.add(responses.GET, "https://api.example.com/ping", json={"ok": True})
        dv = FakeDataverse()
        with dv.intercept():
            assert create(dv, "a") == 204
            assert requests.get("https://api.example.com/ping").json() == {"ok": True}
        assert len(dv.rows()) == 1


class TestHttpSemantics:
    def test_head_requests_get_no_body(self) -> None:
        """HEAD answers carry the status and headers but no body (requests would fail on one)."""
        dv = FakeDataverse()
        with dv.intercept():
            response = requests.head(f"{dv.url}/api/data/v9.2/backgroundoperations", headers=AUTH)
        assert (response.status_code, response.content) == (405, b"")
