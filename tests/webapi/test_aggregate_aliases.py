"""``$apply`` rows name every alias the client asked for, null when there is no value."""

from __future__ import annotations

from .conftest import Api


class TestAggregateRows:
    def test_sum_of_no_values_is_a_null_property(self, api: Api) -> None:
        """``aggregate(priority with sum as total)`` over null priorities: ``{"total": null}``."""
        api.create(name="a")
        response = api.get("backgroundoperations?$apply=aggregate(priority with sum as total)")
        assert response.status_code == 200
        assert response.json()["value"] == [{"total": None}]

    def test_null_group_value_is_a_null_property(self, api: Api) -> None:
        """``groupby((name),…)`` with a null name: that group reads ``"name": null``."""
        api.create(name="a")
        api.create(priority=2)
        body = api.get("backgroundoperations?$apply=groupby((name),aggregate($count as n))").json()
        assert body["value"] == [{"name": None, "n": 1}, {"name": "a", "n": 1}]
