"""The README's quick start, run as a test."""

import pytest

from fake_dataverse import DataverseError, Entity, FakeDataverse, OptionSetValue


def test_quickstart() -> None:
    """Creating, moving state and a rejected write behave as the README says."""
    dv = FakeDataverse()
    svc = dv.service
    op_id = svc.create(Entity("backgroundoperation", name="sample_Export", priority=3))
    svc.update(Entity("backgroundoperation", op_id, backgroundoperationstatecode=OptionSetValue(2)))
    row = svc.retrieve("backgroundoperation", op_id, ["backgroundoperationstatuscode"])
    assert row["backgroundoperationstatuscode"] == OptionSetValue(20)
    with pytest.raises(DataverseError) as rejected:
        svc.create(Entity("backgroundoperation", priority=11))
    assert rejected.value.error_code == -2147204305
