"""Change tracking over HTTP: track-changes preference, delta links, deleted entries."""

from __future__ import annotations

import pytest

from .conftest import Api, error_of


class TestDelta:
    def test_initial_read_then_delta(self, api: Api) -> None:
        """The first read returns all rows and a delta link; the link returns the changes."""
        first = api.create(name="a")
        second = api.create(name="b")
        response = api.get(
            "backgroundoperations?$select=name", headers={"Prefer": "odata.track-changes"}
        )
        assert response.headers["Preference-Applied"] == "odata.track-changes"
        body = response.json()
        assert sorted(r["name"] for r in body["value"]) == ["a", "b"]
        link = body["@odata.deltaLink"]
        assert link.startswith(f"{api.root}backgroundoperations?$select=name&$deltatoken=")
        api.delete(f"backgroundoperations({first})")
        api.patch(
            f"backgroundoperations({second})", json={"retrycount": 1}, headers={"If-Match": "*"}
        )
        delta = api.get(link).json()
        assert delta["@odata.context"] == (f"{api.root}$metadata#backgroundoperations(name)/$delta")
        changed = [r for r in delta["value"] if "reason" not in r]
        deleted = [r for r in delta["value"] if "reason" in r]
        assert [r["backgroundoperationid"] for r in changed] == [second]
        assert deleted == [
            {
                "@odata.context": f"{api.root}$metadata#backgroundoperations/$deletedEntity",
                "id": first,
                "reason": "deleted",
            }
        ]
        again = api.get(delta["@odata.deltaLink"]).json()
        assert again["value"] == []

    def test_count_of_changes(self, api: Api) -> None:
        """/$count?$deltatoken=…: the number of changes."""
        link = api.get("backgroundoperations", headers={"Prefer": "odata.track-changes"}).json()[
            "@odata.deltaLink"
        ]
        api.create(name="a")
        token = link.split("$deltatoken=")[1]
        assert api.get(f"backgroundoperations/$count?$deltatoken={token}").text == "1"

    @pytest.mark.parametrize(
        "option",
        [
            "$filter=name eq 'a'",
            "$orderby=name",
            "$top=1",
            "$expand=createdby($select=fullname)",
            "$apply=aggregate($count as total)",
            "$count=true",
        ],
    )
    def test_options_not_allowed_with_tracking(self, api: Api, option: str) -> None:
        """$filter/$orderby/$top/$expand/$apply/$count with track-changes: 400 naming the
        option."""
        response = api.get(
            f"backgroundoperations?{option}", headers={"Prefer": "odata.track-changes"}
        )
        name = option.split("=")[0]
        assert error_of(response) == (
            400,
            "0x0",
            f'The "{name}" query parameter isn\'t supported when Change Tracking is enabled.',
        )

    def test_malformed_and_expired_tokens(self, api: Api) -> None:
        """#23: a malformed token is 400 0x80040203; one older than 30 days 400 0x80044352."""
        assert error_of(api.get("backgroundoperations?$deltatoken=garbage"))[:2] == (
            400,
            "0x80040203",
        )
        link = api.get("backgroundoperations", headers={"Prefer": "odata.track-changes"}).json()[
            "@odata.deltaLink"
        ]
        api.dv.clock.advance(days=31)
        assert error_of(api.get(link))[:2] == (400, "0x80044352")


class TestTrackedPaging:
    def test_tracked_reads_page_and_end_with_a_delta_link(self, api: Api) -> None:
        """With odata.maxpagesize, tracked pages link on; only the last has the delta link."""
        for index in range(5):
            api.create(name=f"r{index}")
        headers = {"Prefer": "odata.track-changes, odata.maxpagesize=2"}
        body = api.get("backgroundoperations?$select=name", headers=headers).json()
        names = [r["name"] for r in body["value"]]
        while "@odata.nextLink" in body:
            assert "@odata.deltaLink" not in body
            assert "istracking%3D%22True%22" in body["@odata.nextLink"]
            body = api.get(body["@odata.nextLink"], headers=headers).json()
            names += [r["name"] for r in body["value"]]
        assert sorted(names) == [f"r{i}" for i in range(5)]
        api.create(name="late")
        delta = api.get(body["@odata.deltaLink"], headers=headers).json()
        assert [r["name"] for r in delta["value"]] == ["late"]
