"""Every strategy that takes a table takes its description too (the dictionary tables= takes)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from fake_dataverse import DataverseError, Entity, FakeDataverse, QueryExpression
from fake_dataverse._webapi._http import HttpRequest
from fake_dataverse.strategies import (
    ExpectedError,
    entities,
    filter_trees,
    invalid_entities,
    invalid_records,
    odata_filters,
    query_expressions,
    records,
    values,
)

from ..traces import store_state
from .conftest import API, AUTH, SENSOR_TABLE

FAST = settings(max_examples=25, deadline=None)
SENSOR = "contoso_sensordata"


def post(dv: FakeDataverse, body: dict[str, Any]) -> Any:
    headers = {**AUTH, "Content-Type": "application/json"}
    request = HttpRequest("POST", f"{API}/contoso_sensordatas", headers, json.dumps(body).encode())
    return dv.handle(request)


class TestTableDescriptions:
    @FAST
    @given(body=records(SENSOR_TABLE))
    def test_records_of_a_description_are_posted(self, body: dict[str, Any]) -> None:
        """records(dict) draws bodies the fake (holding that table) accepts."""
        dv = FakeDataverse(tables=[SENSOR_TABLE], strict_writes=True)
        assert 204 == post(dv, body).status
        assert 1 == len(dv.rows(SENSOR))

    @FAST
    @given(entity=entities(SENSOR_TABLE))
    def test_entities_of_a_description_are_created(self, entity: Entity) -> None:
        """entities(dict) draws SDK entities of the described table."""
        dv = FakeDataverse(tables=[SENSOR_TABLE], strict_writes=True)
        dv.service.create(entity)
        assert 1 == len(dv.rows(SENSOR))

    @FAST
    @given(case=invalid_entities(SENSOR_TABLE))
    def test_invalid_entities_of_a_description(self, case: tuple[Entity, ExpectedError]) -> None:
        """invalid_entities(dict) breaks one rule of the described table: its fault, no trace."""
        entity, expected = case
        dv = FakeDataverse(tables=[SENSOR_TABLE])
        before = store_state(dv, SENSOR)
        with pytest.raises(DataverseError) as caught:
            dv.service.create(entity)
        assert expected.matches(caught.value), (expected, caught.value)
        assert before == store_state(dv, SENSOR)

    @FAST
    @given(case=invalid_records(SENSOR_TABLE))
    def test_invalid_records_of_a_description(
        self, case: tuple[dict[str, Any], ExpectedError]
    ) -> None:
        """invalid_records(dict) bodies get their fault over HTTP."""
        body, expected = case
        reply = post(FakeDataverse(tables=[SENSOR_TABLE]), body)
        assert (expected.http_status, expected.hex_code) == (
            reply.status, json.loads(reply.body)["error"]["code"])

    @FAST
    @given(value=values("contoso_temperature", table=SENSOR_TABLE),
           text=odata_filters(SENSOR_TABLE), query=query_expressions(SENSOR_TABLE),
           tree=filter_trees(SENSOR_TABLE))
    def test_values_and_queries_of_a_description(
        self, value: Any, text: str, query: QueryExpression, tree: Any
    ) -> None:
        """values, odata_filters, query_expressions and filter_trees take the dict too."""
        assert value is None or -50 <= value <= 150
        dv = FakeDataverse(tables=[SENSOR_TABLE])
        dv.service.retrieve_multiple(query)
        url = f"{API}/contoso_sensordatas?$filter={urllib.parse.quote(text)}"
        reply = dv.handle(HttpRequest("GET", url, AUTH))
        assert 200 == reply.status, reply.body
        assert tree is not None

    def test_a_broken_description_is_invalid_argument(self) -> None:
        """A description the fake would refuse is Hypothesis' InvalidArgument, saying why."""
        broken = {k: v for k, v in SENSOR_TABLE.items() if k != "primary_id_attribute"}
        with pytest.raises(InvalidArgument, match="primary_id_attribute"):
            records(broken).example()
