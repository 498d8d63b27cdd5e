"""The ``$batch`` route: the body goes to the batch module, each part back through the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fake_dataverse._storage._store import Savepoint
from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._router import RequestContext, RouteTable
from fake_dataverse._webapi.batch._batch import handle_batch

__all__ = ["ROUTES"]

#: The routes this module serves (added to the Web API's by ``_catalogue``).
ROUTES = RouteTable()


class _App(Protocol):
    def dispatch_inner(self, outer: HttpRequest) -> Callable[[HttpRequest], HttpResponse]: ...


@ROUTES.route("batch", "POST")
def _batch(ctx: RequestContext) -> HttpResponse:
    """POST ``$batch``: hand the body to the batch module with the app as dispatcher."""
    app: _App = ctx.extras["app"]
    store = ctx.org.store

    def rollback(saved: object) -> None:
        assert isinstance(saved, Savepoint)
        store.rollback(saved)

    def release(saved: object) -> None:
        assert isinstance(saved, Savepoint)
        store.release(saved)

    return handle_batch(
        ctx.request,
        app.dispatch_inner(ctx.request),
        atomic_changesets=ctx.org.settings.atomic_changesets,
        snapshot=store.savepoint,
        restore=rollback,
        release=release,
    )
