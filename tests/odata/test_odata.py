"""compile_query_options: each option, the unsupported ones, and what is left to the caller."""

from __future__ import annotations

import pytest
import requests

from fake_dataverse import Entity, FakeDataverse
from fake_dataverse._query._model import Condition, Order, Query
from fake_dataverse._query._model import ConditionOperator as Op

from ..traces import store_state
from .conftest import TYPE, Compile, Fails


class TestSelect:
    def test_columns_by_logical_name(self, compile_options: Compile) -> None:
        """``$select`` lists logical names; a lookup property selects its column, once."""
        query = compile_options(S_select="name, _createdby_value,createdon,name")
        assert ("name", "createdby", "createdon") == query.columns

    def test_no_select_means_every_column(self, compile_options: Compile) -> None:
        """Without ``$select`` (or with ``*``) every column is returned."""
        assert compile_options().columns is None
        assert compile_options(S_select="*").columns is None

    @pytest.mark.parametrize("name", ["Name", "createdby", "createdbyname", "nope"])
    def test_unknown_property(self, fails: Fails, name: str) -> None:
        """Anything but a Web API property of the table is Dataverse's unknown-property fault."""
        error = fails({"$select": f"name,{name}"})
        assert ("0x0", 400) == (error.hex_code, error.http_status)
        assert f"Could not find a property named '{name}' on type '{TYPE}'." == error.message

    def test_navigation_path(self, fails: Fails) -> None:
        """A path in ``$select`` is rejected."""
        error = fails({"$select": "createdby/fullname"})
        assert error.message.startswith("Found a path with multiple navigation properties")


class TestOrderBy:
    def test_orders_with_directions(self, compile_options: Compile) -> None:
        """``col asc|desc`` pairs, ascending by default."""
        query = compile_options(S_orderby="priority desc, createdon asc,name")
        assert (Order("priority", True), Order("createdon"), Order("name")) == query.orders

    def test_alias_names_the_column(self, compile_options: Compile) -> None:
        """A parameter alias can name the column to order by."""
        assert (Order("name", True),) == compile_options(
            S_orderby="@p1 desc", **{"@p1": "name"}
        ).orders

    def test_lookup_column_on_elastic_table(self, fails: Fails) -> None:
        """Ordering on a lookup column is not supported on elastic tables."""
        error = fails({"$orderby": "_createdby_value"})
        assert ("0x80044183", 400) == (error.hex_code, error.http_status)
        assert "lookup column 'createdby'" in error.message

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("nope", f"Could not find a property named 'nope' on type '{TYPE}'."),
            ("name up", "Syntax error at position 5 in 'name up'."),
            ("name,", "Expression expected at position 5 in 'name,'."),
        ],
    )
    def test_faults(self, fails: Fails, text: str, message: str) -> None:
        """A malformed ``$orderby`` is a 400 with code 0x0."""
        error = fails({"$orderby": text})
        assert ("0x0", message) == (error.hex_code, error.message)

    def test_navigation_path_is_a_link_entity(self, fails: Fails) -> None:
        """Ordering by a related table's column needs a link entity."""
        assert "0x80048d0b" == fails({"$orderby": "createdby/fullname"}).hex_code


class TestTopAndCount:
    def test_top(self, compile_options: Compile) -> None:
        """``$top`` is a positive integer."""
        assert 7 == compile_options(S_top="7").top

    @pytest.mark.parametrize("text", ["-1", "x", "1.5", "", "99999999999"])
    def test_invalid_top(self, fails: Fails, text: str) -> None:
        """Anything but a non-negative 32-bit integer is the OData library's $top fault."""
        error = fails({"$top": text})
        assert (
            f"Invalid value '{text}' for $top query option found. The $top query option requires "
            "a non-negative integer value." == error.message
        )

    def test_top_zero(self, fails: Fails) -> None:
        """``$top=0`` asks for no rows: a value greater than zero is required."""
        assert "0x8004110c" == fails({"$top": "0"}).hex_code

    def test_count(self, compile_options: Compile) -> None:
        """``$count=true`` asks for the total record count."""
        assert compile_options(S_count="true").return_total_record_count
        assert not compile_options(S_count="false").return_total_record_count

    def test_invalid_count(self, fails: Fails) -> None:
        """Only ``true`` and ``false`` (lower case) are count options."""
        assert "'True' is not a valid count option." == fails({"$count": "True"}).message


