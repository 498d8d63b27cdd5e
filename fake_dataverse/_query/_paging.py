"""Paging cookies: Dataverse's ``<cookie page="1"><col last="…" first="…" />…</cookie>`` format.

A cookie holds one element per sort column (the query's orders, then the primary key), each
with the first and last row's value on the page (``lastnull="1"`` for a null value), then, when
the last row lives in a custom partition, the partition column's element: the full sort key ends
with the partition, since rows may share an id across partitions. The next page resumes strictly
after the last row's full sort key, so rows inserted or deleted between page reads are neither
skipped nor repeated.

For the Web API's FetchXML paging annotation (``@Microsoft.Dynamics.CRM.fetchxmlpagingcookie``)
use :func:`fetchxml_paging_cookie_annotation` on ``EntityCollection.paging_cookie``; it returns
``<cookie pagenumber="2" pagingcookie="<double-url-encoded cookie>" istracking="False" />``.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fake_dataverse._model import _errors as errors
from fake_dataverse._model._literals import INT32, parse_integer
from fake_dataverse._model._metadata import EntityMetadata
from fake_dataverse._query._bind import column, raw_from_text
from fake_dataverse._query._evaluate import SortColumn

__all__ = [
    "PagingCookie",
    "build_cookie",
    "fetchxml_paging_cookie_annotation",
    "parse_cookie",
]


@attrs.frozen
class PagingCookie:
    """A parsed cookie: the page it was returned with and the last row's raw sort values."""

    page: int
    last: tuple[Any, ...]
    partition: str | None = None


def _text(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return "{" + str(value).upper() + "}"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")[:-6] + "Z"
    return str(value)


def _set(element: ET.Element, which: str, value: Any) -> None:
    if value is None:
        element.set(f"{which}null", "1")
    else:
        element.set(which, _text(value))


def build_cookie(
    columns: Sequence[SortColumn],
    page: int,
    first: Mapping[str, Any],
    last: Mapping[str, Any],
) -> str:
    """Return the cookie for a page whose first and last rows have these raw values."""
    root = ET.Element("cookie", page=str(page))
    for name, _ in columns:
        element = ET.SubElement(root, name)
        _set(element, "last", last.get(name))
        _set(element, "first", first.get(name))
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _invalid() -> errors.DataverseError:
    return errors.InvalidPagingCookie()


def _last_value(table: EntityMetadata, element: ET.Element) -> Any:
    if element.get("lastnull") == "1":
        return None
    text = element.get("last")
    if text is None:
        raise _invalid()
    try:
        return raw_from_text(table, column(table, element.tag), text)
    except errors.DataverseError:
        raise _invalid() from None


def parse_cookie(
    table: EntityMetadata,
    columns: Sequence[SortColumn],
    text: str,
    partition_column: str | None = None,
) -> PagingCookie:
    """Parse a paging cookie written for this sort.

    ``partition_column`` names the element that may follow the sort columns with the last row's
    partition (cookies of rows in a custom partition carry it).

    Raises:
        InvalidPagingCookie: 0x8004112a when the text is not such a cookie.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise _invalid() from None
    page = parse_integer(root.get("page", ""), signed=False, minimum=1, maximum=INT32[1])
    children = list(root)
    if root.tag != "cookie" or page is None:
        raise _invalid()
    names = [name for name, _ in columns]
    tags = [child.tag for child in children]
    partition = None
    if partition_column is not None and tags == [*names, partition_column]:
        partition = _last_value(table, children.pop())
        if partition is None:
            raise _invalid()
    elif tags != names:
        raise _invalid()
    return PagingCookie(page, tuple(_last_value(table, c) for c in children), partition)


def fetchxml_paging_cookie_annotation(paging_cookie: str, page: int) -> str:
    """Return the Web API's ``fetchxmlpagingcookie`` annotation for a page's paging cookie.

    ``page`` is the page the cookie was returned with; the annotation names the next one.
    """
    encoded = urllib.parse.quote(urllib.parse.quote(paging_cookie, safe=""), safe="")
    element = ET.Element(
        "cookie", pagenumber=str(page + 1), pagingcookie=encoded, istracking="False"
    )
    return ET.tostring(element, encoding="unicode")
