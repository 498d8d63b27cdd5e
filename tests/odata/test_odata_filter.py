"""``$filter``: operators, precedence, literals bound to columns, aliases and faults."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_dataverse import DataverseError
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query._model import Condition, Filter, FilterNode, Not, Query
from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query.odata._options import compile_query_options

from .conftest import TYPE, Fails

Where = Callable[..., FilterNode | None]
UTC = dt.timezone.utc
USER = uuid.UUID("2f0e6a52-3b1c-4e43-9a5f-1d8a8c0b6e01")


def name_is(value: str) -> Condition:
    return Condition("name", Op.EQUAL, (value,))


class TestComparisons:
    @pytest.mark.parametrize(
        ("keyword", "operator"),
        [
            ("eq", Op.EQUAL),
            ("ne", Op.NOT_EQUAL),
            ("gt", Op.GREATER_THAN),
            ("ge", Op.GREATER_EQUAL),
            ("lt", Op.LESS_THAN),
            ("le", Op.LESS_EQUAL),
        ],
    )
    def test_each_operator(self, where: Where, keyword: str, operator: Op) -> None:
        """Each comparison keyword becomes its SDK condition operator with a raw value."""
        assert Condition("priority", operator, (3,)) == where(f"priority {keyword} 3")

    def test_string_with_doubled_apostrophe(self, where: Where) -> None:
        """``''`` inside a string literal is one apostrophe."""
        assert name_is("O'Bryan") == where("name eq 'O''Bryan'")

    def test_lookup_property_binds_to_logical_name(self, where: Where) -> None:
        """``_createdby_value`` compares the ``createdby`` column with an unquoted GUID."""
        assert Condition("createdby", Op.EQUAL, (USER,)) == where(f"_createdby_value eq {USER}")

    def test_quoted_guid_for_a_lookup(self, where: Where) -> None:
        """A quoted GUID is accepted for a GUID column, as Microsoft's examples write it."""
        assert Condition("createdby", Op.EQUAL, (USER,)) == where(f"_createdby_value eq '{USER}'")

    def test_date_time_becomes_aware_utc(self, where: Where) -> None:
        """A date-time literal with an offset is converted to UTC."""
        expected = dt.datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
        assert Condition("createdon", Op.GREATER_EQUAL, (expected,)) == where(
            "createdon ge 2024-01-01T10:00:00+02:00"
        )

    def test_date_only_is_midnight_utc(self, where: Where) -> None:
        """A date literal compares as midnight UTC of that day."""
        expected = dt.datetime(2024, 2, 1, tzinfo=UTC)
        assert Condition("createdon", Op.LESS_THAN, (expected,)) == where("createdon lt 2024-02-01")

    def test_choice_compares_by_integer(self, where: Where) -> None:
        """A choice column takes its integer value."""
        assert Condition("backgroundoperationstatuscode", Op.EQUAL, (30,)) == where(
            "backgroundoperationstatuscode eq 30"
        )

    def test_null(self, where: Where) -> None:
        """``eq null`` and ``ne null`` are the Null and NotNull operators."""
        assert Condition("endtime", Op.NULL) == where("endtime eq null")
        assert Condition("endtime", Op.NOT_NULL) == where("endtime ne null")


