"""Service document, $metadata and EntityDefinitions, answered from the engine's metadata."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from fake_dataverse import FakeDataverse

from ..tables import TASK, TASK_TABLE
from .conftest import Api, error_of

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
DEFINITION = "EntityDefinitions(LogicalName='backgroundoperation')"


class TestServiceDocument:
    def test_lists_the_entity_sets(self, api: Api) -> None:
        """GET the root: the entity sets with the $metadata context."""
        body = api.get("").json()
        assert body["@odata.context"] == f"{api.root}$metadata"
        assert {
            "name": "backgroundoperations",
            "kind": "EntitySet",
            "url": "backgroundoperations",
        } in body["value"]


class TestCsdl:
    def test_is_valid_xml_with_keys_properties_and_navigation(self, api: Api) -> None:
        """$metadata: CSDL with the entity type, its key, Edm types and navigation properties."""
        response = api.get("$metadata")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/xml"
        root = ElementTree.fromstring(response.content)
        types = {e.get("Name"): e for e in root.iter(f"{EDM}EntityType")}
        bo = types["backgroundoperation"]
        assert bo.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "backgroundoperationid"
        props = {p.get("Name"): p.get("Type") for p in bo.findall(f"{EDM}Property")}
        assert props["versionnumber"] == "Edm.Int64"
        assert props["_createdby_value"] == "Edm.Guid"
        assert props["starttime"] == "Edm.DateTimeOffset"
        assert "createdbyname" not in props
        navs = {n.get("Name"): n for n in bo.findall(f"{EDM}NavigationProperty")}
        assert navs["createdby"].get("Type") == "mscrm.systemuser"
        assert "systemuser" in types
        sets = {e.get("Name") for e in root.iter(f"{EDM}EntitySet")}
        assert {"backgroundoperations", "systemusers"} <= sets

    def test_navigation_partners_resolve(self, api: Api) -> None:
        """Every NavigationProperty's Partner names a navigation property on its type."""
        root = ElementTree.fromstring(api.get("$metadata").content)
        types = {e.get("Name"): e for e in root.iter(f"{EDM}EntityType")}
        for entity_type in types.values():
            for nav in entity_type.findall(f"{EDM}NavigationProperty"):
                target = nav.get("Type").removeprefix("Collection(").rstrip(")").split(".")[-1]
                partners = {
                    n.get("Name") for n in types[target].findall(f"{EDM}NavigationProperty")
                }
                assert nav.get("Partner") in partners


