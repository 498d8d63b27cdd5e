"""Which fake answers for which organization URL while an interception is active.

Every adapter records its interceptions here: one :class:`Registration` per (organization URL,
target), where the target is what the adapter patched (a ``responses`` mock, …). Entering the
same fake on the same target again only raises the registration's count, so interceptions nest
and overlap, from any thread; the adapter installs its hook on the first entry and removes it on
the last exit. A second fake at a URL another fake is intercepted on is refused with an error
naming the URL: two fakes at one URL would each silently see part of the traffic.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable

import attrs

from fake_dataverse._webapi._http import HttpRequest, HttpResponse

__all__ = ["REGISTRY", "Handler", "InterceptionRegistry", "Registration", "origin"]

Handler = Callable[[HttpRequest], HttpResponse]
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}
_HOST = re.compile(r"[^/?#]*")  # what follows "://" up to the path, query or fragment


@functools.lru_cache(maxsize=256)  # every request asks, mostly about the same few URLs
def origin(url: str) -> str:
    """Return the ``scheme://host`` a URL is on, lower-cased, without its default port.

    Any text is accepted (a request URL may hold characters ``urllib`` refuses): a URL with no
    scheme has the empty origin, which no organization has.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return ""
    host = _HOST.match(rest).group()  # type: ignore[union-attr]  # it matches the empty text
    scheme, host = scheme.lower(), host.lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default is not None and host.endswith(default):
        host = host[: -len(default)]
    return f"{scheme}://{host}"


@attrs.define(kw_only=True, eq=False)
class Registration:
    """One fake intercepted on one target, entered ``count`` times."""

    origin: str
    url: str
    owner: object
    handler: Handler
    target: object
    alive: Callable[[], bool]
    uninstall: Callable[[], None]
    count: int = 1


class InterceptionRegistry:
    """The active interceptions of this process, by organization URL (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._active: dict[str, list[Registration]] = {}

    @property
    def lock(self) -> threading.RLock:
        """The lock adapters hold while they install or remove their hooks."""
        return self._lock

    def enter(
        self,
        url: str,
        *,
        owner: object,
        handler: Handler,
        target: object,
        install: Callable[[], tuple[Callable[[], bool], Callable[[], None]]],
    ) -> Registration:
        """Count one more interception of ``owner`` at ``url`` on ``target``.

        ``install`` runs only for the first one on that target; it hooks the adapter in and
        returns ``(alive, uninstall)``: whether the hook still works (a mock that was stopped or
        emptied behind the fake's back no longer does), and how to remove it.

        Raises:
            RuntimeError: another fake is intercepted at the same URL.
        """
        key = origin(url)
        with self._lock:
            self._prune()
            held = self._active.setdefault(key, [])
            for registration in held:
                if registration.owner is not owner:
                    raise RuntimeError(
                        f"another FakeDataverse is already intercepted at {url}: requests to one "
                        "URL can reach only one fake. Give each fake its own url "
                        "(FakeDataverse('https://<name>.crm.dynamics.com')), or end the other "
                        "fake's intercept() first."
                    )
            for registration in held:
                if registration.target is target:
                    registration.count += 1
                    return registration
            alive, uninstall = install()
            registration = Registration(
                origin=key,
                url=url,
                owner=owner,
                handler=handler,
                target=target,
                alive=alive,
                uninstall=uninstall,
            )
            held.append(registration)
            return registration

    def exit(self, registration: Registration) -> None:
        """Count one interception less; the last one removes the adapter's hook."""
        with self._lock:
            registration.count -= 1
            if registration.count > 0:
                return
            held = self._active.get(registration.origin, [])
            if registration in held:
                held.remove(registration)
            if not held:
                self._active.pop(registration.origin, None)
            registration.uninstall()

    def handler_for(self, url: str, target: object | None = None) -> Handler | None:
        """Return the handler serving ``url``: the registration on ``target`` first, else any."""
        key = origin(url)
        with self._lock:
            held = self._active.get(key, ())
            for registration in held:
                if registration.target is target and registration.alive():
                    return registration.handler
            for registration in held:
                if registration.alive():
                    return registration.handler
            return None

    def urls(self) -> list[str]:
        """Return the organization URLs with a live interception."""
        with self._lock:
            return [held[0].url for held in self._active.values() if any(r.alive() for r in held)]

    def _prune(self) -> None:
        """Forget registrations whose hook no longer works (their target was torn down)."""
        for key in list(self._active):
            live = [r for r in self._active[key] if r.alive()]
            if live:
                self._active[key] = live
            else:
                del self._active[key]

    def registrations(self, target: object) -> list[Registration]:
        """Return the registrations on one target."""
        with self._lock:
            return [r for held in self._active.values() for r in held if r.target is target]


#: The one registry of the process: interception patches process-wide hooks, so who answers for
#: a URL is process-wide too.
REGISTRY = InterceptionRegistry()
