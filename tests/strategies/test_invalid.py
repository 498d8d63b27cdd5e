"""``invalid_records()`` / ``invalid_entities()``: each example breaks one rule, gets its fault,
and leaves the store as it was."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse import DataverseError, Entity, FakeDataverse
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse.strategies import (
    ExpectedError,
    invalid_entities,
    invalid_records,
    isolate_examples,
)
from fake_dataverse.strategies._convert import json_to_entity
from fake_dataverse.strategies._rules import RULES

from ..traces import store_state
from .conftest import API, AUTH, TABLE

METADATA = default_metadata().get(TABLE)
assert METADATA is not None
FAST = settings(max_examples=30, deadline=None)
OPERATIONS = ("create", "update", "upsert")


def _fake(strict_writes: bool) -> tuple[FakeDataverse, Any]:
    dv = FakeDataverse(strict_writes=strict_writes)
    row_id = dv.service.create(Entity(TABLE, name="existing", priority=1))
    return dv, row_id


def _send(dv: FakeDataverse, row_id: Any, operation: str, entity: Entity) -> None:
    if operation == "create":
        dv.service.create(entity)
    elif operation == "update":
        entity.id = row_id
        dv.service.update(entity)
    else:
        dv.service.upsert(entity)


def _rejected(dv: FakeDataverse, send: Any, expected: ExpectedError) -> None:
    before = store_state(dv)
    with pytest.raises(DataverseError) as caught:
        send()
    assert (expected.code, expected.http_status) == (caught.value.code, caught.value.http_status)
    assert expected.matches(caught.value), (expected, caught.value.message)
    assert before == store_state(dv)


class TestInvalidEntities:
    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.parametrize("strict_writes", [False, True])
    @FAST
    @given(data=st.data())
    def test_rejected_with_expected_fault(
        self, operation: str, strict_writes: bool, data: st.DataObject
    ) -> None:
        """The SDK surface rejects each entity with the expected fault; the store is unchanged."""
        entity, expected = data.draw(invalid_entities(for_=operation, strict_writes=strict_writes))
        dv, row_id = _fake(strict_writes)
        _rejected(dv, lambda: _send(dv, row_id, operation, entity), expected)


class TestInvalidRecords:
    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.parametrize("strict_writes", [False, True])
    @FAST
    @given(data=st.data())
    def test_rejected_when_parsed_and_sent(
        self, operation: str, strict_writes: bool, data: st.DataObject
    ) -> None:
        """A Web API body, parsed as the Web API parses it and executed, gets its fault."""
        body, expected = data.draw(invalid_records(for_=operation, strict_writes=strict_writes))
        dv, row_id = _fake(strict_writes)
        _rejected(
            dv, lambda: _send(dv, row_id, operation, json_to_entity(METADATA, body)), expected
        )

    @FAST
    @given(drawn=invalid_records(rules=["type"]))
    def test_type_errors_name_the_payload_fault(self, drawn: tuple[dict[str, Any], Any]) -> None:
        """A wrong JSON type is the Web API's payload fault 0x80048d19, HTTP 400."""
        _, expected = drawn
        assert ("0x80048d19", 400, None) == (expected.hex_code, expected.http_status, None)


