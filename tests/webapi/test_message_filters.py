"""``sdkmessagefilters``: the message check some clients make before bulk operations."""

from __future__ import annotations

from .conftest import Api, error_of

QUERY = (
    "sdkmessagefilters?$select=sdkmessagefilterid&$expand=sdkmessageid($select=name)"
    "&$filter=(sdkmessageid/name eq 'CreateMultiple' or sdkmessageid/name eq 'UpdateMultiple')"
    " and primaryobjecttypecode eq '{table}'"
)


class TestMessageFilters:
    def test_lists_the_bulk_messages_the_table_supports(self, api: Api) -> None:
        """backgroundoperation supports CreateMultiple and UpdateMultiple."""
        body = api.get(QUERY.format(table="backgroundoperation")).json()
        assert sorted(v["sdkmessageid"]["name"] for v in body["value"]) == [
            "CreateMultiple",
            "UpdateMultiple",
        ]

    def test_a_table_without_bulk_messages_has_none(self, api: Api) -> None:
        """systemuser lists neither message."""
        assert api.get(QUERY.format(table="systemuser")).json()["value"] == []

    def test_bad_filter_is_400(self, api: Api) -> None:
        """A filter naming an unknown property is 400."""
        assert error_of(api.get("sdkmessagefilters?$filter=nope eq 1"))[0] == 400
