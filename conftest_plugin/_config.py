"""What the ``dataverse`` fixture builds: marker arguments, options and ini values, merged.

Precedence, strongest first: the closest ``@pytest.mark.dataverse`` (function, then class, then
module), then command-line options, then ini values, then the defaults. Nothing here imports
``fake_dataverse``: this module is loaded with the plugin and must stay cheap.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import pytest

__all__ = [
    "MARKER_HELP",
    "DataverseSettings",
    "MarkerError",
    "add_options",
    "constructor_settings",
    "dataverse_marker",
    "marker_options",
    "resolve",
]

DEFAULT_URL = "https://contoso.crm.dynamics.com"
DEFAULT_NOW = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
MARKER_HELP = (
    "dataverse(url=..., rows=[...], now=..., seed=..., user=..., require_calls=..., "
    "<any FakeDataverse setting>=...): configure the fake Dataverse organization of the "
    "`dataverse` fixture"
)
#: Constructor parameters the marker names after what they mean to a test.
_RENAMED = {"clock": "now", "id_factory": "seed"}
#: Marker options the constructor does not have (the fixture applies them after building).
_MARKER_ONLY = ("rows", "user", "require_calls")
#: Settings with a field of their own, an ini value and an option (the report shows those the
#: organization is built from: ``require_calls`` is not one).
_FIELDS = ("url", "now", "seed", "strict_writes", "require_auth", "require_calls")
_UNSET: Any = object()
class MarkerError(Exception):
    """A ``dataverse`` marker, option or ini value that cannot be used; says how to fix it."""


@attrs.frozen
class DataverseSettings:
    """Everything the ``dataverse`` fixture needs to build one organization."""

    url: str = DEFAULT_URL
    now: dt.datetime = DEFAULT_NOW
    seed: int | str = 0
    strict_writes: bool = False
    require_auth: bool = True
    rows: tuple[Any, ...] = ()
    user: str | Mapping[str, Any] | None = None
    #: Fail the test when its code sent the organization no request (checked at teardown).
    require_calls: bool = False
    #: Every other ``FakeDataverse`` setting the marker gave, by constructor name.
    options: Mapping[str, Any] = attrs.field(factory=dict)

    def constructor_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of ``FakeDataverse`` (the URL aside) for these settings."""
        return {
            "clock": self.now,
            "id_factory": self.seed,
            "strict_writes": self.strict_writes,
            "require_auth": self.require_auth,
            **self.options,
        }

    def describe(self) -> str:
        """Return the line a failing test's report shows to reproduce the organization."""
        user = "" if self.user is None else f" user={self.user!r}"
        extra = "".join(f" {name}={value!r}" for name, value in self.options.items())
        arguments = "".join(f", {name}={value!r}" for name, value in self.options.items())
        return (
            f"url={self.url} seed={self.seed!r} now={self.now.isoformat()} "
            f"strict_writes={self.strict_writes} require_auth={self.require_auth}{extra}{user}\n"
            f"(the same organization elsewhere: FakeDataverse({self.url!r}, "
            f"clock={self.now!r}, id_factory={self.seed!r}, "
            f"strict_writes={self.strict_writes}, require_auth={self.require_auth}{arguments}))"
        )


# ---- checking one value ----------------------------------------------------------------------
def _moment(value: Any, where: str) -> dt.datetime:
    from fake_dataverse._storage._clock import moment  # the fake's own reading of a time

    try:
        return moment(value, "now")
    except ValueError as error:
        raise MarkerError(f"{where}: {error}") from None


def _bool(value: Any, name: str, where: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if not isinstance(value, bool):
        raise MarkerError(f"{where}: {name} must be True or False, got {value!r}")
    return value


def _rows(value: Any, where: str) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise MarkerError(
            f"{where}: rows must be a list of rows — Web API JSON dicts "
            f'([{{"name": "export", "priority": 3}}]) or Entity objects; got {value!r}'
        )
    rows = tuple(value)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise MarkerError(f"{where}: rows[{index}] must be a dict or an Entity, got {row!r}")
    return rows


def _user(value: Any, where: str) -> str | Mapping[str, Any]:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("fullname"), str):
        unknown = set(value) - {"fullname", "privileges"}
        if not unknown:
            return value
    raise MarkerError(
        f"{where}: user must be a full name ('Jane Doe') or "
        "{'fullname': 'Jane Doe', 'privileges': ['prvReadbackgroundoperation']}; "
        f"got {value!r}"
    )


def _int(value: Any, name: str, where: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MarkerError(f"{where}: {name} must be an int, got {value!r}")
    return value


def _seed(value: Any, where: str) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MarkerError(f"{where}: seed must be an int or a str, got {value!r}")
    return value


def _url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise MarkerError(
            f"{where}: url must be an organization root such as {DEFAULT_URL!r}, got {value!r}"
        )
    return value.rstrip("/")


def _strict_writes(value: Any, where: str) -> bool:
    return _bool(value, "strict_writes", where)


def _require_auth(value: Any, where: str) -> bool:
    return _bool(value, "require_auth", where)


def _require_calls(value: Any, where: str) -> bool:
    return _bool(value, "require_calls", where)


def _base_seed(value: Any, where: str) -> str:
    return str(value)


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "url": _url,
    "rows": _rows,
    "now": _moment,
    "seed": _seed,
    "strict_writes": _strict_writes,
    "require_auth": _require_auth,
    "user": _user,
    "require_calls": _require_calls,
}
_SUITE_CHECKS: dict[str, Callable[[Any, str], Any]] = {**_CHECKS, "seed": _base_seed}


