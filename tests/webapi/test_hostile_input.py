"""Input that once made the fake raise gets Dataverse's fault instead: numbers too long for
Python, non-ASCII digits, date arithmetic past the year 9999, URLs ``urllib`` refuses — on the
Web API, in ``$batch``, through FetchXML and on the SDK surface; and nothing changes."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import quote, unquote

import pytest

from fake_dataverse import (
    ColumnSet,
    ConditionOperator,
    DataverseError,
    Entity,
    FakeDataverse,
    FetchExpression,
    PagingInfo,
    QueryExpression,
    RetrieveEntityChangesRequest,
    RetrieveMultipleRequest,
)
from fake_dataverse._webapi._http import HttpRequest

from ..traces import store_state

AUTH = {"Authorization": "Bearer x"}
HUGE = "9" * 4301
FUNCTIONS = "Microsoft.Dynamics.CRM."
LAST_X_DAYS_FETCH = (
    "<fetch><entity name='backgroundoperation'><filter><condition attribute='createdon' "
    "operator='last-x-days' value='999999999'/></filter></entity></fetch>"
)
OUT_OF_RANGE = "0x80040239"

#: (name, method, path and query, extra headers, body, expected status, expected code)
CASES = [
    ("top-huge", "GET", f"backgroundoperations?$top={HUGE}", {}, b"", 400, "0x0"),
    ("top-superscript", "GET", "backgroundoperations?$top=²", {}, b"", 400, "0x0"),
    ("top-arabic-digit", "GET", "backgroundoperations?$top=٣", {}, b"", 400, "0x0"),
    ("filter-huge-literal", "GET", f"backgroundoperations?$filter=priority eq {HUGE}", {}, b"",
     400, "0x0"),
    ("filter-arabic-digit", "GET", "backgroundoperations?$filter=priority eq ٣", {}, b"",
     400, "0x0"),
    ("metadata-filter-huge", "GET", f"EntityDefinitions?$filter=ObjectTypeCode eq {HUGE}", {},
     b"", 200, None),
    ("last-x-days-int64", "GET",
     f"backgroundoperations?$filter={FUNCTIONS}LastXDays(PropertyName='createdon',"
     "PropertyValue=2147483648)", {}, b"", 400, "0x0"),
    ("next-x-years-huge", "GET",
     f"backgroundoperations?$filter={FUNCTIONS}NextXYears(PropertyName='createdon',"
     "PropertyValue=99999999)", {}, b"", 400, OUT_OF_RANGE),
    ("on-or-before-9999-12-31", "GET",
     f"backgroundoperations?$filter={FUNCTIONS}OnOrBefore(PropertyName='createdon',"
     "PropertyValue='9999-12-31')", {}, b"", 400, OUT_OF_RANGE),
    ("fetchxml-last-x-days", "GET", f"backgroundoperations?fetchXml={quote(LAST_X_DAYS_FETCH)}",
     {}, b"", 400, OUT_OF_RANGE),
    ("date-literal-past-9999-in-utc", "GET",
     "backgroundoperations?$filter=createdon lt 9999-12-31T23:59:59-14:00", {}, b"", 400, "0x0"),
    ("post-date-before-year-1-in-utc", "POST", "backgroundoperations",
     {"Content-Type": "application/json"},
     json.dumps({"name": "x", "overriddencreatedon": "0001-01-01T00:00:00+14:00"}).encode(),
     400, "0x80048d19"),
    ("maxpagesize-superscript", "GET", "backgroundoperations",
     {"Prefer": "odata.maxpagesize=²"}, b"", 200, None),
    ("maxpagesize-huge", "GET", "backgroundoperations",
     {"Prefer": f"odata.maxpagesize={HUGE}"}, b"", 200, None),
    ("bracket-in-host", "GET", "backgroundoperations", {"host": "contoso.crm.dynamics.com["},
     b"", 200, None),
]


def _url(dv: FakeDataverse, path: str, headers: dict[str, str]) -> str:
    host = headers.pop("host", dv.url.split("://")[1])
    return f"https://{host}/api/data/v9.2/{path}"


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake with one row (date operators are evaluated against rows)."""
    fake = FakeDataverse()
    fake.service.create(Entity("backgroundoperation", name="a"))
    return fake


