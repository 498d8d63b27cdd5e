"""Alternate keys over HTTP: key segments with one or several key properties, and uniqueness."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from fake_dataverse import FakeDataverse

from ..tables import TASK, TASK_TABLE
from ..traces import store_state
from .conftest import Api, error_of

ROW = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding the task table (a standard table with two alternate keys)."""
    return FakeDataverse(tables=[TASK_TABLE])


@pytest.fixture
def tasks(api: Api) -> Api:
    """The Web API with two tasks: A1 (west, 7) and B2 (west, 8)."""
    for name, code, number in (("first", "A1", 7), ("second", "B2", 8)):
        response = api.post("contoso_tasks", json={
            "contoso_name": name, "contoso_code": code, "contoso_region": "west",
            "contoso_number": number})
        assert 204 == response.status_code, response.text
    return api


@pytest.fixture
def same(dv: FakeDataverse) -> Any:
    """A context manager asserting that the block leaves the task table as it was."""

    @contextlib.contextmanager
    def check() -> Iterator[None]:
        before = store_state(dv, TASK)
        yield
        assert before == store_state(dv, TASK)

    return check


def names(dv: FakeDataverse) -> list[str]:
    return sorted(str(row.get("contoso_name")) for row in dv.rows(TASK))


class TestKeySegments:
    def test_get_by_one_key_property(self, tasks: Api) -> None:
        """GET contoso_tasks(contoso_code='A1') answers that row with its ETag."""
        response = tasks.get("contoso_tasks(contoso_code='a1')?$select=contoso_name")
        assert 200 == response.status_code, response.text
        body = response.json()
        assert "first" == body["contoso_name"]
        assert response.headers["ETag"] == body["@odata.etag"]

    def test_get_by_a_key_of_two_properties(self, tasks: Api) -> None:
        """Several key properties, in any order and case of the names."""
        response = tasks.get("contoso_tasks(contoso_number=8,Contoso_Region='west')")
        assert "second" == response.json()["contoso_name"]

    def test_get_one_property_by_key(self, tasks: Api) -> None:
        """A property path below a key segment reads the row the key names."""
        response = tasks.get("contoso_tasks(contoso_code='B2')/contoso_name")
        assert "second" == response.json()["value"]

    def test_a_key_no_row_holds_is_404(self, tasks: Api) -> None:
        """404 0x80060891 for a key value no row holds."""
        assert error_of(tasks.get("contoso_tasks(contoso_code='Z9')")) == (
            404, "0x80060891",
            "A record with the specified key values does not exist in contoso_task entity")

    @pytest.mark.parametrize("key", ["contoso_name='first'", "contoso_region='west'",
                                     "contoso_code='A1',contoso_number=7", "nope='x'"])
    def test_names_that_form_no_key_are_400(self, tasks: Api, key: str) -> None:
        """Key properties that are not exactly a key of the table: OData's 400."""
        status, code, message = error_of(tasks.get(f"contoso_tasks({key})"))
        assert (400, "0x0") == (status, code)
        assert message.startswith(
            "The key in the request URI is not valid for resource "
            "'Microsoft.Dynamics.CRM.contoso_task'.")

    @pytest.mark.parametrize("key", ["contoso_code=12", "contoso_region='west',contoso_number='7'",
                                     f"contoso_code={ROW}"])
    def test_a_literal_of_the_wrong_type_is_a_syntax_error(self, tasks: Api, key: str) -> None:
        """A key literal must have the column's OData type (text quoted, numbers bare)."""
        assert error_of(tasks.get(f"contoso_tasks({key})")) == (
            400, "0x0", "Bad Request - Error in query syntax.")


