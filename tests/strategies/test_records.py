"""``records()`` and ``entities()``: every example is a write the fake accepts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fake_dataverse import Entity, FakeDataverse, OptionSetValue
from fake_dataverse._model._metadata import default_metadata
from fake_dataverse.strategies import entities, isolate_examples, records
from fake_dataverse.strategies._convert import json_to_entity

from .conftest import API, AUTH, TABLE

METADATA = default_metadata().get(TABLE)
assert METADATA is not None
FAST = settings(max_examples=40, deadline=None)


def _stored(dv: FakeDataverse) -> Entity:
    (row,) = dv.rows(TABLE)
    return row


def _assert_written(row: Entity, sent: Entity) -> None:
    for name, value in sent.items():
        if name == "overriddencreatedon" and value is not None:
            assert row["createdon"] == value  # a migrated row keeps its original creation time
        else:
            assert row[name] == value, name


class TestRecordsCreate:
    @FAST
    @given(body=records())
    def test_every_create_body_is_accepted(self, body: dict[str, Any]) -> None:
        """A POST body from records() creates one row holding exactly the values sent."""
        dv = FakeDataverse()
        entity = json_to_entity(METADATA, body)
        dv.service.create(entity)
        _assert_written(_stored(dv), entity)

    @FAST
    @given(body=records())
    def test_accepted_under_strict_writes(self, body: dict[str, Any]) -> None:
        """Create bodies carry every required column and no column a create cannot set."""
        dv = FakeDataverse(strict_writes=True)
        dv.service.create(json_to_entity(METADATA, body))
        assert 1 == len(dv.rows(TABLE))

    @FAST
    @given(body=records())
    def test_body_is_json_form(self, body: dict[str, Any]) -> None:
        """Choices are plain numbers and date-times ISO strings ending in Z."""
        state = body.get("backgroundoperationstatecode")
        assert state is None or type(state) is int
        created = body.get("overriddencreatedon")
        assert created is None or (isinstance(created, str) and created.endswith("T00:00:00Z"))

    @FAST
    @given(body=records())
    def test_name_always_present_on_create(self, body: dict[str, Any]) -> None:
        """The ApplicationRequired ``name`` is always there, never null."""
        assert isinstance(body["name"], str)


class TestRecordsUpdateAndUpsert:
    @FAST
    @given(body=records(for_="update"))
    def test_every_update_body_is_accepted(self, body: dict[str, Any]) -> None:
        """A PATCH body from records(for_="update") updates the row with the values sent."""
        dv = FakeDataverse(strict_writes=True)
        row_id = dv.service.create(Entity(TABLE, name="op"))
        entity = json_to_entity(METADATA, body)
        entity.id = row_id
        dv.service.update(entity)
        _assert_written(_stored(dv), json_to_entity(METADATA, body))

    @FAST
    @given(body=records(for_="update"))
    def test_update_body_has_no_create_only_column(self, body: dict[str, Any]) -> None:
        """Update bodies leave out columns an update cannot set (``name``, ``partitionid``)."""
        assert {"name", "partitionid", "priority"}.isdisjoint(body)

    @FAST
    @given(body=records(for_="upsert"))
    def test_every_upsert_body_is_accepted(self, body: dict[str, Any]) -> None:
        """An upsert body creates a row, and replaces it when sent again."""
        dv = FakeDataverse(strict_writes=True)
        entity = json_to_entity(METADATA, body)
        created = dv.service.upsert(entity)
        again = json_to_entity(METADATA, body)
        again.id = created.target.id
        assert not dv.service.upsert(again).record_created
        assert 1 == len(dv.rows(TABLE))


class TestEntities:
    @FAST
    @given(entity=entities())
    def test_every_entity_is_created(self, entity: Entity) -> None:
        """entities() gives SDK values (OptionSetValue, datetime) the service stores as sent."""
        dv = FakeDataverse(strict_writes=True)
        dv.service.create(entity)
        _assert_written(_stored(dv), entity)

    @FAST
    @given(entity=entities(for_="update"))
    def test_every_update_entity_is_applied(self, entity: Entity) -> None:
        """entities(for_="update") updates an existing row."""
        dv = FakeDataverse(strict_writes=True)
        entity.id = dv.service.create(Entity(TABLE, name="op"))
        dv.service.update(entity)
        _assert_written(_stored(dv), entity)

    @FAST
    @given(entity=entities())
    def test_state_is_an_option_set_value(self, entity: Entity) -> None:
        """Choice columns hold OptionSetValue in SDK form."""
        state = entity.get("backgroundoperationstatecode")
        assert state is None or isinstance(state, OptionSetValue)


class TestOverrides:
    @FAST
    @given(body=records(priority=st.just(7), displayname=...))
    def test_overrides_are_always_present(self, body: dict[str, Any]) -> None:
        """A strategy override fixes a column; ``...`` always generates it."""
        assert 7 == body["priority"]
        assert isinstance(body["displayname"], str)

    @FAST
    @given(entity=entities(backgroundoperationstatecode=st.just(OptionSetValue(3))))
    def test_state_override_leaves_status_to_the_fake(self, entity: Entity) -> None:
        """Overriding the state alone never adds a status that could contradict it."""
        dv = FakeDataverse()
        dv.service.create(entity)
        assert OptionSetValue(30) == _stored(dv)["backgroundoperationstatuscode"]

    def test_override_must_be_a_strategy(self) -> None:
        """A plain value is refused with a hint to wrap it in st.just()."""
        with pytest.raises(InvalidArgument, match=r"st\.just\(7\)"):
            records(priority=7)

    @pytest.mark.parametrize(
        ("for_", "column"),
        [("update", "name"), ("update", "partitionid"), ("create", "createdon")],
    )
    def test_override_of_a_column_the_write_cannot_set(self, for_: str, column: str) -> None:
        """Overriding a column the operation cannot set would break the promise: refused."""
        with pytest.raises(InvalidArgument, match=f"{column} cannot be set by a {for_}"):
            records(for_=for_, **{column: st.just("x")})

    def test_unknown_override_column(self) -> None:
        """An override for a column the table lacks is refused."""
        with pytest.raises(InvalidArgument, match="no column 'priorty'"):
            records(priorty=st.just(1))

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"table": "account"}, "not a shipped table"),
            ({"for_": "delete"}, "must be one of create, update, upsert"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], match: str) -> None:
        """Unknown tables and operations are refused by name."""
        with pytest.raises(InvalidArgument, match=match):
            records(**kwargs)


class TestRecordsOverHttp:
    @isolate_examples
    @FAST
    @given(body=records())
    def test_post_creates_the_row(self, dataverse: FakeDataverse, body: dict[str, Any]) -> None:
        """POST of each body answers 204 with OData-EntityId and stores one row."""
        reply = requests.post(f"{API}/backgroundoperations", json=body, headers=AUTH)
        assert 204 == reply.status_code, reply.text
        assert reply.headers["OData-EntityId"].startswith(f"{API}/backgroundoperations(")
        _assert_written(_stored(dataverse), json_to_entity(METADATA, body))

    @isolate_examples
    @pytest.mark.dataverse(strict_writes=True)
    @FAST
    @given(body=records(for_="update"))
    def test_patch_updates_the_row(self, dataverse: FakeDataverse, body: dict[str, Any]) -> None:
        """PATCH with If-Match: * of each update body answers 204 and changes the row."""
        row_id = dataverse.service.create(Entity(TABLE, name="op"))
        reply = requests.patch(
            f"{API}/backgroundoperations({row_id})", json=body, headers={**AUTH, "If-Match": "*"}
        )
        assert 204 == reply.status_code, reply.text
        _assert_written(_stored(dataverse), json_to_entity(METADATA, body))

    @isolate_examples
    @pytest.mark.dataverse(strict_writes=True)
    @FAST
    @given(body=records(for_="upsert"), row_id=st.uuids())
    def test_patch_upserts_a_new_row(
        self, dataverse: FakeDataverse, body: dict[str, Any], row_id: uuid.UUID
    ) -> None:
        """PATCH without If-Match of each upsert body creates the row at that id."""
        reply = requests.patch(f"{API}/backgroundoperations({row_id})", json=body, headers=AUTH)
        assert 204 == reply.status_code, reply.text
        assert row_id == _stored(dataverse).id
