"""WhoAmI: the calling user, its business unit and the organization.

Many clients call it first (to check the connection or learn their ``systemuserid``). Under
impersonation the user is the impersonated one, as in Dataverse.
"""

from __future__ import annotations

import uuid

from fake_dataverse._messages._registry import ExecutionContext, MessageRegistry
from fake_dataverse._messages._requests import (
    OrganizationRequest,
    OrganizationResponse,
    Output,
)
from fake_dataverse._storage._organization import Organization

__all__ = ["WhoAmIRequest", "WhoAmIResponse", "business_unit_id", "organization_id"]

#: The messages this module handles (added to the built-in ones by ``_catalogue``).
MESSAGES = MessageRegistry()


def organization_id(org: Organization) -> uuid.UUID:
    """Return the organization's stable id (derived from its URL)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, org.url + "#organization")


def business_unit_id(org: Organization) -> uuid.UUID:
    """Return the id of the organization's root business unit (every user's)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, org.url + "#businessunit")


class WhoAmIRequest(OrganizationRequest):
    """Ask who the caller is."""

    message_name = "WhoAmI"


class WhoAmIResponse(OrganizationResponse):
    """The caller's ``UserId``, ``BusinessUnitId`` and ``OrganizationId``."""

    #: The calling (or impersonated) user.
    user_id = Output[uuid.UUID]("UserId")
    #: The user's business unit.
    business_unit_id = Output[uuid.UUID]("BusinessUnitId")
    #: The organization.
    organization_id = Output[uuid.UUID]("OrganizationId")


@MESSAGES.handler(WhoAmIRequest, table_of=lambda request: None)
def _who_am_i(ctx: ExecutionContext, request: WhoAmIRequest) -> WhoAmIResponse:
    return WhoAmIResponse("WhoAmI", {
        "UserId": ctx.caller.user_id,
        "BusinessUnitId": business_unit_id(ctx.org),
        "OrganizationId": organization_id(ctx.org),
    })
