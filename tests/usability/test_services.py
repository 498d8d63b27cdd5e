"""Services for other users take ids as text too, and say who they act as."""

from __future__ import annotations

import uuid

import pytest

from fake_dataverse import DataverseError, Entity, FakeDataverse

from ..traces import store_state
from .conftest import TABLE


class TestOtherUsers:
    def test_service_for_takes_text(self) -> None:
        """service_for("<guid>") acts as that user: rows record them as createdby."""
        dv = FakeDataverse()
        jane = dv.add_user("Jane")
        row_id = dv.service_for(str(jane)).create(Entity(TABLE, name="by jane"))
        assert dv.service.retrieve(TABLE, row_id, ["createdby"])["createdby"].id == jane

    def test_impersonate_takes_text(self) -> None:
        """impersonate("<guid>") acts on behalf of that user."""
        dv = FakeDataverse()
        jane = dv.add_user("Jane")
        row_id = dv.service.impersonate(str(jane)).create(Entity(TABLE, name="for jane"))
        row = dv.service.retrieve(TABLE, row_id, ["createdby", "createdonbehalfby"])
        assert (row["createdby"].id, row["createdonbehalfby"].id) == (jane, dv.admin_id)

    def test_an_unknown_user_is_caller_not_found(self) -> None:
        """service_for an id no user has is 0x80040217; nothing is written."""
        dv = FakeDataverse()
        before = store_state(dv)
        with pytest.raises(DataverseError) as caught:
            dv.service_for(str(uuid.UUID(int=5)))
        assert caught.value.hex_code == "0x80040217"
        assert store_state(dv) == before


class TestRepr:
    def test_repr_names_the_caller(self) -> None:
        """repr() shows the organization, the user and, impersonating, the real caller."""
        dv = FakeDataverse()
        jane = dv.add_user("Jane")
        assert repr(dv.service) == (
            f"<OrganizationService {dv.url} as 'System Administrator' ({dv.admin_id})>"
        )
        assert repr(dv.service.impersonate(jane)) == (
            f"<OrganizationService {dv.url} as 'Jane' ({jane}) on behalf of "
            f"'System Administrator' ({dv.admin_id})>"
        )
