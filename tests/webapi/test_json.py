"""OData JSON: value formats and annotations (FormattedValue, lookup annotations)."""

from __future__ import annotations

import pytest

from fake_dataverse import Entity, OptionSetValue

from .conftest import Api

ALL = {"Prefer": 'odata.include-annotations="*"'}
FORMATTED = "@OData.Community.Display.V1.FormattedValue"


@pytest.fixture
def row_id(api: Api) -> str:
    """A row in state Completed/Succeeded with dates and numbers set."""
    row = api.dv.service.create(Entity("backgroundoperation", name="export", retrycount=3137208))
    api.dv.service.update(
        Entity(
            "backgroundoperation",
            row,
            backgroundoperationstatecode=OptionSetValue(3),
            backgroundoperationstatuscode=OptionSetValue(30),
            starttime=api.dv.clock.now(),
        )
    )
    return str(row)


class TestAnnotations:
    def test_formatted_values_for_choices_dates_numbers_lookups(
        self, api: Api, row_id: str
    ) -> None:
        """With '*': labels for choices, formatted dates and numbers, lookup names and tables."""
        response = api.get(f"backgroundoperations({row_id})", headers=ALL)
        body = response.json()
        assert response.headers["Preference-Applied"] == 'odata.include-annotations="*"'
        assert body["backgroundoperationstatecode" + FORMATTED] == "Completed"
        assert body["backgroundoperationstatuscode" + FORMATTED] == "Succeeded"
        assert body["starttime" + FORMATTED] == "1/1/2026 9:00 AM"
        assert body["retrycount" + FORMATTED] == "3,137,208"
        assert body["_createdby_value" + FORMATTED] == "System Administrator"
        assert body["_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "systemuser"
        assert body["_createdby_value@Microsoft.Dynamics.CRM.associatednavigationproperty"] == (
            "createdby"
        )
        assert "name" + FORMATTED not in body

    def test_annotations_precede_their_property(self, api: Api, row_id: str) -> None:
        """An annotation comes right before the property it annotates."""
        keys = list(api.get(f"backgroundoperations({row_id})", headers=ALL).json())
        index = keys.index("backgroundoperationstatecode")
        assert keys[index - 1] == "backgroundoperationstatecode" + FORMATTED

    def test_only_requested_annotations(self, api: Api, row_id: str) -> None:
        """A named annotation list returns only those annotations."""
        body = api.get(
            f"backgroundoperations({row_id})",
            headers={
                "Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'
            },
        ).json()
        assert "_createdby_value@Microsoft.Dynamics.CRM.lookuplogicalname" not in body
        assert body["backgroundoperationstatecode" + FORMATTED] == "Completed"

    def test_no_annotations_without_prefer(self, api: Api, row_id: str) -> None:
        """Without the preference there are no value annotations."""
        body = api.get(f"backgroundoperations({row_id})").json()
        assert not [k for k in body if "@" in k and not k.startswith("@odata")]


class TestValueFormats:
    def test_json_types(self, api: Api, row_id: str) -> None:
        """Guids lower-case strings, dates ISO UTC with Z, choices and versions numbers."""
        body = api.get(f"backgroundoperations({row_id})").json()
        assert body["backgroundoperationid"] == row_id.lower()
        assert body["starttime"] == "2026-01-01T09:00:00Z"
        assert body["backgroundoperationstatecode"] == 3
        assert isinstance(body["versionnumber"], int) and body["versionnumber"] > 2**53
