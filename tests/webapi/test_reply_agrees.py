"""A reply never disagrees with the store: a write whose reply is a fault is not kept.

``Prefer: return=representation`` makes the reply read the row (and ``$expand`` the related
rows); a caller who may not read them gets 403 before anything is written. A background
operation's inputs are checked as a direct write would check them before its row exists.
"""

from __future__ import annotations

import json
import math
import uuid

import pytest

from fake_dataverse import (
    DataverseError,
    Entity,
    FakeDataverse,
    OrganizationRequest,
)
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

from ..traces import store_state

API = "https://contoso.crm.dynamics.com/api/data/v9.2"
JSON = {"Authorization": "Bearer x", "Content-Type": "application/json"}
REPRESENTATION = {**JSON, "Prefer": "return=representation"}
CREATE, READ, WRITE = (
    "prvCreatebackgroundoperation",
    "prvReadbackgroundoperation",
    "prvWritebackgroundoperation",
)


def _send(
    dv: FakeDataverse,
    method: str,
    path: str,
    user: uuid.UUID,
    headers: dict[str, str],
    body: object,
) -> HttpResponse:
    headers = {**headers, "MSCRMCallerID": str(user)}
    return dv.handle(HttpRequest(method, f"{API}/{path}", headers, json.dumps(body).encode()))


def _denied(response: HttpResponse, privilege: str) -> None:
    error = json.loads(response.body)["error"]
    assert (403, "0x80040220") == (response.status, error["code"])
    assert privilege in error["message"]


class TestReturnRepresentation:
    def test_create_without_read_stores_nothing(self) -> None:
        """POST with return=representation by a caller without Read: 403 and no row."""
        dv = FakeDataverse()
        user = dv.add_user("creator", privileges=[CREATE])
        before = store_state(dv)
        response = _send(dv, "POST", "backgroundoperations", user, REPRESENTATION, {"name": "x"})
        _denied(response, READ)
        assert before == store_state(dv)

    def test_create_without_read_and_without_representation_is_kept(self) -> None:
        """The same caller without the Prefer header creates the row (204): no read needed."""
        dv = FakeDataverse()
        user = dv.add_user("creator", privileges=[CREATE])
        response = _send(dv, "POST", "backgroundoperations", user, JSON, {"name": "x"})
        assert 204 == response.status
        assert ["x"] == [row["name"] for row in dv.rows()]

    def test_a_missing_create_privilege_is_reported_first(self) -> None:
        """A caller with neither Create nor Read hears about Create, as without the header."""
        dv = FakeDataverse()
        user = dv.add_user("nobody", privileges=[])
        before = store_state(dv)
        response = _send(dv, "POST", "backgroundoperations", user, REPRESENTATION, {"name": "x"})
        _denied(response, CREATE)
        assert before == store_state(dv)

    def test_update_without_read_changes_nothing(self) -> None:
        """PATCH with return=representation by a caller with Write but not Read: 403, the row
        keeps its values, version and etag."""
        dv = FakeDataverse()
        row = dv.service.create(Entity("backgroundoperation", name="before"))
        user = dv.add_user("writer", privileges=[WRITE])
        before = store_state(dv)
        headers = {**REPRESENTATION, "If-Match": "*"}
        path = f"backgroundoperations({row})"
        response = _send(dv, "PATCH", path, user, headers, {"name": "after"})
        _denied(response, READ)
        assert before == store_state(dv)

    def test_upsert_without_read_creates_nothing(self) -> None:
        """A PATCH that would create (upsert) by a caller without Read: 403 and no row."""
        dv = FakeDataverse()
        user = dv.add_user("writer", privileges=[CREATE, WRITE])
        before = store_state(dv)
        path = f"backgroundoperations({uuid.UUID(int=7)})"
        response = _send(dv, "PATCH", path, user, REPRESENTATION, {"name": "new"})
        _denied(response, READ)
        assert before == store_state(dv)

    def test_expand_of_an_unreadable_table_stores_nothing(self) -> None:
        """POST ?$expand=createdby with return=representation by a caller who cannot read
        users: 403 naming prvReadsystemuser, and no row."""
        dv = FakeDataverse()
        user = dv.add_user("reader", privileges=[CREATE, READ])
        before = store_state(dv)
        path = "backgroundoperations?$expand=createdby($select=fullname)"
        response = _send(dv, "POST", path, user, REPRESENTATION, {"name": "x"})
        _denied(response, "prvReadsystemuser")
        assert before == store_state(dv)

    def test_with_every_privilege_the_row_comes_back(self) -> None:
        """A caller who may read gets 201 with the row, and the row is stored."""
        dv = FakeDataverse()
        user = dv.add_user("all")
        path = "backgroundoperations?$expand=createdby($select=fullname)"
        response = _send(dv, "POST", path, user, REPRESENTATION, {"name": "x"})
        assert 201 == response.status
        assert "all" == json.loads(response.body)["createdby"]["fullname"]
        assert ["x"] == [row["name"] for row in dv.rows()]


