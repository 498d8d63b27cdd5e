"""One organization's state: its tables' metadata, the store, the settings and the users.

This is what message handlers work on. Users are rows of the ``systemuser`` table plus the set of
privileges each one holds (``None`` for a System Administrator, who holds every privilege).
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Iterable
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._address import default_partition
from fake_dataverse._model._metadata import EntityKeyMetadata, EntityMetadata, MetadataRegistry
from fake_dataverse._model._validation import WriteSettings
from fake_dataverse._storage._calls import CallScope
from fake_dataverse._storage._clock import Clock, IdFactory
from fake_dataverse._storage._faults import FaultInjector
from fake_dataverse._storage._request_log import RequestLogEntries
from fake_dataverse._storage._store import Store, StoredRow

__all__ = ["Caller", "Organization", "Settings", "User"]

_PRIVILEGE_NAMESPACE = uuid.UUID("0b7a3c52-4f0e-4b7e-8a57-2f4f61e0c9d3")
_ACTIVE_ON_BEHALF = "prvActOnBehalfOfAnotherUser"
_ACCESS_RIGHTS = ("Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share")


@attrs.frozen(kw_only=True)
class Settings:
    """The fidelity settings of an organization."""

    strict_writes: bool = False
    enforce_state_status: bool = True
    atomic_changesets: bool = False
    ttl_emits_deletes: bool = False
    change_tracking_expiry_days: int = 30
    max_page_size: int = attrs.field(default=5000)
    require_auth: bool = True

    @max_page_size.validator
    def _check_page_size(self, _: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 5000:
            raise ValueError("max_page_size must be between 1 and 5000")

    _writes: WriteSettings = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # Every write reads these; the settings are frozen, so they are made once.
        writes = WriteSettings(
            strict_writes=self.strict_writes, enforce_state_status=self.enforce_state_status
        )
        object.__setattr__(self, "_writes", writes)

    @property
    def writes(self) -> WriteSettings:
        """Return the part of the settings that validation reads."""
        return self._writes


@attrs.frozen
class User:
    """A ``systemuser`` and the privileges it holds (None: every privilege)."""

    id: uuid.UUID
    fullname: str
    privileges: frozenset[str] | None
    azure_object_id: uuid.UUID

    def holds(self, privilege: str) -> bool:
        """Return True when the user holds a privilege."""
        return self.privileges is None or privilege in self.privileges


@attrs.frozen
class Caller:
    """Who runs a message: ``user_id``, and ``on_behalf_of_id`` when impersonating.

    Under impersonation ``user_id`` is the impersonated user (it becomes ``createdby``) and
    ``on_behalf_of_id`` the real caller (``createdonbehalfby``).
    """

    user_id: uuid.UUID
    on_behalf_of_id: uuid.UUID | None = None


class Organization:
    """The state one fake Dataverse organization holds."""

    def __init__(
        self,
        *,
        url: str,
        metadata: MetadataRegistry,
        settings: Settings,
        clock: Clock,
        ids: IdFactory,
    ) -> None:
        self.url = url
        self.metadata = metadata
        self.settings = settings
        self.clock = clock
        self.ids = ids
        self.store = Store(
            clock,
            ids,
            ttl_emits_deletes=settings.ttl_emits_deletes,
            alternate_keys=self._alternate_keys,
            change_tracking_expiry_days=settings.change_tracking_expiry_days,
        )
        self.users: dict[uuid.UUID, User] = {}
        self.custom_apis: dict[str, Any] = {}  # unique name -> _background.CustomApi
        self.background: Any = None  # the background operations' state (messages layer)
        self.calls = CallScope()
        self.faults = FaultInjector()
        self.request_log = RequestLogEntries()
        self.admin_id = uuid.uuid5(uuid.NAMESPACE_URL, url + "#systemadministrator")
        self._add_admin()

    # ---- tables -------------------------------------------------------------------------
    def _alternate_keys(self, logical_name: str) -> tuple[EntityKeyMetadata, ...]:
        table = self.metadata.get(logical_name)
        return table.alternate_keys if table is not None else ()

    def table(self, logical_name: str) -> EntityMetadata:
        """Return a table's metadata.

        Raises:
            EntityNotFound: 0x80040217 when the organization has no such table.
        """
        table = self.metadata.get(logical_name)
        if table is None:
            raise errors.EntityNotFound(entity=logical_name)
        return table

    # ---- users ---------------------------------------------------------------------------
    def _add_admin(self) -> None:
        self._store_user(
            User(self.admin_id, "System Administrator", None, uuid.uuid5(self.admin_id, "aad")),
            domain="admin@contoso.onmicrosoft.com",
            initial=True,
        )

    def add_user(
        self,
        fullname: str,
        *,
        privileges: Iterable[str] | None = None,
        user_id: uuid.UUID | None = None,
        azure_object_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Add a ``systemuser`` holding ``privileges`` (None: every privilege); return its id."""
        with self.store.lock:
            new_id = user_id or self.ids.new_id()
            held = None if privileges is None else self._checked_privileges(privileges)
            user = User(new_id, fullname, held, azure_object_id or uuid.uuid5(new_id, "aad"))
            domain = fullname.lower().replace(" ", ".") + "@contoso.onmicrosoft.com"
            self._store_user(user, domain=domain)
            return new_id

    def _checked_privileges(self, privileges: Iterable[str]) -> frozenset[str]:
        """Return the privileges to hold, refusing one bare string or a misspelt privilege.

        Raises:
            TypeError: ``privileges`` is a string (it would be read as its characters).
            ValueError: a name differs from a known privilege's only in case, or barely.
        """
        if isinstance(privileges, str):
            raise TypeError(
                f"privileges is a list of privilege names, not one string: "
                f"write privileges=[{privileges!r}]"
            )
        held = frozenset(privileges)
        known = {_ACTIVE_ON_BEHALF} | {
            table.privilege_name(access) for table in self.metadata for access in _ACCESS_RIGHTS
        }
        by_folded = {name.casefold(): name for name in known}
        for name in sorted(held - known):
            alike = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.9)
            if alike:
                raise ValueError(
                    f"no privilege is named {name!r} (privilege names are case-sensitive): "
                    f"did you mean {by_folded[alike[0]]!r}?"
                )
        return held

    def _store_user(self, user: User, *, domain: str, initial: bool = False) -> None:
        now = self.clock.now()
        values = {
            "systemuserid": user.id,
            "fullname": user.fullname,
            "firstname": None,
            "lastname": user.fullname,
            "domainname": domain,
            "internalemailaddress": domain,
            "azureactivedirectoryobjectid": user.azure_object_id,
            "isdisabled": False,
            "createdon": now,
            "modifiedon": now,
        }
        layout = self.table("systemuser").row_layout
        row = StoredRow(
            table="systemuser", id=user.id, partition=default_partition(user.id),
            values=layout.pack(values),
        )
        self.store.commit(row, moment=now, version_column="versionnumber", initial=initial)
        self.users[user.id] = user

    def user(self, user_id: uuid.UUID) -> User:
        """Return a user.

        Raises:
            CallerNotFound: 0x80040217 for an unknown user id.
        """
        user = self.users.get(user_id)
        if user is None:
            raise errors.CallerNotFound(id=user_id)
        return user

    def user_by_object_id(self, object_id: uuid.UUID) -> User | None:
        """Return the user with this Microsoft Entra object id, or None."""
        return next((u for u in self.users.values() if u.azure_object_id == object_id), None)

    def user_name(self, user_id: uuid.UUID) -> str | None:
        """Return a user's full name, or None for an unknown id."""
        user = self.users.get(user_id)
        return user.fullname if user is not None else None

    def check_caller(self, caller: Caller) -> None:
        """Check that a caller (and the impersonating user) may act.

        Raises:
            CallerNotFound: 0x80040217 for an unknown user.
            PrivilegeDenied: 0x80040220 when the real caller may not impersonate.
        """
        self.user(caller.user_id)
        if caller.on_behalf_of_id is not None:
            real = self.user(caller.on_behalf_of_id)
            if not real.holds(_ACTIVE_ON_BEHALF):
                raise self._denied(real, _ACTIVE_ON_BEHALF, None)

    def check_privilege(self, caller: Caller, table: EntityMetadata, access: str) -> None:
        """Check that the caller holds ``prv<access><table>`` (both users, when impersonating).

        Raises:
            PrivilegeDenied: 0x80040220 naming the missing privilege.
        """
        privilege = table.privilege_name(access)
        user = self.user(caller.user_id)
        if user.privileges is not None and privilege not in user.privileges:  # User.holds
            raise self._denied(user, privilege, table)
        if caller.on_behalf_of_id is not None:
            real = self.user(caller.on_behalf_of_id)
            if not real.holds(privilege):
                raise self._denied(real, privilege, table)

    def _denied(self, user: User, privilege: str, table: EntityMetadata | None) -> Exception:
        return errors.PrivilegeDenied(
            user_id=user.id,
            privilege=privilege,
            privilege_id=uuid.uuid5(_PRIVILEGE_NAMESPACE, privilege),
            otc=table.object_type_code if table is not None else 8,
            entity=table.logical_name if table is not None else "systemuser",
        )

    # ---- whole organization ------------------------------------------------------------------
    def reset(self, start: dt.datetime | None = None) -> None:
        """Remove every row and every added user; restart the id sequence (versions go on)."""
        with self.store.lock:
            self.store.clear()
            self.ids.reset()
            self.users.clear()
            if self.background is not None:
                self.background.clear()
            self.faults.clear()
            self.request_log.clear()
            if start is not None:
                self.clock.set(start)
            self._add_admin()
