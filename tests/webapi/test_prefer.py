"""The Prefer header: lists, quoted values, annotation patterns."""

from __future__ import annotations

from fake_dataverse._webapi._prefer import parse_prefer


class TestPrefer:
    def test_list_with_quoted_annotations(self) -> None:
        """A comma list with a quoted, comma-containing annotation value."""
        prefer = parse_prefer(
            "return=representation, odata.maxpagesize=2, odata.include-annotations="
            '"Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"'
        )
        assert prefer.return_representation
        assert prefer.max_page_size == 2
        assert prefer.wants("Microsoft.Dynamics.CRM.morerecords")
        assert not prefer.wants("OData.Community.Display.V1.FormattedValue")

    def test_wildcards(self) -> None:
        """'*' covers everything; 'A.B.*' covers that namespace only."""
        assert parse_prefer("odata.include-annotations=*").wants("x.y")
        scoped = parse_prefer("odata.include-annotations=Microsoft.PowerApps.CDS.ErrorDetails.*")
        assert scoped.wants("Microsoft.PowerApps.CDS.ErrorDetails.Plugin.BulkApiErrorDetails")
        assert not scoped.wants("Microsoft.PowerApps.CDS.HelpLink")

    def test_malformed_values_are_ignored(self) -> None:
        """A non-numeric page size and unknown preferences are ignored."""
        prefer = parse_prefer('odata.maxpagesize=abc, weird;;, "')
        assert prefer.max_page_size is None
        assert not prefer.track_changes

    def test_a_page_size_must_be_a_positive_integer(self) -> None:
        """``odata.maxpagesize`` of 0, below 0, signed or fractional is ignored; 1 is kept."""
        for value in ("0", "-1", "+2", "2.5"):
            assert parse_prefer(f"odata.maxpagesize={value}").max_page_size is None, value
        assert parse_prefer("odata.maxpagesize=1").max_page_size == 1

    def test_callback_and_async(self) -> None:
        """respond-async and odata.callback; url="…" (background operations)."""
        prefer = parse_prefer('respond-async, odata.callback; url="https://x/cb"')
        assert prefer.respond_async
        assert prefer.callback_url == "https://x/cb"