def _check(status: int, body: bytes, expected: int, code: str | None) -> None:
    assert expected == status, body
    if code is not None:
        error = json.loads(body)["error"]
        assert (code, True) == (error["code"], bool(error["message"]))


class TestWebApi:
    @pytest.mark.parametrize(
        ("method", "path", "headers", "body", "status", "code"),
        [case[1:] for case in CASES],
        ids=[case[0] for case in CASES],
    )
    def test_answered_with_a_fault(
        self,
        dv: FakeDataverse,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        status: int,
        code: str | None,
    ) -> None:
        """Each input gets Dataverse's answer, never an exception, and the store is unchanged."""
        before = store_state(dv)
        headers = dict(headers)
        url = _url(dv, path, headers)
        response = dv.handle(HttpRequest(method, url, {**AUTH, **headers}, body))
        _check(response.status, response.body, status, code)
        assert before == store_state(dv)

    def test_maxpagesize_is_read_before_authentication(self, dv: FakeDataverse) -> None:
        """A bad page size without a token is still the 401 challenge."""
        headers = {"Prefer": "odata.maxpagesize=²"}
        response = dv.handle(HttpRequest("GET", _url(dv, "backgroundoperations", {}), headers))
        assert (401, True) == (response.status, "WWW-Authenticate" in response.headers)

    def test_a_skiptoken_whose_cookie_page_is_not_a_number(self, dv: FakeDataverse) -> None:
        """A paging cookie with ``page="²"`` (or 5,000 digits) is 0x8004112a, not a crash."""
        dv.service.create(Entity("backgroundoperation", name="b"))
        first = dv.handle(
            HttpRequest(
                "GET",
                _url(dv, "backgroundoperations?$select=name", {}),
                {**AUTH, "Prefer": "odata.maxpagesize=1"},
            )
        )
        token = unquote(json.loads(first.body)["@odata.nextLink"].split("$skiptoken=")[1])
        encoded = re.search(r'pagingcookie="([^"]*)"', token)
        assert encoded is not None
        for page in ("²", "٣", HUGE):
            cookie = re.sub(r'page="\d+"', f'page="{page}"', unquote(unquote(encoded[1])))
            forged = token.replace(encoded[1], quote(quote(cookie, safe=""), safe=""))
            url = _url(dv, f"backgroundoperations?$select=name&$skiptoken={quote(forged)}", {})
            response = dv.handle(
                HttpRequest("GET", url, {**AUTH, "Prefer": "odata.maxpagesize=1"})
            )
            _check(response.status, response.body, 400, "0x8004112a")

    def test_none_of_them_takes_a_batch_down(self, dv: FakeDataverse) -> None:
        """Every case inside one ``$batch`` (continue-on-error): each part gets its answer."""
        parts = []
        for _, method, path, headers, body, _, _ in CASES:
            if "host" in headers:
                continue
            target = path.replace(" ", "%20")
            lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
            parts.append(
                "--batch_1\r\nContent-Type: application/http\r\n"
                "Content-Transfer-Encoding: binary\r\n\r\n"
                + "\r\n".join(lines)
                + "\r\n\r\n"
                + body.decode()
                + "\r\n"
            )
        batch = "".join(parts) + "--batch_1--\r\n"
        before = store_state(dv)
        response = dv.handle(
            HttpRequest(
                "POST",
                _url(dv, "$batch", {}),
                {
                    **AUTH,
                    "Content-Type": "multipart/mixed;boundary=batch_1",
                    "Prefer": "odata.continue-on-error",
                },
                batch.encode(),
            )
        )
        assert 200 == response.status
        statuses = re.findall(r"HTTP/1\.1 (\d{3})", response.body.decode())
        expected = [str(case[5]) for case in CASES if "host" not in case[3]]
        assert expected == statuses
        assert before == store_state(dv)


