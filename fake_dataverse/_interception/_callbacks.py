"""Completion callbacks sent the way a client would send them: a ``requests`` POST.

So whatever intercepts ``requests`` in the test receives them: a ``responses`` route the test
added, another fake organization's interception, a ``requests-mock`` route, or a local server the
test passed through. Nothing goes to the network: the POST is sent only while a ``responses``
mock or a ``requests-mock`` Mocker is active (an unmatched URL then fails inside them, with
``ConnectionError`` or ``NoMockAddress``), and a URL the ``responses`` mock would pass through to
the network is sent only when it is a loopback address.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import responses

__all__ = ["deliver_callback"]

_LOOPBACK_NAMES = frozenset({"localhost"})
TIMEOUT_SECONDS = 30
MockT = TypeVar("MockT")


def _closed_over(function: object, kind: type[MockT]) -> MockT | None:
    """Return the ``kind`` object a patched function closes over (how both mocking libraries
    install themselves: ``responses`` on ``HTTPAdapter.send``, ``requests-mock`` on
    ``Session.send``), or None."""
    for cell in getattr(function, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(value, kind):
            return value
    return None


def _active_mock() -> responses.RequestsMock | None:
    """Return the ``responses`` mock that receives ``requests`` calls now (the latest started),
    or None."""
    return _closed_over(requests.adapters.HTTPAdapter.send, responses.RequestsMock)


def _requests_mock_refuses_unmatched() -> bool:
    """Return True when a ``requests-mock`` Mocker is active and sends nothing it does not match
    on (``real_http=False``): every POST then stays inside it."""
    module = sys.modules.get("requests_mock")  # not imported: no Mocker can be active
    if module is None:
        return False
    mocker = _closed_over(requests.Session.send, module.Mocker)
    return mocker is not None and not getattr(mocker, "real_http", True)


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _passes_through(mock: responses.RequestsMock, url: str, body: Mapping[str, Any]) -> bool:
    """Return True when ``mock`` would send this POST on to the network."""
    prepared: Any = requests.Request("POST", url, json=dict(body)).prepare()
    prepared.params, prepared.req_kwargs = {}, {}  # what responses' matchers read
    for registered in mock.registered():
        try:
            matched = registered.matches(prepared)[0]
        except Exception:  # a matcher that cannot judge this request does not match it
            matched = False
        if matched:
            return bool(registered.passthrough)
    return any(
        prefix.match(url) if hasattr(prefix, "match") else url.startswith(str(prefix))
        for prefix in mock.passthru_prefixes
    )


def deliver_callback(url: str, body: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """POST a completion callback; return the receiver's status, or None and why not.

    Never raises: an exception on the way (``ConnectionError`` from an unmatched ``responses``
    mock, an error in the receiving route) is returned as its text.
    """
    host = urlsplit(url).netloc or url
    if _requests_mock_refuses_unmatched():
        return _post(url, body)
    mock = _active_mock()
    if mock is None:
        return None, (
            f"not delivered: no responses mock is active to receive the POST to {host} "
            "(the fake never sends to the network)"
        )
    if _passes_through(mock, url, body) and not _is_loopback(url):
        return None, (
            f"not delivered: the active responses mock would pass the POST to {host} through "
            "to the network (the fake sends callbacks only to mocked routes or loopback servers)"
        )
    return _post(url, body)


def _post(url: str, body: Mapping[str, Any]) -> tuple[int | None, str | None]:
    try:
        response = requests.post(url, json=dict(body), timeout=TIMEOUT_SECONDS)
    except Exception as error:  # a failed delivery is recorded, never raised
        return None, f"{type(error).__name__}: {error}"
    return response.status_code, None
