"""Dataverse query functions ``Microsoft.Dynamics.CRM.<Function>(…)`` in ``$filter``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from fake_dataverse._query._model import Condition, FilterNode
from fake_dataverse._query._model import ConditionOperator as Op
from fake_dataverse._query.odata._functions import FUNCTIONS, Arguments

from .conftest import Fails

Where = Callable[..., FilterNode | None]
NS = "Microsoft.Dynamics.CRM."
UTC = dt.timezone.utc


class TestSupportedFunctions:
    @pytest.mark.parametrize(
        "name",
        sorted(
            n
            for n, f in FUNCTIONS.items()
            if f.arguments is Arguments.NONE
            and f.operator not in (Op.EQUAL_USER_ID, Op.NOT_EQUAL_USER_ID)
        ),
    )
    def test_date_functions_without_values(self, where: Where, name: str) -> None:
        """Today, ThisMonth, … take only the column."""
        assert Condition("createdon", Op(name)) == where(f"{NS}{name}(PropertyName='createdon')")

    @pytest.mark.parametrize(
        "name", sorted(n for n, f in FUNCTIONS.items() if f.arguments is Arguments.COUNT)
    )
    def test_x_functions_take_a_count(self, where: Where, name: str) -> None:
        """LastXDays, OlderThanXMinutes, … take an integer, quoted or not."""
        expected = Condition("modifiedon", Op(name), (3,))
        assert expected == where(f"{NS}{name}(PropertyName='modifiedon',PropertyValue=3)")
        assert expected == where(f"{NS}{name}(PropertyName='modifiedon',PropertyValue='3')")

    @pytest.mark.parametrize("name", ["On", "OnOrAfter", "OnOrBefore"])
    def test_on_functions_take_a_date(self, where: Where, name: str) -> None:
        """On / OnOrAfter / OnOrBefore take a date."""
        expected = Condition("createdon", Op(name), (dt.datetime(2024, 3, 1, tzinfo=UTC),))
        assert expected == where(f"{NS}{name}(PropertyName='createdon',PropertyValue='2024-03-01')")

    def test_in_converts_each_value_to_the_column_type(self, where: Where) -> None:
        """In's string values become the column's raw values."""
        assert Condition("priority", Op.IN, (1, 5)) == where(
            f'{NS}In(PropertyName=\'priority\',PropertyValues=["1","5"])'
        )

    def test_not_in_with_aliases(self, where: Where) -> None:
        """Aliases can supply the column and the values (Microsoft's documented form)."""
        assert Condition("name", Op.NOT_IN, ("OBrian", "O'Brian")) == where(
            f"{NS}NotIn(PropertyName=@p1,PropertyValues=@p2)",
            p1="'name'",
            p2='["OBrian","O\'Brian"]',
        )

    def test_between_takes_two_values(self, where: Where) -> None:
        """Between / NotBetween take exactly a low and a high value."""
        assert Condition("priority", Op.BETWEEN, (5, 9)) == where(
            f'{NS}Between(PropertyName=\'priority\',PropertyValues=["5","9"])'
        )

    def test_equal_user_id_on_a_lookup(self, where: Where) -> None:
        """EqualUserId takes a lookup column by its logical name."""
        assert Condition("createdby", Op.EQUAL_USER_ID) == where(
            f"{NS}EqualUserId(PropertyName='createdby')"
        )

    @pytest.mark.parametrize("name", ["_createdby_value", "createdbyname", "Name", "nope"])
    def test_property_name_must_be_a_logical_name(self, fails: Fails, name: str) -> None:
        """PropertyName goes to the query as a column's logical name; anything else is unknown."""
        error = fails({"$filter": f"{NS}In(PropertyName='{name}',PropertyValues=[\"x\"])"})
        assert ("0x80041103", 400) == (error.hex_code, error.http_status)
        assert (
            f"'backgroundoperation' entity doesn't contain attribute with Name = '{name}' and "
            "NameMapping = 'Logical'." == error.message
        )


REJECTED = [
    (
        f"{NS}Today(PropertyName='priority')",
        f"'{NS}Today' cannot be applied to column 'priority' of type 'Edm.Int32'.",
    ),
    (f"{NS}Today()", f"'{NS}Today' takes the parameters PropertyName; found none."),
    (
        f"{NS}LastXDays(PropertyName='createdon')",
        f"'{NS}LastXDays' takes the parameters PropertyName, PropertyValue; found PropertyName.",
    ),
    (
        f"{NS}LastXDays(PropertyName='createdon',PropertyValue='many')",
        "Cannot convert the literal ''many'' to the expected type 'Edm.Int32'.",
    ),
    (
        f"{NS}In(PropertyName='name',PropertyValues=['O'Brian'])",
        "Invalid JSON. A comma character "
        "',' was expected in scope 'Array'. Every two elements in an array and properties of an "
        "object must be separated by commas.",
    ),
    (
        f"{NS}In(PropertyName='priority',PropertyValues=[\"high\"])",
        "Cannot convert the literal 'high' to the expected type 'Edm.Int32'.",
    ),
    (
        f"{NS}Between(PropertyName='priority',PropertyValues=[\"1\"])",
        f"'{NS}Between' needs exactly two PropertyValues; found 1.",
    ),
    (
        f"{NS}In(PropertyName='name',PropertyValues=[])",
        f"'{NS}In' needs at least one of PropertyValues.",
    ),
    (
        f"{NS}InFiscalYear(PropertyName='createdon',PropertyValue=2024)",
        f"The query function '{NS}InFiscalYear' is not supported for entity 'backgroundoperation'.",
    ),
    (
        f"{NS}Frobnicate(PropertyName='createdon')",
        f"An unknown function with name "
        f"'{NS}Frobnicate' was found. This may also be a function import or a key lookup on a "
        "navigation property, which is not allowed.",
    ),
    (
        f"{NS}Today(PropertyName='createdon',PropertyName='createdon')",
        "The parameter 'PropertyName' is given more than once.",
    ),
]


class TestRejectedFunctions:
    @pytest.mark.parametrize(("text", "message"), REJECTED)
    def test_fault(self, fails: Fails, text: str, message: str) -> None:
        """A misused query function is a 400 with code 0x0 saying what is wrong."""
        error = fails({"$filter": text})
        assert ("0x0", 400, message) == (error.hex_code, error.http_status, error.message)