class TestWritesByKey:
    def test_patch_by_a_new_key_creates_the_row(
        self, api: Api, dv: FakeDataverse
    ) -> None:
        """PATCH contoso_tasks(contoso_code='N1') upserts: the row is made with the key value."""
        response = api.patch("contoso_tasks(contoso_code='N1')", json={"contoso_name": "new"})
        assert 204 == response.status_code, response.text
        row = dv.rows(TASK)[0]
        assert ("N1", "new") == (row["contoso_code"], row["contoso_name"])
        assert response.headers["OData-EntityId"].endswith(f"contoso_tasks({row.id})")

    def test_patch_by_an_existing_key_updates_it(self, tasks: Api, dv: FakeDataverse) -> None:
        """PATCH by a held key updates that row (a standard table's upsert is an update)."""
        response = tasks.patch("contoso_tasks(contoso_code='A1')", json={"contoso_number": 9},
                               headers={"Prefer": "return=representation"})
        assert 200 == response.status_code, response.text
        assert ("first", 9) == (response.json()["contoso_name"], response.json()["contoso_number"])
        assert ["first", "second"] == names(dv)

    def test_update_by_key_with_if_match(self, tasks: Api, dv: FakeDataverse, same: Any) -> None:
        """If-Match: * makes it an update: a key no row holds is 404 and nothing is written."""
        with same():
            response = tasks.patch("contoso_tasks(contoso_code='Z9')", json={"contoso_name": "x"},
                                   headers={"If-Match": "*"})
        assert (404, "0x80060891") == error_of(response)[:2]
        response = tasks.patch("contoso_tasks(contoso_code='A1')", json={"contoso_code": "A2"},
                               headers={"If-Match": "*"})
        assert 204 == response.status_code
        assert "first" == tasks.get("contoso_tasks(contoso_code='A2')").json()["contoso_name"]

    def test_create_only_by_key(self, api: Api, dv: FakeDataverse, same: Any) -> None:
        """If-None-Match: * creates with the key's value; a held key is 412 and writes nothing."""
        response = api.patch("contoso_tasks(contoso_code='N1')", json={"contoso_name": "new"},
                             headers={"If-None-Match": "*"})
        assert 204 == response.status_code, response.text
        with same():
            response = api.patch("contoso_tasks(contoso_code='n1')", json={"contoso_name": "x"},
                                 headers={"If-None-Match": "*"})
        assert 412 == response.status_code
        assert ["new"] == names(dv)

    def test_delete_by_key(self, tasks: Api, dv: FakeDataverse) -> None:
        """DELETE by a key removes that row only."""
        response = tasks.delete("contoso_tasks(contoso_region='west',contoso_number=7)")
        assert 204 == response.status_code
        assert ["second"] == names(dv)

    def test_a_duplicate_key_value_is_412(self, tasks: Api, same: Any) -> None:
        """POST giving a second row a held key value: 412 0x80060892, nothing written."""
        with same():
            response = tasks.post("contoso_tasks", json={"contoso_code": "b2"})
        status, code, message = error_of(response)
        assert (412, "0x80060892") == (status, code)
        assert message.startswith("Entity Key Code violated.")

    def test_a_patch_onto_a_held_key_is_412(self, tasks: Api, same: Any) -> None:
        """Changing a key column to another row's value is refused and changes nothing."""
        with same():
            response = tasks.patch("contoso_tasks(contoso_code='A1')",
                                   json={"contoso_code": "B2"})
        assert (412, "0x80060892") == error_of(response)[:2]


