"""``$expand`` of lookups on a standard table's collection (elastic tables refuse it)."""

from __future__ import annotations

from typing import Any

import pytest

from fake_dataverse import Entity, EntityReference, FakeDataverse

from .conftest import Api, error_of

NOTE_TABLE: dict[str, Any] = {
    "logical_name": "contoso_note",
    "entity_set_name": "contoso_notes",
    "primary_id_attribute": "contoso_noteid",
    "primary_name_attribute": "contoso_name",
    "messages": ["Create", "Retrieve", "RetrieveMultiple", "Update", "Delete"],
    "attributes": [
        {"logical_name": "contoso_noteid", "type": "Uniqueidentifier", "valid_for_update": False},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
        {"logical_name": "contoso_reviewer", "type": "Lookup", "targets": ["systemuser"]},
        {"logical_name": "createdby", "type": "Lookup", "targets": ["systemuser"],
         "valid_for_create": False, "valid_for_update": False},
    ],
}


@pytest.fixture
def dv() -> FakeDataverse:
    """A fake holding a standard table with two lookups to systemuser."""
    dv = FakeDataverse(tables=[NOTE_TABLE])
    reviewer = dv.add_user("Rita Reviewer")
    dv.service.create(Entity("contoso_note", contoso_name="a",
                             contoso_reviewer=EntityReference("systemuser", reviewer)))
    dv.service.create(Entity("contoso_note", contoso_name="b"))
    return dv


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["contoso_name"]: row for row in rows}


class TestCollectionExpand:
    def test_expand_with_select_puts_the_related_row_inline(self, api: Api) -> None:
        """Each row carries the lookup's row, with only its selected columns."""
        response = api.get("contoso_notes?$select=contoso_name"
                           "&$expand=createdby($select=fullname)&$orderby=contoso_name")
        assert 200 == response.status_code, response.text
        body = response.json()
        assert body["@odata.context"].endswith(
            "#contoso_notes(contoso_name,createdby,createdby(fullname))")
        rows = body["value"]
        assert ["System Administrator"] * 2 == [row["createdby"]["fullname"] for row in rows]
        assert all("_createdby_value" not in row for row in rows)
        assert all(row["createdby"]["@odata.etag"].startswith('W/"') for row in rows)
        assert all("domainname" not in row["createdby"] for row in rows)

    def test_a_null_lookup_expands_to_null(self, api: Api) -> None:
        """A row whose lookup is empty has null for the expanded property."""
        rows = by_name(api.get("contoso_notes?$select=contoso_name,_contoso_reviewer_value"
                               "&$expand=contoso_reviewer($select=fullname)").json()["value"])
        assert "Rita Reviewer" == rows["a"]["contoso_reviewer"]["fullname"]
        assert rows["a"]["_contoso_reviewer_value"] == rows["a"]["contoso_reviewer"][
            "systemuserid"]
        assert rows["b"]["contoso_reviewer"] is None

    def test_expand_pages_follow_the_next_link(self, api: Api) -> None:
        """Paged results keep $expand on every page."""
        first = api.get("contoso_notes?$select=contoso_name&$expand=createdby($select=fullname)",
                        headers={"Prefer": "odata.maxpagesize=1"}).json()
        second = api.get(first["@odata.nextLink"],
                         headers={"Prefer": "odata.maxpagesize=1"}).json()
        assert ["System Administrator"] * 2 == [
            page["value"][0]["createdby"]["fullname"] for page in (first, second)]

    def test_an_unknown_navigation_property_is_400(self, api: Api) -> None:
        """Only lookups expand: a column or a missing name is OData's 400."""
        for name in ("contoso_name", "ownerid"):
            status, code, _ = error_of(api.get(f"contoso_notes?$expand={name}"))
            assert (400, "0x0") == (status, code)

    def test_expand_with_apply_is_400(self, api: Api) -> None:
        """$expand does not combine with $apply."""
        response = api.get("contoso_notes?$apply=aggregate($count as n)&$expand=createdby")
        assert (400, "0x0") == error_of(response)[:2]

    def test_an_elastic_table_still_refuses_it(self, api: Api) -> None:
        """On backgroundoperation a collection $expand stays 0x80048d0b (elastic tables)."""
        response = api.get("backgroundoperations?$expand=createdby")
        assert (400, "0x80048d0b") == error_of(response)[:2]
