"""The strategies on a made-up table: everything comes from its metadata."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from fake_dataverse import DataverseError, Entity, EntityReference, FakeDataverse
from fake_dataverse import entity_metadata_from_dict as from_dict
from fake_dataverse._webapi._http import HttpRequest
from fake_dataverse.strategies import ExpectedError, entities, invalid_entities, records

from .conftest import API, AUTH, SENSOR_TABLE, store_state

SENSOR = from_dict(SENSOR_TABLE)
FAST = settings(max_examples=40, deadline=None)


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
        """Web API bodies leave lookups out (they need @odata.bind) and are accepted."""
        dv = FakeDataverse(tables=[SENSOR])
        assert "contoso_owner" not in body and "_contoso_owner_value" not in body
        assert 204 == _post(dv, body).status

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
