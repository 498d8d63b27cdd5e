"""$batch: framing, limits, change sets, Content-ID references, error handling, the answer."""

from __future__ import annotations

import json
import re

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import DataverseError, Entity, FakeDataverse
from fake_dataverse._webapi._http import HttpResponse

from ..traces import store_state
from .conftest import (
    ROOT,
    Answer,
    StubApi,
    batch_body,
    changeset,
    read_answers,
    request_part,
)

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def single(answers: list[Answer | list[Answer]]) -> list[Answer]:
    assert all(isinstance(a, Answer) for a in answers)
    return answers  # type: ignore[return-value]


class TestAnswer:
    def test_multipart_answer_with_one_part_per_request(self, api: StubApi) -> None:
        """The answer is 200 multipart/mixed, one application/http part per request."""
        response = api.batch(
            batch_body(request_part("POST", "rows", {"a": 1}), request_part("GET", "rows(1)"))
        )
        assert 200 == response.status
        assert re.fullmatch(
            rf"multipart/mixed; boundary=batchresponse_{GUID}", response.headers["Content-Type"]
        )
        created, read = single(read_answers(response))
        assert (204, "No Content", f"{ROOT}rows(1)", f"{ROOT}rows(1)") == (
            created.status,
            created.reason,
            created.headers["Location"],
            created.headers["OData-EntityId"],
        )
        assert (200, "OK", {"id": 1, "a": 1}) == (read.status, read.reason, json.loads(read.body))
        assert {"Content-Type": "application/http", "Content-Transfer-Encoding": "binary"} == (
            read.part_headers
        )

    def test_answer_uses_crlf_only(self, api: StubApi) -> None:
        """Every line of the answer ends with CRLF, whatever the request used."""
        text = api.batch(batch_body(request_part("POST", "rows", {"a": 1}))).body.decode()
        assert "\n" not in text.replace("\r\n", "")
        assert text.endswith("--\r\n")

    def test_boundary_is_deterministic(self) -> None:
        """The same batch gets the same boundaries; another batch gets others."""
        body = batch_body(changeset(request_part("POST", "rows", {"a": 1}, content_id="1")))
        first, second = StubApi().batch(body), StubApi().batch(body)
        other = StubApi().batch(body.replace('"a"', '"b"'))
        assert first.body == second.body
        assert first.headers["Content-Type"] != other.headers["Content-Type"]


