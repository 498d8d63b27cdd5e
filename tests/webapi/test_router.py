"""Routing: paths to resources; unknown segments and methods."""

from __future__ import annotations

import importlib
import pkgutil
import uuid

import attrs
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


def test_every_module_declaring_routes_is_in_the_catalogue() -> None:
    """A module with its own ``ROUTES`` that ``_catalogue`` does not list would answer 405."""
    import fake_dataverse._webapi as package
    from fake_dataverse._webapi._catalogue import FAMILIES
    from fake_dataverse._webapi._router import BUILT_IN, RouteTable

    declared = []
    for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(module_info.name)
        found = getattr(module, "ROUTES", None)
        if isinstance(found, RouteTable) and found is not BUILT_IN:
            declared.append(module_info.name)
            assert any(found is family for family in FAMILIES), module_info.name
    assert len(declared) == len(FAMILIES)
    for family in FAMILIES:
        assert family.handlers.items() <= BUILT_IN.handlers.items()


def test_entity_sets_follow_the_tables_added() -> None:
    """A table added (or replaced) is found by its entity set name at once, and a replaced
    table's old name no longer is."""
    from fake_dataverse._model._metadata import MetadataRegistry, default_metadata

    shipped = default_metadata().get("backgroundoperation")
    assert shipped is not None
    registry = MetadataRegistry()
    assert registry.by_entity_set("backgroundoperations") is None
    registry.add(shipped)
    assert registry.by_entity_set("backgroundoperations") is shipped
    renamed = attrs.evolve(shipped, entity_set_name="operations")
    registry.add(renamed)
    assert registry.by_entity_set("operations") is renamed
    assert registry.by_entity_set("backgroundoperations") is None
    assert MetadataRegistry(_tables={"x": shipped}).by_entity_set("backgroundoperations") is shipped