class TestEntityDefinitions:
    def test_filter_by_logical_name_as_the_official_sdk_asks(self, api: Api) -> None:
        """The SDK's first call: value[0] carries EntitySetName and PrimaryIdAttribute."""
        body = api.get(
            "EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
            "&$filter=LogicalName eq 'backgroundoperation'"
        ).json()
        assert len(body["value"]) == 1
        item = body["value"][0]
        assert item["EntitySetName"] == "backgroundoperations"
        assert item["PrimaryIdAttribute"] == "backgroundoperationid"
        assert set(item) == {"MetadataId", "LogicalName", "EntitySetName", "PrimaryIdAttribute"}

    def test_by_logical_name_key(self, api: Api) -> None:
        """EntityDefinitions(LogicalName='…') with $select: one object."""
        body = api.get(
            f"{DEFINITION}?$select=EntitySetName,PrimaryIdAttribute,PrimaryImageAttribute"
        ).json()
        assert body["EntitySetName"] == "backgroundoperations"
        assert body["PrimaryImageAttribute"] is None
        assert body["@odata.context"].endswith(
            "#EntityDefinitions(EntitySetName,PrimaryIdAttribute,PrimaryImageAttribute)/$entity"
        )

    def test_full_definition_reports_elastic_and_change_tracking(self, api: Api) -> None:
        """The table's definition: TableType Elastic, change tracking on, labels."""
        body = api.get(DEFINITION).json()
        assert body["TableType"] == "Elastic"
        assert body["ChangeTrackingEnabled"] is True
        assert body["DisplayName"]["UserLocalizedLabel"]["Label"] == "Background Operation"

    def test_picklist_cast_with_option_set(self, api: Api) -> None:
        """The SDK's picklist call: choices with their labels, from the engine's options."""
        body = api.get(
            f"{DEFINITION}/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata"
            "?$select=LogicalName&$expand=OptionSet($select=Options)"
        ).json()
        by_name = {item["LogicalName"]: item for item in body["value"]}
        assert set(by_name) == {"backgroundoperationstatecode", "backgroundoperationstatuscode"}
        options = by_name["backgroundoperationstatecode"]["OptionSet"]["Options"]
        labels = {o["Value"]: o["Label"]["LocalizedLabels"][0]["Label"] for o in options}
        assert labels == {0: "Ready", 2: "Locked", 3: "Completed"}

    def test_attribute_by_name_reports_limits(self, api: Api) -> None:
        """Attributes(LogicalName='priority'): type, range and validity flags."""
        body = api.get(f"{DEFINITION}/Attributes(LogicalName='priority')").json()
        assert body["@odata.type"] == "#Microsoft.Dynamics.CRM.IntegerAttributeMetadata"
        assert (body["MinValue"], body["MaxValue"]) == (0, 10)
        assert (body["IsValidForCreate"], body["IsValidForUpdate"]) == (True, False)

    @pytest.mark.parametrize(
        ("filter_text", "expected"),
        [
            (
                "AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'",
                {"backgroundoperationstatecode", "backgroundoperationstatuscode"},
            ),
            (
                "RequiredLevel/Value eq Microsoft.Dynamics.CRM.AttributeRequiredLevel"
                "'SystemRequired' and IsLogical eq false",
                {"backgroundoperationid"},
            ),
        ],
    )
    def test_attribute_filters(self, api: Api, filter_text: str, expected: set[str]) -> None:
        """Enum and complex-path filters on Attributes."""
        body = api.get(f"{DEFINITION}/Attributes?$select=LogicalName&$filter={filter_text}").json()
        assert {item["LogicalName"] for item in body["value"]} == expected

    def test_keys_and_relationships(self, api: Api) -> None:
        """Keys: the elastic key; ManyToOneRelationships: the four user lookups."""
        keys = api.get(f"{DEFINITION}/Keys?$select=SchemaName,KeyAttributes").json()["value"]
        assert keys[0]["KeyAttributes"] == ["backgroundoperationid", "partitionid"]
        many = api.get(f"{DEFINITION}/ManyToOneRelationships").json()["value"]
        assert {r["ReferencingAttribute"] for r in many} == {
            "createdby",
            "createdonbehalfby",
            "modifiedby",
            "modifiedonbehalfby",
        }
        one = api.get("EntityDefinitions(LogicalName='systemuser')/OneToManyRelationships")
        assert len(one.json()["value"]) == 4

    def test_a_relationship_is_named_by_its_metadata_or_after_its_lookup(self) -> None:
        """A lookup's relationship is named as the table's metadata names it, or, for a
        lookup whose metadata names none (a custom table's), lk_<table>_<column>."""
        dv = FakeDataverse(tables=[TASK_TABLE])
        with dv.intercept():
            api = Api(dv)
            shipped = api.get(f"{DEFINITION}/ManyToOneRelationships").json()["value"]
            custom = api.get(
                f"EntityDefinitions(LogicalName='{TASK}')/ManyToOneRelationships"
            ).json()["value"]
        created_by = next(r for r in shipped if r["ReferencingAttribute"] == "createdby")
        assert created_by["SchemaName"] == "lk_backgroundoperation_createdby"
        [parent] = custom
        assert (parent["SchemaName"], parent["ReferencedEntityNavigationPropertyName"]) == (
            "lk_contoso_task_contoso_parent",
            "lk_contoso_task_contoso_parent",
        )
        assert (parent["ReferencedEntity"], parent["ReferencingAttribute"]) == (
            TASK,
            "contoso_parent",
        )

    def test_expand_attributes_on_every_table(self, api: Api) -> None:
        """EntityDefinitions?$expand=Attributes($select=…): each table with its columns."""
        body = api.get(
            "EntityDefinitions?$select=LogicalName"
            "&$expand=Attributes($select=LogicalName,AttributeType)"
        ).json()
        tables = {t["LogicalName"]: t for t in body["value"]}
        names = {a["LogicalName"] for a in tables["backgroundoperation"]["Attributes"]}
        assert "priority" in names

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("EntityDefinitions(LogicalName='nosuch')", 404),
            (f"{DEFINITION}?$select=Nope", 400),
            ("EntityDefinitions?$filter=LogicalName eq", 400),
            ("EntityDefinitions?$filter=Nope eq 'x'", 400),
            (f"{DEFINITION}/Attributes(LogicalName='nope')", 404),
            (f"{DEFINITION}/Widgets", 404),
        ],
    )
    def test_bad_metadata_requests(self, api: Api, path: str, status: int) -> None:
        """Unknown tables, properties and segments, and bad filters: Dataverse errors."""
        assert error_of(api.get(path))[0] == status