class TestFraming:
    def test_crlf_and_lf_bodies_read_alike(self, api: StubApi) -> None:
        """CRLF and LF-only line endings are both accepted."""
        body = batch_body(request_part("POST", "rows", {"a": 1}))
        api.batch(body.replace("\n", "\r\n"))
        api.batch(body)
        assert {1: {"a": 1}, 2: {"a": 1}} == api.rows

    def test_quoted_boundary(self, api: StubApi) -> None:
        """A quoted boundary parameter is accepted."""
        api.batch(
            batch_body(request_part("POST", "rows", {"a": 1})),
            headers={"Content-Type": 'multipart/mixed;boundary="batch_1"'},
        )
        assert {1: {"a": 1}} == api.rows

    @pytest.mark.parametrize(
        "url",
        ["rows", f"{ROOT}rows", "/api/data/v9.2/rows"],
    )
    def test_inner_urls_are_resolved(self, api: StubApi, url: str) -> None:
        """Relative, absolute and absolute-path inner URLs all reach the same resource."""
        api.batch(batch_body(request_part("POST", url, {"a": 1})))
        assert [f"{ROOT}rows"] == [r.url for r in api.received]

    def test_extra_blank_line_before_body(self, api: StubApi) -> None:
        """A blank line too many between the inner headers and the body is tolerated."""
        part = request_part("POST", "rows", {"a": 1}).replace("\n\n{", "\n\n\n{")
        api.batch(batch_body(part))
        assert {1: {"a": 1}} == api.rows

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            ("--batch_1\nContent-Type: application/http\n\nPOST rows HTTP/1.1\n\n", None),
            ("no boundaries at all", None),
            (batch_body(request_part("POST", "rows", {"a": 1})), "application/json"),
            (batch_body(request_part("POST", "rows", {"a": 1})), "multipart/mixed"),
            (batch_body("Content-Type: text/plain\n\nhello\n"), None),
            (batch_body("Content-Type: application/http\n\nPOST\n"), None),
            (batch_body("Content-Type: application/http\n\nFETCH rows HTTP/1.1\n"), None),
            (batch_body("Content-Type application/http\n\nPOST rows HTTP/1.1\n"), None),
            (
                batch_body(
                    changeset(request_part("POST", "rows", {})).replace(
                        "; boundary=changeset_1", ""
                    )
                ),
                None,
            ),
        ],
    )
    def test_unreadable_batch(self, api: StubApi, body: str, content_type: str | None) -> None:
        """A body that is not a readable multipart batch is 0x80048d19 and runs nothing."""
        headers = {"Content-Type": content_type} if content_type else None
        with pytest.raises(DataverseError) as info:
            api.batch(body, headers=headers)
        assert ("0x80048d19", 400) == (info.value.hex_code, info.value.http_status)
        assert "Stream was not readable" in info.value.message
        assert [] == api.received

    def test_body_not_utf8(self, api: StubApi) -> None:
        """A body that is not UTF-8 is unreadable."""
        from fake_dataverse._webapi._http import HttpRequest
        from fake_dataverse._webapi.batch._batch import handle_batch

        request = HttpRequest(
            "POST", ROOT + "$batch", {"Content-Type": "multipart/mixed; boundary=b"}, b"\xff\xfe"
        )
        with pytest.raises(DataverseError) as info:
            handle_batch(
                request,
                api.dispatch,
                atomic_changesets=False,
                snapshot=api.snapshot,
                restore=api.restore,
            )
        assert "0x80048d19" == info.value.hex_code


class TestLimits:
    def test_at_most_1000_requests(self, api: StubApi) -> None:
        """1001 requests are rejected before any runs; 1000 are fine."""
        part = request_part("POST", "rows", {"a": 1})
        with pytest.raises(DataverseError) as info:
            api.batch(batch_body(*[part] * 1001))
        assert ("0x0", 400) == (info.value.hex_code, info.value.http_status)
        assert "at most 1000" in info.value.message
        assert [] == api.received
        api.batch(batch_body(*[part] * 1000))
        assert 1000 == len(api.rows)

    def test_change_set_requests_count(self, api: StubApi) -> None:
        """Requests inside change sets count towards the limit."""
        part = request_part("POST", "rows", {"a": 1})
        with pytest.raises(DataverseError):
            api.batch(batch_body(changeset(*[part] * 600), changeset(*[part] * 401)))
        assert [] == api.received

    def test_nested_batch(self, api: StubApi) -> None:
        """A batch inside a batch is rejected before anything runs."""
        body = batch_body(request_part("POST", "rows", {"a": 1}), request_part("POST", "$batch"))
        with pytest.raises(DataverseError) as info:
            api.batch(body)
        assert ("0x0", "A $batch request cannot contain another $batch request.") == (
            info.value.hex_code,
            info.value.message,
        )
        assert [] == api.received

    def test_get_in_change_set(self, api: StubApi) -> None:
        """A GET inside a change set is rejected, in the OData library's words."""
        body = batch_body(
            changeset(request_part("POST", "rows", {"a": 1}), request_part("GET", "rows(1)"))
        )
        with pytest.raises(DataverseError) as info:
            api.batch(body)
        assert (
            "An invalid HTTP method 'GET' was detected for a request in a change set. Requests in "
            "change sets only support the HTTP methods 'POST', 'PUT', 'DELETE', and 'PATCH'."
            == info.value.message
        )
        assert [] == api.received

    def test_nested_change_set(self, api: StubApi) -> None:
        """A change set inside a change set is rejected."""
        inner = changeset(request_part("POST", "rows", {"a": 1}), boundary="changeset_2")
        with pytest.raises(DataverseError) as info:
            api.batch(batch_body(changeset(inner)))
        assert "Nested change sets in a batch payload are not supported." == info.value.message
        assert [] == api.received


