"""The ``Prefer`` header: a comma-separated list of preferences whose values may be quoted.

Preferences that do not apply to a request are ignored, as clients send some (``return=…``,
``odata.include-annotations=*``) on every request.
"""

from __future__ import annotations

import functools

import attrs

from fake_dataverse._model._literals import INT32, parse_integer
from fake_dataverse._webapi._url import split_top_level

__all__ = ["Preferences", "annotation_selected", "applied_header", "parse_prefer"]


@attrs.frozen
class Preferences:
    """The preferences of one request."""

    return_representation: bool = False
    max_page_size: int | None = None
    include_annotations: tuple[str, ...] = ()
    include_annotations_text: str | None = None
    track_changes: bool = False
    continue_on_error: bool = False
    respond_async: bool = False
    callback_url: str | None = None

    def wants(self, annotation: str) -> bool:
        """Return True when ``odata.include-annotations`` covers an annotation name."""
        return annotation_selected(self.include_annotations, annotation)


def annotation_selected(patterns: tuple[str, ...], annotation: str) -> bool:
    """Return True when a pattern list covers an annotation.

    Patterns are ``*``, exact names, and names ending in ``*`` that match by prefix:
    ``A.B.*`` and, as Microsoft's own example writes it, ``Microsoft.PowerApps.CDS.ErrorDetails*``.
    """
    selected = False
    for pattern in patterns:
        excluded = pattern.startswith("-")
        name = pattern[1:] if excluded else pattern
        hit = name == annotation or (name.endswith("*") and annotation.startswith(name[:-1]))
        if hit:
            if excluded:
                return False
            selected = True
    return selected


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _split(header: str) -> list[str]:
    items, quoted, start = [], False, 0
    for index, char in enumerate(header):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append(header[start:index])
            start = index + 1
    items.append(header[start:])
    return [item.strip() for item in items if item.strip()]


def _page_size(value: str) -> int | None:
    return parse_integer(value.strip(), signed=False, minimum=1, maximum=INT32[1])


def parse_prefer(header: str | None) -> Preferences:
    """Parse a ``Prefer`` header; unknown or malformed preferences are ignored."""
    return _parse_prefer(header or "")


@functools.lru_cache(maxsize=256)
def _parse_prefer(header: str) -> Preferences:
    # A client sends the same few headers on every request: each text is parsed once (the
    # result is frozen, so every request may share it).
    found: dict[str, str] = {}
    callback_url = None
    for item in _split(header):
        head, *params = split_top_level(item, ";")
        name, _, value = head.partition("=")
        found.setdefault(name.strip().lower(), _unquote(value))
        if name.strip().lower() == "odata.callback":
            urls = [p.partition("=")[2] for p in params if p.strip().lower().startswith("url")]
            callback_url = _unquote(urls[0]) if urls else None
    annotations = found.get("odata.include-annotations")
    patterns = tuple(p.strip() for p in (annotations or "").split(",") if p.strip())
    return Preferences(
        return_representation=found.get("return") == "representation",
        max_page_size=_page_size(found["odata.maxpagesize"])
        if "odata.maxpagesize" in found
        else None,
        include_annotations=patterns,
        include_annotations_text=annotations,
        track_changes="odata.track-changes" in found,
        continue_on_error="odata.continue-on-error" in found,
        respond_async="respond-async" in found,
        callback_url=callback_url,
    )


def applied_header(prefer: Preferences, *extra: str) -> dict[str, str]:
    """Return ``Preference-Applied`` for the preferences honoured (and annotations asked for)."""
    applied = list(extra)
    if prefer.include_annotations_text:
        applied.append(f'odata.include-annotations="{prefer.include_annotations_text}"')
    return {"Preference-Applied": ",".join(applied)} if applied else {}
