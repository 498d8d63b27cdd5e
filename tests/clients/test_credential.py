"""FakeCredential / FakeAsyncCredential: tokens the fake maps to its users."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import pytest
import requests

from fake_dataverse import FakeAsyncCredential, FakeCredential, FakeDataverse

SCOPE = "https://contoso.crm.dynamics.com/.default"


def whoami(dv: FakeDataverse, token: str, **headers: str) -> requests.Response:
    with dv.intercept():
        return requests.get(
            f"{dv.url}/api/data/v9.2/WhoAmI",
            headers={"Authorization": f"Bearer {token}", **headers},
            timeout=5,
        )


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


class TestFakeCredential:
    def test_token_without_user_is_the_default_caller(self) -> None:
        """FakeCredential() stands for the System Administrator, like any other token."""
        dv = FakeDataverse()
        token = FakeCredential().get_token(SCOPE)
        assert str(dv.admin_id) == whoami(dv, token.token).json()["UserId"]

    def test_token_names_an_added_user(self) -> None:
        """FakeCredential(user_id): WhoAmI and createdby are that user, no header needed."""
        dv = FakeDataverse()
        ann = dv.add_user("Ann")
        token = FakeCredential(ann).get_token(SCOPE).token
        assert str(ann) == whoami(dv, token).json()["UserId"]
        with dv.intercept():
            reply = requests.post(
                f"{dv.url}/api/data/v9.2/backgroundoperations",
                json={"name": "export"},
                headers={"Authorization": f"Bearer {token}", "Prefer": "return=representation"},
                timeout=5,
            )
        assert 201 == reply.status_code
        assert str(ann) == reply.json()["_createdby_value"]
        assert ann == dv.rows()[0]["createdby"].id

    def test_least_privilege_user_is_refused(self) -> None:
        """A token for a read-only user gets 403 on a write, and nothing is stored."""
        dv = FakeDataverse()
        reader = dv.add_user("Reader", privileges=["prvReadbackgroundoperation"])
        token = FakeCredential(str(reader)).get_token(SCOPE).token
        with dv.intercept():
            reply = requests.post(
                f"{dv.url}/api/data/v9.2/backgroundoperations",
                json={"name": "export"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
        assert (403, "0x80040220") == (reply.status_code, reply.json()["error"]["code"])
        assert [] == dv.rows()

    def test_unknown_user_is_caller_not_found(self) -> None:
        """A token for a user the organization does not have: 404 0x80040217, as the header."""
        dv = FakeDataverse()
        stranger = uuid.UUID(int=7)
        reply = whoami(dv, FakeCredential(stranger).get_token(SCOPE).token)
        assert (404, "0x80040217") == (reply.status_code, reply.json()["error"]["code"])
        assert str(stranger) in reply.json()["error"]["message"]

    def test_token_user_impersonates_with_header(self) -> None:
        """The token's user is the real caller; MSCRMCallerID picks whom it acts for."""
        dv = FakeDataverse()
        ann, bob = dv.add_user("Ann"), dv.add_user("Bob")
        token = FakeCredential(ann).get_token(SCOPE).token
        assert str(bob) == whoami(dv, token, MSCRMCallerID=str(bob)).json()["UserId"]
        weak = dv.add_user("Weak", privileges=["prvReadbackgroundoperation"])
        token = FakeCredential(weak).get_token(SCOPE).token
        assert 403 == whoami(dv, token, MSCRMCallerID=str(bob)).status_code

    def test_forged_user_claim_is_unauthorized(self) -> None:
        """A fake token whose user claim is not a GUID is refused, never the admin."""
        dv = FakeDataverse()
        token = FakeCredential(dv.add_user("Ann")).get_token(SCOPE).token
        header, _, _ = token.split(".")
        body = claims(token)
        body["fake_dataverse_systemuserid"] = "not-a-guid"
        raw = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
        assert 401 == whoami(dv, f"{header}.{raw}.").status_code

    def test_token_shape(self) -> None:
        """get_token answers .token/.expires_on in the future, audience from the scope."""
        token = FakeCredential().get_token(SCOPE, tenant_id="x")
        assert token.expires_on > time.time() + 600
        assert "https://contoso.crm.dynamics.com" == claims(token.token)["aud"]

    def test_scope_is_required(self) -> None:
        """get_token() without a scope is a ValueError (as azure-identity's credentials)."""
        with pytest.raises(ValueError, match="scope"):
            FakeCredential().get_token()

    def test_user_id_must_be_a_guid(self) -> None:
        """A user id that is not a GUID is a ValueError naming it."""
        with pytest.raises(ValueError, match="'Ann'"):
            FakeCredential("Ann")

    def test_azure_core_protocols(self) -> None:
        """isinstance checks of azure.core's runtime protocols (the SDK makes them) pass."""
        credentials = pytest.importorskip("azure.core.credentials")
        credentials_async = pytest.importorskip("azure.core.credentials_async")
        assert isinstance(FakeCredential(), credentials.TokenCredential)
        assert isinstance(FakeAsyncCredential(), credentials_async.AsyncTokenCredential)


class TestFakeAsyncCredential:
    def test_async_token_names_the_user(self) -> None:
        """await get_token(...) gives a token for the same user as the sync credential."""
        dv = FakeDataverse()
        ann = dv.add_user("Ann")

        async def fetch() -> str:
            async with FakeAsyncCredential(ann) as credential:
                return (await credential.get_token(SCOPE)).token

        token = asyncio.run(fetch())
        assert str(ann) == whoami(dv, token).json()["UserId"]


class TestOfficialClient:
    def test_dataverse_client_with_fake_credential(self) -> None:
        """DataverseClient(dv.url, FakeCredential(user)) writes as that user."""
        client_module = pytest.importorskip("PowerPlatform.Dataverse.client")
        dv = FakeDataverse()
        ann = dv.add_user("Ann")
        with dv.intercept(), client_module.DataverseClient(dv.url, FakeCredential(ann)) as sdk:
            row_id = sdk.records.create("backgroundoperation", {"name": "export"})
        assert ann == dv.rows()[0]["createdby"].id
        assert row_id == str(dv.rows()[0].id)