class TestChangeSets:
    def test_content_ids_and_references(self, api: StubApi) -> None:
        """``$1`` in a later URL and in a body resolves to the entity the request 1 created."""
        body = batch_body(
            changeset(
                request_part("POST", "rows", {"a": 1}, content_id="1"),
                request_part("PATCH", "$1", {"b": 2}, content_id="2"),
                request_part("POST", "rows", {"parent@odata.bind": "$1"}, content_id="3"),
            )
        )
        [answers] = read_answers(api.batch(body))
        assert isinstance(answers, list)
        assert ["1", "2", "3"] == [a.part_headers["Content-ID"] for a in answers]
        assert [204, 204, 204] == [a.status for a in answers]
        assert {1: {"a": 1, "b": 2}, 2: {"parent@odata.bind": f"{ROOT}rows(1)"}} == api.rows
        assert f"{ROOT}rows(1)" == api.received[1].url

    def test_bind_to_a_later_content_id(self, api: StubApi) -> None:
        """A body binding to a Content-ID declared only later is Dataverse's documented 400."""
        body = batch_body(
            changeset(
                request_part("POST", "rows", {"x@odata.bind": "$1"}, content_id="2"),
                request_part("POST", "rows", {"a": 1}, content_id="1"),
            )
        )
        response = api.batch(body)
        [answer] = single(read_answers(response))
        assert (400, 400) == (response.status, answer.status)
        assert (
            "Content-ID Reference: '$1' does not exist in the batch context."
            == (json.loads(answer.body)["error"]["message"])
        )
        assert [] == api.received

    def test_dollar_text_that_is_no_reference(self, api: StubApi) -> None:
        """A plain string value like ``"$9"`` that names no Content-ID is left as it is."""
        api.batch(batch_body(changeset(request_part("POST", "rows", {"price": "$9"}))))
        assert {1: {"price": "$9"}} == api.rows

    def test_unknown_reference(self, api: StubApi) -> None:
        """A ``$n`` no earlier request declared answers 400 in Dataverse's words."""
        body = batch_body(changeset(request_part("PATCH", "$7", {"b": 2}, content_id="1")))
        [answer] = single(read_answers(api.batch(body)))
        assert 400 == answer.status
        assert {
            "code": "0x0",
            "message": "Content-ID Reference: '$7' does not exist in the batch context.",
        } == json.loads(answer.body)["error"]
        assert [] == api.received

    def test_not_atomic_by_default(self, api: StubApi) -> None:
        """A failure ends the change set; the requests before it stay done (elastic tables)."""
        body = batch_body(
            changeset(
                request_part("POST", "rows", {"a": 1}, content_id="1"),
                request_part("POST", "rows", {"fail": True}, content_id="2"),
                request_part("POST", "rows", {"a": 3}, content_id="3"),
            )
        )
        response = api.batch(body)
        [answer] = single(read_answers(response))
        assert (400, "2") == (answer.status, answer.part_headers["Content-ID"])
        assert 400 == response.status
        assert {1: {"a": 1}} == api.rows
        assert 2 == len(api.received)

    def test_atomic_change_sets_restore(self, api: StubApi) -> None:
        """With atomic change sets a failure undoes the change set's earlier requests."""
        api.batch(batch_body(request_part("POST", "rows", {"kept": True})))
        body = batch_body(
            changeset(
                request_part("POST", "rows", {"a": 1}, content_id="1"),
                request_part("POST", "rows", {"fail": True}, content_id="2"),
            )
        )
        [answer] = single(read_answers(api.batch(body, atomic=True)))
        assert 400 == answer.status
        assert {1: {"kept": True}} == api.rows


