"""Single-row routes over real ``requests`` calls: create, read, update, delete, properties."""

from __future__ import annotations

import re
import uuid

import pytest

from fake_dataverse import FakeDataverse

from ..traces import store_state
from .conftest import Api, error_of

ROW = "11111111-2222-4333-8444-555555555555"
ETAG = re.compile(r'W/"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"')
TOKEN = re.compile(r"\d+:\d+#\d+#7=-1")


class TestCreate:
    def test_create_answers_204_with_entity_id_and_session_token(self, api: Api) -> None:
        """POST without Prefer: 204, OData-EntityId of the new row, a session token, no body."""
        response = api.post("backgroundoperations", json={"name": "export", "priority": 3})
        assert response.status_code == 204
        assert response.content == b""
        assert response.headers["OData-Version"] == "4.0"
        assert TOKEN.fullmatch(response.headers["x-ms-session-token"])
        entity_id = response.headers["OData-EntityId"]
        row = api.dv.rows()[0]
        assert entity_id == f"{api.root}backgroundoperations({row.id})"
        assert (row["name"], row["priority"]) == ("export", 3)

    def test_return_representation_answers_201_with_selected_columns(self, api: Api) -> None:
        """Prefer return=representation: 201, the row as selected, Preference-Applied."""
        response = api.post(
            "backgroundoperations?$select=name,priority",
            json={"name": "export", "priority": 3},
            headers={"Prefer": "return=representation"},
        )
        assert response.status_code == 201
        assert response.headers["Preference-Applied"] == "return=representation"
        assert response.headers["Content-Type"] == "application/json; odata.metadata=minimal"
        assert "OData-EntityId" not in response.headers
        body = response.json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#backgroundoperations(name,priority)/$entity"
        )
        assert ETAG.fullmatch(body["@odata.etag"])
        assert (body["name"], body["priority"]) == ("export", 3)
        assert body["backgroundoperationid"] == str(api.dv.rows()[0].id)
        assert "displayname" not in body

    def test_client_supplied_id_is_kept_and_a_duplicate_is_412(self, api: Api, unchanged) -> None:
        """A create with an id uses it; the same id again is 412 0x80040237, store unchanged."""
        api.post("backgroundoperations", json={"backgroundoperationid": ROW, "name": "a"})
        assert str(api.dv.rows()[0].id) == ROW
        with unchanged():
            response = api.post(
                "backgroundoperations", json={"backgroundoperationid": ROW, "name": "b"}
            )
        assert error_of(response) == (
            412,
            "0x80040237",
            "A record with matching key values already exists.",
        )

    def test_partitioned_row_gets_the_alternate_key_entity_id(self, api: Api) -> None:
        """A row created with a partitionid is named by the key form in OData-EntityId."""
        response = api.post(
            "backgroundoperations",
            json={"backgroundoperationid": ROW, "partitionid": "p1", "name": "a"},
        )
        assert response.headers["OData-EntityId"] == (
            f"{api.root}backgroundoperations(backgroundoperationid={ROW},partitionid='p1')"
        )

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"Name": "x"}, 400, "0x80090801"),
            ({"priority": "many"}, 400, "0x80048d19"),
            ({"priority": 11}, 400, "0x8004432f"),
            ({"name": "x" * 513}, 400, "0x80044331"),
            ({"backgroundoperationstatecode": 5}, 400, "0x8004431a"),
            (
                {"backgroundoperationstatecode": 3, "backgroundoperationstatuscode": 20},
                400,
                "0x80048408",
            ),
            (
                {"nosuch@odata.bind": "/systemusers(00000000-0000-0000-0000-000000000001)"},
                400,
                "0x80048d19",
            ),
            ([1, 2], 400, "0x80048d19"),
        ],
    )
    def test_invalid_payloads_are_rejected_and_store_unchanged(
        self, api: Api, unchanged, body: object, status: int, code: str
    ) -> None:
        """Each invalid create body gets its Dataverse error and writes nothing."""
        with unchanged():
            response = api.post("backgroundoperations", json=body)
        assert error_of(response)[:2] == (status, code)

    def test_unknown_property_message_names_the_property(self, api: Api) -> None:
        """the message names the property and the entity type."""
        response = api.post("backgroundoperations", json={"Name": "x"})
        assert error_of(response)[2] == (
            "Invalid property 'Name' was found in entity "
            "'Microsoft.Dynamics.CRM.backgroundoperation'."
        )

    @pytest.mark.parametrize(("method", "name"), [("POST", "Create"), ("PATCH", "Upsert")])
    def test_an_empty_body_on_a_read_only_table_is_refused(
        self, api: Api, method: str, name: str
    ) -> None:
        """``{}`` on systemuser, which lists no writes, is 405 0x80040315 as a body with
        columns is: no user is added and the administrator's row keeps its version."""
        before = store_state(api.dv, "systemuser")
        path = "systemusers" if method == "POST" else f"systemusers({api.dv.admin_id})"
        status, code, message = error_of(api.request(method, path, json={}))
        assert (status, code) == (405, "0x80040315")
        assert message == f"The '{name}' method does not support entities of type 'systemuser'."
        assert store_state(api.dv, "systemuser") == before

    @pytest.mark.parametrize("method", ["POST", "PATCH"])
    def test_deep_insert_is_refused_and_names_the_navigation_property(
        self, api: Api, unchanged, method: str
    ) -> None:
        """A navigation property with a row inline (deep insert, or deep update): 400
        0x80048d19 naming it, and nothing written (elastic tables do not support deep insert)."""
        path = "backgroundoperations" if method == "POST" else f"backgroundoperations({ROW})"
        with unchanged():
            response = api.request(method, path, json={"name": "a", "createdby": {"fullname": "x"}})
        status, code, message = error_of(response)
        assert (status, code) == (400, "0x80048d19")
        assert message.endswith(
            "Microsoft.OData.ODataException: Deep insert or update of the navigation property "
            "'createdby' is not supported."
        )

    def test_read_only_columns_are_ignored(self, api: Api) -> None:
        """createdon, versionnumber and outputparameters on create are dropped."""
        api.post(
            "backgroundoperations",
            json={
                "name": "a",
                "createdon": "2000-01-01T00:00:00Z",
                "outputparameters": "x",
                "_createdby_value": ROW,
            },
        )
        row = api.dv.rows()[0]
        assert row["outputparameters"] is None
        assert row["createdon"] == api.dv.clock.now()
        assert row["createdby"].id == api.dv.admin_id

    @pytest.mark.parametrize(
        ("data", "content_type"),
        [
            (b"{not json", "application/json"),
            (b'{"name":"a"}', "text/plain"),
            (b"", "application/json"),
            (b'{"name":"a","name":"b"}', "application/json"),
            (b'{"priority":NaN}', "application/json"),
            (b'{"name":"\\ud800"}', "application/json"),
            (b'{"name":"a"} x', "application/json"),
            (b'{"name":"a"}{}', "application/json"),
            (b" \r\n\t", "application/json"),
            (b'\x0c{"name":"a"}', "application/json"),  # form feed: not JSON white space
        ],
    )
    def test_malformed_bodies_are_400_payload_errors(
        self, api: Api, unchanged, data: bytes, content_type: str
    ) -> None:
        """Malformed JSON, a wrong content type, duplicate names: 400 0x80048d19."""
        with unchanged():
            response = api.post(
                "backgroundoperations", data=data, headers={"Content-Type": content_type}
            )
        assert error_of(response)[:2] == (400, "0x80048d19")

    def test_json_white_space_around_the_body_is_accepted(self, api: Api) -> None:
        """Spaces, tabs and line breaks before and after the object: the row is created."""
        response = api.post(
            "backgroundoperations",
            data=b' \r\n\t{"name" : "spaced"}\n\t ',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 204
        assert [row["name"] for row in api.dv.rows()] == ["spaced"]


class TestRetrieve:
    def test_get_by_id_returns_every_column_and_the_etag_header(self, api: Api) -> None:
        """GET (id): 200, every property (nulls too), ETag header equal to @odata.etag."""
        row_id = api.create(name="export", priority=2)
        response = api.get(f"backgroundoperations({row_id})")
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == f"{api.root}$metadata#backgroundoperations/$entity"
        assert response.headers["ETag"] == body["@odata.etag"]
        assert body["name"] == "export"
        assert body["displayname"] is None
        assert body["_createdby_value"] == str(api.dv.admin_id)
        assert body["createdon"] == "2026-01-01T09:00:00Z"
        assert isinstance(body["versionnumber"], int)
        assert "createdbyname" not in body

    def test_select_returns_the_key_and_version_too(self, api: Api) -> None:
        """$select: the selected columns plus the primary key and versionnumber."""
        row_id = api.create(name="export")
        body = api.get(f"backgroundoperations({row_id})?$select=name").json()
        assert set(body) == {
            "@odata.context",
            "@odata.etag",
            "name",
            "backgroundoperationid",
            "versionnumber",
        }

    def test_unknown_select_property_is_400(self, api: Api) -> None:
        """$select of an unknown property: 400 0x0 naming it."""
        row_id = api.create(name="export")
        response = api.get(f"backgroundoperations({row_id})?$select=Name")
        assert error_of(response) == (
            400,
            "0x0",
            "Could not find a property named 'Name' on type "
            "'Microsoft.Dynamics.CRM.backgroundoperation'.",
        )

    def test_partitioned_row_by_key_syntax_and_partition_parameter(self, api: Api) -> None:
        """A partitioned row is found by the key syntax or ?partitionId=, not by id alone."""
        api.post("backgroundoperations", json={"backgroundoperationid": ROW, "partitionid": "p1"})
        by_key = api.get(f"backgroundoperations(backgroundoperationid={ROW},partitionid='p1')")
        by_param = api.get(f"backgroundoperations({ROW})?partitionId=p1")
        assert by_key.status_code == by_param.status_code == 200
        assert by_key.json()["partitionid"] == "p1"
        assert error_of(api.get(f"backgroundoperations({ROW})"))[:2] == (404, "0x80048d02")

    def test_missing_row_is_404_with_cosmos_message(self, api: Api) -> None:
        """404 0x80048d02, the message holds Could not find item '<id>'."""
        status, code, message = error_of(api.get(f"backgroundoperations({ROW})"))
        assert (status, code) == (404, "0x80048d02")
        assert f"Could not find item '{ROW}'." in message

    def test_if_none_match_with_the_current_etag_is_304(self, api: Api) -> None:
        """If-None-Match with the current etag: 304 without a body; a stale one: 200."""
        row_id = api.create(name="export")
        etag = api.get(f"backgroundoperations({row_id})").headers["ETag"]
        same = api.get(f"backgroundoperations({row_id})", headers={"If-None-Match": etag})
        assert (same.status_code, same.content) == (304, b"")
        api.patch(
            f"backgroundoperations({row_id})", json={"retrycount": 1}, headers={"If-Match": "*"}
        )
        changed = api.get(f"backgroundoperations({row_id})", headers={"If-None-Match": etag})
        assert changed.status_code == 200

    @pytest.mark.parametrize(
        ("query", "prefer"),
        [
            ("?$expand=createdby($select=fullname)", None),
            ("", 'odata.include-annotations="*"'),
        ],
    )
    def test_if_none_match_answers_in_full_with_expand_or_annotations(
        self, api: Api, query: str, prefer: str | None
    ) -> None:
        """With $expand, or with annotations asked for, the current etag still gets 200 and
        the row: the etag covers the row's own columns, not related rows or formatting."""
        row_id = api.create(name="export")
        etag = api.get(f"backgroundoperations({row_id})").headers["ETag"]
        headers = {"If-None-Match": etag, **({"Prefer": prefer} if prefer else {})}
        response = api.get(f"backgroundoperations({row_id}){query}", headers=headers)
        assert response.status_code == 200
        assert response.headers["ETag"] == etag
        assert response.json()["name"] == "export"

    def test_if_none_match_null_is_not_a_condition(self, api: Api) -> None:
        """If-None-Match: null (a cache-buster) is ignored."""
        row_id = api.create(name="export")
        response = api.get(f"backgroundoperations({row_id})", headers={"If-None-Match": "null"})
        assert response.status_code == 200

    def test_expand_on_a_single_row_nests_the_user(self, api: Api) -> None:
        """$expand=createdby($select=fullname): a nested object; context lists the expansion."""
        row_id = api.create(name="export")
        body = api.get(
            f"backgroundoperations({row_id})?$select=name&$expand=createdby($select=fullname)"
        ).json()
        assert body["@odata.context"].endswith(
            "#backgroundoperations(name,createdby,createdby(fullname))/$entity"
        )
        assert body["createdby"]["fullname"] == "System Administrator"
        assert body["createdby"]["systemuserid"] == str(api.dv.admin_id)
        assert "_createdby_value" not in body

    @pytest.mark.parametrize("option", ["$skip=1", "$search=x", "$format=json", "$bogus=1"])
    def test_unsupported_query_options_are_400(self, api: Api, option: str) -> None:
        """$skip, $search, $format and unknown $options: 400 0x0."""
        row_id = api.create(name="export")
        response = api.get(f"backgroundoperations({row_id})?{option}")
        name = option.split("=")[0]
        assert error_of(response) == (400, "0x0", f"The query parameter {name} is not supported")

    def test_malformed_key_is_400(self, api: Api) -> None:
        """A key that is not a GUID is a 400, not a crash."""
        assert error_of(api.get("backgroundoperations(not-a-guid)"))[0] == 400


class TestUpdate:
    def test_patch_with_if_match_star_updates(self, api: Api) -> None:
        """PATCH + If-Match: *: 204, OData-EntityId, session token; the row changes."""
        row_id = api.create(name="export")
        response = api.patch(
            f"backgroundoperations({row_id})",
            json={"backgroundoperationstatecode": 2, "backgroundoperationstatuscode": 22},
            headers={"If-Match": "*"},
        )
        assert response.status_code == 204
        assert TOKEN.fullmatch(response.headers["x-ms-session-token"])
        assert response.headers["OData-EntityId"].endswith(f"({row_id})")
        row = api.dv.rows()[0]
        assert (
            row["backgroundoperationstatecode"].value,
            row["backgroundoperationstatuscode"].value,
        ) == (2, 22)

    def test_patch_with_if_match_star_on_a_missing_row_is_404(self, api: Api, unchanged) -> None:
        """If-Match: * never creates: 404 0x80048d02."""
        with unchanged():
            response = api.patch(
                f"backgroundoperations({ROW})", json={"retrycount": 1}, headers={"If-Match": "*"}
            )
        assert error_of(response)[:2] == (404, "0x80048d02")

    def test_patch_without_if_match_upserts(self, api: Api) -> None:
        """PATCH without If-Match creates a missing row (201 with return=representation)."""
        response = api.patch(
            f"backgroundoperations({ROW})",
            json={"name": "new"},
            headers={"Prefer": "return=representation"},
        )
        assert response.status_code == 201
        assert response.json()["backgroundoperationid"] == ROW
        again = api.patch(f"backgroundoperations({ROW})", json={"name": "replaced"})
        assert again.status_code == 204
        assert [r["name"] for r in api.dv.rows()] == ["replaced"]

    def test_if_none_match_star_on_an_existing_row_is_412(self, api: Api, unchanged) -> None:
        """If-None-Match: * only creates; on an existing row 412 0x80040237."""
        api.patch(
            f"backgroundoperations({ROW})", json={"name": "a"}, headers={"If-None-Match": "*"}
        )
        with unchanged():
            response = api.patch(
                f"backgroundoperations({ROW})", json={"name": "b"}, headers={"If-None-Match": "*"}
            )
        assert error_of(response)[:2] == (412, "0x80040237")

    def test_stale_etag_is_412_and_current_etag_updates(self, api: Api, unchanged) -> None:
        """If-Match with a stale etag: 412 0x80060882; the current one works."""
        row_id = api.create(name="export")
        etag = api.get(f"backgroundoperations({row_id})").headers["ETag"]
        assert (
            api.patch(
                f"backgroundoperations({row_id})",
                json={"retrycount": 1},
                headers={"If-Match": etag},
            ).status_code
            == 204
        )
        with unchanged():
            response = api.patch(
                f"backgroundoperations({row_id})",
                json={"retrycount": 2},
                headers={"If-Match": etag},
            )
        assert error_of(response) == (
            412,
            "0x80060882",
            "The version of the existing record doesn't match the RowVersion property provided.",
        )

    def test_update_return_representation_is_200(self, api: Api) -> None:
        """PATCH + return=representation on an existing row: 200 with the updated row."""
        row_id = api.create(name="export")
        response = api.patch(
            f"backgroundoperations({row_id})?$select=retrycount",
            json={"retrycount": 4},
            headers={"If-Match": "*", "Prefer": "return=representation"},
        )
        assert response.status_code == 200
        assert response.json()["retrycount"] == 4

    def test_update_by_alternate_key(self, api: Api) -> None:
        """PATCH on the key syntax addresses the partitioned row."""
        api.post("backgroundoperations", json={"backgroundoperationid": ROW, "partitionid": "p"})
        response = api.patch(
            f"backgroundoperations(backgroundoperationid={ROW},partitionid='p')",
            json={"retrycount": 3},
            headers={"If-Match": "*"},
        )
        assert response.status_code == 204
        assert api.dv.rows()[0]["retrycount"] == 3


class TestDelete:
    def test_delete_answers_204_without_session_token(self, api: Api) -> None:
        """DELETE: 204, no session token; the row is gone."""
        row_id = api.create(name="export")
        response = api.delete(f"backgroundoperations({row_id})")
        assert response.status_code == 204
        assert "x-ms-session-token" not in response.headers
        assert api.dv.rows() == []

    def test_delete_with_stale_etag_is_412(self, api: Api, unchanged) -> None:
        """DELETE + If-Match stale etag: 412 0x80060882, the row stays."""
        row_id = api.create(name="export")
        etag = api.get(f"backgroundoperations({row_id})").headers["ETag"]
        api.patch(
            f"backgroundoperations({row_id})", json={"retrycount": 1}, headers={"If-Match": "*"}
        )
        with unchanged():
            response = api.delete(f"backgroundoperations({row_id})", headers={"If-Match": etag})
        assert error_of(response)[:2] == (412, "0x80060882")

    def test_delete_missing_row_is_404(self, api: Api) -> None:
        """DELETE of a missing row: 404 0x80048d02."""
        assert error_of(api.delete(f"backgroundoperations({ROW})"))[:2] == (404, "0x80048d02")

    def test_delete_with_partition_parameter(self, api: Api) -> None:
        """DELETE …(id)?partitionId=p removes the partitioned row."""
        api.post("backgroundoperations", json={"backgroundoperationid": ROW, "partitionid": "p"})
        assert api.delete(f"backgroundoperations({ROW})?partitionId=p").status_code == 204
        assert api.dv.rows() == []


class TestCustomTable:
    def test_routes_read_the_metadata_of_a_custom_table(self) -> None:
        """A table passed in is served under its entity set with no code change."""
        dv = FakeDataverse(
            tables=[
                {
                    "logical_name": "contoso_sensor",
                    "entity_set_name": "contoso_sensors",
                    "primary_id_attribute": "contoso_sensorid",
                    "primary_name_attribute": "contoso_name",
                    "messages": ["Create", "Retrieve", "Update", "Delete", "Upsert"],
                    "attributes": [
                        {
                            "logical_name": "contoso_sensorid",
                            "type": "Uniqueidentifier",
                            "valid_for_update": False,
                        },
                        {"logical_name": "contoso_name", "type": "String", "max_length": 10},
                    ],
                }
            ]
        )
        with dv.intercept():
            api = Api(dv)
            row_id = str(uuid.uuid4())
            created = api.post(
                "contoso_sensors", json={"contoso_sensorid": row_id, "contoso_name": "a"}
            )
            assert created.status_code == 204
            body = api.get(f"contoso_sensors({row_id})").json()
            assert body["contoso_name"] == "a"


class TestWriteOptions:
    @pytest.mark.parametrize("query", ["$select=nope", "$expand=nope", "$filter=name eq 'a'"])
    def test_bad_read_options_on_a_write_change_nothing(
        self, api: Api, unchanged, query: str
    ) -> None:
        """A bad $select/$expand (or an option a write does not take) fails before the write."""
        with unchanged():
            response = api.post(
                f"backgroundoperations?{query}",
                json={"name": "a"},
                headers={"Prefer": "return=representation"},
            )
        assert error_of(response)[:2] == (400, "0x0")

    def test_alternate_key_with_only_the_primary_key_upserts(self, api: Api) -> None:
        """PATCH backgroundoperations(backgroundoperationid=<id>) creates the row."""
        response = api.patch(
            f"backgroundoperations(backgroundoperationid={ROW})", json={"name": "k"}
        )
        assert response.status_code == 204
        assert str(api.dv.rows()[0].id) == ROW


class TestKeys:
    def test_a_quoted_text_is_not_a_guid_key(self, api: Api, unchanged) -> None:
        """OData literal types: backgroundoperationid='<text>' is no GUID, so 400 0x0."""
        with unchanged():
            response = api.patch(
                "backgroundoperations(backgroundoperationid='abc',partitionid='p')",
                json={"name": "a"},
            )
        assert error_of(response) == (400, "0x0", "Bad Request - Error in query syntax.")

    def test_if_none_match_star_creates_in_the_key_partition(self, api: Api) -> None:
        """PATCH on the key syntax with If-None-Match: * creates the row in that partition."""
        response = api.patch(
            f"backgroundoperations(backgroundoperationid={ROW},partitionid='p9')",
            json={"name": "new"},
            headers={"If-None-Match": "*"},
        )
        assert response.status_code == 204
        assert response.headers["OData-EntityId"].endswith(
            f"(backgroundoperationid={ROW},partitionid='p9')"
        )
        row = api.dv.rows()[0]
        assert (str(row.id), row["partitionid"]) == (ROW, "p9")

    def test_metadata_id_addresses_a_definition(self, api: Api) -> None:
        """EntityDefinitions(<MetadataId>)/Attributes, as the official SDK calls it."""
        table_id = api.get("EntityDefinitions(LogicalName='backgroundoperation')").json()[
            "MetadataId"
        ]
        body = api.get(f"EntityDefinitions({table_id})/Attributes?$select=LogicalName").json()
        assert "priority" in {a["LogicalName"] for a in body["value"]}

    def test_systemuser_rows_are_served(self, api: Api) -> None:
        """The standard systemuser table: GET by id; a missing user is 404 0x80040217."""
        body = api.get(f"systemusers({api.dv.admin_id})?$select=fullname").json()
        assert body["fullname"] == "System Administrator"
        assert error_of(api.get(f"systemusers({ROW})"))[:2] == (404, "0x80040217")
