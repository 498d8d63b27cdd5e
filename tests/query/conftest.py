"""Fixtures for the query engine tests: a table with one column of every type, and helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fake_dataverse import (
    DataverseError,
    Entity,
    EntityReference,
    FakeDataverse,
    OptionSetValue,
)

from ..traces import store_state

NOW = dt.datetime(2026, 1, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
ITEM = "contoso_item"

#: A made-up table with one column of every type the engine filters on.
ITEM_TABLE: dict[str, Any] = {
    "logical_name": ITEM,
    "entity_set_name": "contoso_items",
    "primary_id_attribute": "contoso_itemid",
    "primary_name_attribute": "name",
    "change_tracking_enabled": True,
    "messages": [
        "Create",
        "Update",
        "Delete",
        "Retrieve",
        "RetrieveMultiple",
        "RetrieveEntityChanges",
    ],
    "attributes": [
        {"logical_name": "contoso_itemid", "type": "Uniqueidentifier", "valid_for_update": False},
        {"logical_name": "name", "type": "String", "max_length": 100},
        {"logical_name": "s", "type": "String", "max_length": 100},
        {"logical_name": "m", "type": "Memo", "max_length": 1000},
        {"logical_name": "i", "type": "Integer"},
        {"logical_name": "b", "type": "BigInt"},
        {"logical_name": "d", "type": "DateTime"},
        {
            "logical_name": "p",
            "type": "Picklist",
            "options": [
                {"value": 1, "label": "One"},
                {"value": 2, "label": "Two"},
                {"value": 3, "label": "Three"},
            ],
        },
        {"logical_name": "l", "type": "Lookup", "targets": ["systemuser"]},
        {"logical_name": "g", "type": "Uniqueidentifier"},
        {"logical_name": "f", "type": "Boolean"},
        {
            "logical_name": "versionnumber",
            "type": "BigInt",
            "valid_for_create": False,
            "valid_for_update": False,
        },
    ],
}




Rejects = Callable[[str], contextlib.AbstractContextManager[pytest.ExceptionInfo[DataverseError]]]


@pytest.fixture
def dv() -> FakeDataverse:
    """A fresh fake with the made-up item table, its clock at NOW."""
    return FakeDataverse(clock=NOW, tables=[ITEM_TABLE])


@pytest.fixture
def rejects(dv: FakeDataverse) -> Rejects:
    """Return ``rejects(hex_code)``: the block must raise that fault and change no table."""

    @contextlib.contextmanager
    def check(code: str) -> Iterator[pytest.ExceptionInfo[DataverseError]]:
        before = [store_state(dv, t) for t in ("backgroundoperation", ITEM)]
        with pytest.raises(DataverseError) as info:
            yield info
        assert code == info.value.hex_code, info.value.message
        assert before == [store_state(dv, t) for t in ("backgroundoperation", ITEM)]

    return check


G = [uuid.UUID(int=n) for n in range(1, 5)]


def item(name: str, **values: Any) -> Entity:
    """Return an item row with SDK values for the given raw-ish values."""
    entity = Entity(ITEM, name=name)
    for key, value in values.items():
        if key == "p" and value is not None:
            value = OptionSetValue(value)
        if key == "l" and value is not None:
            value = EntityReference("systemuser", value)
        entity[key] = value
    return entity


@pytest.fixture
def user2(dv: FakeDataverse) -> uuid.UUID:
    """A second user."""
    return dv.add_user("Second User")


#: The item rows' values by label; ``l`` names a user ("admin" or "user2").
ITEM_VALUES: dict[str, dict[str, Any]] = {
    "low": {
        "s": "Alpha",
        "m": "disk full",
        "i": 1,
        "b": 10,
        "d": dt.datetime(2025, 12, 31, 10, tzinfo=dt.timezone.utc),
        "p": 1,
        "l": "admin",
        "g": G[0],
        "f": False,
    },
    "mid": {
        "s": "beta",
        "m": "Timeout [x]",
        "i": 5,
        "b": 20,
        "d": dt.datetime(2026, 1, 1, 8, tzinfo=dt.timezone.utc),
        "p": 2,
        "l": "user2",
        "g": G[1],
        "f": True,
    },
    "high": {
        "s": "Gamma_1",
        "m": "ok 100%",
        "i": 10,
        "b": 30,
        "d": dt.datetime(2026, 1, 5, 12, tzinfo=dt.timezone.utc),
        "p": 3,
        "l": "admin",
        "g": G[2],
        "f": True,
    },
    "old": {
        "s": "alphabet",
        "m": "Disk",
        "i": -3,
        "b": -5,
        "d": dt.datetime(2025, 6, 15, tzinfo=dt.timezone.utc),
        "p": 1,
        "l": "user2",
        "g": G[3],
        "f": False,
    },
    "null": {},
}


@pytest.fixture
def users(dv: FakeDataverse, user2: uuid.UUID) -> dict[str, uuid.UUID]:
    """The users the item rows' lookups name."""
    return {"admin": dv.admin_id, "user2": user2}


@pytest.fixture
def items(dv: FakeDataverse, users: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    """Create the five item rows the operator tests filter (one with every column null)."""
    created = {}
    for label, values in ITEM_VALUES.items():
        resolved = {k: users[v] if k == "l" else v for k, v in values.items()}
        created[label] = dv.service.create(item(label, **resolved))
    return created


def names(collection: Any) -> set[str]:
    """Return the ``name`` of each returned row."""
    return {entity["name"] for entity in collection}