class TestErrorHandling:
    def test_stops_at_first_failure(self, api: StubApi) -> None:
        """Without continue-on-error the batch answers the failure's status and runs no more."""
        body = batch_body(
            request_part("POST", "rows", {"a": 1}),
            request_part("PATCH", "rows(9)", {"b": 1}),
            request_part("POST", "rows", {"a": 2}),
        )
        response = api.batch(body)
        answers = single(read_answers(response))
        assert [204, 404] == [a.status for a in answers]
        assert 404 == response.status
        assert {1: {"a": 1}} == api.rows

    def test_continue_on_error(self, api: StubApi) -> None:
        """``Prefer: odata.continue-on-error`` runs and answers every request."""
        body = batch_body(
            request_part("POST", "rows", {"a": 1}),
            changeset(request_part("POST", "rows", {"fail": True})),
            request_part("POST", "rows", {"a": 2}),
        )
        response = api.batch(body, headers={"Prefer": "odata.continue-on-error"})
        answers = single(read_answers(response))
        assert [204, 400, 204] == [a.status for a in answers]
        assert 200 == response.status
        assert {1: {"a": 1}, 2: {"a": 2}} == api.rows


class TestHeaders:
    def test_caller_headers_are_inherited(self, api: StubApi) -> None:
        """Inner requests get the batch's Authorization and caller headers unless they set them."""
        outer = {
            "Authorization": "Bearer outer",
            "MSCRMCallerID": "11111111-1111-1111-1111-111111111111",
            "CallerObjectId": "22222222-2222-2222-2222-222222222222",
        }
        body = batch_body(
            request_part("POST", "rows", {"a": 1}),
            request_part("POST", "rows", {"a": 2}, headers={"authorization": "Bearer inner"}),
        )
        api.batch(body, headers=outer)
        first, second = (dict(r.headers.items()) for r in api.received)
        assert outer == {k: first[k] for k in outer}
        assert "Bearer inner" == second["authorization"]
        assert "Authorization" not in second
        assert outer["MSCRMCallerID"] == second["MSCRMCallerID"]

    def test_part_headers_reach_the_request(self, api: StubApi) -> None:
        """Per-part If-Match and Prefer headers are passed on."""
        api.batch(
            batch_body(
                request_part(
                    "POST",
                    "rows",
                    {"a": 1},
                    headers={"If-Match": "*", "Prefer": "return=representation"},
                )
            )
        )
        headers = api.received[0].headers
        assert ("*", "return=representation") == (headers["If-Match"], headers["Prefer"])

    def test_content_id_in_inner_headers(self, api: StubApi) -> None:
        """A Content-ID written among the inner headers works like a part header."""
        part = request_part("POST", "rows", {"a": 1}).replace(
            "HTTP/1.1\n", "HTTP/1.1\nContent-ID: 5\n"
        )
        body = batch_body(changeset(part, request_part("DELETE", "$5")))
        [answers] = read_answers(api.batch(body))
        assert isinstance(answers, list)
        assert ["5", None] == [a.part_headers.get("Content-ID") for a in answers]
        assert {} == api.rows



def post_batch(dv: FakeDataverse, body: str, **headers: str) -> requests.Response:
    """POST a batch body (boundary ``batch_1``) to the fake through ``requests``."""
    all_headers = {
        "Authorization": "Bearer t",
        "Content-Type": "multipart/mixed;boundary=batch_1",
        **headers,
    }
    with dv.intercept():
        return requests.post(
            f"{dv.url}/api/data/v9.2/$batch", data=body.encode(), headers=all_headers, timeout=5
        )


def answers_of(response: requests.Response) -> list[Answer | list[Answer]]:
    """Read the parts of a batch answer received through ``requests``."""
    return read_answers(
        HttpResponse(response.status_code, dict(response.headers), response.content)
    )


