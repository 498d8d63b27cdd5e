"""Change tracking tells the truth: a delta link from before ``reset()`` is refused, a next page
of a tracked read needs no repeated preference, TTL expiries show as deletes when asked; and
every URL the fake writes (``OData-EntityId``) leads back to its row."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from fake_dataverse import (
    ColumnSet,
    DataverseError,
    Entity,
    FakeDataverse,
    RetrieveEntityChangesRequest,
    RetrieveEntityChangesResponse,
)

AUTH = {"Authorization": "Bearer x"}
TRACK = {**AUTH, "Prefer": "odata.track-changes"}


def _api(dv: FakeDataverse) -> str:
    return f"{dv.url}/api/data/v9.2"


def _get(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = requests.get(url, headers=headers)
    return response.status_code, response.json()


class TestDeltaLinkAcrossReset:
    def test_a_delta_link_from_before_reset_is_refused(self) -> None:
        """After reset() an old delta link is 0x80044352 (perform a full sync), not an answer
        that misses the rows created since and the ones the reset removed."""
        dv = FakeDataverse()
        dv.service.create(Entity("backgroundoperation", name="before"))
        with dv.intercept():
            _, first = _get(f"{_api(dv)}/backgroundoperations?$select=name", TRACK)
            dv.reset()
            dv.service.create(Entity("backgroundoperation", name="after"))
            status, body = _get(first["@odata.deltaLink"], AUTH)
        assert (400, "0x80044352") == (status, body["error"]["code"])

    def test_a_delta_link_taken_after_reset_works(self) -> None:
        """A token taken after the reset reports the rows created after it."""
        dv = FakeDataverse()
        dv.service.create(Entity("backgroundoperation", name="before"))
        dv.reset()
        with dv.intercept():
            _, first = _get(f"{_api(dv)}/backgroundoperations?$select=name", TRACK)
            assert [] == first["value"]
            dv.service.create(Entity("backgroundoperation", name="after"))
            status, body = _get(first["@odata.deltaLink"], AUTH)
        assert (200, ["after"]) == (status, [row["name"] for row in body["value"]])

    def test_the_sdk_refuses_an_old_token_too(self) -> None:
        """RetrieveEntityChanges with a data token from before the reset is 0x80044352."""
        dv = FakeDataverse()
        dv.service.create(Entity("backgroundoperation", name="before"))
        request = RetrieveEntityChangesRequest(
            entity_name="backgroundoperation", columns=ColumnSet("name")
        )
        response = dv.service.execute(request)
        assert isinstance(response, RetrieveEntityChangesResponse)
        token = response.entity_changes.data_token
        dv.reset()
        dv.service.create(Entity("backgroundoperation", name="after"))
        with pytest.raises(DataverseError) as raised:
            dv.service.execute(
                RetrieveEntityChangesRequest(
                    entity_name="backgroundoperation", columns=ColumnSet("name"),
                    data_version=token,
                )
            )
        assert "0x80044352" == raised.value.hex_code


class TestTrackedNextLink:
    def test_followed_without_the_preference(self) -> None:
        """A tracked read's @odata.nextLink followed verbatim, with only the page size
        preference, returns the next page and ends with a delta link."""
        dv = FakeDataverse()
        for index in range(3):
            dv.service.create(Entity("backgroundoperation", name=f"r{index}"))
        with dv.intercept():
            status, body = _get(
                f"{_api(dv)}/backgroundoperations?$select=name",
                {**AUTH, "Prefer": "odata.track-changes,odata.maxpagesize=2"},
            )
            names = [row["name"] for row in body["value"]]
            page = {**AUTH, "Prefer": "odata.maxpagesize=2"}
            status, body = _get(body["@odata.nextLink"], page)
            assert 200 == status, body
            names += [row["name"] for row in body["value"]]
            assert "@odata.deltaLink" in body
            assert "$deltatoken=" in body["@odata.deltaLink"]
        assert ["r0", "r1", "r2"] == sorted(names)

    def test_followed_with_no_headers_but_auth(self) -> None:
        """Without any Prefer the next page is still the tracked read's next page."""
        dv = FakeDataverse(max_page_size=1)
        for index in range(2):
            dv.service.create(Entity("backgroundoperation", name=f"r{index}"))
        with dv.intercept():
            _, body = _get(f"{_api(dv)}/backgroundoperations?$select=name", TRACK)
            status, body = _get(body["@odata.nextLink"], AUTH)
        assert (200, True) == (status, "@odata.deltaLink" in body)