class TestRuleCoverage:
    @pytest.mark.parametrize("rule", sorted(RULES))
    @pytest.mark.parametrize("surface", ["webapi", "sdk"])
    @settings(max_examples=10, deadline=None)
    @given(data=st.data())
    def test_each_rule_is_generated_and_rejected(
        self, rule: str, surface: str, data: st.DataObject
    ) -> None:
        """Every rule class can be asked for alone, and its examples break that rule."""
        strategy = invalid_records if surface == "webapi" else invalid_entities
        payload, expected = data.draw(strategy(rules=[rule], strict_writes=True))
        assert rule == expected.rule
        dv, _ = _fake(True)
        entity = payload if isinstance(payload, Entity) else None
        _rejected(
            dv,
            lambda: dv.service.create(entity or json_to_entity(METADATA, payload)),
            expected,
        )

    def test_unknown_rule_is_refused(self) -> None:
        """Asking for a rule that does not exist lists the rules there are."""
        with pytest.raises(InvalidArgument, match="unknown rules"):
            invalid_records(rules=["lenght"])

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"rules": "length"}, r"must be a list of rule names, e.g. \['length'\]"),
            ({"rules": [3]}, "must hold rule names"),
            ({"strict_writes": "yes"}, "strict_writes='yes' must be True or False"),
            ({"enforce_state_status": None}, "enforce_state_status=None must be True or False"),
        ],
    )
    def test_options_of_the_wrong_type_are_refused(
        self, kwargs: dict[str, Any], match: str
    ) -> None:
        """A single rule name instead of a list, or a non-bool flag, is named in the error."""
        with pytest.raises(InvalidArgument, match=match):
            invalid_records(**kwargs)

    def test_rule_that_cannot_apply_is_refused(self) -> None:
        """Without strict writes a missing required column is no error, so it cannot be asked."""
        with pytest.raises(InvalidArgument, match="can be broken"):
            invalid_records(rules=["required_missing"])


class TestExpectedError:
    @settings(max_examples=5)
    @given(drawn=invalid_entities(rules=["range"]))
    def test_codes_in_every_form(self, drawn: tuple[Entity, ExpectedError]) -> None:
        """The expectation gives the unsigned, hex and signed SDK forms of the code."""
        _, expected = drawn
        assert (0x8004432F, "0x8004432f", -2147204305, 400) == (
            expected.code,
            expected.hex_code,
            expected.error_code,
            expected.http_status,
        )

    @settings(max_examples=5)
    @given(drawn=invalid_entities(rules=["state_status"]))
    def test_matches_only_its_own_fault(self, drawn: tuple[Entity, ExpectedError]) -> None:
        """matches() is False for another fault or a plain exception."""
        _, expected = drawn
        assert not expected.matches(ValueError("x"))
        assert not expected.matches(DataverseError("other"))


def _http_write(operation: str, row_id: Any, body: dict[str, Any]) -> requests.Response:
    if operation == "create":
        return requests.post(f"{API}/backgroundoperations", json=body, headers=AUTH)
    headers = {**AUTH, "If-Match": "*"} if operation == "update" else AUTH
    target = row_id if operation == "update" else "00000000-0000-4000-8000-000000000001"
    return requests.patch(f"{API}/backgroundoperations({target})", json=body, headers=headers)


class TestInvalidRecordsOverHttp:
    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.dataverse(strict_writes=True)
    @isolate_examples
    @FAST
    @given(data=st.data())
    def test_rejected_under_strict_writes(
        self, dataverse: FakeDataverse, operation: str, data: st.DataObject
    ) -> None:
        """Each body gets the expected status and error; the store is unchanged."""
        body, expected = data.draw(invalid_records(for_=operation, strict_writes=True))
        self._check(dataverse, operation, body, expected)

    @pytest.mark.parametrize("operation", OPERATIONS)
    @isolate_examples
    @FAST
    @given(data=st.data())
    def test_rejected_by_default(
        self, dataverse: FakeDataverse, operation: str, data: st.DataObject
    ) -> None:
        """With default settings too, each body gets its error and changes nothing."""
        body, expected = data.draw(invalid_records(for_=operation))
        self._check(dataverse, operation, body, expected)

    @staticmethod
    def _check(
        dataverse: FakeDataverse, operation: str, body: dict[str, Any], expected: ExpectedError
    ) -> None:
        row_id = dataverse.service.create(Entity(TABLE, name="existing"))
        before = store_state(dataverse)
        reply = _http_write(operation, row_id, body)
        error = reply.json()["error"]
        assert (expected.http_status, expected.hex_code) == (reply.status_code, error["code"])
        assert expected.message in (None, error["message"])
        assert before == store_state(dataverse)
