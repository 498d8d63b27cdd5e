"""Routing: paths to resources; unknown segments and methods."""

from __future__ import annotations

import uuid

import pytest

from fake_dataverse import DataverseError, FakeDataverse
from fake_dataverse._webapi._router import resolve

ROW = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def org() -> object:
    return FakeDataverse().organization


class TestResolve:
    @pytest.mark.parametrize(
        ("path", "kind", "name"),
        [
            ("", "service", ""),
            ("$metadata", "metadata", ""),
            ("$batch", "batch", ""),
            ("backgroundoperations", "collection", ""),
            ("backgroundoperations/", "collection", ""),
            ("backgroundoperations/$count", "count", ""),
            (
                "backgroundoperations/Microsoft.Dynamics.CRM.CreateMultiple",
                "action",
                "CreateMultiple",
            ),
            (f"backgroundoperations({ROW})", "entity", ""),
            (f"backgroundoperations({ROW})/name", "property", "name"),
            (f"backgroundoperations({ROW})/name/$value", "property_value", "name"),
            ("EntityDefinitions(LogicalName='x')/Attributes", "definitions", ""),
            ("sdkmessagefilters", "message_filters", ""),
        ],
    )
    def test_kinds(self, org: object, path: str, kind: str, name: str) -> None:
        """Each path shape resolves to its kind."""
        resource = resolve(org, path)  # type: ignore[arg-type]
        assert (resource.kind, resource.name) == (kind, name)

    def test_alternate_key(self, org: object) -> None:
        """The alternate key resolves to the id and partition, key names lower-cased."""
        resource = resolve(
            org,
            f"backgroundoperations(backgroundoperationId={ROW},"  # type: ignore[arg-type]
            "partitionId='p%201')",
        )
        assert resource.key == {"backgroundoperationid": uuid.UUID(ROW), "partitionid": "p 1"}

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("Backgroundoperations", 404),
            ("backgroundoperations/x", 404),
            ("backgroundoperations(1)", 400),
            ("backgroundoperations(name='a')", 400),
            ("backgroundoperations(nope=1)", 400),
            (f"backgroundoperations({ROW})/a/b/c", 404),
        ],
    )
    def test_faults(self, org: object, path: str, status: int) -> None:
        """Unknown names are 404; malformed or non-key keys are 400."""
        with pytest.raises(DataverseError) as caught:
            resolve(org, path)  # type: ignore[arg-type]
        assert caught.value.http_status == status
