"""Injecting faults: misspelt message names fail loudly; every fault class is public."""

from __future__ import annotations

import inspect
import uuid

import pytest
import requests

import fake_dataverse.errors
from fake_dataverse import (
    DataverseError,
    Entity,
    FakeDataverse,
    OrganizationRequest,
    QueryExpression,
)
from fake_dataverse._model import _errors
from fake_dataverse.errors import RecordNotFound, RequestsLimitExceeded

from ..traces import store_state
from .conftest import TABLE

AUTH = {"Authorization": "Bearer t"}


class TestMessageNames:
    @pytest.mark.parametrize(
        ("written", "meant"),
        [
            ("create", "Create"),
            ("retrievemultiple", "RetrieveMultiple"),
            ("CreateMultipl", "CreateMultiple"),
        ],
    )
    def test_a_misspelt_name_is_rejected(self, written: str, meant: str) -> None:
        """A name that is a known message's in another case, or a near miss, is a ValueError."""
        dv = FakeDataverse()
        with pytest.raises(ValueError, match=f"did you mean '{meant}'"):
            dv.faults.throttle(message=written)
        dv.service.create(Entity(TABLE, name="runs"))  # nothing was queued
        assert [row["name"] for row in dv.rows()] == ["runs"]

    def test_a_known_name_fires_once(self) -> None:
        """throttle(message="Create") fails the next Create only; other messages run."""
        dv = FakeDataverse()
        dv.faults.throttle(message="Create")
        dv.service.retrieve_multiple(QueryExpression(TABLE))
        with pytest.raises(RequestsLimitExceeded):
            dv.service.create(Entity(TABLE, name="throttled"))
        assert dv.rows() == []
        dv.service.create(Entity(TABLE, name="second"))
        assert len(dv.rows()) == 1

    def test_a_custom_api_named_before_it_is_registered(self) -> None:
        """A name nothing resembles is accepted: a custom API may be registered afterwards."""
        dv = FakeDataverse()
        dv.faults.fail_next(DataverseError("export failed"), message="sample_Export")
        dv.background.register("sample_Export", lambda inputs: {})
        with pytest.raises(DataverseError, match="export failed"):
            dv.service.execute(OrganizationRequest("sample_Export", {}))
        assert dv.service.execute(OrganizationRequest("sample_Export", {})).results == {}


class TestRetryAfter:
    @pytest.mark.parametrize("seconds", [-1, 1e20, float("nan"), float("inf"), "5", True])
    def test_a_wait_no_header_can_carry_is_refused(self, seconds: object) -> None:
        """throttle() and gateway() refuse a retry_after that is no wait (ValueError, never an
        OverflowError), and arm nothing."""
        dv = FakeDataverse()
        with pytest.raises(ValueError, match="retry_after is a number of seconds from 0"):
            dv.faults.throttle(retry_after=seconds)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="retry_after is a number of seconds from 0"):
            dv.faults.gateway(503, retry_after=seconds)  # type: ignore[arg-type]
        dv.service.create(Entity(TABLE, name="not failed"))
        assert ["not failed"] == [row["name"] for row in dv.rows()]


class TestPublicFaults:
    def test_every_fault_class_is_public(self) -> None:
        """fake_dataverse.errors exports every fault class of the catalogue."""
        faults = {
            name
            for name, value in vars(_errors).items()
            if inspect.isclass(value) and issubclass(value, DataverseError)
        }
        assert faults <= set(fake_dataverse.errors.__all__)
        assert all(
            getattr(fake_dataverse.errors, name) is getattr(_errors, name)
            for name in fake_dataverse.errors.__all__
        )

    def test_an_injected_fault_answers_over_http(self) -> None:
        """An injected RecordNotFound answers 404 0x80048d02 and leaves the store as it was."""
        dv = FakeDataverse()
        dv.service.create(Entity(TABLE, name="kept"))
        before = store_state(dv)
        dv.faults.fail_next(RecordNotFound(id=uuid.UUID(int=1)), message="Update")
        with dv.intercept():
            url = f"{dv.url}/api/data/v9.2/backgroundoperations({dv.rows()[0].id})"
            reply = requests.patch(url, json={"retrycount": 1}, headers={**AUTH, "If-Match": "*"})
        assert (reply.status_code, reply.json()["error"]["code"]) == (404, "0x80048d02")
        assert store_state(dv) == before