class TestPrecedence:
    def test_and_binds_tighter_than_or(self, where: Where) -> None:
        """``a or b and c`` is ``a or (b and c)``."""
        a, b, c = name_is("a"), name_is("b"), name_is("c")
        assert Filter("or", (a, Filter("and", (b, c)))) == where(
            "name eq 'a' or name eq 'b' and name eq 'c'"
        )

    def test_parentheses_group(self, where: Where) -> None:
        """Parentheses override precedence."""
        a, b, c = name_is("a"), name_is("b"), name_is("c")
        assert Filter("and", (Filter("or", (a, b)), c)) == where(
            "(name eq 'a' or name eq 'b') and name eq 'c'"
        )

    def test_chains_flatten(self, where: Where) -> None:
        """A chain of the same operator is one filter with every operand."""
        a, b, c = name_is("a"), name_is("b"), name_is("c")
        assert Filter("and", (a, b, c)) == where("name eq 'a' and (name eq 'b' and name eq 'c')")

    def test_not_negates_a_group(self, where: Where) -> None:
        """``not (…)`` negates the whole group."""
        a, b = name_is("a"), name_is("b")
        assert Not(Filter("or", (a, b))) == where("not (name eq 'a' or name eq 'b')")

    def test_not_binds_to_the_operand_not_the_comparison(self, fails: Fails) -> None:
        """``not name eq 'x'`` negates ``name`` (a string), as Dataverse's OData parser does."""
        error = fails({"$filter": "not name eq 'x'"})
        assert (
            "A unary operator with an incompatible type was detected. Found operand type "
            "'Edm.String' for operator kind 'Not'." == error.message
        )


class TestStringFunctions:
    def test_contains_is_like_with_wildcards(self, where: Where) -> None:
        """``contains`` is Like ``%text%``."""
        assert Condition("name", Op.LIKE, ("%sample%",)) == where("contains(name,'sample')")

    def test_startswith_and_endswith(self, where: Where) -> None:
        """``startswith`` / ``endswith`` are BeginsWith / EndsWith."""
        assert Condition("name", Op.BEGINS_WITH, ("a",)) == where("startswith(name,'a')")
        assert Condition("name", Op.ENDS_WITH, ("z",)) == where("endswith(name, 'z')")

    def test_negated(self, where: Where) -> None:
        """``not contains(…)`` negates the condition."""
        assert Not(Condition("name", Op.LIKE, ("%x%",))) == where("not contains(name,'x')")

    @pytest.mark.parametrize(
        "text", ["contains(priority,'1')", "contains(name,1)", "contains('x',name)"]
    )
    def test_wrong_arguments(self, fails: Fails, text: str) -> None:
        """A string function on a non-string column or value is a signature fault."""
        error = fails({"$filter": text})
        assert "0x0" == error.hex_code
        assert error.message.startswith(
            "No function signature for the function with name 'contains' matches"
        )


class TestAliases:
    def test_alias_supplies_the_value(self, where: Where) -> None:
        """``@p1`` takes the value given in the query options."""
        assert name_is("x") == where("name eq @p1", p1="'x'")

    def test_unassigned_alias_is_null(self, where: Where) -> None:
        """An alias with no value is null."""
        assert Condition("name", Op.NULL) == where("name eq @p1")

    def test_alias_inside_alias_is_rejected(self, fails: Fails) -> None:
        """An alias value may not refer to another alias."""
        error = fails({"$filter": "name eq @p1", "@p1": "@p2", "@p2": "'x'"})
        assert "0x0" == error.hex_code


