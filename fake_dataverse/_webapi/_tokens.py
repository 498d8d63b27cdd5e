"""Bearer tokens the fake hands out and reads: unsigned JWTs whose claims name the caller.

Dataverse identifies the caller from the access token's ``oid`` claim (the user's Microsoft
Entra object id). The fake's tokens carry either that claim (tokens from the fake's Microsoft
Entra endpoints) or the ``systemuserid`` of a user directly (:class:`FakeCredential`, which knows
no organization). Any other bearer token is accepted and stands for the default caller, as
before: only tokens the fake issued name a user.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import time
import uuid
from typing import Any

import attrs

__all__ = ["TENANT_ID", "TokenCaller", "issue_token", "read_token"]

#: The tenant every fake token belongs to.
TENANT_ID = "00000000-0000-0000-0000-000000000000"
#: The claim of a fake token that holds a ``systemuserid`` (no real token has it).
USER_CLAIM = "fake_dataverse_systemuserid"
#: Marks a token the fake issued, so a foreign JWT is never read as naming a user.
ISSUER = f"https://sts.windows.net/{TENANT_ID}/"
LIFETIME_SECONDS = 3600


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def audience_of(scope: str) -> str:
    """Return the resource a scope names: ``https://org…/.default`` → ``https://org…``."""
    return scope.removesuffix("/.default").removesuffix("/user_impersonation").rstrip("/")


def issue_token(
    *,
    audience: str,
    user_id: uuid.UUID | None = None,
    object_id: uuid.UUID | None = None,
    app_id: str | None = None,
    now: int | None = None,
) -> tuple[str, int]:
    """Return an unsigned JWT naming a user (or none: the default caller) and its expiry.

    Times are wall-clock seconds: token caches (azure-identity, msal) compare them with the
    real time.
    """
    issued = int(time.time()) if now is None else now
    expires = issued + LIFETIME_SECONDS
    claims: dict[str, Any] = {
        "aud": audience,
        "iss": ISSUER,
        "tid": TENANT_ID,
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "ver": "1.0",
    }
    if user_id is not None:
        claims[USER_CLAIM] = str(user_id)
    if object_id is not None:
        claims["oid"] = str(object_id)
    if app_id is not None:
        claims["appid"] = app_id
        claims["idtyp"] = "app"
    header = _b64({"alg": "none", "typ": "JWT"})
    return f"{header}.{_b64(claims)}.", expires


@attrs.frozen
class TokenCaller:
    """Who a fake token names: a ``systemuserid`` or a Microsoft Entra object id."""

    user_id: uuid.UUID | None = None
    object_id: uuid.UUID | None = None


def _claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None


def _guid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# Cached: a client sends one token with every request, and the answer depends on the token's
# text alone (whether the user it names exists is asked afresh on every request).
@functools.lru_cache(maxsize=64)
def read_token(token: str) -> TokenCaller | None:
    """Return whom a token the fake issued names; None for any other token.

    A fake token whose user claim does not hold a GUID names nobody: ``TokenCaller()`` with
    neither id, which the Web API refuses rather than fall back to the default caller.
    """
    claims = _claims(token)
    if claims is None or claims.get("iss") != ISSUER:
        return None
    if USER_CLAIM in claims:
        return TokenCaller(user_id=_guid(claims[USER_CLAIM]))
    if "oid" in claims:
        return TokenCaller(object_id=_guid(claims["oid"]))
    return None