class TestOptionNames:
    @pytest.mark.parametrize("name", ["$skip", "$search", "$format", "$Filter", "$levels"])
    def test_unsupported_option(self, fails: Fails, name: str) -> None:
        """Unsupported or misspelt ``$`` options (names are case-sensitive) are rejected."""
        error = fails({name: "1"})
        assert ("0x0", 400) == (error.hex_code, error.http_status)
        assert f"The query parameter {name} is not supported" == error.message

    def test_expand_on_a_collection(self, fails: Fails) -> None:
        """``$expand`` on a collection needs link entities, not supported on elastic tables."""
        error = fails({"$expand": "createdby($select=fullname)"})
        assert ("0x80048d0b", "Link entities are not supported") == (error.hex_code, error.message)

    def test_caller_options_are_ignored(self, compile_options: Compile) -> None:
        """fetchXml, partitionId, $skiptoken, $deltatoken and custom options are the caller's."""
        query = compile_options(
            {
                "fetchXml": "<fetch/>",
                "partitionId": "p1",
                "$skiptoken": "x",
                "$deltatoken": "y",
                "tag": "t",
                "@p9": "'unused'",
            }
        )
        assert Query(table="backgroundoperation") == query

    def test_everything_together(self, compile_options: Compile) -> None:
        """Options combine into one query."""
        query = compile_options(
            S_select="name",
            S_filter="priority eq @p",
            S_orderby="name",
            S_top="3",
            S_count="true",
            **{"@p": "2"},
        )
        assert (
            Query(
                table="backgroundoperation",
                columns=("name",),
                top=3,
                orders=(Order("name"),),
                filter=Condition("priority", Op.EQUAL, (2,)),
                return_total_record_count=True,
            )
            == query
        )


def _get(dv: FakeDataverse, **options: str) -> requests.Response:
    with dv.intercept():
        return requests.get(
            f"{dv.url}/api/data/v9.2/backgroundoperations",
            params=options,
            headers={"Authorization": "Bearer t"},
            timeout=5,
        )



class TestThroughTheWebApi:
    @pytest.fixture
    def dv(self) -> FakeDataverse:
        """A fake with three rows: op0 (priority 0) … op2 (priority 2)."""
        dv = FakeDataverse()
        for n in range(3):
            dv.service.create(Entity("backgroundoperation", name=f"op{n}'s", priority=n))
        return dv

    def test_filter_select_orderby(self, dv: FakeDataverse) -> None:
        """A filtered, ordered, projected query returns the matching rows in order."""
        response = _get(
            dv,
            **{
                "$select": "name",
                "$filter": "priority ge 1 and contains(name,'''s')",
                "$orderby": "priority desc",
            },
        )
        assert 200 == response.status_code
        assert ["op2's", "op1's"] == [row["name"] for row in response.json()["value"]]

    def test_aggregate(self, dv: FakeDataverse) -> None:
        """``$apply`` aggregates the matching rows."""
        response = _get(dv, **{"$apply": "aggregate(priority with sum as total,$count as n)"})
        assert [{"total": 3, "n": 3}] == response.json()["value"]

    @pytest.mark.parametrize(
        ("options", "code"),
        [
            ({"$filter": "name eq 'O'Bryan'"}, "0x0"),
            ({"$filter": "priority eq 'high'"}, "0x0"),
            ({"$select": "Name"}, "0x0"),
            ({"$skip": "1"}, "0x0"),
            ({"$expand": "createdby"}, "0x80048d0b"),
            ({"$filter": "createdby/fullname eq 'x'"}, "0x80048d0b"),
            ({"$orderby": "_createdby_value"}, "0x80044183"),
        ],
    )
    def test_rejected_query_is_a_400_and_changes_nothing(
        self, dv: FakeDataverse, options: dict[str, str], code: str
    ) -> None:
        """A rejected query answers Dataverse's JSON error and leaves the store as it was."""
        before = store_state(dv)
        response = _get(dv, **options)
        assert (400, code) == (response.status_code, response.json()["error"]["code"])
        assert response.headers["Content-Type"].startswith("application/json")
        assert before == store_state(dv)
