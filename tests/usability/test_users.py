"""add_user refuses privileges it would silently misread: one string, or a misspelt name."""

from __future__ import annotations

import pytest

from fake_dataverse import Entity, FakeDataverse

from .conftest import TABLE


def _users(dv: FakeDataverse) -> list[Entity]:
    return dv.rows("systemuser")


class TestPrivileges:
    def test_one_string_is_a_type_error(self) -> None:
        """privileges="prv…" (not a list) is a TypeError showing the list form; no user added."""
        dv = FakeDataverse()
        before = _users(dv)
        with pytest.raises(TypeError, match=r"write privileges=\['prvReadbackgroundoperation'\]"):
            dv.add_user("Reader", privileges="prvReadbackgroundoperation")
        assert _users(dv) == before

    @pytest.mark.parametrize(
        ("written", "meant"),
        [
            ("prvReadBackgroundOperation", "prvReadbackgroundoperation"),
            ("prvCreatebackgroundoperations", "prvCreatebackgroundoperation"),
            ("prvactonbehalfofanotheruser", "prvActOnBehalfOfAnotherUser"),
        ],
    )
    def test_a_misspelt_privilege_is_a_value_error(self, written: str, meant: str) -> None:
        """A privilege differing from a known one in case, or barely, names the right one."""
        dv = FakeDataverse()
        before = _users(dv)
        with pytest.raises(ValueError, match=f"did you mean '{meant}'"):
            dv.add_user("Reader", privileges=[written])
        assert _users(dv) == before

    def test_known_and_unrelated_privileges_are_held(self) -> None:
        """Known privileges, and names unlike any the fake checks, are accepted as given."""
        dv = FakeDataverse()
        user = dv.add_user("Writer", privileges=["prvCreatebackgroundoperation", "prvReadaccount"])
        row_id = dv.service_for(user).create(Entity(TABLE, name="by writer"))
        assert [row.id for row in dv.rows()] == [row_id]
