"""Credentials for clients that take an ``azure.core`` ``TokenCredential``: no Microsoft Entra.

``FakeCredential`` and ``FakeAsyncCredential`` follow the ``TokenCredential`` and
``AsyncTokenCredential`` protocols structurally (``azure-core`` is not needed to use them).
Their tokens are the fake's own: with a ``user_id`` the Web API runs each request as that user,
without one as the default caller (the System Administrator).
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from fake_dataverse._model._values import coerce_id
from fake_dataverse._webapi._tokens import audience_of, issue_token

__all__ = ["AccessToken", "FakeAsyncCredential", "FakeCredential"]


class AccessToken(NamedTuple):
    """A token and its expiry in seconds since the epoch (``azure.core``'s ``AccessToken``)."""

    token: str
    expires_on: int


def _user(user_id: uuid.UUID | str | None) -> uuid.UUID | None:
    if user_id is None or isinstance(user_id, uuid.UUID):
        return user_id
    try:
        return coerce_id(user_id)
    except (TypeError, ValueError):
        raise ValueError(
            f"user_id is a systemuserid (what dv.add_user returns), not {user_id!r}"
        ) from None


def _token(user_id: uuid.UUID | None, scopes: tuple[str, ...]) -> AccessToken:
    if not scopes:
        raise ValueError("get_token needs at least one scope, e.g. 'https://<org>/.default'")
    token, expires = issue_token(audience=audience_of(scopes[0]), user_id=user_id)
    return AccessToken(token, expires)


class FakeCredential:
    """A ``TokenCredential`` whose tokens the fake maps to a user (None: the default caller).

    ``DataverseClient(dv.url, FakeCredential())``; ``FakeCredential(dv.add_user("Ann"))`` runs
    every request as Ann, as a token for Ann would.
    """

    def __init__(self, user_id: uuid.UUID | str | None = None) -> None:
        self.user_id = _user(user_id)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """Return a token for the first scope's resource."""
        return _token(self.user_id, scopes)

    def close(self) -> None:
        """Release nothing (the protocol's ``close``)."""

    def __enter__(self) -> FakeCredential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FakeCredential({self.user_id!r})" if self.user_id else "FakeCredential()"


class FakeAsyncCredential:
    """An ``AsyncTokenCredential`` (``async def get_token``) for async clients."""

    def __init__(self, user_id: uuid.UUID | str | None = None) -> None:
        self.user_id = _user(user_id)

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """Return a token for the first scope's resource."""
        return _token(self.user_id, scopes)

    async def close(self) -> None:
        """Release nothing (the protocol's ``close``)."""

    async def __aenter__(self) -> FakeAsyncCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"FakeAsyncCredential({self.user_id!r})" if self.user_id else "FakeAsyncCredential()"
