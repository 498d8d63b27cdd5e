"""Fixtures for the Web API tests: a fake, a ``requests`` session routed into it, store checks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fake_dataverse import FakeDataverse

from ..traces import store_state

TABLE = "backgroundoperation"
TYPE = "Microsoft.Dynamics.CRM.backgroundoperation"




class Api:
    """A ``requests`` session on the fake's Web API root, with a bearer token."""

    def __init__(self, dv: FakeDataverse) -> None:
        self.dv = dv
        self.root = f"{dv.url}/api/data/v9.2/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer test-token"

    def url(self, path: str) -> str:
        """Return the absolute URL of a path below the Web API root."""
        return path if path.startswith("http") else self.root + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request to a path below the Web API root."""
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, **columns: Any) -> str:
        """Create a row and return its id (parsed from ``OData-EntityId``)."""
        response = self.post("backgroundoperations", json=columns)
        assert response.status_code == 204, response.text
        return response.headers["OData-EntityId"].rsplit("(", 1)[1].split(")")[0].split(",")[0]


@pytest.fixture
def dv() -> FakeDataverse:
    """A fresh fake organization."""
    return FakeDataverse()


@pytest.fixture
def api(dv: FakeDataverse) -> Iterator[Api]:
    """A ``requests`` session whose calls to the fake's URL reach its Web API."""
    with dv.intercept():
        yield Api(dv)


@pytest.fixture
def unchanged(dv: FakeDataverse) -> Any:
    """A context manager asserting that the block leaves the store exactly as it was."""

    @contextlib.contextmanager
    def check() -> Iterator[None]:
        before = store_state(dv)
        yield
        assert store_state(dv) == before

    return check


def error_of(response: requests.Response) -> tuple[int, str, str]:
    """Return (status, code, message) of a Dataverse error response."""
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"]
    return response.status_code, error["code"], error["message"]