REJECTED = [
    ("Name eq 'x'", f"Could not find a property named 'Name' on type '{TYPE}'."),
    ("createdbyname eq 'x'", f"Could not find a property named 'createdbyname' on type '{TYPE}'."),
    (
        "priority eq 'x'",
        "A binary operator with incompatible types was detected. Found operand "
        "types 'Edm.Int32' and 'Edm.String' for operator kind 'Equal'.",
    ),
    (
        "name eq 5",
        "A binary operator with incompatible types was detected. Found operand "
        "types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.",
    ),
    (
        "priority gt 1.5",
        "A binary operator with incompatible types was detected. Found operand "
        "types 'Edm.Int32' and 'Edm.Decimal' for operator kind 'GreaterThan'.",
    ),
    (
        "createdon eq 'yesterday'",
        "A binary operator with incompatible types was detected. Found "
        "operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'Equal'.",
    ),
    (
        "_createdby_value eq 'me'",
        "A binary operator with incompatible types was detected. Found "
        "operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'.",
    ),
    (
        "createdon eq 2023-02-30T00:00:00Z",
        "Unrecognized 'Edm.DateTimeOffset' literal "
        "'2023-02-30T00:00:00Z' at '13' in 'createdon eq 2023-02-30T00:00:00Z'.",
    ),
    ("(name eq 'x'", "')' or operator expected at position 12 in '(name eq 'x''."),
    ("name eq 'x' name", "Syntax error at position 12 in 'name eq 'x' name'."),
    ("name eq", "Expression expected at position 7 in 'name eq'."),
    ("", "Expression expected at position 0 in ''."),
    ("name", "The $filter expression must evaluate to a single boolean value."),
    (
        "name eq 'x' and priority",
        "A binary operator with incompatible types was detected. Found "
        "operand types 'Edm.Boolean' and 'Edm.Int32' for operator kind 'And'.",
    ),
    (
        "name eq displayname",
        "Column comparison ('name eq displayname') is not supported for elastic tables.",
    ),
    (
        "'x' eq name",
        "The left operand of 'eq' at position 4 in ''x' eq name' must be a column of "
        "the table and the right operand a value.",
    ),
    (
        "priority gt null",
        "The operator kind 'GreaterThan' cannot compare column 'priority' with "
        "null; use eq null or ne null.",
    ),
    (
        "tolower(name) eq 'x'",
        "An unknown function with name 'tolower' was found. This may also "
        "be a function import or a key lookup on a navigation property, which is not allowed.",
    ),
    ("name eq guid'x'", "Syntax error at position 8 in 'name eq guid'x''."),
    (
        "contains(name,'x') eq true",
        "A binary operator with incompatible types was detected. "
        "Found operand types 'Edm.Boolean' and 'Edm.Boolean' for operator kind 'Equal'.",
    ),
]


FRAGMENTS = [
    *"()',@=[]/\" -.:0123456789TZabn_",
    "name",
    "priority",
    "eq",
    "and",
    "or",
    "not",
    "null",
    "contains",
    "Microsoft.Dynamics.CRM.In",
    "PropertyName",
    "_createdby_value",
    "createdon",
    "@p1",
    "2024-01-01T00:00:00Z",
    "00000000-0000-0000-0000-000000000001",
]


class TestRejected:
    @pytest.mark.parametrize(("text", "message"), REJECTED)
    def test_fault_in_dataverse_words(self, fails: Fails, text: str, message: str) -> None:
        """Each invalid filter is a 400 with code 0x0 and a message naming the problem."""
        error = fails({"$filter": text})
        assert ("0x0", 400, message) == (error.hex_code, error.http_status, error.message)

    @pytest.mark.parametrize(
        "text",
        ["createdby/fullname eq 'x'", "createdby eq null", "contains(createdby/fullname,'x')"],
    )
    def test_related_tables_are_link_entities(self, fails: Fails, text: str) -> None:
        """Navigation paths need a link entity, which elastic tables do not support."""
        error = fails({"$filter": text})
        assert ("0x80048d0b", "Link entities are not supported") == (error.hex_code, error.message)

    def test_deep_nesting_is_a_fault_not_a_crash(self, fails: Fails) -> None:
        """Thousands of nested parentheses give a 400, not a Python RecursionError."""
        error = fails({"$filter": "(" * 5000 + "name eq 'x'" + ")" * 5000})
        assert "0x0" == error.hex_code

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join))
    def test_any_text_is_a_query_or_a_dataverse_fault(self, text: str) -> None:
        """Garbage never escapes as a Python exception: it compiles or is a DataverseError."""
        from fake_dataverse._model._metadata import default_metadata

        table = default_metadata().get("backgroundoperation")
        assert isinstance(table, EntityMetadata)
        outcome: object
        try:
            outcome = compile_query_options(table, {"$filter": text, "@p1": text})
        except DataverseError as error:
            outcome = error
        assert isinstance(outcome, Query) or 400 == outcome.http_status  # type: ignore[attr-defined]
