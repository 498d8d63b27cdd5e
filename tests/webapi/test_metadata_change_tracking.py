"""``$metadata?annotations=true`` marks change-tracked entity sets."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from .conftest import Api

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
TERM = "Org.OData.Capabilities.V1.ChangeTracking"


def _tracking_sets(api: Api, path: str, headers: dict[str, str] | None = None) -> set[str]:
    """Return the entity sets the document annotates as change-tracked."""
    response = api.get(path, headers=headers or {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    found = set()
    for entity_set in root.iter(f"{EDM}EntitySet"):
        for annotation in entity_set.iter(f"{EDM}Annotation"):
            if annotation.get("Term") == TERM:
                (value,) = annotation.iter(f"{EDM}PropertyValue")
                assert (value.get("Property"), value.get("Bool")) == ("Supported", "true")
                found.add(entity_set.get("Name", ""))
    return found


class TestChangeTrackingAnnotation:
    def test_annotations_true_marks_the_tracked_table_only(self, api: Api) -> None:
        """``?annotations=true``: ``backgroundoperations`` carries ChangeTracking, users don't."""
        assert _tracking_sets(api, "$metadata?annotations=true") == {"backgroundoperations"}

    def test_left_out_by_default(self, api: Api) -> None:
        """Plain ``$metadata`` leaves the annotation out (it is not included by default)."""
        assert _tracking_sets(api, "$metadata") == set()

    @pytest.mark.parametrize("prefer", ["*", "Org.OData.Capabilities.V1.ChangeTracking"])
    def test_prefer_header_includes_it(self, api: Api, prefer: str) -> None:
        """``Prefer: odata.include-annotations`` covering the term includes it too."""
        headers = {"Prefer": f'odata.include-annotations="{prefer}"'}
        assert _tracking_sets(api, "$metadata", headers) == {"backgroundoperations"}
