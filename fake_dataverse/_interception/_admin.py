"""The admin API under ``/_fake/``: what Python tests do through ``dv``, for any client.

Each route is a thin translation of one JSON request onto one method of the fake (reset,
snapshot/restore, the clock, the background runner, fault injection, users); nothing here holds
a rule of its own. Answers are JSON; a request the fake refuses is 400 (404 for an unknown
route or snapshot) with ``{"error": {"message": …}}`` naming what to send instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any, Protocol

from fake_dataverse._model import _errors as errors
from fake_dataverse._storage._clock import moment
from fake_dataverse._webapi._http import HttpRequest, HttpResponse

__all__ = ["ADMIN_PREFIX", "AdminApi"]

ADMIN_PREFIX = "/_fake/"


class Fake(Protocol):
    """What the admin API drives: the public surface of ``FakeDataverse``."""

    url: str

    @property
    def clock(self) -> Any: ...
    @property
    def background(self) -> Any: ...
    @property
    def faults(self) -> Any: ...
    @property
    def requests(self) -> Any: ...
    def reset(self) -> None: ...
    def snapshot(self) -> Any: ...
    def restore(self, snapshot: Any) -> None: ...
    def add_user(self, fullname: str, *, privileges: Any = None) -> Any: ...


class AdminError(Exception):
    """A request the admin API refuses: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


Route = Callable[["AdminApi", dict[str, Any]], tuple[int, Any]]
_ROUTES: dict[tuple[str, str], Route] = {}


def admin(method: str, path: str) -> Callable[[Route], Route]:
    """Register an admin route (``path`` is below ``/_fake/``)."""

    def register(route: Route) -> Route:
        _ROUTES[(method, path)] = route
        return route

    return register


def _field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = None,
           *, required: bool = False) -> Any:
    if name not in body:
        if required:
            raise AdminError(400, f"the JSON body needs {name!r}")
        return default
    value = body[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise AdminError(400, f"{name!r} must be {_names(kind)}, not {value!r}")
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _kinds(kind))


def _clock_state(api: AdminApi) -> dict[str, Any]:
    clock = api.fake.clock
    now = clock.now().astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return {"now": now, "frozen": clock.frozen}


