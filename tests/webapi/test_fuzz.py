"""Fuzzing: malformed requests get only Dataverse-shaped 4xx answers and change nothing.

Every generated request carries at least one defect by construction (bad JSON, a wrong JSON
type, an unknown property, a garbage URL, a broken ``$filter``, a stale etag, a bad caller or
auth header, a malformed bulk body), so none may succeed. Requests go through
``FakeDataverse.handle`` (the transport-free entry point); the first few hundred also through
``requests`` and the interception, so both paths are covered.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from fake_dataverse import FakeDataverse
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

from ..boundaries import examples
from ..traces import store_state
from .conftest import TYPE

COUNT = examples(2_000)  # FAKE_DATAVERSE_FUZZ_EXAMPLES=10000 for a local run
ARBITRARY = examples(1_000)
THROUGH_REQUESTS = 300
AUTH = {"Authorization": "Bearer fuzz"}
JSON = {**AUTH, "Content-Type": "application/json"}
VALID_BODIES = [{"name": "a"}, {"priority": 3, "name": "b"}, {"retrycount": 1}]
WRONG_VALUES: dict[str, list[Any]] = {
    "name": [5, 1.5, True, [], {}],
    "priority": ["x", 1.5, True, [], {}, "3", 2**40],
    "retrycount": ["many", 0.5, False, [1]],
    "backgroundoperationstatecode": ["Ready", 1.5, True, {}],
    "backgroundoperationid": ["not-a-guid", 7, "{1234}"],
    "inputparameters": [1, [], {}],
    "ttlinseconds": ["1", 1.0e3, "x"],
    "overriddencreatedon": ["2023-02-30T00:00:00Z", "yesterday", 5],
}
FILTER_SUFFIXES = [" and", " or", " eq", ")", "(", " '", " not", " eq eq 1", ",", " gt"]
VALID_FILTERS = ["name eq 'a'", "priority ge 1", "contains(name,'x')", "retrycount eq null"]


class Fuzzer:
    """Generates malformed requests against a fake holding a few rows."""

    def __init__(self, dv: FakeDataverse, rng: random.Random, rows: list[str]) -> None:
        self.dv = dv
        self.rng = rng
        self.rows = rows
        self.root = f"{dv.url}/api/data/v9.2/"

    def junk(self, size: int = 12) -> str:
        alphabet = string.ascii_letters + string.digits + "'(),=$@%&+-_.~!*:;[]{} ü\u2603"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, size)))

    def row_url(self) -> str:
        return f"{self.root}backgroundoperations({self.rng.choice(self.rows)})"

    def bad_json(self) -> HttpRequest:
        body = json.dumps(self.rng.choice(VALID_BODIES)).encode()
        defect = self.rng.randrange(4)
        if defect == 0:
            body += self.rng.choice([b"x", b",", b"}", b"]", b"{", b"\x00", b"garbage"])
        elif defect == 1:
            body = body[: self.rng.randrange(len(body))]
        elif defect == 2:
            body = self.rng.choice([b"[]", b"1", b'"s"', b"null", b"true", b"[{}]"])
        else:
            body = b"\xff\xfe" + bytes(self.rng.randrange(256) for _ in range(8))
        method, url = self.rng.choice(
            [("POST", self.root + "backgroundoperations"), ("PATCH", self.row_url())]
        )
        return HttpRequest(method, url, JSON, body)

    def wrong_type(self) -> HttpRequest:
        column = self.rng.choice(list(WRONG_VALUES))
        body = dict(self.rng.choice(VALID_BODIES))
        if self.rng.random() < 0.2:
            body["zz" + self.junk(6)] = 1  # an unknown property (or a bad annotation)
        else:
            body[column] = self.rng.choice(WRONG_VALUES[column])
        method, url = self.rng.choice(
            [("POST", self.root + "backgroundoperations"), ("PATCH", self.row_url())]
        )
        headers = dict(JSON)
        if method == "PATCH":
            headers["If-Match"] = "*"
        return HttpRequest(method, url, headers, json.dumps(body).encode())

    def garbage_url(self) -> HttpRequest:
        shape = self.rng.randrange(3)
        if shape == 0:
            path = "zz" + quote(self.junk(), safe="/()'=,$")
        elif shape == 1:
            path = "backgroundoperations(" + quote(self.junk(), safe="'=,") + ")"
        else:
            path = f"backgroundoperations({self.rng.choice(self.rows)})/zz{quote(self.junk())}"
        method = self.rng.choice(["GET", "POST", "PATCH", "DELETE", "PUT"])
        return HttpRequest(method, self.root + path, JSON, b'{"name":"a"}')

    def bad_query(self) -> HttpRequest:
        option = self.rng.randrange(5)
        if option == 0:
            text = self.rng.choice(VALID_FILTERS) + self.rng.choice(FILTER_SUFFIXES)
            query = "$filter=" + quote(text + self.junk(3) * self.rng.randrange(2))
        elif option == 1:
            query = "$select=zz" + quote(self.junk(5))
        elif option == 2:
            query = "$orderby=zz" + quote(self.junk(5))
        elif option == 3:
            query = "$top=" + self.rng.choice(["-1", "0", "abc", "1.5", "99999999999"])
        else:
            query = self.rng.choice(
                [
                    "$skip=1",
                    "$search=x",
                    "$format=json",
                    "$expand=createdby",
                    "$zz=1",
                    "$apply=zz(" + quote(self.junk(4)),
                ]
            )
        return HttpRequest("GET", f"{self.root}backgroundoperations?{query}", AUTH)

    def bad_header(self) -> HttpRequest:
        body = json.dumps(self.rng.choice(VALID_BODIES)).encode()
        defect = self.rng.randrange(5)
        headers = dict(JSON)
        headers["Prefer"] = self.rng.choice(
            [
                "",
                "junk",
                'odata.include-annotations="*"',
                "odata.maxpagesize=-1",
                "return=representation",
            ]
        )
        if defect == 0:
            headers["If-Match"] = 'W/"' + self.junk(8) + '"'
            return HttpRequest("PATCH", self.row_url(), headers, body)
        if defect == 1:
            headers["MSCRMCallerID"] = self.rng.choice(["", self.junk(), str(uuid.uuid4())])
        elif defect == 2:
            headers["CallerObjectId"] = self.rng.choice(["", self.junk(), str(uuid.uuid4())])
        elif defect == 3:
            headers["Authorization"] = self.rng.choice(["", "Basic abc", "Bearer", "bearer  "])
        else:
            headers["Content-Type"] = self.rng.choice(["text/plain", "application/xml", "json"])
        return HttpRequest("POST", self.root + "backgroundoperations", headers, body)

    def bad_bulk(self) -> HttpRequest:
        action = self.rng.choice(
            ["CreateMultiple", "UpdateMultiple", "UpsertMultiple", "DeleteMultiple"]
        )
        target = {"@odata.type": TYPE, "name": "a"}
        body = self.rng.choice(
            [
                {},
                {"Targets": []},
                {"Targets": {}},
                {"Targets": [{"name": "a"}]},
                {"Targets": [target], "Extra": 1},
                {"Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.zz" + self.junk(4)}]},
                {"Targets": [{**target, "priority": "x"}]},
            ]
        )
        url = f"{self.root}backgroundoperations/Microsoft.Dynamics.CRM.{action}"
        return HttpRequest("POST", url, JSON, json.dumps(body).encode())

    def request(self) -> HttpRequest:
        makers: list[Callable[[], HttpRequest]] = [
            self.bad_json,
            self.wrong_type,
            self.garbage_url,
            self.bad_query,
            self.bad_header,
            self.bad_bulk,
        ]
        return self.rng.choice(makers)()


def check_rejection(request: HttpRequest, status: int, headers: Any, body: bytes) -> None:
    """Assert one answer is a Dataverse-shaped 4xx."""
    described = f"{request.method} {request.url} {request.headers!r} {request.body!r}"
    assert 400 <= status < 500, f"{status} for {described}: {body!r}"
    if status == 401:
        assert "WWW-Authenticate" in headers, described
        return
    assert headers["Content-Type"].startswith("application/json"), described
    error = json.loads(body)["error"]
    assert isinstance(error["code"], str), described
    assert isinstance(error["message"], str) and error["message"], described


def _send(request: HttpRequest) -> tuple[int, Any, bytes]:
    response = requests.request(
        request.method, request.url, headers=dict(request.headers), data=request.body
    )
    return response.status_code, response.headers, response.content


def _handle(dv: FakeDataverse, request: HttpRequest) -> tuple[int, Any, bytes]:
    response: HttpResponse = dv.handle(request)
    return response.status, response.headers, response.body


class TestFuzz:
    def test_malformed_requests_are_rejected_and_change_nothing(self) -> None:
        """COUNT malformed requests: each a Dataverse 4xx; the store is as it was."""
        dv = FakeDataverse()
        rows = [str(dv.service.create(_entity(i))) for i in range(3)]
        fuzzer = Fuzzer(dv, random.Random(20240601), rows)
        before = store_state(dv)
        with dv.intercept():
            for index in range(COUNT):
                request = fuzzer.request()
                sent = _send(request) if index < THROUGH_REQUESTS else _handle(dv, request)
                check_rejection(request, *sent)
        assert store_state(dv) == before


def _entity(index: int) -> Any:
    from fake_dataverse import Entity

    return Entity("backgroundoperation", name=f"seed{index}", priority=index)


SEGMENTS = [
    "",
    "$metadata",
    "sdkmessagefilters",
    "backgroundoperations",
    "backgroundoperations/$count",
    "systemusers",
    "EntityDefinitions",
    "EntityDefinitions(LogicalName='backgroundoperation')",
    "EntityDefinitions(LogicalName='backgroundoperation')/Attributes",
    "backgroundoperations/Microsoft.Dynamics.CRM.CreateMultiple",
    "backgroundoperations/Microsoft.Dynamics.CRM.DeleteMultiple",
]
OPTIONS = [
    "$select=name",
    "$filter=name eq 'a'",
    "$expand=createdby",
    "$top=2",
    "$count=true",
    "$apply=aggregate($count as c)",
    "fetchXml=%3Cfetch/%3E",
    "partitionId=p",
    "$skiptoken=x",
    "$deltatoken=",
    "$orderby=name desc",
    "$expand=Attributes($select=LogicalName)",
    "%zz",
    "=",
]
HEADERS = [
    ("Prefer", "return=representation"),
    ("Prefer", "odata.track-changes"),
    ("Prefer", "odata.maxpagesize=1"),
    ("Prefer", 'odata.include-annotations="*"'),
    ("If-Match", "*"),
    ("If-Match", 'W/"x"'),
    ("If-None-Match", "*"),
    ("CallerObjectId", "x"),
    ("Content-Type", "text/plain"),
    ("Content-Type", "multipart/mixed;boundary=b"),
]
BODIES = [
    b"",
    b"{}",
    b'{"name":"x"}',
    b'{"value":1}',
    b"[",
    b'{"a@b.c":1}',
    b'{"priority":1e999}',
    b'{"Targets":[{"@odata.type":"Microsoft.Dynamics.CRM.backgroundoperation","name":"q"}]}',
    b"--b\r\nContent-Type: application/http\r\n\r\nGET backgroundoperations HTTP/1.1\r\n\r\n--b--",
]


class TestArbitraryRequests:
    def test_no_request_crashes_the_fake(self) -> None:
        """ARBITRARY requests (valid or not): never an exception, never a 5xx."""
        dv = FakeDataverse()
        rows = [str(dv.service.create(_entity(i))) for i in range(3)]
        rng = random.Random(7)
        root = f"{dv.url}/api/data/v9.2/"
        segments = [
            *SEGMENTS,
            *(f"backgroundoperations({r})" for r in rows),
            f"backgroundoperations({rows[0]})/name",
            f"backgroundoperations({rows[1]})/createdby",
        ]
        for _ in range(ARBITRARY):
            path = rng.choice(segments) + rng.choice(["", "", "", "/", "(", "'", "/x"])
            query = "&".join(rng.sample(OPTIONS, rng.randrange(3)))
            headers = dict(AUTH) if rng.random() < 0.95 else {}
            headers.update(rng.sample(HEADERS, rng.randrange(4)))
            method = rng.choice(["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"])
            request = HttpRequest(method, f"{root}{path}?{query}", headers, rng.choice(BODIES))
            response = dv.handle(request)
            assert response.status < 500, (request, response)
