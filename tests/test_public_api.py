"""The package's public names."""

from __future__ import annotations

import fake_dataverse


def test_all_is_sorted_and_importable() -> None:
    """``__all__`` is sorted, unique, and every name in it exists."""
    names = list(fake_dataverse.__all__)
    assert sorted(set(names)) == names
    assert [] == [n for n in names if not hasattr(fake_dataverse, n)]


def test_public_names_from_the_issue() -> None:
    """The names other code relies on are exported."""
    expected = {"FakeDataverse", "Entity", "EntityReference", "OptionSetValue", "ColumnSet",
                "DataverseError", "CreateRequest", "CreateMultipleRequest", "RetrieveRequest",
                "UpsertRequest", "UpdateRequest", "DeleteRequest", "UpdateMultipleRequest",
                "UpsertMultipleRequest", "OrganizationRequest"}
    assert expected <= set(fake_dataverse.__all__)


def test_no_private_module_is_public() -> None:
    """Public names come from private modules; no module itself is exported."""
    assert [] == [n for n in fake_dataverse.__all__ if n.startswith("_")]


def test_every_public_name_has_its_module() -> None:
    """The lazy facade knows where each name in ``__all__`` lives, and nothing else."""
    assert sorted(fake_dataverse._MODULES) == list(fake_dataverse.__all__)
    for name, module in fake_dataverse._MODULES.items():
        assert module.startswith("fake_dataverse._"), name