class TestKeyColumnTypes:
    def test_a_key_with_a_date_and_a_choice(self) -> None:
        """Date/time parts are bare OData date literals, choice parts bare integers."""
        table = {
            "logical_name": "contoso_shift", "entity_set_name": "contoso_shifts",
            "primary_id_attribute": "contoso_shiftid", "primary_name_attribute": "contoso_name",
            "messages": ["Create", "Retrieve", "Upsert", "Update", "Delete"],
            "keys": [{"schema_name": "contoso_start_kind",
                      "key_attributes": ["contoso_start", "contoso_kind"]}],
            "attributes": [
                {"logical_name": "contoso_shiftid", "type": "Uniqueidentifier"},
                {"logical_name": "contoso_name", "type": "String", "max_length": 20},
                {"logical_name": "contoso_start", "type": "DateTime"},
                {"logical_name": "contoso_kind", "type": "Picklist",
                 "options": [{"value": 1, "label": "Day"}, {"value": 2, "label": "Night"}]},
            ],
        }
        shifts = FakeDataverse("https://shifts.crm.dynamics.com", tables=[table])
        with shifts.intercept():
            shift_api = Api(shifts)
            key = "contoso_shifts(contoso_start=2026-03-01T08:00:00Z,contoso_kind=2)"
            assert 204 == shift_api.patch(key, json={"contoso_name": "late"}).status_code
            assert "late" == shift_api.get(key).json()["contoso_name"]
            other = "contoso_shifts(contoso_start=2026-03-01T08:00:00Z,contoso_kind=1)"
            assert (404, "0x80060891") == error_of(shift_api.get(other))[:2]
            assert (400, "0x0") == error_of(shift_api.get(
                "contoso_shifts(contoso_start='2026-03-01',contoso_kind=1)"))[:2]


class TestBulkByKey:
    def test_upsert_multiple_by_odata_id_keys(self, tasks: Api, dv: FakeDataverse) -> None:
        """UpsertMultiple targets naming rows by alternate key in @odata.id: update or create."""
        kind = "Microsoft.Dynamics.CRM.contoso_task"
        response = tasks.post("contoso_tasks/Microsoft.Dynamics.CRM.UpsertMultiple", json={
            "Targets": [
                {"@odata.type": kind, "@odata.id": "contoso_tasks(contoso_code='A1')",
                 "contoso_name": "first, changed"},
                {"@odata.type": kind, "@odata.id": "contoso_tasks(contoso_code='N1')",
                 "contoso_name": "new"},
            ]})
        assert response.status_code in (200, 204), response.text
        rows = {r["contoso_code"]: r["contoso_name"] for r in dv.rows(TASK)}
        assert {"A1": "first, changed", "B2": "second", "N1": "new"} == rows

    def test_an_odata_id_naming_no_key_is_a_payload_error(
        self, tasks: Api, same: Any
    ) -> None:
        """An @odata.id whose key properties form no key is 400 0x80048d19, nothing written."""
        with same():
            response = tasks.post("contoso_tasks/Microsoft.Dynamics.CRM.UpsertMultiple", json={
                "Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.contoso_task",
                             "@odata.id": "contoso_tasks(contoso_name='x')"}]})
        assert (400, "0x80048d19") == error_of(response)[:2]


class TestQuotedGuids:
    def test_a_quoted_guid_in_the_elastic_key_upserts(self, api: Api, dv: FakeDataverse) -> None:
        """backgroundoperationid='<guid>' (as Microsoft's Python SDK sends it) names that id."""
        response = api.patch(
            f"backgroundoperations(backgroundoperationid='{ROW}',partitionid='p1')",
            json={"name": "quoted"})
        assert 204 == response.status_code, response.text
        row = dv.rows()[0]
        assert (uuid.UUID(ROW), "p1", "quoted") == (row.id, row["partitionid"], row["name"])
        again = api.get(f"backgroundoperations(backgroundoperationid='{ROW}',partitionid='p1')")
        assert "quoted" == again.json()["name"]

    @pytest.mark.parametrize("key", [
        "backgroundoperationid='not-a-guid',partitionid='p1'",
        f"backgroundoperationid='{ROW[:-1]}',partitionid='p1'",
        f"'{ROW}'",
    ])
    def test_quoted_text_that_is_no_guid_stays_a_syntax_error(
        self, api: Api, unchanged: Any, key: str
    ) -> None:
        """Only a valid GUID is taken quoted, and only as a named Uniqueidentifier key part."""
        with unchanged():
            response = api.patch(f"backgroundoperations({key})", json={"name": "x"})
        assert error_of(response) == (400, "0x0", "Bad Request - Error in query syntax.")
