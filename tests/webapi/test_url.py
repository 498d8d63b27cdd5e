"""URL decoding: query strings, key segments."""

from __future__ import annotations

import uuid

import pytest

from fake_dataverse import DataverseError
from fake_dataverse._webapi._url import parse_key, parse_query, parse_url, request_base

ROW = "11111111-2222-4333-8444-555555555555"


class TestQuery:
    def test_plus_is_a_space_and_pairs_split_on_first_equals(self) -> None:
        """%24filter=a+eq+1 decodes to $filter='a eq 1'; '=' inside a value stays."""
        assert parse_query("%24filter=a+eq+1&fetchXml=%3Cfetch+a%3D'1'%3E") == {
            "$filter": "a eq 1",
            "fetchXml": "<fetch a='1'>",
        }

    def test_repeated_option_is_an_error(self) -> None:
        """An option given twice: 400 0x0."""
        with pytest.raises(DataverseError) as caught:
            parse_query("$top=1&$top=2")
        assert caught.value.http_status == 400

    def test_api_root_versions(self) -> None:
        """v9.0 to v9.2 are served; anything else is not the API."""
        url = parse_url("https://x.crm.dynamics.com", "https://x.crm.dynamics.com/api/data/v9.1/a")
        assert url is not None and url.path == "a"
        assert parse_url("https://x.crm.dynamics.com", "https://x.crm.dynamics.com/api/v1") is None


class TestKey:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (ROW, {"": uuid.UUID(ROW)}),
            (
                f"backgroundoperationid={ROW},partitionid='p'",
                {"backgroundoperationid": uuid.UUID(ROW), "partitionid": "p"},
            ),
            (
                f"backgroundoperationId={ROW},partitionId='it''s'",
                {"backgroundoperationid": uuid.UUID(ROW), "partitionid": "it's"},
            ),
            ("LogicalName='account'", {"logicalname": "account"}),
        ],
    )
    def test_keys(self, text: str, expected: dict[str, object]) -> None:
        """GUIDs, alternate keys (names case-insensitive), quoted strings with ''."""
        assert parse_key(text) == expected

    @pytest.mark.parametrize("text", ["", "abc", "a=", "a='x", "a=1,a=2", "'x'y'"])
    def test_malformed_keys(self, text: str) -> None:
        """Malformed keys are None, never an exception."""
        assert parse_key(text) is None


class TestRequestBase:
    def test_each_organization_answers_for_its_own_url(self) -> None:
        """The base is worked out per organization: one request URL is the organization's own
        URL for one fake and a foreign host (a local server's) for another, in either order."""
        url = "https://a.crm.dynamics.com:443/api/data/v9.2/backgroundoperations"
        for _ in range(2):
            assert request_base("https://a.crm.dynamics.com", url) == "https://a.crm.dynamics.com"
            assert request_base("https://b.crm.dynamics.com", url) == (
                "https://a.crm.dynamics.com:443"
            )

    def test_default_ports_and_case_are_the_same_host(self) -> None:
        """``HTTPS://A…:443`` is the organization's URL; another port or scheme is not."""
        org = "https://a.crm.dynamics.com"
        assert request_base(org, "HTTPS://A.crm.dynamics.com:443/api/data/v9.2/") == org
        assert request_base(org, "https://a.crm.dynamics.com:8443/x") == (
            "https://a.crm.dynamics.com:8443"
        )
        assert request_base(org, "http://a.crm.dynamics.com/x") == "http://a.crm.dynamics.com"
        assert request_base(org, "http://127.0.0.1:notaport/x") == org
