"""Hooking HTTP libraries other than ``requests``: which are installed, patched how, and undone.

Each library adapter (httpx, aiohttp) names the module it needs and the class attributes it
replaces. An interception enters the registry once per installed library, with the library as
the target: the first entry patches it, the last exit puts back exactly what was there before
(the same object, or no attribute of the class's own). A library that is not installed is never
imported. A wrapper somebody else patched over is left in place when the fake leaves; it then
only forwards to what it replaced, so it changes nothing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import attrs

from fake_dataverse._interception._registry import REGISTRY, Handler, Registration, origin

__all__ = [
    "ClassPatch",
    "Library",
    "answer_for",
    "enter_libraries",
    "genuine",
    "serve_origin",
    "unserve_origin",
]

_SENTINEL = object()


@attrs.define(eq=False)
class ClassPatch:
    """One class attribute replaced by a wrapper built from what it replaces."""

    owner: type
    name: str
    build: Callable[[Any], Any]  # previous attribute -> the wrapper
    previous: Any = _SENTINEL
    had_own: bool = False
    wrapper: Any = None

    def apply(self) -> None:
        """Install the wrapper over the current attribute."""
        self.had_own = self.name in vars(self.owner)
        self.previous = getattr(self.owner, self.name)
        self.wrapper = self.build(self.previous)
        setattr(self.owner, self.name, self.wrapper)

    def undo(self) -> None:
        """Put back what was there, unless another patch now sits on top of the wrapper."""
        if vars(self.owner).get(self.name) is not self.wrapper:
            return  # another patch sits on top: the wrapper stays and only forwards
        if self.had_own:
            setattr(self.owner, self.name, self.previous)
        else:
            delattr(self.owner, self.name)


@attrs.define(eq=False)
class Library:
    """An HTTP library the fake can hook: its module and the patches it takes."""

    module: str
    patches: Callable[[], list[ClassPatch]]  # imports the library's adapter (only if installed)
    applied: list[ClassPatch] = attrs.field(factory=list)

    def installed(self) -> bool:
        """Return True when the library can be imported (nothing is imported to tell)."""
        if self.module in sys.modules:
            return True
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False

    def install(self) -> tuple[Callable[[], bool], Callable[[], None]]:
        """Patch the library (once, for its first registration); return (alive, uninstall)."""
        if not self.applied:
            for patch in self.patches():
                patch.apply()
                self.applied.append(patch)

        def uninstall() -> None:
            if not REGISTRY.registrations(self):
                while self.applied:
                    self.applied.pop().undo()

        return (lambda: True), uninstall


_LIBRARIES: list[Library] = []


def _httpx_patches() -> list[ClassPatch]:
    from fake_dataverse._interception._httpx import patches

    return patches()


def _aiohttp_patches() -> list[ClassPatch]:
    from fake_dataverse._interception._aiohttp import patches

    return patches()


def libraries() -> list[Library]:
    """Return the libraries the fake hooks, in patching order."""
    if not _LIBRARIES:
        _LIBRARIES.extend([Library("httpx", _httpx_patches), Library("aiohttp", _aiohttp_patches)])
    return _LIBRARIES


def enter_libraries(url: str, *, owner: object, handler: Handler) -> list[Registration]:
    """Intercept ``url`` in every installed library; return the registrations to exit."""
    entered: list[Registration] = []
    try:
        for library in libraries():
            if library.installed():
                entered.append(
                    REGISTRY.enter(
                        url, owner=owner, handler=handler, target=library, install=library.install
                    )
                )
    except BaseException:
        for registration in reversed(entered):
            REGISTRY.exit(registration)
        raise
    return entered


def genuine(function: Any, package: str) -> bool:
    """Return True when ``function`` is the package's own code (no mock patched over it)."""
    module = sys.modules.get(package)
    code = getattr(function, "__code__", None)
    if module is None or code is None or module.__file__ is None:
        return False
    return bool(code.co_filename.startswith(os.path.dirname(module.__file__)))


# ---- local servers the fake runs: reachable while intercepted ---------------------------------
_SERVED: dict[str, list[Handler]] = {}
_SERVED_LOCK = threading.Lock()


def serve_origin(url: str, answer: Handler) -> None:
    """Record a local server of the fake's: while intercepted, clients reach it in-process."""
    with _SERVED_LOCK:
        _SERVED.setdefault(origin(url), []).append(answer)


def unserve_origin(url: str, answer: Handler) -> None:
    """Forget a local server that stopped."""
    with _SERVED_LOCK:
        key = origin(url)
        held = _SERVED.get(key, [])
        if answer in held:
            held.remove(answer)
        if not held:
            _SERVED.pop(key, None)


def answer_for(url: str, target: object | None = None) -> Handler | None:
    """Return what answers ``url`` while intercepted: an intercepted organization's fake, else
    one of the fake's own local servers (answered in-process, as the server would), else None.
    """
    handler = REGISTRY.handler_for(url, target)
    if handler is not None:
        return handler
    with _SERVED_LOCK:
        held = _SERVED.get(origin(url))
        return held[-1] if held else None