class TestSdk:
    @pytest.mark.parametrize("count", [999_999_999, 2**31, 2**40, -(2**40)])
    def test_last_x_days_out_of_range(self, dv: FakeDataverse, count: int) -> None:
        """ConditionOperator.LAST_X_DAYS with a count past Dataverse's dates is 0x80040239."""
        query = QueryExpression("backgroundoperation")
        query.criteria.add_condition("createdon", ConditionOperator.LAST_X_DAYS, count)
        with pytest.raises(DataverseError) as raised:
            dv.service.retrieve_multiple(query)
        assert OUT_OF_RANGE == raised.value.hex_code

    @pytest.mark.parametrize("rows", ["none", "null in the column"])
    def test_a_date_range_past_dataverses_dates_is_refused_whatever_the_rows(
        self, rows: str
    ) -> None:
        """The range is the query's fault: no row need hold a value for it to be refused."""
        fake = FakeDataverse()
        if rows != "none":
            fake.service.create(Entity("backgroundoperation", name="a"))  # starttime is null
        query = QueryExpression("backgroundoperation")
        query.criteria.add_condition("starttime", ConditionOperator.NEXT_X_YEARS, 99_999_999)
        before = store_state(fake)
        with pytest.raises(DataverseError) as raised:
            fake.service.retrieve_multiple(query)
        assert OUT_OF_RANGE == raised.value.hex_code
        assert before == store_state(fake)

    def test_fetchxml_last_x_days_out_of_range(self, dv: FakeDataverse) -> None:
        """FetchXML ``last-x-days`` 999999999 on the SDK surface is 0x80040239."""
        with pytest.raises(DataverseError) as raised:
            dv.service.retrieve_multiple(FetchExpression(LAST_X_DAYS_FETCH))
        assert OUT_OF_RANGE == raised.value.hex_code

    @pytest.mark.parametrize("text", [HUGE, "٣", "1_000", "²"])
    def test_fetchxml_integer_values_are_ascii_digits(self, dv: FakeDataverse, text: str) -> None:
        """A FetchXML integer value that is not ASCII digits is 0x80040203, not a crash."""
        fetch = (
            "<fetch><entity name='backgroundoperation'><filter><condition attribute='priority' "
            f"operator='eq' value='{text}'/></filter></entity></fetch>"
        )
        with pytest.raises(DataverseError) as raised:
            dv.service.retrieve_multiple(FetchExpression(fetch))
        assert "0x80040203" == raised.value.hex_code

    @pytest.mark.parametrize(
        "shape", ["top", "page-size", "page-number", "changes-page-size"], ids=str
    )
    def test_paging_numbers_beyond_int32(self, dv: FakeDataverse, shape: str) -> None:
        """TopCount and PagingInfo numbers past Int32 (5,000 digits even) are 0x80040203."""
        huge = 10**5000
        if shape == "changes-page-size":
            request: Any = RetrieveEntityChangesRequest(
                entity_name="backgroundoperation",
                columns=ColumnSet("name"),
                page_info=PagingInfo(count=huge, page_number=1),
            )
        else:
            query = QueryExpression("backgroundoperation")
            if shape == "top":
                query.top_count = huge
            else:
                count, page = (huge, 1) if shape == "page-size" else (10, huge)
                query.page_info = PagingInfo(count=count, page_number=page)
            request = RetrieveMultipleRequest(query=query)
        with pytest.raises(DataverseError) as raised:
            dv.service.execute(request)
        assert "0x80040203" == raised.value.hex_code

    def test_a_huge_integer_in_a_write_is_out_of_range(self, dv: FakeDataverse) -> None:
        """priority = 10**5000 is 0x8004432f, and the message prints without raising."""
        before = store_state(dv)
        with pytest.raises(DataverseError) as raised:
            dv.service.create(Entity("backgroundoperation", priority=10**5000))
        assert ("0x8004432f", True) == (raised.value.hex_code, "digits" in raised.value.message)
        assert before == store_state(dv)

    def test_a_condition_date_outside_utc_years(self, dv: FakeDataverse) -> None:
        """A condition on 0001-01-01T00:00:00+14:00 (before the year 1 in UTC) is 0x80040239."""
        query = QueryExpression("backgroundoperation")
        moment = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
        query.criteria.add_condition("createdon", ConditionOperator.GREATER_THAN, moment)
        with pytest.raises(DataverseError) as raised:
            dv.service.retrieve_multiple(query)
        assert OUT_OF_RANGE == raised.value.hex_code

    def test_a_normal_date_range_still_works(self, dv: FakeDataverse) -> None:
        """LastXDays with a sensible count finds today's row."""
        query = QueryExpression("backgroundoperation")
        query.criteria.add_condition("createdon", ConditionOperator.LAST_X_DAYS, 3)
        assert 1 == len(dv.service.retrieve_multiple(query).entities)
