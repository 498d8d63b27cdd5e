"""Fixtures for the SQL endpoint: a fake holding varied rows, and readers for each front end."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from fake_dataverse import FakeDataverse
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

TABLE = "backgroundoperation"
ROOT = "https://contoso.crm.dynamics.com/api/data/v9.2/"

#: Rows with repeated, missing and boundary values so every operator has something to decide.
ROWS: list[dict[str, Any]] = [
    {"name": "alpha", "priority": 1, "retrycount": 0, "runas": "x"},
    {"name": "beta", "priority": 2, "retrycount": 1, "ttlinseconds": 60},
    {"name": "Gamma", "priority": 2, "retrycount": 2, "partitionid": "p1"},
    {"name": "delta", "priority": 3, "retrycount": 3, "runas": "y"},
    {"name": "o'brien", "priority": 0},
    {"name": "alpha", "priority": 3, "retrycount": 1, "partitionid": "p2", "runas": "x"},
    {"priority": 1, "retrycount": 0},
]


class Reader:
    """Reads one table through ``?sql=``, OData options and ``fetchXml=`` (following nextLinks)."""

    def __init__(self, dv: FakeDataverse) -> None:
        self.dv = dv

    def send(self, query: str, headers: dict[str, str] | None = None) -> HttpResponse:
        url = query if query.startswith("http") else f"{ROOT}backgroundoperations?{query}"
        all_headers = {"Authorization": "Bearer t", **(headers or {})}
        return self.dv.handle(HttpRequest("GET", url, headers=all_headers))

    def sql(self, text: str, headers: dict[str, str] | None = None) -> HttpResponse:
        """Send a statement as the official SDK does (``%20`` for spaces)."""
        return self.send("sql=" + quote(text, safe=""), headers)

    def all_pages(self, query: str, headers: dict[str, str] | None = None) -> list[Any]:
        rows: list[Any] = []
        link: str | None = query
        while link is not None:
            response = self.send(link, headers)
            assert response.status == 200, response.body
            body = json.loads(response.body)
            rows.extend(body["value"])
            link = body.get("@odata.nextLink")
        return rows

    def sql_rows(self, text: str, headers: dict[str, str] | None = None) -> list[Any]:
        return self.all_pages("sql=" + quote(text, safe=""), headers)

    def odata_rows(self, options: str, headers: dict[str, str] | None = None) -> list[Any]:
        return self.all_pages(options, headers)

    def fetch_rows(self, xml: str) -> list[Any]:
        return self.all_pages("fetchXml=" + quote(xml, safe=""))

    def error(self, text: str) -> tuple[int, str, str]:
        """Return the status, error code and message a statement is refused with."""
        response = self.sql(text)
        error = json.loads(response.body)["error"]
        return response.status, error["code"], error["message"]


def seed(dv: FakeDataverse, rows: list[dict[str, Any]] = ROWS) -> None:
    """Create the rows through the Web API (in order, so ids ascend with the seed)."""
    for row in rows:
        request = HttpRequest(
            "POST",
            f"{ROOT}backgroundoperations",
            headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
            body=json.dumps(row).encode(),
        )
        assert dv.handle(request).status == 204


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding :data:`ROWS`."""
    fake = FakeDataverse()
    seed(fake)
    return fake


@pytest.fixture
def read(dv: FakeDataverse) -> Reader:
    """A reader on the seeded fake."""
    return Reader(dv)

