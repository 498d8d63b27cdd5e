"""WhoAmI: the calling user, its business unit and the organization.

Many clients call it first (to check the connection or learn their ``systemuserid``). Under
impersonation the user is the impersonated one, as in Dataverse.
"""

from __future__ import annotations

import uuid
from typing import Any

from fake_dataverse._messages._registry import ExecutionContext, message
from fake_dataverse._messages._requests import OrganizationRequest, OrganizationResponse
from fake_dataverse._storage._organization import Organization

__all__ = ["WhoAmIRequest", "WhoAmIResponse", "business_unit_id", "organization_id"]


def organization_id(org: Organization) -> uuid.UUID:
    """Return the organization's stable id (derived from its URL)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, org.url + "#organization")


def business_unit_id(org: Organization) -> uuid.UUID:
    """Return the id of the organization's root business unit (every user's)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, org.url + "#businessunit")


class WhoAmIRequest(OrganizationRequest):
    """Ask who the caller is."""

    message_name = "WhoAmI"

    def __init__(self, **parameters: Any) -> None:
        super().__init__(parameters=parameters)


class WhoAmIResponse(OrganizationResponse):
    """The caller's ``UserId``, ``BusinessUnitId`` and ``OrganizationId``."""

    @property
    def user_id(self) -> uuid.UUID:
        """The calling (or impersonated) user."""
        return self._results["UserId"]  # type: ignore[no-any-return]

    @property
    def business_unit_id(self) -> uuid.UUID:
        """The user's business unit."""
        return self._results["BusinessUnitId"]  # type: ignore[no-any-return]

    @property
    def organization_id(self) -> uuid.UUID:
        """The organization."""
        return self._results["OrganizationId"]  # type: ignore[no-any-return]


@message(WhoAmIRequest, table_of=lambda request: None)
def _who_am_i(ctx: ExecutionContext, request: WhoAmIRequest) -> WhoAmIResponse:
    return WhoAmIResponse("WhoAmI", {
        "UserId": ctx.caller.user_id,
        "BusinessUnitId": business_unit_id(ctx.org),
        "OrganizationId": organization_id(ctx.org),
    })
