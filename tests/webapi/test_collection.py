"""Collection reads over HTTP: query options, fetchXml, paging links, counts."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from fake_dataverse import FakeDataverse

from .conftest import Api, error_of


@pytest.fixture
def rows(api: Api) -> list[str]:
    """Five rows op0..op4 with priorities 0,1,2,0,1."""
    return [api.create(name=f"op{i}", priority=i % 3) for i in range(5)]


class TestQueryOptions:
    def test_select_filter_orderby_top(self, api: Api, rows: list[str]) -> None:
        """$select/$filter/$orderby/$top (sent with params=, '+' for spaces) shape the rows."""
        response = api.get(
            "backgroundoperations",
            params={
                "$select": "name,priority",
                "$filter": "priority ge 1",
                "$orderby": "name desc",
                "$top": "3",
            },
        )
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#backgroundoperations(name,priority)"
        )
        assert [(r["name"], r["priority"]) for r in body["value"]] == [
            ("op4", 1),
            ("op2", 2),
            ("op1", 1),
        ]
        assert all(r["@odata.etag"].startswith('W/"') for r in body["value"])
        assert all("backgroundoperationid" in r for r in body["value"])
        assert "@odata.nextLink" not in body

    def test_raw_and_percent_encoded_query_strings(self, api: Api, rows: list[str]) -> None:
        """Raw $select and %20-encoded filters decode the same way (as clients send them)."""
        raw = api.get("backgroundoperations?$select=name&$filter=(priority%20eq%202)").json()
        assert [r["name"] for r in raw["value"]] == ["op2"]

    def test_count_true_and_annotations(self, api: Api, rows: list[str]) -> None:
        """$count=true: @odata.count; totalrecordcount annotations on request."""
        body = api.get(
            "backgroundoperations?$count=true&$filter=priority eq 0",
            headers={
                "Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount"'
            },
        ).json()
        assert body["@odata.count"] == 2
        assert body["@Microsoft.Dynamics.CRM.totalrecordcount"] == 2
        assert "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded" not in body

    def test_apply_groupby_aggregate(self, api: Api, rows: list[str]) -> None:
        """$apply=groupby((priority),aggregate($count as n))."""
        body = api.get(
            "backgroundoperations?$apply=groupby((priority),aggregate($count as n))"
        ).json()
        assert sorted((r["priority"], r["n"]) for r in body["value"]) == [(0, 2), (1, 2), (2, 1)]

    def test_partition_scope(self, api: Api) -> None:
        """?partitionId= scopes the query to one partition."""
        api.post("backgroundoperations", json={"name": "a", "partitionid": "p1"})
        api.post("backgroundoperations", json={"name": "b", "partitionid": "p2"})
        body = api.get("backgroundoperations?$select=name&partitionId=p1").json()
        assert [r["name"] for r in body["value"]] == ["a"]

    @pytest.mark.parametrize(
        ("query", "status", "code"),
        [
            ("$expand=createdby", 400, "0x80048d0b"),
            ("$skip=2", 400, "0x0"),
            ("$search=x", 400, "0x0"),
            ("$filter=Name eq 'x'", 400, "0x0"),
            ("$filter=name eq 'O'Bryan'", 400, "0x0"),
            ("$select=nope", 400, "0x0"),
            ("$top=0", 400, "0x8004110c"),
        ],
    )
    def test_rejected_queries(
        self, api: Api, rows: list[str], query: str, status: int, code: str
    ) -> None:
        """#21, #22, #29: rejected options and parse errors are 400 with Dataverse codes."""
        assert error_of(api.get(f"backgroundoperations?{query}"))[:2] == (status, code)

    def test_unterminated_literal_message(self, api: Api) -> None:
        """#29: the parse error's words are Dataverse's."""
        response = api.get("backgroundoperations?$filter=name eq 'O'Bryan'")
        assert error_of(response)[2] == (
            "There is an unterminated literal at position 17 in 'name eq 'O'Bryan''."
        )