# ---- the marker --------------------------------------------------------------------------------
def constructor_settings() -> dict[str, str]:
    """Return ``FakeDataverse``'s settings, constructor name -> annotation, in signature order.

    The one source of the marker's options: a setting added to the constructor is a marker
    option at once. Imports ``fake_dataverse``, so it is called only when a marker is read.
    """
    import inspect

    from fake_dataverse import FakeDataverse

    parameters = inspect.signature(FakeDataverse.__init__).parameters
    return {
        name: str(parameter.annotation)
        for name, parameter in parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }


def marker_options() -> tuple[str, ...]:
    """Return every argument ``@pytest.mark.dataverse`` takes, in the constructor's order."""
    names = [_RENAMED.get(name, name) for name in constructor_settings()]
    return (*names, *_MARKER_ONLY)


def _setting_check(name: str, annotation: str) -> Callable[[Any, str], Any]:
    """Return the check of one constructor setting the marker passes on as it is."""
    if annotation == "bool":
        return lambda value, where: _bool(value, name, where)
    if annotation == "int":
        return lambda value, where: _int(value, name, where)
    return lambda value, where: value  # the constructor checks the rest, when the fixture builds


def dataverse_marker(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Return the arguments one ``@pytest.mark.dataverse(...)`` gives, checked.

    Every ``FakeDataverse`` setting is an argument (``clock`` is called ``now``, ``id_factory``
    ``seed``), plus ``rows`` and ``user``.

    Raises:
        MarkerError: for a positional or unknown argument, or a value of the wrong kind.
    """
    options = marker_options()
    if args:
        raise MarkerError(_usage(f"takes 0 positional arguments but {len(args)} were given"))
    for name in kwargs:
        if name not in options:
            raise MarkerError(_usage(f"got an unexpected keyword argument {name!r}", _alike(name)))
    settings = constructor_settings()
    checked: dict[str, Any] = {}
    for name, value in kwargs.items():
        check = _CHECKS.get(name) or _setting_check(name, settings[name])
        checked[name] = check(value, "@pytest.mark.dataverse")
    return checked


def _alike(name: str) -> str:
    import difflib

    if name in _RENAMED:
        return f"The marker calls {name} {_RENAMED[name]}=. "
    alike = difflib.get_close_matches(name, marker_options(), n=1)
    return f"Did you mean {alike[0]!r}? " if alike else ""


def _usage(problem: str, hint: str = "") -> str:
    return (
        f"@pytest.mark.dataverse: {problem}. {hint}It takes keyword arguments only: "
        f"{', '.join(marker_options())} — e.g. "
        f'@pytest.mark.dataverse(url="{DEFAULT_URL}", strict_writes=True)'
    )


def _marker_arguments(item: pytest.Item) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for marker in reversed(list(item.iter_markers("dataverse"))):
        merged.update(dataverse_marker(*marker.args, **marker.kwargs))
    return merged


# ---- options and ini values -------------------------------------------------------------------
_OPTIONS: dict[str, tuple[str, str]] = {
    "url": ("organization URL of the dataverse fixture", DEFAULT_URL),
    "now": ("instant the fake clock starts at (ISO-8601)", DEFAULT_NOW.isoformat()),
    "seed": ("base seed mixed into every test's id seed", ""),
    "strict_writes": ("reject columns a write cannot set, and missing required ones", "false"),
    "require_auth": ("Web API requests need an Authorization: Bearer header", "true"),
    "require_calls": ("fail a test whose code never called its organization", "false"),
}


def add_options(parser: pytest.Parser) -> None:
    """Register the ``dataverse_*`` ini values and ``--dataverse-*`` options."""
    group = parser.getgroup("fake_dataverse", "fake Dataverse organization (fake-dataverse)")
    for name, (text, default) in _OPTIONS.items():
        parser.addini(f"dataverse_{name}", f"{text} (default {default or 'none'})", default=None)
        group.addoption(
            f"--dataverse-{name.replace('_', '-')}",
            dest=f"dataverse_{name}",
            default=None,
            metavar=name.upper(),
            help=f"{text}; overrides the dataverse_{name} ini value",
        )


def _suite_default(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"dataverse_{name}", default=None)
    if value is None:
        value = config.getini(f"dataverse_{name}")
    return str(value) if value not in (None, "") else None


def _defaults(config: pytest.Config) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _OPTIONS:
        raw = _suite_default(config, name)
        if raw is None:
            continue
        where = f"--dataverse-{name.replace('_', '-')} / dataverse_{name}"
        values[name] = _SUITE_CHECKS[name](raw, where)
    return values


def seed_for(base: str, nodeid: str) -> int:
    """Return the id seed of one test: stable across runs, processes and xdist workers."""
    return zlib.crc32(f"{base}|{nodeid}".encode())


def resolve(item: pytest.Item) -> DataverseSettings:
    """Return the settings for a test: marker, then options, then ini values, then defaults.

    Raises:
        MarkerError: for an unknown marker argument or a value of the wrong kind.
    """
    values = _defaults(item.config)
    base_seed = str(values.pop("seed", ""))
    values.update(_marker_arguments(item))
    values.setdefault("seed", seed_for(base_seed, item.nodeid))
    fields = {name: values.pop(name) for name in (*_FIELDS, *_MARKER_ONLY) if name in values}
    return DataverseSettings(**fields, options=values)
