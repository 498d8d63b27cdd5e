"""The strategies on a made-up table: everything comes from its metadata."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings

from fake_dataverse import DataverseError, Entity, EntityReference, FakeDataverse
from fake_dataverse import entity_metadata_from_dict as from_dict
from fake_dataverse._webapi._http import HttpRequest
from fake_dataverse.strategies import (
    ExpectedError,
    entities,
    invalid_entities,
    invalid_records,
    records,
    values,
)

from ..traces import store_state
from .conftest import API, AUTH, SENSOR_TABLE

SENSOR = from_dict(SENSOR_TABLE)
FAST = settings(max_examples=40, deadline=None)


def _guid_in(path: str) -> uuid.UUID:
    return uuid.UUID(path[path.index("(") + 1 : -1])


def _post(dv: FakeDataverse, body: dict[str, Any]) -> Any:
    payload = json.dumps(body).encode()
    headers = {**AUTH, "Content-Type": "application/json"}
    return dv.handle(HttpRequest("POST", f"{API}/contoso_sensordatas", headers, payload))


class TestCustomTable:
    @FAST
    @given(entity=entities(SENSOR))
    def test_entities_are_created(self, entity: Entity) -> None:
        """Booleans, big integers and lookups are generated in SDK form and accepted."""
        dv = FakeDataverse(tables=[SENSOR], strict_writes=True)
        dv.service.create(entity)
        owner = entity.get("contoso_owner")
        assert owner is None or isinstance(owner, EntityReference)
        assert 1 == len(dv.rows("contoso_sensordata"))

    @FAST
    @given(body=records(SENSOR))
    def test_records_are_posted(self, body: dict[str, Any]) -> None:
        """Web API bodies (lookups through @odata.bind) are accepted and stored as sent."""
        dv = FakeDataverse(tables=[SENSOR], strict_writes=True)
        assert 204 == _post(dv, body).status
        (row,) = dv.rows("contoso_sensordata")
        bind = body.get("contoso_owner@odata.bind")
        assert {"contoso_owner", "_contoso_owner_value"}.isdisjoint(body)
        expected = None if bind is None else EntityReference("systemuser", _guid_in(bind))
        assert expected == row["contoso_owner"]

    @FAST
    @given(body=records(SENSOR, contoso_owner=...))
    def test_lookups_bind_to_an_entity_path(self, body: dict[str, Any]) -> None:
        """A lookup's Web API value is the path ``/systemusers(<id>)``, never null on a create."""
        assert re.fullmatch(r"/systemusers\([0-9a-f-]{36}\)", body["contoso_owner@odata.bind"])

    @FAST
    @given(body=records(SENSOR, for_="update"))
    def test_update_bodies_are_patched(self, body: dict[str, Any]) -> None:
        """Update bodies (a null bind disassociates) are accepted by PATCH."""
        dv = FakeDataverse(tables=[SENSOR], strict_writes=True)
        row_id = dv.service.create(Entity("contoso_sensordata", contoso_deviceid="d1"))
        payload = json.dumps(body).encode()
        headers = {**AUTH, "Content-Type": "application/json", "If-Match": "*"}
        url = f"{API}/contoso_sensordatas({row_id})"
        assert 204 == dv.handle(HttpRequest("PATCH", url, headers, payload)).status

    @FAST
    @given(case=invalid_records(SENSOR, rules=["type"]))
    def test_invalid_binds_are_rejected(self, case: tuple[dict[str, Any], ExpectedError]) -> None:
        """A wrong-typed value, lookups' binds included, gets 0x80048d19 and changes nothing."""
        body, expected = case
        dv = FakeDataverse(tables=[SENSOR])
        before = store_state(dv, "contoso_sensordata")
        reply = _post(dv, body)
        assert (expected.http_status, expected.hex_code) == (
            reply.status,
            json.loads(reply.body)["error"]["code"],
        )
        assert before == store_state(dv, "contoso_sensordata")

    @FAST
    @given(case=invalid_entities(SENSOR, strict_writes=True))
    def test_invalid_entities_are_rejected(self, case: tuple[Entity, ExpectedError]) -> None:
        """Each broken rule gets its fault, also for column types of this table only."""
        entity, expected = case
        dv = FakeDataverse(tables=[SENSOR], strict_writes=True)
        before = store_state(dv, "contoso_sensordata")
        with pytest.raises(DataverseError) as caught:
            dv.service.create(entity)
        assert expected.matches(caught.value), (expected, caught.value)
        assert before == store_state(dv, "contoso_sensordata")

    def test_the_type_rule_breaks_binds(self) -> None:
        """Among wrong types, a lookup's @odata.bind gets a value that is not an entity path."""
        body, expected = find(
            invalid_records(SENSOR, rules=["type"]),
            lambda case: case[1].column == "contoso_owner@odata.bind",
            # Enough draws that the bind column always comes up (with the profile's 100, about
            # one run in fifty missed it): the search stops at the first such case.
            settings=settings(database=None, phases=[Phase.generate], max_examples=2000),
        )
        reply = _post(FakeDataverse(tables=[SENSOR]), body)
        assert (400, "0x80048d19") == (reply.status, json.loads(reply.body)["error"]["code"])
        assert expected.hex_code == "0x80048d19"

    @FAST
    @given(
        bind=values("contoso_owner", table=SENSOR, surface="webapi"),
        reference=values("contoso_owner", table=SENSOR),
    )
    def test_lookup_values_in_both_forms(self, bind: str, reference: EntityReference) -> None:
        """A lookup's values are @odata.bind paths on the Web API, EntityReferences in the SDK."""
        assert re.fullmatch(r"/systemusers\([0-9a-f-]{36}\)", bind)
        assert "systemuser" == reference.logical_name and reference.id is not None


class TestCustomTableOverHttp:
    @pytest.mark.parametrize("strict_writes", [False, True])
    @pytest.mark.parametrize("for_", ["create", "update", "upsert"])
    def test_invalid_records_are_rejected(self, for_: str, strict_writes: bool) -> None:
        """Every invalid body (binds included) gets its fault over HTTP and changes nothing."""

        @settings(max_examples=30, deadline=None)
        @given(case=invalid_records(SENSOR, for_=for_, strict_writes=strict_writes))
        def check(case: tuple[dict[str, Any], ExpectedError]) -> None:
            body, expected = case
            dv = FakeDataverse(tables=[SENSOR], strict_writes=strict_writes)
            row_id = dv.service.create(Entity("contoso_sensordata", contoso_deviceid="d1"))
            before = store_state(dv, "contoso_sensordata")
            reply = _write(dv, for_, row_id, body)
            error = json.loads(reply.body)["error"]
            assert (expected.http_status, expected.hex_code) == (reply.status, error["code"])
            assert expected.message in (None, error["message"])
            assert before == store_state(dv, "contoso_sensordata")

        check()


def _write(dv: FakeDataverse, for_: str, row_id: uuid.UUID, body: dict[str, Any]) -> Any:
    """POST a create, or PATCH the row (with If-Match: * for an update)."""
    if for_ == "create":
        return _post(dv, body)
    headers = {**AUTH, "Content-Type": "application/json"}
    if for_ == "update":
        headers["If-Match"] = "*"
    url = f"{API}/contoso_sensordatas({row_id})"
    return dv.handle(HttpRequest("PATCH", url, headers, json.dumps(body).encode()))
