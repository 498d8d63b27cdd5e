"""Requests a client sends again and again (one URL, one token) are answered afresh each time:
what the Web API keeps between requests never outlives what it was worked out from."""

from __future__ import annotations

import json

import attrs

from fake_dataverse import FakeCredential, FakeDataverse
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

ROOT = "/api/data/v9.2/"
SCOPE = "https://contoso.crm.dynamics.com/.default"


def _send(dv: FakeDataverse, method: str, path: str, body: object = None, **headers: str) -> (
    HttpResponse
):
    headers = {"Authorization": "Bearer t", **headers}
    if body is None:
        return dv.handle(HttpRequest(method, dv.url + ROOT + path, headers))
    headers["Content-Type"] = "application/json"
    return dv.handle(HttpRequest(method, dv.url + ROOT + path, headers, json.dumps(body).encode()))


class TestACollectionUrl:
    def test_follows_the_tables_of_the_organization(self) -> None:
        """Once a table's entity set is renamed, its old URL is unknown (404) and the new one
        reaches it, though the old URL was answered just before."""
        dv = FakeDataverse()
        assert _send(dv, "POST", "backgroundoperations", {"name": "before"}).status == 204
        assert _send(dv, "GET", "backgroundoperations").status == 200
        metadata = dv.organization.metadata
        table = metadata.get("backgroundoperation")
        assert table is not None
        metadata.add(attrs.evolve(table, entity_set_name="operations"))
        missing = _send(dv, "GET", "backgroundoperations")
        assert missing.status == 404
        assert json.loads(missing.body)["error"]["code"] == "0x8006088a"
        assert _send(dv, "POST", "backgroundoperations", {"name": "lost"}).status == 404
        found = _send(dv, "GET", "operations")
        assert found.status == 200
        assert [row["name"] for row in json.loads(found.body)["value"]] == ["before"]
        assert json.loads(found.body)["@odata.context"].endswith("$metadata#operations")

    def test_query_options_are_read_on_every_request(self) -> None:
        """One URL with different query options, or an option given twice, answers each as
        its own request."""
        dv = FakeDataverse()
        _send(dv, "POST", "backgroundoperations", {"name": "a"})
        for _ in range(2):
            assert _send(dv, "GET", "backgroundoperations?$top=1&$top=2").status == 400
            picked = json.loads(_send(dv, "GET", "backgroundoperations?$select=name").body)
            assert picked["@odata.context"].endswith("#backgroundoperations(name)")
            assert set(picked["value"][0]) == {"@odata.etag", "backgroundoperationid", "name"}
            everything = json.loads(_send(dv, "GET", "backgroundoperations").body)
            assert everything["@odata.context"].endswith("#backgroundoperations")
            assert "createdon" in everything["value"][0]
            assert _send(dv, "GET", "backgroundoperations?$select=nope").status == 400

    def test_other_organizations_resolve_their_own_tables(self) -> None:
        """Two fakes at one URL, one with a table the other lacks: each answers from its own."""
        first = FakeDataverse()
        assert _send(first, "GET", "backgroundoperations").status == 200
        table = first.organization.metadata.get("backgroundoperation")
        assert table is not None
        renamed = attrs.evolve(table, entity_set_name="operations")
        second = FakeDataverse()
        second.organization.metadata.add(renamed)
        assert _send(second, "GET", "backgroundoperations").status == 404
        assert _send(first, "GET", "backgroundoperations").status == 200
        assert _send(first, "GET", "operations").status == 404


class TestTheCaller:
    def test_each_token_runs_as_its_own_user(self) -> None:
        """Requests alternating between two users' tokens each create as their own user."""
        dv = FakeDataverse()
        ann, bob = dv.add_user("Ann"), dv.add_user("Bob")
        tokens = {
            user: FakeCredential(user).get_token(SCOPE).token for user in (ann, bob, ann, bob)
        }
        for number, user in enumerate((ann, bob, ann, None, bob)):
            auth = f"Bearer {tokens[user]}" if user else "Bearer t"
            body = {"name": f"row {number}"}
            assert _send(dv, "POST", "backgroundoperations", body, Authorization=auth).status == 204
        created = {row["name"]: row["createdby"].id for row in dv.rows()}
        admin = dv.organization.admin_id
        assert created == {
            "row 0": ann, "row 1": bob, "row 2": ann, "row 3": admin, "row 4": bob
        }

    def test_a_user_gone_after_a_reset_is_refused(self) -> None:
        """A token naming a user the organization no longer has is refused, though the same
        token created a row just before; nothing is written."""
        dv = FakeDataverse()
        ann = dv.add_user("Ann")
        auth = f"Bearer {FakeCredential(ann).get_token(SCOPE).token}"
        created = _send(dv, "POST", "backgroundoperations", {"name": "a"}, Authorization=auth)
        assert created.status == 204
        dv.reset()
        refused = _send(dv, "POST", "backgroundoperations", {"name": "b"}, Authorization=auth)
        assert json.loads(refused.body)["error"]["code"] == "0x80040217"
        assert dv.rows() == []

    def test_impersonation_is_read_on_every_request(self) -> None:
        """The same token with and without ``MSCRMCallerID`` creates as the named user, then
        as the token's own."""
        dv = FakeDataverse()
        ann = dv.add_user("Ann")
        _send(dv, "POST", "backgroundoperations", {"name": "as ann"}, MSCRMCallerID=str(ann))
        _send(dv, "POST", "backgroundoperations", {"name": "as admin"})
        created = {row["name"]: row["createdby"].id for row in dv.rows()}
        assert created == {"as ann": ann, "as admin": dv.organization.admin_id}


class TestBodyProperties:
    def test_every_name_finds_what_the_binding_rule_finds(self) -> None:
        """The body's property names, looked up per table, find exactly the columns
        ``find_property`` finds: for every column's names, lookups' ``_…_value`` forms, virtual
        name columns and names no column has."""
        from fake_dataverse._query.odata._binding import find_property
        from fake_dataverse._webapi._json import _body_properties

        for table in FakeDataverse().organization.metadata:
            names = {"", "_", "_value", "__value", "nope", "Name", "_nope_value"}
            for attr in table.attributes:
                names |= {attr.logical_name, attr.odata_name, f"_{attr.logical_name}_value"}
                names |= {attr.logical_name.upper(), attr.logical_name + "_value"}
            found = table.derived(_body_properties)
            for name in names:
                assert found.get(name) is find_property(table, name), (table.logical_name, name)

    def test_the_columns_follow_the_table(self) -> None:
        """A table replaced by one without a column refuses that column in a body (400
        0x80090801), though the same body was read just before; nothing is written."""
        dv = FakeDataverse()
        metadata = dv.organization.metadata
        table = metadata.get("backgroundoperation")
        assert table is not None
        wrong_type = _send(dv, "POST", "backgroundoperations", {"errorcode": "x"})
        assert json.loads(wrong_type.body)["error"]["code"] == "0x80048d19"  # read as a column
        kept = tuple(a for a in table.attributes if a.logical_name != "errorcode")
        metadata.add(attrs.evolve(table, attributes=kept))
        refused = _send(dv, "POST", "backgroundoperations", {"errorcode": "x"})
        assert refused.status == 400
        assert json.loads(refused.body)["error"]["code"] == "0x80090801"
        assert dv.rows() == []
