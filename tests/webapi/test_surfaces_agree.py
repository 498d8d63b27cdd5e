"""Surfaces agree: the same random operations through the SDK service and through the Web API.

Two fakes with the same URL, clock and id seed; each step runs on one through
``OrganizationService`` and on the other through HTTP requests. Both must succeed or fail with
the same HTTP status, and end with identical rows (versions and etags aside).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_dataverse import (
    CreateMultipleRequest,
    DataverseError,
    Entity,
    FakeDataverse,
    OptionSetValue,
)
from fake_dataverse._messages._requests import (
    CreateRequest,
    DeleteMultipleRequest,
    DeleteRequest,
    UpdateMultipleRequest,
    UpdateRequest,
    UpsertMultipleRequest,
    UpsertRequest,
)
from fake_dataverse._model._values import EntityReference
from fake_dataverse._webapi._http import HttpRequest

from .conftest import TYPE

IDS = [str(uuid.UUID(int=n, version=4)) for n in range(1, 4)]
CHOICES = {"backgroundoperationstatecode", "backgroundoperationstatuscode"}
ROOT = "https://contoso.crm.dynamics.com/api/data/v9.2/"
HEADERS = {"Authorization": "Bearer t", "Content-Type": "application/json"}


def mostly(valid: st.SearchStrategy[Any], invalid: Any) -> st.SearchStrategy[Any]:
    """Valid values four times in five, else one that breaks a rule."""
    return st.sampled_from([True, True, True, True, False]).flatmap(
        lambda ok: valid if ok else st.just(invalid)
    )


columns = st.fixed_dictionaries(
    {},
    optional={
        "name": mostly(st.text(max_size=3), "x" * 513),
        "priority": mostly(st.integers(0, 10), 11),
        "retrycount": mostly(st.integers(0, 3), -1),
        "inputparameters": st.text(max_size=5),
        "backgroundoperationstatecode": mostly(st.sampled_from([0, 2, 3]), 4),
        "backgroundoperationstatuscode": mostly(st.sampled_from([0, 20, 22, 30, 32]), 5),
        "ttlinseconds": mostly(st.integers(1, 3) | st.none(), 0),
        "outputparameters": st.just("ignored on create"),
    },
)
operations = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "update",
                "upsert",
                "delete",
                "create_multiple",
                "update_multiple",
                "upsert_multiple",
                "delete_multiple",
            ]
        ),
        st.sampled_from(IDS),
        columns,
        st.lists(st.tuples(st.sampled_from(IDS), columns), min_size=1, max_size=3),
    ),
    max_size=12,
)


def sdk_entity(row_id: str | None, values: dict[str, Any]) -> Entity:
    """The SDK form of a JSON column dictionary (choices as OptionSetValue)."""
    converted = {
        name: OptionSetValue(value) if name in CHOICES and value is not None else value
        for name, value in values.items()
    }
    return Entity("backgroundoperation", row_id, attributes=converted)


def run_sdk(dv: FakeDataverse, step: tuple[Any, ...]) -> int:
    """Run one step through the SDK service; return the HTTP status it stands for."""
    kind, row_id, values, many = step
    requests_by_kind = {
        "create": lambda: CreateRequest(target=sdk_entity(row_id, values)),
        "update": lambda: UpdateRequest(target=sdk_entity(row_id, values)),
        "upsert": lambda: UpsertRequest(target=sdk_entity(row_id, values)),
        "delete": lambda: DeleteRequest(
            target=EntityReference("backgroundoperation", uuid.UUID(row_id))
        ),
        "create_multiple": lambda: CreateMultipleRequest(
            targets=[sdk_entity(i, v) for i, v in many]
        ),
        "update_multiple": lambda: UpdateMultipleRequest(
            targets=[sdk_entity(i, v) for i, v in many]
        ),
        "upsert_multiple": lambda: UpsertMultipleRequest(
            targets=[sdk_entity(i, v) for i, v in many]
        ),
        "delete_multiple": lambda: DeleteMultipleRequest(
            targets=[EntityReference("backgroundoperation", uuid.UUID(i)) for i, _ in many]
        ),
    }
    try:
        dv.service.execute(requests_by_kind[kind]())
    except DataverseError as error:
        return error.http_status
    return 200


def run_web(dv: FakeDataverse, step: tuple[Any, ...]) -> int:
    """Run the same step through the Web API; return its HTTP status (2xx as 200)."""
    kind, row_id, values, many = step
    row_url = f"{ROOT}backgroundoperations({row_id})"
    shapes = {
        "create": (
            "POST",
            f"{ROOT}backgroundoperations",
            {},
            {"backgroundoperationid": row_id, **values},
        ),
        "update": ("PATCH", row_url, {"If-Match": "*"}, values),
        "upsert": ("PATCH", row_url, {}, values),
        "delete": ("DELETE", row_url, {}, None),
    }
    if kind.endswith("_multiple"):
        action = "".join(part.title() for part in kind.split("_"))
        with_values = kind != "delete_multiple"
        targets = [
            {"@odata.type": TYPE, "backgroundoperationid": i, **(v if with_values else {})}
            for i, v in many
        ]
        url = f"{ROOT}backgroundoperations/Microsoft.Dynamics.CRM.{action}"
        shapes[kind] = ("POST", url, {}, {"Targets": targets})
    method, url, extra, body = shapes[kind]
    data = json.dumps(body).encode() if body is not None else b""
    response = dv.handle(HttpRequest(method, url, {**HEADERS, **extra}, data))
    return 200 if response.status < 300 else response.status


def comparable(dv: FakeDataverse) -> list[dict[str, Any]]:
    """The rows, versions aside, in id order."""
    rows = []
    for entity in sorted(dv.rows(), key=lambda e: str(e.id)):
        values = dict(entity.attributes)
        values.pop("versionnumber", None)
        rows.append(values)
    return rows


class TestSurfacesAgree:
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=operations)
    def test_same_operations_same_rows(self, steps: list[tuple[Any, ...]]) -> None:
        """Every step has the same outcome on both surfaces; the rows end up identical."""
        sdk_side, web_side = FakeDataverse(), FakeDataverse()
        for step in steps:
            assert run_sdk(sdk_side, step) == run_web(web_side, step), step
        assert comparable(sdk_side) == comparable(web_side)