class TestPaging:
    def test_maxpagesize_pages_with_absolute_next_links(self, api: Api, rows: list[str]) -> None:
        """odata.maxpagesize=2: pages of two, nextLink repeats the options, last page has none."""
        headers = {"Prefer": "odata.maxpagesize=2"}
        url = "backgroundoperations?$select=name&$orderby=name"
        names: list[str] = []
        pages = 0
        while url:
            response = api.get(url, headers=headers)
            assert response.headers["Preference-Applied"] == "odata.maxpagesize=2"
            body = response.json()
            names += [r["name"] for r in body["value"]]
            url = body.get("@odata.nextLink")
            if url:
                assert url.startswith(f"{api.root}backgroundoperations?$select=name&$orderby=name")
                assert "$skiptoken=" in url
            pages += 1
        assert names == [f"op{i}" for i in range(5)]
        assert pages == 3

    def test_rows_written_between_pages_are_not_repeated(self, api: Api, rows: list[str]) -> None:
        """Paging cookies: a row created between pages does not shift later pages."""
        first = api.get(
            "backgroundoperations?$select=name&$orderby=name",
            headers={"Prefer": "odata.maxpagesize=2"},
        ).json()
        api.create(name="op0a")
        second = api.get(first["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=2"})
        assert [r["name"] for r in second.json()["value"]] == ["op2", "op3"]

    def test_page_size_setting_pages_without_a_preference(self) -> None:
        """max_page_size=2 pages a plain GET (the 5000 default, made small)."""
        dv = FakeDataverse(max_page_size=2)
        with dv.intercept():
            api = Api(dv)
            for i in range(3):
                api.create(name=f"n{i}")
            body = api.get("backgroundoperations").json()
        assert len(body["value"]) == 2
        assert "@odata.nextLink" in body

    @pytest.mark.parametrize("size", [0, 5001])
    def test_page_size_setting_stays_within_dataverse_limits(self, size: int) -> None:
        """The organization's page size is 1 to 5000, as Dataverse's is; 5000 is allowed."""
        with pytest.raises(ValueError, match="max_page_size must be between 1 and 5000"):
            FakeDataverse(max_page_size=size)
        assert FakeDataverse(max_page_size=5000).organization.settings.max_page_size == 5000

    def test_tampered_skiptoken_is_400(self, api: Api, rows: list[str]) -> None:
        """A $skiptoken the fake did not hand out: 400 0x8004112a."""
        response = api.get("backgroundoperations?$skiptoken=" + quote("<cookie/>"))
        assert error_of(response)[:2] == (400, "0x8004112a")


class TestCount:
    def test_count_segment_is_plain_text(self, api: Api, rows: list[str]) -> None:
        """/$count: 200 text/plain with the number; $filter applies."""
        response = api.get("backgroundoperations/$count")
        assert (response.status_code, response.text) == (200, "5")
        assert response.headers["Content-Type"].startswith("text/plain")
        assert api.get("backgroundoperations/$count?$filter=priority eq 2").text == "1"


class TestFetchXml:
    def test_fetchxml_query_omits_nulls(self, api: Api, rows: list[str]) -> None:
        """fetchXml=: the same envelope; null columns are left out."""
        fetch = (
            "<fetch><entity name='backgroundoperation'><attribute name='name'/>"
            "<attribute name='displayname'/><filter><condition attribute='priority' "
            "operator='eq' value='2'/></filter></entity></fetch>"
        )
        body = api.get("backgroundoperations?fetchXml=" + quote(fetch)).json()
        assert [r["name"] for r in body["value"]] == ["op2"]
        assert "displayname" not in body["value"][0]

    def test_fetchxml_paging_annotations(self, api: Api, rows: list[str]) -> None:
        """count/page: morerecords and the paging cookie annotation with Prefer."""
        fetch = (
            "<fetch count='2' page='1'><entity name='backgroundoperation'>"
            "<attribute name='name'/><order attribute='name'/></entity></fetch>"
        )
        body = api.get(
            "backgroundoperations?fetchXml=" + quote(fetch),
            headers={"Prefer": 'odata.include-annotations="*"'},
        ).json()
        assert body["@Microsoft.Dynamics.CRM.morerecords"] is True
        assert body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"].startswith(
            '<cookie pagenumber="2"'
        )

    def test_malformed_fetchxml_is_400(self, api: Api) -> None:
        """Malformed FetchXML: 400 0x80040303."""
        response = api.get("backgroundoperations?fetchXml=" + quote("<fetch><entity"))
        assert error_of(response)[:2] == (400, "0x80040303")


class TestSelectParsedOnce:
    """Collection and single-row reads read ``$select`` with the same parser."""

    def test_star_selects_every_column_on_both(self, api: Api, rows: list[str]) -> None:
        """``$select=*`` is OData's "every property" (was 400 'Could not find a property')."""
        collection = api.get("backgroundoperations?$select=*&$filter=name eq 'op1'")
        assert 200 == collection.status_code, collection.text
        listed = collection.json()
        assert listed["@odata.context"].endswith("#backgroundoperations")
        (row,) = listed["value"]
        single = api.get(f"backgroundoperations({rows[1]})?$select=*")
        assert 200 == single.status_code, single.text
        full = api.get(f"backgroundoperations({rows[1]})").json()
        assert set(full) == set(single.json())
        assert set(full) - {"@odata.context"} == set(row)

    def test_navigation_path_fault_is_the_same_on_both(self, api: Api, rows: list[str]) -> None:
        """A path in ``$select`` gets OData's path fault on a single row as on a collection."""
        for path in ("backgroundoperations", f"backgroundoperations({rows[0]})"):
            status, code, message = error_of(api.get(f"{path}?$select=createdby/fullname"))
            assert (400, "0x0") == (status, code)
            assert message.startswith("Found a path with multiple navigation properties")

    def test_every_row_carries_its_current_etag(self, api: Api, rows: list[str]) -> None:
        """Each row's ``@odata.etag`` in a page is the one a single-row read answers."""
        listed = api.get("backgroundoperations?$select=name").json()["value"]
        for row in listed:
            single = api.get(f"backgroundoperations({row['backgroundoperationid']})")
            assert single.headers["ETag"] == row["@odata.etag"]
