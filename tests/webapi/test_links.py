"""Paging and delta links: skiptoken cookies round-trip; next links keep the client's options."""

from __future__ import annotations

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._webapi._links import delta_link, next_link, parse_skiptoken, skiptoken

COOKIE = '<cookie page="1"><name last="b" first="a" /></cookie>'


class TestSkiptoken:
    def test_round_trip(self) -> None:
        """A skiptoken names the next page and carries the engine's cookie unchanged."""
        token = skiptoken(2, COOKIE)
        assert token.startswith('<cookie pagenumber="2" pagingcookie="')
        assert parse_skiptoken(token) == (2, COOKIE)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "<cookie/>",
            '<cookie pagenumber="1" pagingcookie="" istracking="False" />',
            "garbage",
        ],
    )
    def test_foreign_tokens_are_invalid_paging_cookies(self, text: str) -> None:
        """A token the fake did not hand out is 0x8004112a."""
        with pytest.raises(DataverseError) as caught:
            parse_skiptoken(text)
        assert caught.value.hex_code == "0x8004112a"


class TestLinks:
    def test_next_link_repeats_options_and_replaces_the_skiptoken(self) -> None:
        """The client's encoding is kept; an old $skiptoken is replaced."""
        link = next_link("https://x/api/data/v9.2/s", "%24select=a&%24skiptoken=old", "T")
        assert link == "https://x/api/data/v9.2/s?%24select=a&$skiptoken=T"

    def test_delta_link_keeps_only_select(self) -> None:
        """The delta link repeats $select and adds $deltatoken (URL-encoded)."""
        link = delta_link("https://x/s", "$select=a&$deltatoken=old&foo=1", "5!01/01/2026 09:00:00")
        assert link == "https://x/s?$select=a&$deltatoken=5%2101%2F01%2F2026%2009%3A00%3A00"