class AdminApi:
    """The ``/_fake/`` routes of one fake (snapshots are kept here, by id)."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.snapshots: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def new_snapshot_id(self) -> str:
        """Return the next snapshot id."""
        with self._lock:
            return str(next(self._ids))

    def handle(self, request: HttpRequest, path: str) -> HttpResponse:
        """Answer one admin request (``path`` is below ``/_fake/``, without a query)."""
        route = _ROUTES.get((request.method.upper(), path.strip("/")))
        try:
            if route is None:
                known = ", ".join(f"{m} /_fake/{p}" for m, p in sorted(_ROUTES, key=lambda k: k[1]))
                raise AdminError(404, f"no admin route {request.method} /_fake/{path}; "
                                      f"the routes are: {known}")
            status, body = route(self, _json_body(request.body))
        except AdminError as error:
            status, body = error.status, {"error": {"message": str(error)}}
        except (ValueError, TypeError, LookupError, errors.DataverseError) as error:
            status, body = 400, {"error": {"message": str(error)}}
        if body is None:
            return HttpResponse(status, {}, b"")
        data = json.dumps(body, default=str).encode("utf-8")
        return HttpResponse(status, {"Content-Type": "application/json; charset=utf-8"}, data)


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise AdminError(400, "the body must be a JSON object") from None
    if not isinstance(value, dict):
        raise AdminError(400, "the body must be a JSON object")
    return value


# ---- state ---------------------------------------------------------------------------------
@admin("GET", "")
def _index(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"url": api.fake.url, "routes": [f"{m} /_fake/{p}" for m, p in sorted(_ROUTES)]}


@admin("POST", "reset")
def _reset(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    api.fake.reset()
    return 204, None


@admin("POST", "snapshot")
def _snapshot(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    snapshot_id = api.new_snapshot_id()
    api.snapshots[snapshot_id] = api.fake.snapshot()
    return 201, {"id": snapshot_id}


@admin("POST", "restore")
def _restore(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    snapshot_id = _field(body, "id", str, required=True)
    if snapshot_id not in api.snapshots:
        raise AdminError(404, f"no snapshot {snapshot_id!r}; POST /_fake/snapshot returns an id")
    api.fake.restore(api.snapshots[snapshot_id])
    return 204, None


@admin("POST", "users")
def _add_user(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    fullname = _field(body, "fullname", str, required=True)
    privileges = _field(body, "privileges", list)
    return 201, {"systemuserid": str(api.fake.add_user(fullname, privileges=privileges))}


# ---- the clock -------------------------------------------------------------------------------
@admin("GET", "clock")
def _clock(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, _clock_state(api)


@admin("PUT", "clock")
def _set_clock(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    if "now" in body:
        api.fake.clock.set(moment(_field(body, "now", str), "'now'"))  # bad text: a 400
    frozen = _field(body, "frozen", bool)
    if frozen is True:
        api.fake.clock.freeze()
    elif frozen is False:
        api.fake.clock.unfreeze()
    return 200, _clock_state(api)


@admin("POST", "clock/advance")
def _advance_clock(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    units = ("seconds", "minutes", "hours", "days", "weeks")
    unknown = sorted(set(body) - set(units))
    if unknown:
        raise AdminError(400, f"unknown field {unknown[0]!r}; give any of {', '.join(units)}")
    step = {unit: _field(body, unit, (int, float)) for unit in units if unit in body}
    api.fake.clock.advance(**step)
    return 200, _clock_state(api)


# ---- background operations ---------------------------------------------------------------------
def _operation(body: dict[str, Any]) -> str | None:
    value: str | None = _field(body, "id", str)
    return value


@admin("GET", "background")
def _pending(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"pending": [str(i) for i in api.fake.background.pending()]}


@admin("POST", "background/register")
def _register(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    name = _field(body, "name", str, required=True)
    outputs = _field(body, "outputs", dict, {})
    error = _field(body, "error", str)

    def stand_in(inputs: dict[str, Any]) -> dict[str, Any]:
        if error is not None:
            raise RuntimeError(error)
        return dict(outputs)

    api.fake.background.register(name, stand_in)
    return 204, None


@admin("POST", "background/start")
def _start(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"id": str(api.fake.background.start(_operation(body)))}


@admin("POST", "background/finish")
def _finish(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"id": str(api.fake.background.finish(_operation(body)))}


@admin("POST", "background/run")
def _run(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"id": str(api.fake.background.run(_operation(body)))}


@admin("POST", "background/advance")
def _advance(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    seconds = _field(body, "seconds", (int, float), required=True)
    return 200, {"ids": [str(i) for i in api.fake.background.advance(seconds)]}


def _mode(api: AdminApi) -> dict[str, Any]:
    runner = api.fake.background
    return {"auto_run": runner.auto_run, "advance_on_poll": runner.advance_on_poll}


@admin("GET", "background/mode")
def _get_mode(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, _mode(api)


@admin("PUT", "background/mode")
def _set_mode(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    unknown = sorted(set(body) - {"auto_run", "advance_on_poll"})
    if unknown:
        raise AdminError(400, f"unknown field {unknown[0]!r}; give auto_run, advance_on_poll")
    runner = api.fake.background
    if "auto_run" in body:
        runner.auto_run = _field(body, "auto_run", bool)
    if "advance_on_poll" in body:
        runner.advance_on_poll = body["advance_on_poll"]
    return 200, _mode(api)


@admin("POST", "background/run_all")
def _run_all(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"ids": [str(i) for i in api.fake.background.run_all()]}


# ---- injected faults ---------------------------------------------------------------------------
@admin("POST", "faults/throttle")
def _throttle(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    api.fake.faults.throttle(
        _field(body, "kind", str, "requests"),
        retry_after=_field(body, "retry_after", (int, float), 5.0),
        times=_field(body, "times", int, 1),
        message=_field(body, "message", str),
    )
    return 204, None


def _fault_class(name: str) -> type[errors.DataverseError]:
    found = getattr(errors, name, None)
    if not (isinstance(found, type) and issubclass(found, errors.DataverseError)):
        raise AdminError(400, f"no Dataverse fault is named {name!r} (see fake_dataverse.errors)")
    return found


@admin("POST", "faults/fail_next")
def _fail_next(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    fault = _fault_class(_field(body, "error", str, required=True))
    text = _field(body, "text", str)
    api.fake.faults.fail_next(
        fault(text), times=_field(body, "times", int, 1), message=_field(body, "message", str)
    )
    return 204, None


@admin("POST", "faults/gateway")
def _gateway(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    api.fake.faults.gateway(
        _field(body, "status", int, 503),
        times=_field(body, "times", int, 1),
        retry_after=_field(body, "retry_after", (int, float)),
    )
    return 204, None


@admin("DELETE", "faults")
def _clear_faults(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    api.fake.faults.clear()
    return 204, None


# ---- the request log ---------------------------------------------------------------------------
@admin("GET", "requests")
def _requests(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    # The fields every logged call has, whichever surface answered it, so a client in another
    # language can check what its code sent as a Python test does with dv.assert_called.
    calls = [
        {"surface": call.surface, "method": call.method, "path": call.path,
         "error_code": call.error_code, "description": call.describe()}
        for call in api.fake.requests
    ]
    return 200, {"value": calls}


@admin("DELETE", "requests")
def _clear_requests(api: AdminApi, body: dict[str, Any]) -> tuple[int, Any]:
    api.fake.requests.clear()
    return 204, None
