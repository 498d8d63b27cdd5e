"""The Web API application: ``WebApi(org).handle(HttpRequest) -> HttpResponse``.

It checks the bearer token, picks the caller from the impersonation headers, resolves the route
and turns every fault into Dataverse's JSON error body. No Dataverse rule lives here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from fake_dataverse._messages._service import OrganizationService
from fake_dataverse._model import _errors as errors
from fake_dataverse._storage._organization import Caller, Organization
from fake_dataverse._webapi._background import handle_status_monitor, is_status_monitor
from fake_dataverse._webapi._calls import WebApiCall
from fake_dataverse._webapi._catalogue import register_all
from fake_dataverse._webapi._hints import HINT_HEADER, hint_for
from fake_dataverse._webapi._http import Headers, HttpRequest, HttpResponse
from fake_dataverse._webapi._prefer import Preferences, parse_prefer
from fake_dataverse._webapi._reply import empty_reply, error_reply, gateway_reply
from fake_dataverse._webapi._router import RequestContext, ResolvedUrls, dispatch
from fake_dataverse._webapi._tokens import TENANT_ID as _TENANT
from fake_dataverse._webapi._tokens import read_token
from fake_dataverse._webapi._url import parse_url, request_base

__all__ = ["WebApi"]

register_all()  # the one place the Web API's routes are registered

_BEARER = re.compile(r"Bearer\s+\S+", re.IGNORECASE)
_CALLER_HEADERS = ("Authorization", "CallerObjectId", "MSCRMCallerID")


class WebApi:
    """The Dataverse Web API of one organization, as a function of HTTP requests."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self._extras: Mapping[str, Any] = MappingProxyType({"app": self})  # one per app
        self._urls = ResolvedUrls(org)
        # One service per calling user: a service only names its organization and caller, so
        # it is built once per user rather than per request (kept by the id's number: a UUID
        # hashes in Python).
        self._services: dict[int, OrganizationService] = {}

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; faults become Dataverse error bodies, never exceptions.

        Work the request sets off (an operation under ``auto_run``, a callback) runs once the
        answer is ready, outside the store lock. An injected transport error is raised.
        """
        org = self.org
        with org.calls.call() as outermost:  # not outermost inside $batch (or deferred work)
            faults = org.faults
            armed = outermost and faults.pending
            fault = faults.take_request_fault(web_api=True) if armed else None
            if fault is not None and fault.status is not None:
                response = gateway_reply(fault.status, fault.retry_after)
            elif fault is not None and not fault.applied:
                assert fault.error is not None
                raise fault.error  # the transport failed: the organization never saw it
            else:
                response = self._answer(request)
            if request.method.upper() == "HEAD":
                response = HttpResponse(response.status, response.headers, b"")  # no body
            entry = WebApiCall(request, response, org.url, batch_part=not outermost)
            org.request_log.record(entry)
        if fault is not None and fault.error is not None:
            raise fault.error  # answered, but the answer never reached the caller
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        prefer = parse_prefer(request.headers.get("Prefer"))
        try:
            with self.org.store.lock:
                return self._handle(request, prefer)
        except errors.Unauthorized:
            return self._unauthorized(request_base(self.org.url, request.url))
        except errors.DataverseError as error:
            return self._error_reply(error, prefer, request)
        except RecursionError:
            return error_reply(errors.ODataError("The request is too deeply nested."), prefer)

    def _handle(self, request: HttpRequest, prefer: Preferences) -> HttpResponse:
        """Authenticate, resolve the route and run it."""
        authorization = request.headers.get("Authorization", "").strip()
        if self.org.settings.require_auth and not _BEARER.fullmatch(authorization):
            raise errors.Unauthorized()
        resolved = self._urls.resolve(request.url)
        if resolved is None and is_status_monitor(request.url):
            service = self._service(request.headers, authorization)
            return handle_status_monitor(self.org, service, request)
        if resolved is None:
            path = request.url.split("://", 1)[-1].partition("/")[2].split("?")[0]
            raise errors.ResourceNotFound(segment=path.split("/")[0] or path)
        url, resource = resolved
        ctx = RequestContext(
            request=request,
            url=url,
            prefer=prefer,
            org=self.org,
            service=self._service(request.headers, authorization),
            resource=resource,
            extras=self._extras,
        )
        return dispatch(ctx)

    def _service(self, headers: Headers, authorization: str) -> OrganizationService:
        """Return the service for the caller the impersonation headers name (``authorization``:
        the ``Authorization`` header, stripped).

        Raises:
            InvalidCallerId: 0x80048d1a for an empty or malformed caller id.
            CallerNotFound: 0x80040217 for a user the organization does not have.
        """
        user_id = self._token_user(authorization)
        service = self._services.get(user_id.int)
        if service is None:
            if len(self._services) >= 64:
                self._services.clear()
            service = OrganizationService(self.org, Caller(user_id))
            self._services[user_id.int] = service
        object_id = headers.get("CallerObjectId")
        if object_id is not None:
            user = self.org.user_by_object_id(_caller_guid(object_id))
            if user is None:
                raise errors.CallerNotFound(id=object_id.strip())
            return service.impersonate(user.id)
        caller_id = headers.get("MSCRMCallerID")
        if caller_id is not None:
            return service.impersonate(_caller_guid(caller_id))
        return service

    def _token_user(self, authorization: str) -> uuid.UUID:
        """Return the user the bearer token names: a token the fake issued names one (by
        ``systemuserid`` or by its Microsoft Entra object id), any other the default caller.

        Raises:
            CallerNotFound: 0x80040217 for a user the organization does not have.
            Unauthorized: 401 for a fake token whose user claim is not a GUID.
        """
        token = authorization[len("Bearer") :].strip()
        named = read_token(token) if token else None
        if named is None:
            return self.org.admin_id
        if named.user_id is not None:
            return self.org.user(named.user_id).id
        if named.object_id is not None:
            user = self.org.user_by_object_id(named.object_id)
            if user is None:
                raise errors.CallerNotFound(id=named.object_id)
            return user.id
        raise errors.Unauthorized()

    def _error_reply(
        self, error: errors.DataverseError, prefer: Preferences, request: HttpRequest
    ) -> HttpResponse:
        """Return Dataverse's error answer, with the fake's hint header where it has one."""
        reply = error_reply(error, prefer)
        url = parse_url(self.org.url, request.url.split("?", 1)[0])
        hint = hint_for(error, request.method, url.path if url is not None else "")
        if hint is None:
            return reply
        return HttpResponse(reply.status, {**reply.headers, HINT_HEADER: hint}, reply.body)

    def _unauthorized(self, base: str) -> HttpResponse:
        """Return the 401 answer with its ``WWW-Authenticate`` challenge."""
        challenge = (
            f"Bearer authorization_uri=https://login.microsoftonline.com/{_TENANT}/oauth2/"
            f"authorize, resource_id={base}/"
        )
        return empty_reply(401, {"WWW-Authenticate": challenge})

    def dispatch_inner(self, outer: HttpRequest) -> Callable[[HttpRequest], HttpResponse]:
        """Return the entry point for requests inside a ``$batch`` (outer caller headers)."""
        inherited = {n: outer.headers[n] for n in _CALLER_HEADERS if n in outer.headers}

        def run(inner: HttpRequest) -> HttpResponse:
            headers = {**inherited, **dict(inner.headers.items())}
            return self.handle(HttpRequest(inner.method, inner.url, headers, inner.body))

        return run


def _caller_guid(text: str) -> uuid.UUID:
    """Return a caller id header as a GUID.

    Raises:
        InvalidCallerId: 0x80048d1a for an empty, malformed or all-zero id.
    """
    try:
        value = uuid.UUID(text.strip())
    except ValueError:
        raise errors.InvalidCallerId() from None
    if value.int == 0:
        raise errors.InvalidCallerId()
    return value
