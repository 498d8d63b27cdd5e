"""``@odata.context`` lists selected properties, then expansions, then their selections."""

from __future__ import annotations

from .conftest import Api

DEFINITION = "EntityDefinitions(LogicalName='backgroundoperation')"


class TestRowContext:
    def test_two_expansions_list_names_before_their_selections(self, api: Api) -> None:
        """Two expansions: ``(name,createdby,modifiedby,createdby(…),modifiedby(…))``."""
        row = api.create(name="export")
        response = api.get(
            f"backgroundoperations({row})?$select=name"
            "&$expand=createdby($select=fullname),modifiedby($select=fullname)"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#backgroundoperations(name,createdby,modifiedby,"
            "createdby(fullname),modifiedby(fullname))/$entity"
        )
        assert body["createdby"]["fullname"] == body["modifiedby"]["fullname"]

    def test_expanded_user_carries_its_version_number(self, api: Api) -> None:
        """The expanded ``systemuser`` reads its own ``versionnumber``, not null."""
        row = api.create(name="export")
        body = api.get(f"backgroundoperations({row})?$expand=createdby").json()
        user = api.dv.rows("systemuser")[0]
        assert isinstance(body["createdby"]["versionnumber"], int)
        assert body["createdby"]["versionnumber"] == user["versionnumber"]


class TestDefinitionContext:
    def test_definition_with_select_names_the_selected_properties(self, api: Api) -> None:
        """``EntityDefinitions(…)?$select=A,B``: context ``#EntityDefinitions(A,B)/$entity``."""
        response = api.get(f"{DEFINITION}?$select=EntitySetName,PrimaryIdAttribute")
        assert response.status_code == 200
        assert response.json()["@odata.context"] == (
            f"{api.root}$metadata#EntityDefinitions(EntitySetName,PrimaryIdAttribute)/$entity"
        )

    def test_definition_collection_with_select(self, api: Api) -> None:
        """``EntityDefinitions?$select=LogicalName``: ``#EntityDefinitions(LogicalName)``."""
        body = api.get("EntityDefinitions?$select=LogicalName").json()
        assert body["@odata.context"] == f"{api.root}$metadata#EntityDefinitions(LogicalName)"

    def test_definition_without_select_has_no_list(self, api: Api) -> None:
        """Without ``$select`` the context names the entity set alone."""
        body = api.get(DEFINITION).json()
        assert body["@odata.context"] == f"{api.root}$metadata#EntityDefinitions/$entity"

    def test_cast_attributes_with_expanded_option_set(self, api: Api) -> None:
        """A cast with ``$select`` and ``$expand``: the cast, then ``(A,Nav,Nav(B))``."""
        response = api.get(
            f"{DEFINITION}/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata"
            "?$select=LogicalName&$expand=OptionSet($select=Options)"
        )
        assert response.status_code == 200
        assert response.json()["@odata.context"] == (
            f"{api.root}$metadata#EntityDefinitions('backgroundoperation')/Attributes/"
            "Microsoft.Dynamics.CRM.PicklistAttributeMetadata(LogicalName,OptionSet,"
            "OptionSet(Options))"
        )

    def test_keys_with_select(self, api: Api) -> None:
        """``…/Keys?$select=SchemaName,KeyAttributes`` lists the selection in the context."""
        body = api.get(f"{DEFINITION}/Keys?$select=SchemaName,KeyAttributes").json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#EntityDefinitions('backgroundoperation')/Keys"
            "(SchemaName,KeyAttributes)"
        )
        assert body["value"][0]["KeyAttributes"] == ["backgroundoperationid", "partitionid"]


class TestMessageFilterRows:
    def test_context_names_selection_and_expansion(self, api: Api) -> None:
        """The bulk-check query: context ``sdkmessagefilters(sdkmessagefilterid,sdkmessageid,
        sdkmessageid(name))``; each row and expanded message carries ``@odata.etag``."""
        response = api.get(
            "sdkmessagefilters?$select=sdkmessagefilterid&$expand=sdkmessageid($select=name)"
            "&$filter=(sdkmessageid/name eq 'CreateMultiple' or sdkmessageid/name eq "
            "'UpdateMultiple') and primaryobjecttypecode eq 'backgroundoperation'"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == (
            f"{api.root}$metadata#sdkmessagefilters(sdkmessagefilterid,sdkmessageid,"
            "sdkmessageid(name))"
        )
        assert sorted(r["sdkmessageid"]["name"] for r in body["value"]) == [
            "CreateMultiple",
            "UpdateMultiple",
        ]
        for row in body["value"]:
            assert set(row) == {"@odata.etag", "sdkmessagefilterid", "sdkmessageid"}
            assert row["@odata.etag"].startswith('W/"')
            assert set(row["sdkmessageid"]) == {"@odata.etag", "sdkmessageid", "name"}
