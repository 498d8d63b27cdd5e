"""``dv.requests`` and ``dv.assert_called``: what the code under test sent, on every surface."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import (
    CreateRequest,
    DataverseError,
    Entity,
    ExecuteMultipleRequest,
    FakeDataverse,
    HttpRequest,
)
from fake_dataverse.strategies import isolate_examples

from .conftest import TABLE

API = "https://contoso.crm.dynamics.com/api/data/v9.2"
AUTH = {"Authorization": "Bearer t"}
MISSING = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
def dv() -> FakeDataverse:
    return FakeDataverse()


class TestWebApiEntries:
    def test_an_entry_holds_the_request_and_the_answer(self, dv: FakeDataverse) -> None:
        """Method, URL, path, parsed query options, headers, JSON body, status and error code."""
        with dv.intercept():
            requests.post(f"{API}/backgroundoperations", json={"name": "a"},
                          headers={**AUTH, "Prefer": "return=representation"})
            requests.get(f"{API}/backgroundoperations",
                         params={"$select": "name", "$filter": "priority eq 3"}, headers=AUTH)
            requests.get(f"{API}/backgroundoperations({MISSING})", headers=AUTH)
        created, listed, missing = dv.requests
        assert ("POST", "backgroundoperations", 201) == (
            created.method, created.path, created.status)
        assert {"name": "a"} == created.json and None is created.error_code
        assert "return=representation" == created.headers["prefer"]
        assert {"$select": "name", "$filter": "priority eq 3"} == listed.query
        assert f"{API}/backgroundoperations?%24select=name&%24filter=priority+eq+3" == listed.url
        assert None is listed.json
        assert (404, "0x80048d02") == (missing.status, missing.error_code)
        assert f"backgroundoperations({MISSING})" == missing.path

    def test_one_request_is_one_entry(self, dv: FakeDataverse) -> None:
        """The message a Web API request runs is not an entry of its own."""
        dv.handle(HttpRequest("POST", f"{API}/backgroundoperations", AUTH, b'{"name": "a"}'))
        assert ["webapi"] == [call.surface for call in dv.requests]

    def test_batch_parts_are_entries_marked_as_parts(self, dv: FakeDataverse) -> None:
        """A $batch is one entry, answered after its parts, which are entries too."""
        body = (
            "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            "GET backgroundoperations HTTP/1.1\r\n\r\n\r\n--b--\r\n"
        )
        headers = {**AUTH, "Content-Type": "multipart/mixed; boundary=b"}
        dv.handle(HttpRequest("POST", f"{API}/$batch", headers, body.encode()))
        assert [("GET", "backgroundoperations", True), ("POST", "$batch", False)] == [
            (call.method, call.path, call.batch_part) for call in dv.requests
        ]

    def test_a_refused_request_is_logged_with_its_code(self, dv: FakeDataverse) -> None:
        """A 401 and a 400 are entries too: the log holds what the fake answered."""
        dv.handle(HttpRequest("GET", f"{API}/backgroundoperations"))
        headers = {**AUTH, "Content-Type": "application/json"}
        dv.handle(HttpRequest("POST", f"{API}/backgroundoperations", headers, b'{"priority": 11}'))
        assert [(401, None), (400, "0x8004432f")] == [
            (call.status, call.error_code) for call in dv.requests
        ]


class TestSdkEntries:
    def test_an_entry_holds_message_parameters_and_outcome(self, dv: FakeDataverse) -> None:
        """An SDK entry: the message name, its parameters, its response or fault."""
        row = dv.service.create(Entity(TABLE, name="a"))
        with pytest.raises(DataverseError):
            dv.service.retrieve(TABLE, MISSING)
        created, missing = dv.requests
        assert ("Create", TABLE, None) == (created.message, created.table, created.error_code)
        assert row == created.outcome.id and "a" == created.parameters["Target"]["name"]
        assert dv.admin_id == created.caller_id
        assert ("Retrieve", "0x80048d02") == (missing.message, missing.error_code)
        assert isinstance(missing.outcome, DataverseError)

    def test_inner_requests_are_part_of_their_message(self, dv: FakeDataverse) -> None:
        """ExecuteMultiple is one entry: the requests it runs belong to it."""
        inner = [CreateRequest(target=Entity(TABLE, name=n)) for n in "ab"]
        dv.service.execute(ExecuteMultipleRequest(requests=inner))
        assert ["ExecuteMultiple"] == [call.message for call in dv.requests]


class TestAssertCalled:
    def test_paths_urls_patterns_and_messages(self, dv: FakeDataverse) -> None:
        """A path, a URL or a compiled pattern; a message name with its table."""
        dv.service.create(Entity(TABLE, name="sdk"))
        with dv.intercept():
            requests.post(f"{API}/backgroundoperations", json={"name": "a"}, headers=AUTH)
            requests.get(f"{API}/backgroundoperations({MISSING})?$select=name", headers=AUTH)
        assert 1 == len(dv.assert_called("POST", "backgroundoperations", times=1))
        dv.assert_called("post", f"{API}/backgroundoperations")
        dv.assert_called("GET", "/api/data/v9.2/backgroundoperations(" + MISSING + ")")
        dv.assert_called("GET", re.compile(r"backgroundoperations\([0-9a-f-]+\)"), times=1)
        dv.assert_called("Create", TABLE, times=1)
        assert [] == dv.requests.matching("DELETE", "backgroundoperations")

    def test_a_miss_lists_what_was_answered(self, dv: FakeDataverse) -> None:
        """The failure says what was expected and lists every request the fake answered."""
        dv.service.create(Entity(TABLE, name="sdk"))
        with dv.intercept():
            requests.post(f"{API}/backgroundoperations", json={"priority": 11}, headers=AUTH)
        with pytest.raises(AssertionError) as failure:
            dv.assert_called("POST", "backgroundoperations", times=2)
        assert (
            "expected POST backgroundoperations to be called 2 times, it was called once.\n"
            "The organization answered:\n"
            "  SDK Create backgroundoperation -> ok\n"
            "  POST backgroundoperations -> 400 0x8004432f"
        ) == str(failure.value)

    def test_a_wildcard_in_a_path_is_pointed_to_patterns(self, dv: FakeDataverse) -> None:
        """A '*' in a path is compared as text; the failure says a pattern is re.compile(...)."""
        with dv.intercept():
            requests.patch(f"{API}/backgroundoperations({MISSING})", json={"ttlinseconds": 60},
                           headers=AUTH)
        with pytest.raises(AssertionError) as failure:
            dv.assert_called("PATCH", "/api/data/v9.2/backgroundoperations(*)", times=1)
        assert str(failure.value).endswith(
            "\nA path is compared whole, as text ('*' is no wildcard): "
            "pass re.compile(r'backgroundoperations\\(.+\\)') to match a pattern."
        )
        assert 1 == len(dv.assert_called("PATCH", re.compile(r"backgroundoperations\(.+\)")))

    def test_nothing_answered_says_so(self, dv: FakeDataverse) -> None:
        """With no request at all, the failure says nothing was answered."""
        with pytest.raises(AssertionError, match=r"called at least once.*\n.*\n  \(nothing\)"):
            dv.assert_called("GET", "backgroundoperations")


class TestLifetime:
    def test_reset_clears_the_log(self, dv: FakeDataverse) -> None:
        """reset() empties the organization and its log; clear() only the log."""
        dv.service.create(Entity(TABLE, name="a"))
        dv.reset()
        assert [] == list(dv.requests)
        dv.service.create(Entity(TABLE, name="b"))
        dv.requests.clear()
        assert 0 == len(dv.requests) and 1 == len(dv.rows())

    def test_reading_the_log_changes_nothing(self, dv: FakeDataverse) -> None:
        """Entries are views of what happened: reading them sends nothing and stores nothing."""
        row_id = dv.service.create(Entity(TABLE, name="a"))
        (entry,) = dv.requests
        assert isinstance(entry.outcome.id, uuid.UUID) and row_id == entry.outcome.id
        assert 1 == len(dv.requests)


class TestSnapshots:
    def test_restore_puts_the_log_back(self, dv: FakeDataverse) -> None:
        """restore() returns the log to what it held at snapshot() (isolate_examples uses it)."""
        dv.service.create(Entity(TABLE, name="before"))
        saved = dv.snapshot()
        dv.service.create(Entity(TABLE, name="after"))
        dv.restore(saved)
        assert ["before"] == [call.parameters["Target"]["name"] for call in dv.requests]

    def test_answered_counts_every_request_whatever_the_log_holds(
        self, dv: FakeDataverse
    ) -> None:
        """``answered`` only grows: clear() and restore() change the log, never the count."""
        saved = dv.snapshot()
        for name in ("a", "b", "c"):
            dv.service.create(Entity(TABLE, name=name))
        assert (3, 3) == (dv.requests.answered, len(dv.requests))
        dv.restore(saved)
        assert (3, 0) == (dv.requests.answered, len(dv.requests))
        dv.handle(HttpRequest("GET", f"{API}/WhoAmI", AUTH))
        later = dv.snapshot()
        dv.requests.clear()
        assert (4, 0) == (dv.requests.answered, len(dv.requests))
        dv.restore(later)
        dv.service.create(Entity(TABLE, name="d"))
        assert (5, 2) == (dv.requests.answered, len(dv.requests))

    @isolate_examples
    @settings(max_examples=5, database=None)
    @given(name=st.text(min_size=1, max_size=5))
    def test_each_example_sees_only_its_own_requests(self, dv: FakeDataverse, name: str) -> None:
        """Under isolate_examples, assert_called(times=1) holds in every example."""
        dv.service.create(Entity(TABLE, name=name))
        dv.assert_called("Create", TABLE, times=1)