class TestTtlEmitsDeletes:
    def _expire(self, dv: FakeDataverse) -> tuple[str, int, Any]:
        dv.service.create(Entity("backgroundoperation", name="short", ttlinseconds=60))
        dv.service.create(Entity("backgroundoperation", name="kept"))
        with dv.intercept():
            _, first = _get(f"{_api(dv)}/backgroundoperations?$select=name", TRACK)
            dv.clock.advance(120)
            status, body = _get(first["@odata.deltaLink"], AUTH)
        return first["@odata.deltaLink"], status, body

    def test_an_expired_row_is_a_deleted_entity(self) -> None:
        """With ttl_emits_deletes=True the expiry shows as $deletedEntity and the token moves."""
        dv = FakeDataverse(ttl_emits_deletes=True)
        expired = dv.service.create(Entity("backgroundoperation", name="probe", ttlinseconds=1))
        dv.service.delete("backgroundoperation", expired)  # an ordinary delete, for contrast
        link, status, body = self._expire(dv)
        assert 200 == status
        [deleted] = body["value"]
        assert deleted["reason"] == "deleted"
        assert deleted["@odata.context"].endswith("#backgroundoperations/$deletedEntity")
        assert deleted["id"] not in {str(row.id) for row in dv.rows()}
        assert link.split("$deltatoken=")[1].split("%21")[0] != body["@odata.deltaLink"].split(
            "$deltatoken="
        )[1].split("%21")[0]
        with dv.intercept():
            status, again = _get(body["@odata.deltaLink"], AUTH)
        assert (200, []) == (status, again["value"])

    def test_by_default_an_expiry_is_silent(self) -> None:
        """Without the setting (#18) an expired row simply disappears: no change entry."""
        dv = FakeDataverse()
        _, status, body = self._expire(dv)
        assert (200, []) == (status, body["value"])
        assert ["kept"] == [row["name"] for row in dv.rows()]

    def test_the_sdk_sees_the_expiry(self) -> None:
        """RetrieveEntityChanges reports the expired row as removed."""
        dv = FakeDataverse(ttl_emits_deletes=True)
        row = dv.service.create(Entity("backgroundoperation", name="short", ttlinseconds=60))
        request = RetrieveEntityChangesRequest(
            entity_name="backgroundoperation", columns=ColumnSet("name")
        )
        first = dv.service.execute(request)
        assert isinstance(first, RetrieveEntityChangesResponse)
        dv.clock.advance(120)
        request.data_version = first.entity_changes.data_token
        later = dv.service.execute(request)
        assert isinstance(later, RetrieveEntityChangesResponse)
        removed = [c.removed_item.id for c in later.entity_changes.changes]
        assert [row] == removed
        assert later.entity_changes.data_token != first.entity_changes.data_token


PARTITIONS = ["a#b", "a b", "O'Brien", "ü€", "[x]", "(x)", 'say "hi"', "a;b=c", "{x}|y^`"]


class TestEntityIdRoundTrips:
    @pytest.mark.parametrize("partition", PARTITIONS)
    def test_following_the_entity_id_reaches_the_row(self, partition: str) -> None:
        """The OData-EntityId of a row in any partition, followed as given, answers 200 with
        that row (a raw '#' would cut the URL short)."""
        dv = FakeDataverse()
        with dv.intercept():
            created = requests.post(
                f"{_api(dv)}/backgroundoperations",
                data=json.dumps({"name": "x", "partitionid": partition}),
                headers={**AUTH, "Content-Type": "application/json"},
            )
            assert 204 == created.status_code, created.text
            url = created.headers["OData-EntityId"]
            status, body = _get(url, AUTH)
        assert (200, partition) == (status, body["partitionid"])
        assert "#" not in url and " " not in url