class TestThroughTheWebApi:
    def test_change_set_creates_and_updates(self) -> None:
        """A change set creates a row and updates it through ``$1``; the store has the result."""
        dv = FakeDataverse()
        body = batch_body(
            changeset(
                request_part("POST", "backgroundoperations", {"name": "op"}, content_id="1"),
                request_part(
                    "PATCH", "$1", {"retrycount": 2}, content_id="2", headers={"If-Match": "*"}
                ),
            )
        )
        response = post_batch(dv, body.replace("\n", "\r\n"))
        assert 200 == response.status_code
        [answers] = answers_of(response)
        assert isinstance(answers, list)
        assert [204, 204] == [a.status for a in answers]
        [row] = dv.rows()
        assert ("op", 2) == (row["name"], row["retrycount"])
        assert answers[0].headers["OData-EntityId"].endswith(f"({row.id})")

    @pytest.mark.parametrize(
        "body",
        [
            "garbage",
            batch_body(*[request_part("POST", "backgroundoperations", {"name": "x"})] * 1001),
            batch_body(
                changeset(
                    request_part("POST", "backgroundoperations", {"name": "x"}),
                    request_part("GET", "backgroundoperations"),
                )
            ),
            batch_body(
                request_part("POST", "backgroundoperations", {"name": "x"}),
                request_part("POST", "$batch", {}),
            ),
        ],
    )
    def test_rejected_batch_changes_nothing(self, body: str) -> None:
        """A batch rejected as a whole is a JSON 400 error and leaves the store as it was."""
        dv = FakeDataverse()
        dv.service.create(Entity("backgroundoperation", name="before"))
        before = store_state(dv)
        response = post_batch(dv, body)
        assert 400 == response.status_code
        assert response.json()["error"]["code"] in ("0x0", "0x80048d19")
        assert before == store_state(dv)

    def test_atomic_change_sets_leave_no_trace(self) -> None:
        """With atomic_changesets a failed change set leaves the store exactly as it was."""
        dv = FakeDataverse(atomic_changesets=True)
        dv.service.create(Entity("backgroundoperation", name="before"))
        before = store_state(dv)
        body = batch_body(
            changeset(
                request_part("POST", "backgroundoperations", {"name": "new"}, content_id="1"),
                request_part("POST", "backgroundoperations", {"priority": 99}, content_id="2"),
            )
        )
        response = post_batch(dv, body)
        assert 400 == response.status_code
        [answer] = answers_of(response)
        assert isinstance(answer, Answer)
        assert (400, "0x8004432f") == (answer.status, json.loads(answer.body)["error"]["code"])
        assert before == store_state(dv)

    def test_elastic_change_sets_keep_earlier_writes(self) -> None:
        """By default (elastic) the writes before a failure in a change set stay."""
        dv = FakeDataverse()
        body = batch_body(
            changeset(
                request_part("POST", "backgroundoperations", {"name": "new"}, content_id="1"),
                request_part("POST", "backgroundoperations", {"priority": 99}, content_id="2"),
            )
        )
        response = post_batch(dv, body)
        assert 400 == response.status_code
        [answer] = answers_of(response)
        assert isinstance(answer, Answer)
        assert 400 == answer.status
        assert ["new"] == [row["name"] for row in dv.rows()]

    def test_inner_requests_inherit_authorization(self) -> None:
        """Inner requests without Authorization use the batch's bearer token."""
        dv = FakeDataverse()
        response = post_batch(
            dv, batch_body(request_part("POST", "backgroundoperations", {"name": "x"}))
        )
        [answer] = answers_of(response)
        assert isinstance(answer, Answer)
        assert 204 == answer.status


PIECES = [
    "--batch_1\n",
    "--batch_1--\n",
    "--changeset_1\n",
    "--changeset_1--\n",
    "\n",
    "\r\n",
    "Content-Type: application/http\n",
    "Content-Type: multipart/mixed; boundary=changeset_1\n",
    "Content-ID: 1\n",
    "POST rows HTTP/1.1\n",
    "PATCH $1 HTTP/1.1\n",
    "GET rows(1) HTTP/1.1\n",
    "DELETE $2 HTTP/1.1\n",
    '{"a":1}\n',
    '{"x@odata.bind":"$1"}\n',
    "garbage\n",
    "GET\n",
]


class TestGarbage:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
    def test_any_body_is_an_answer_or_a_dataverse_fault(self, body: str) -> None:
        """Whatever the body: 200, a failed inner request's 4xx, or a 400 fault."""
        try:
            response = StubApi().batch(body)
        except DataverseError as error:
            response = HttpResponse(error.http_status)
            assert response.status == 400
        assert response.status == 200 or 400 <= response.status < 500
