"""Boundary values in every place the Web API reads one: never an exception, never a 5xx, a
Dataverse-shaped answer, and a store left as it was by every rejection.

Integers at every width and past Python's 4,300-digit limit, digits Python accepts and
Dataverse does not, dates at 0001 and 9999 with every offset, huge text — in every query option,
in every header the fake reads, in JSON bodies, key segments, FetchXML, paging cookies and delta
tokens. The count is ``FAKE_DATAVERSE_FUZZ_EXAMPLES`` (see ``tests/boundaries.py``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from urllib.parse import quote

import requests

from fake_dataverse import Entity, FakeDataverse
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

from ..boundaries import DATES, DIGIT_LOOKALIKES, HUGE_TEXT, NUMBER_TEXTS, examples
from ..traces import store_state

COUNT = examples(1_500)
THROUGH_REQUESTS = 100
AUTH = {"Authorization": "Bearer boundary"}
JSON_HEADERS = {**AUTH, "Content-Type": "application/json"}
NUMBER_COLUMNS = ["priority", "retrycount", "ttlinseconds", "errorcode", "importsequencenumber",
                  "backgroundoperationstatecode", "backgroundoperationstatuscode"]
DATE_COLUMNS = ["overriddencreatedon", "starttime", "endtime"]
TEXT_COLUMNS = ["name", "displayname", "inputparameters", "partitionid", "runas"]
DATE_FUNCTIONS = ["LastXDays", "NextXYears", "OlderThanXMonths", "LastXHours", "NextXWeeks"]
DAY_FUNCTIONS = ["OnOrBefore", "OnOrAfter", "On"]


class Boundaries:
    """Builds requests that put one boundary value in one place."""

    def __init__(self, dv: FakeDataverse, rng: random.Random, rows: list[str]) -> None:
        self.dv = dv
        self.rng = rng
        self.rows = rows
        self.root = f"{dv.url}/api/data/v9.2/"

    # ---- values ------------------------------------------------------------------------
    def number(self) -> str:
        choice = self.rng.random()
        if choice < 0.75:
            return self.rng.choice(NUMBER_TEXTS)
        lookalike = self.rng.choice(DIGIT_LOOKALIKES)
        return self.rng.choice([lookalike, "1" + lookalike, lookalike * 3, "-" + lookalike])

    def date(self) -> str:
        return self.rng.choice(DATES)

    def any_value(self) -> str:
        pick = self.rng.random()
        if pick < 0.45:
            return self.number()
        if pick < 0.9:
            return self.date()
        return self.rng.choice(["", "'", "''", "null", "x" * 5000, "ü€\u2603", "%00", "%zz"])

    # ---- places ------------------------------------------------------------------------
    def query_option(self) -> HttpRequest:
        n, d, v = self.number(), self.date(), self.any_value()
        fetch_condition = (
            f"<fetch top='{n}'><entity name='backgroundoperation'><filter>"
            f"<condition attribute='{self.rng.choice(['priority', 'createdon'])}' "
            f"operator='{self.rng.choice(['eq', 'last-x-days', 'next-x-years', 'on-or-before'])}'"
            f" value='{v}'/></filter></entity></fetch>"
        )
        function = self.rng.choice(DATE_FUNCTIONS)
        day = self.rng.choice(DAY_FUNCTIONS)
        options = [
            f"$top={n}",
            f"$filter=priority eq {n}",
            f"$filter=priority lt {n} or retrycount ge {n}",
            f"$filter=createdon lt {d}",
            f"$filter=createdon eq {d} and modifiedon ne {d}",
            f"$filter=name eq '{v}'",
            f"$filter=priority in ({n},{n})",
            f"$filter=Microsoft.Dynamics.CRM.{function}(PropertyName='createdon',PropertyValue={n})",
            f"$filter=Microsoft.Dynamics.CRM.{function}(PropertyName='createdon',"
            f"PropertyValue='{n}')",
            f"$filter=Microsoft.Dynamics.CRM.{day}(PropertyName='createdon',PropertyValue='{d}')",
            f"$filter=Microsoft.Dynamics.CRM.Between(PropertyName='priority',"
            f'PropertyValues=["{n}","{n}"])',
            f"$select={v}",
            f"$orderby={v}",
            f"$count={v}",
            f"$apply=filter(priority eq {n})",
            f"$apply=aggregate(priority with sum as {v})",
            f"$skiptoken={quote(self.cookie(n))}",
            f"partitionId={v}",
            f"fetchXml={quote(fetch_condition)}",
        ]
        query = "&".join(
            option.replace(" ", "%20").replace("#", "%23")
            for option in self.rng.sample(options, self.rng.choice([1, 1, 2]))
        )
        table = self.rng.choice(["backgroundoperations", "backgroundoperations/$count"])
        return HttpRequest("GET", f"{self.root}{table}?{query}", self.headers(light=True))

    def cookie(self, number: str) -> str:
        last = f'<backgroundoperationid last="{{{self.rows[0]}}}" />'
        inner = f'<cookie page="{number}">{last}</cookie>'
        return (
            f'<cookie pagenumber="{number}" pagingcookie="{quote(quote(inner, safe=""), safe="")}"'
            f' istracking="{self.rng.choice(["True", "False"])}" />'
        )

    def delta(self) -> HttpRequest:
        n, d = self.number(), self.date()
        token = self.rng.choice([f"{n}!{d}", f"{n}!01/01/2026 09:00:00", f"1!{d}", n, d])
        url = f"{self.root}backgroundoperations?$select=name&$deltatoken={quote(token)}"
        return HttpRequest("GET", url, self.headers(light=True))

    def metadata(self) -> HttpRequest:
        n = self.number()
        path = self.rng.choice(
            [
                f"EntityDefinitions?$filter=ObjectTypeCode eq {n}",
                f"EntityDefinitions?$filter=LogicalName eq '{self.any_value()}'",
                f"EntityDefinitions(LogicalName='backgroundoperation')/Attributes?$filter="
                f"MaxLength eq {n}",
            ]
        )
        return HttpRequest("GET", self.root + path.replace(" ", "%20"), self.headers(light=True))

    def headers(self, *, light: bool = False) -> dict[str, str]:
        n, v = self.number(), self.any_value()
        headers = dict(JSON_HEADERS)
        chosen = [
            ("Prefer", f"odata.maxpagesize={n}"),
            ("Prefer", f'odata.include-annotations="{v}"'),
            ("Prefer", f"odata.maxpagesize={n},odata.track-changes"),
            ("Prefer", f'respond-async, odata.callback; url="{v}"'),
            ("If-Match", f'W/"{n}"'),
            ("If-None-Match", f'W/"{v}"'),
            ("Authorization", f"Bearer {v}" if v.strip() else "Bearer"),
            ("Content-Type", f"application/json; odata.metadata={v}"),
            ("x-ms-session-token", n),
        ]
        if self.rng.random() < 0.1:  # a bad caller id masks every other fault: seldom
            chosen += [("MSCRMCallerID", v), ("CallerObjectId", n)]
        for name, value in self.rng.sample(chosen, self.rng.randrange(0 if light else 1, 3)):
            headers[name] = value
        return headers

    def body(self) -> bytes:
        column = self.rng.choice(NUMBER_COLUMNS + DATE_COLUMNS + TEXT_COLUMNS)
        if column in NUMBER_COLUMNS:
            number = self.number()
            raw = number if number.lstrip("-").isascii() and number.lstrip("-").isdigit() else (
                json.dumps(number)
            )
            return ('{"name": "b", "' + column + '": ' + raw + "}").encode()
        if column in DATE_COLUMNS:
            return json.dumps({"name": "b", column: self.date()}).encode()
        text = self.rng.choice([HUGE_TEXT, self.any_value(), "a#b", "[x]"])
        return json.dumps({"name": "b", column: text}).encode()

    def write(self) -> HttpRequest:
        row = self.rng.choice(self.rows)
        method, path = self.rng.choice(
            [
                ("POST", "backgroundoperations"),
                ("PATCH", f"backgroundoperations({row})"),
                ("PATCH", f"backgroundoperations({self.number()})"),
                ("PATCH", f"backgroundoperations(backgroundoperationid={row},"
                          f"partitionid='{quote(self.any_value())}')"),
                ("POST", "sample_Echo"),
                ("DELETE", f"backgroundoperations({row})"),
            ]
        )
        return HttpRequest(method, self.root + path, self.headers(), self.body())

    def request(self) -> HttpRequest:
        makers: list[Callable[[], HttpRequest]] = [
            self.query_option,
            self.query_option,
            self.delta,
            self.metadata,
            self.write,
            self.write,
        ]
        return self.rng.choice(makers)()


def check_answer(request: HttpRequest, response: HttpResponse) -> None:
    """Assert one answer is Dataverse-shaped: below 500, a JSON error body on 4xx."""
    described = f"{request.method} {request.url[:300]} {dict(request.headers)!r}"
    assert response.status < 500, f"{response.status} for {described}: {response.body[:300]!r}"
    if response.status < 400 or response.status == 401 or request.method == "HEAD":
        return
    assert response.headers["Content-Type"].startswith("application/json"), described
    error = json.loads(response.body)["error"]
    assert isinstance(error["code"], str) and error["code"].startswith("0x"), described
    assert isinstance(error["message"], str) and error["message"], described


def _send(request: HttpRequest) -> HttpResponse:
    response = requests.request(
        request.method, request.url, headers=dict(request.headers), data=request.body
    )
    return HttpResponse(response.status_code, dict(response.headers), response.content)


class TestBoundaryValues:
    def test_every_place_takes_every_boundary(self) -> None:
        """COUNT requests, each with boundary values in a query option, header, body, key,
        cookie or token: a Dataverse answer, and rejections change nothing."""
        dv = FakeDataverse()
        dv.background.register("sample_Echo", lambda inputs: {})
        rows = [str(dv.service.create(Entity("backgroundoperation", name=f"r{i}", priority=i)))
                for i in range(3)]
        boundaries = Boundaries(dv, random.Random(20261206), rows)
        saved = dv.snapshot()
        rejected = 0
        with dv.intercept():
            for index in range(COUNT):
                request = boundaries.request()
                before = store_state(dv)
                response = _send(request) if index < THROUGH_REQUESTS else dv.handle(request)
                check_answer(request, response)
                if response.status >= 400:
                    rejected += 1
                    assert before == store_state(dv), f"{request.method} {request.url[:300]}"
                elif request.method != "GET":
                    dv.restore(saved)  # keep the store small and every write comparable
        assert 0 < rejected < COUNT  # both kinds of answer were exercised
