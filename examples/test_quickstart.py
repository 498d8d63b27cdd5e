"""The README's quick start, run as a test."""

from fake_dataverse import DataverseError, Entity, FakeDataverse, OptionSetValue


def test_quickstart() -> None:
    """Creating, moving state and a rejected write behave as the README says."""
    dv = FakeDataverse()
    svc = dv.service
    op_id = svc.create(Entity("backgroundoperation", name="sample_Export", priority=3))
    svc.update(Entity("backgroundoperation", op_id, backgroundoperationstatecode=OptionSetValue(2)))
    row = svc.retrieve("backgroundoperation", op_id, ["backgroundoperationstatuscode"])
    assert row["backgroundoperationstatuscode"] == OptionSetValue(20)
    try:
        svc.create(Entity("backgroundoperation", priority=11))
    except DataverseError as error:
        assert error.error_code == -2147204305
    else:
        raise AssertionError("priority 11 must be rejected")
