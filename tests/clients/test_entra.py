"""Inside intercept(), Microsoft Entra's client-credentials endpoints answer with fake tokens."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests

from fake_dataverse import FakeDataverse
from fake_dataverse._interception._entra import ENTRA_URL
from fake_dataverse._interception._patching import answer_for

identity = pytest.importorskip("azure.identity")
TENANT = "11111111-2222-3333-4444-555555555555"
TOKEN_URL = f"{ENTRA_URL}/{TENANT}/oauth2/v2.0/token"


def _token_request(**form: str) -> requests.Response:
    return requests.post(TOKEN_URL, data=form, timeout=5)


class TestClientCredentials:
    def test_client_secret_credential_with_the_official_client(self) -> None:
        """ClientSecretCredential, unmodified, gets a token; the SDK writes as the app user."""
        client_module = pytest.importorskip("PowerPlatform.Dataverse.client")
        dv = FakeDataverse()
        with dv.intercept():
            credential = identity.ClientSecretCredential(TENANT, "app-id", "secret")
            token = credential.get_token(f"{dv.url}/.default")
            with client_module.DataverseClient(dv.url, credential) as client:
                row_id = client.records.create("backgroundoperation", {"name": "by the app"})
        assert token.expires_on > 0
        assert [(row_id, dv.admin_id)] == [(str(r.id), r["createdby"].id) for r in dv.rows()]

    def test_async_credential_with_the_async_client(self) -> None:
        """azure.identity.aio's ClientSecretCredential (aiohttp) and AsyncDataverseClient."""
        aio_identity = pytest.importorskip("azure.identity.aio")
        client_module = pytest.importorskip("PowerPlatform.Dataverse.aio.async_client")
        dv = FakeDataverse()

        async def run() -> str:
            async with (
                aio_identity.ClientSecretCredential(TENANT, "app-id", "secret") as credential,
                client_module.AsyncDataverseClient(dv.url, credential) as client,
            ):
                return str(await client.records.create("backgroundoperation", {"name": "a"}))

        with dv.intercept():
            row_id = asyncio.run(run())
        assert [row_id] == [str(row.id) for row in dv.rows()]

    def test_msal_confidential_client(self) -> None:
        """msal's acquire_token_for_client gets a bearer token the Web API accepts."""
        msal = pytest.importorskip("msal")
        dv = FakeDataverse()
        with dv.intercept():
            app = msal.ConfidentialClientApplication(
                "app-id", client_credential="secret",
                authority=f"{ENTRA_URL}/contoso.onmicrosoft.com",
            )
            result: dict[str, Any] = app.acquire_token_for_client([f"{dv.url}/.default"])
            whoami = requests.get(f"{dv.url}/api/data/v9.2/WhoAmI", timeout=5,
                                  headers={"Authorization": f"Bearer {result['access_token']}"})
        assert "Bearer" == result["token_type"]
        assert str(dv.admin_id) == whoami.json()["UserId"]

    def test_two_fakes_share_the_authority(self) -> None:
        """Two organizations intercepted at once both reach Entra (no conflict)."""
        first, second = FakeDataverse(), FakeDataverse("https://fabrikam.crm.dynamics.com")
        with first.intercept(), second.intercept():
            reply = _token_request(grant_type="client_credentials", client_id="a",
                                   client_secret="s", scope=f"{second.url}/.default")
        assert 200 == reply.status_code

    def test_only_inside_intercept(self) -> None:
        """Entra is answered while a fake is intercepted, and no longer after."""
        dv = FakeDataverse()
        with dv.intercept():
            assert answer_for(TOKEN_URL) is not None
        assert answer_for(TOKEN_URL) is None


class TestRefusals:
    @pytest.mark.parametrize(
        ("form", "status", "error"),
        [
            ({"grant_type": "password", "client_id": "a", "client_secret": "s",
              "scope": "https://x/.default"}, 400, "unsupported_grant_type"),
            ({"grant_type": "client_credentials", "client_secret": "s",
              "scope": "https://x/.default"}, 400, "invalid_request"),
            ({"grant_type": "client_credentials", "client_id": "a",
              "scope": "https://x/.default"}, 401, "invalid_client"),
            ({"grant_type": "client_credentials", "client_id": "a", "client_secret": "s",
              "scope": "https://x/user_impersonation"}, 400, "invalid_scope"),
        ],
    )
    def test_malformed_token_requests(self, form: dict[str, str], status: int, error: str) -> None:
        """A malformed client-credentials request gets Entra's OAuth error, with an AADSTS code."""
        with FakeDataverse().intercept():
            reply = _token_request(**form)
        assert (status, error) == (reply.status_code, reply.json()["error"])
        assert reply.json()["error_description"].startswith("AADSTS")

    def test_unknown_endpoint(self) -> None:
        with FakeDataverse().intercept():
            reply = requests.get(f"{ENTRA_URL}/{TENANT}/oauth2/v2.0/devicecode", timeout=5)
        assert 404 == reply.status_code
