"""Declared parameters and explicit registration: a message is a class, a handler, a table list."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest

from fake_dataverse import (
    CreateRequest,
    DataverseError,
    Entity,
    FakeDataverse,
    OrganizationRequest,
    RetrieveMultipleRequest,
)
from fake_dataverse._messages._catalogue import FAMILIES
from fake_dataverse._messages._registry import BUILT_IN, ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import OrganizationResponse, Output, Parameter
from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._storage._organization import Caller

from .conftest import TABLE, Rejects


class CountRequest(OrganizationRequest):
    """A toy message: count a table's rows whose name starts with a prefix."""

    message_name = "contoso_Count"
    entity_name = Parameter[str]("EntityName")
    prefix = Parameter("Prefix", convert=lambda value: str(value or ""))


class CountResponse(OrganizationResponse):
    count = Output[int]("Count")


def _count(ctx: ExecutionContext, request: CountRequest) -> CountResponse:
    rows = ctx.org.store.rows(request.entity_name)
    found = [r for r in rows if str(r.values.get("name") or "").startswith(request.prefix)]
    return CountResponse("contoso_Count", {"Count": len(found)})


def _service(dv: FakeDataverse) -> OrganizationService:
    messages = BUILT_IN.copy()
    messages.add(CountRequest, _count)
    return OrganizationService(dv.organization, Caller(dv.admin_id), messages=messages)


TASKS: dict[str, Any] = {
    "logical_name": "contoso_task", "entity_set_name": "contoso_tasks",
    "primary_id_attribute": "contoso_taskid", "primary_name_attribute": "name",
    "messages": ["Create", "contoso_Count"],
    "attributes": [{"logical_name": "contoso_taskid", "type": "Uniqueidentifier"},
                   {"logical_name": "name", "type": "String", "max_length": 100}],
}


class TestToyMessage:
    def test_runs_on_a_table_that_lists_it(self) -> None:
        """The handler runs through the service for a table whose ``messages`` list it."""
        dv = FakeDataverse(tables=[TASKS])
        service = _service(dv)
        for name in ("alpha", "beta", "almond"):
            service.create(Entity("contoso_task", name=name))
        response = service.execute(CountRequest(entity_name="contoso_task", prefix="al"))
        assert isinstance(response, CountResponse)
        assert 2 == response.count

    def test_a_generic_request_reaches_the_typed_handler(self) -> None:
        """``OrganizationRequest("contoso_Count", {...})`` runs as the typed request."""
        dv = FakeDataverse(tables=[TASKS])
        service = _service(dv)
        service.create(Entity("contoso_task", name="alpha"))
        generic = OrganizationRequest("contoso_Count", {"EntityName": "contoso_task"})
        assert 1 == service.execute(generic)["Count"]

    def test_a_table_that_does_not_list_it_refuses(self, dv: FakeDataverse, rejects: Rejects
                                                    ) -> None:
        """backgroundoperation does not list the message: MessageNotSupported, nothing changes."""
        with rejects("0x80040315"):
            _service(dv).execute(CountRequest(entity_name=TABLE))

    def test_the_built_in_registry_is_unchanged(self, dv: FakeDataverse) -> None:
        """Extending a copy leaves the built-in messages (and ``dv.service``) as they were."""
        _service(dv)
        assert BUILT_IN.get("contoso_Count") is None
        with pytest.raises(DataverseError, match="contoso_Count"):
            dv.service.execute(CountRequest(entity_name=TABLE))


class TestDeclaredParameters:
    def test_a_parameter_is_a_property_an_item_and_a_keyword(self) -> None:
        """``target=`` in the constructor, ``request.target`` and ``request["Target"]`` agree."""
        entity = Entity(TABLE, name="x")
        request = CreateRequest(target=entity)
        assert entity is request.target
        assert entity is request["Target"]
        assert {"Target": entity} == request.parameters

    def test_other_keywords_are_sdk_parameters(self) -> None:
        """A keyword the class does not declare is an SDK parameter by name (``partitionId``)."""
        request = RetrieveMultipleRequest(query=None, partitionId="p1")
        assert {"partitionId": "p1"} == request.parameters

    def test_typed_requests_take_keywords_only(self) -> None:
        """``CreateRequest("Update")`` is a TypeError: a typed request names its own message."""
        with pytest.raises(TypeError, match="keyword arguments only"):
            CreateRequest("Update")

    def test_generic_request_refuses_unknown_fields(self) -> None:
        """The generic request has no fields: a keyword is a mistake, not a parameter."""
        with pytest.raises(TypeError, match="has no field 'target'"):
            OrganizationRequest("Create", target=Entity(TABLE))

    def test_a_converter_supplies_the_default(self) -> None:
        """A missing parameter reads as its converter's default."""
        assert "" == CountRequest(entity_name=TABLE).prefix


def test_every_shipped_message_has_a_registered_handler(dv: FakeDataverse) -> None:
    """Each message a shipped table lists is registered, and every family is in the catalogue."""
    registered = set(BUILT_IN.names())
    families: set[str] = set()
    for family in FAMILIES:
        assert isinstance(family, MessageRegistry)
        families |= set(family.names())
    assert registered == families
    for table in dv.organization.metadata:
        assert set(table.messages) <= registered, table.logical_name


def test_every_module_declaring_messages_is_in_the_catalogue() -> None:
    """A module with its own ``MESSAGES`` that ``_catalogue`` does not list would never run."""
    import fake_dataverse._messages as package

    declared = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        found = getattr(module, "MESSAGES", None)
        if isinstance(found, MessageRegistry) and found is not BUILT_IN:
            declared.append(module_info.name)
            assert any(found is family for family in FAMILIES), module_info.name
    assert len(declared) == len(FAMILIES)


class TestSettingDeclaredParameters:
    def test_a_set_parameter_is_what_the_message_and_the_log_see(self) -> None:
        """``request.column_set = …`` stores the SDK parameter (as the SDK's setters do): the
        handler reads it and ``dv.requests`` records it; None takes it out again."""
        from fake_dataverse import ColumnSet, EntityReference, RetrieveRequest

        dv = FakeDataverse()
        row_id = dv.service.create(Entity(TABLE, name="set later", priority=3))
        request = RetrieveRequest(target=EntityReference(TABLE, row_id))
        request.column_set = ColumnSet("priority")
        assert request.parameters["ColumnSet"] == ColumnSet("priority")
        entity = dv.service.execute(request)["Entity"]
        assert {"priority": 3} == {k: v for k, v in entity.attributes.items() if k == "priority"}
        assert "name" not in entity.attributes
        assert dv.requests[-1].parameters["ColumnSet"] == ColumnSet("priority")
        request.column_set = None
        assert "ColumnSet" not in request.parameters