def _in_background(inner: OrganizationRequest) -> OrganizationRequest:
    return OrganizationRequest("ExecuteBackgroundOperation", {"Request": inner})


@pytest.fixture
def background() -> FakeDataverse:
    """A fake with a custom API that can run in the background."""
    dv = FakeDataverse()
    dv.background.register("sample_Export", lambda inputs: {})
    return dv


class TestRespondAsync:
    def _start(self, dv: FakeDataverse, body: bytes) -> HttpResponse:
        headers = {**JSON, "Prefer": "respond-async"}
        return dv.handle(HttpRequest("POST", f"{API}/sample_Export", headers, body))

    def test_inputs_longer_than_the_column_are_refused(self, background: FakeDataverse) -> None:
        """1,100,000 characters of inputs do not fit ``inputparameters`` (1,048,576): 400
        0x80044331 and no operation row, as a direct write of that value would get."""
        before = store_state(background)
        response = self._start(background, json.dumps({"Data": "a" * 1_100_000}).encode())
        error = json.loads(response.body)["error"]
        assert (400, "0x80044331") == (response.status, error["code"])
        assert "inputparameters" in error["message"]
        assert before == store_state(background)

    @pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
    def test_nan_is_not_json(self, background: FakeDataverse, constant: bytes) -> None:
        """``{"Data": NaN}`` is not JSON: 400 0x80048d19 and no operation row."""
        before = store_state(background)
        response = self._start(background, b'{"Data": ' + constant + b"}")
        error = json.loads(response.body)["error"]
        assert (400, "0x80048d19") == (response.status, error["code"])
        assert before == store_state(background)

    def test_valid_inputs_still_start(self, background: FakeDataverse) -> None:
        """Inputs within the column's length start the operation (202) with them stored."""
        response = self._start(background, json.dumps({"Data": "a" * 1000}).encode())
        assert 202 == response.status
        [row] = background.rows()
        assert json.loads(str(row["inputparameters"])) == [{"Key": "Data", "Value": "a" * 1000}]

    def test_sdk_nan_input_is_refused(self, background: FakeDataverse) -> None:
        """On the SDK surface a NaN input is 0x80040203 and no row is created."""
        before = store_state(background)
        inner = OrganizationRequest("sample_Export", {"Data": math.nan})
        with pytest.raises(DataverseError) as raised:
            background.service.execute(_in_background(inner))
        assert "0x80040203" == raised.value.hex_code
        assert before == store_state(background)

    def test_sdk_inputs_too_long_are_refused(self, background: FakeDataverse) -> None:
        """On the SDK surface inputs too long for the column are 0x80044331, no row."""
        before = store_state(background)
        inner = OrganizationRequest("sample_Export", {"Data": "a" * 1_100_000})
        with pytest.raises(DataverseError) as raised:
            background.service.execute(_in_background(inner))
        assert "0x80044331" == raised.value.hex_code
        assert before == store_state(background)
