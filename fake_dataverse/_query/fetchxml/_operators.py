"""FetchXML condition operator names and the model operators they mean."""

from __future__ import annotations

from fake_dataverse._query._model import ConditionOperator as Op

__all__ = ["FETCH_NAMES", "FETCH_OPERATORS"]

FETCH_OPERATORS: dict[str, Op] = {
    "eq": Op.EQUAL,
    "ne": Op.NOT_EQUAL,
    "neq": Op.NOT_EQUAL,
    "gt": Op.GREATER_THAN,
    "ge": Op.GREATER_EQUAL,
    "lt": Op.LESS_THAN,
    "le": Op.LESS_EQUAL,
    "null": Op.NULL,
    "not-null": Op.NOT_NULL,
    "like": Op.LIKE,
    "not-like": Op.NOT_LIKE,
    "begins-with": Op.BEGINS_WITH,
    "not-begin-with": Op.DOES_NOT_BEGIN_WITH,
    "ends-with": Op.ENDS_WITH,
    "not-end-with": Op.DOES_NOT_END_WITH,
    "in": Op.IN,
    "not-in": Op.NOT_IN,
    "between": Op.BETWEEN,
    "not-between": Op.NOT_BETWEEN,
    "on": Op.ON,
    "on-or-after": Op.ON_OR_AFTER,
    "on-or-before": Op.ON_OR_BEFORE,
    "today": Op.TODAY,
    "yesterday": Op.YESTERDAY,
    "tomorrow": Op.TOMORROW,
    "last-seven-days": Op.LAST_7_DAYS,
    "next-seven-days": Op.NEXT_7_DAYS,
    "last-x-hours": Op.LAST_X_HOURS,
    "last-x-days": Op.LAST_X_DAYS,
    "last-x-weeks": Op.LAST_X_WEEKS,
    "last-x-months": Op.LAST_X_MONTHS,
    "last-x-years": Op.LAST_X_YEARS,
    "next-x-hours": Op.NEXT_X_HOURS,
    "next-x-days": Op.NEXT_X_DAYS,
    "next-x-weeks": Op.NEXT_X_WEEKS,
    "next-x-months": Op.NEXT_X_MONTHS,
    "next-x-years": Op.NEXT_X_YEARS,
    "olderthan-x-minutes": Op.OLDER_THAN_X_MINUTES,
    "olderthan-x-hours": Op.OLDER_THAN_X_HOURS,
    "olderthan-x-days": Op.OLDER_THAN_X_DAYS,
    "olderthan-x-weeks": Op.OLDER_THAN_X_WEEKS,
    "olderthan-x-months": Op.OLDER_THAN_X_MONTHS,
    "olderthan-x-years": Op.OLDER_THAN_X_YEARS,
    "this-week": Op.THIS_WEEK,
    "this-month": Op.THIS_MONTH,
    "this-year": Op.THIS_YEAR,
    "last-week": Op.LAST_WEEK,
    "last-month": Op.LAST_MONTH,
    "last-year": Op.LAST_YEAR,
    "next-week": Op.NEXT_WEEK,
    "next-month": Op.NEXT_MONTH,
    "next-year": Op.NEXT_YEAR,
    "eq-userid": Op.EQUAL_USER_ID,
    "ne-userid": Op.NOT_EQUAL_USER_ID,
}

#: The canonical FetchXML name of each operator (``ne`` for NotEqual).
FETCH_NAMES: dict[Op, str] = {}
for _name, _op in FETCH_OPERATORS.items():
    FETCH_NAMES.setdefault(_op, _name)
