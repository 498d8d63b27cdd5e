"""Paging and change-tracking links: ``$skiptoken``, ``@odata.nextLink``, ``@odata.deltaLink``.

A next link repeats every original query option (as the client encoded it) and adds
``$skiptoken=<cookie pagenumber="N" pagingcookie="…" istracking="False" />``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_plus
from xml.sax.saxutils import quoteattr

from fake_dataverse._model import _errors as errors

__all__ = ["delta_link", "is_tracking_skiptoken", "next_link", "parse_skiptoken", "skiptoken"]

_COOKIE = re.compile(
    r'<cookie\s+pagenumber="(?P<page>\d{1,9})"\s+pagingcookie="(?P<cookie>[^"]*)"'
    r'\s+istracking="(?P<tracking>False|True)"\s*/>',
    re.ASCII,
)


def skiptoken(page_number: int, paging_cookie: str, *, tracking: bool = False) -> str:
    """Return the ``$skiptoken`` value that asks for a page after a paging cookie."""
    encoded = quote(quote(paging_cookie, safe=""), safe="")
    page = quoteattr(str(page_number))
    flag = "True" if tracking else "False"
    return f'<cookie pagenumber={page} pagingcookie={quoteattr(encoded)} istracking="{flag}" />'


def parse_skiptoken(text: str) -> tuple[int, str]:
    """Return the page number and paging cookie of a ``$skiptoken``.

    Raises:
        InvalidPagingCookie: 0x8004112a for a token the fake did not hand out.
    """
    match = _COOKIE.fullmatch(text.strip())
    if match is None or int(match["page"]) < 2:
        raise errors.InvalidPagingCookie()
    return int(match["page"]), unquote(unquote(match["cookie"]))


def is_tracking_skiptoken(text: str | None) -> bool:
    """Return True for a ``$skiptoken`` handed out on a page of a change-tracking read."""
    match = _COOKIE.fullmatch(text.strip()) if text is not None else None
    return match is not None and match["tracking"] == "True"


def _without(raw_query: str, *names: str) -> list[str]:
    kept = []
    for pair in raw_query.split("&"):
        if pair and unquote_plus(pair.partition("=")[0]) not in names:
            kept.append(pair)
    return kept


def next_link(resource_url: str, raw_query: str, token: str) -> str:
    """Return the absolute ``@odata.nextLink``: the original options plus ``$skiptoken``."""
    pairs = _without(raw_query, "$skiptoken")
    pairs.append("$skiptoken=" + quote(token, safe=""))
    return f"{resource_url}?{'&'.join(pairs)}"


def delta_link(resource_url: str, raw_query: str, data_token: str) -> str:
    """Return the ``@odata.deltaLink``: the original ``$select`` plus ``$deltatoken``."""
    pairs = [
        p for p in _without(raw_query, "$deltatoken") if unquote_plus(p).startswith("$select=")
    ]
    pairs.append("$deltatoken=" + quote(data_token, safe=""))
    return f"{resource_url}?{'&'.join(pairs)}"
