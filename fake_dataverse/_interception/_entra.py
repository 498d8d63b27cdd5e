"""Microsoft Entra's endpoints for the client-credentials flow, answered inside ``intercept()``.

azure-identity's ``ClientSecretCredential`` (through msal, or its own client in the async
credential) and msal's ``ConfidentialClientApplication`` ask the authority for its OpenID
configuration (and msal for instance discovery), then POST the v2.0 token endpoint. The fake
answers them with one of its own tokens, issued to the application (``appid`` is the client id)
and naming no user, so the Web API runs it as the default caller: the organization's
application user, a System Administrator. Any client id and secret are accepted: the fake
checks no credentials, only the shape of the request, as Entra would for a malformed one.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_dataverse._webapi._http import HttpRequest, HttpResponse
from fake_dataverse._webapi._tokens import LIFETIME_SECONDS, audience_of, issue_token

__all__ = ["ENTRA", "ENTRA_URL", "Entra"]

ENTRA_URL = "https://login.microsoftonline.com"
_HOSTS = (
    "login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"
)
_CONFIGURATION = re.compile(r"/(?P<tenant>[^/]+)(?P<v2>/v2\.0)?/\.well-known/openid-configuration")
_TOKEN = re.compile(r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token")


def _json(status: int, body: Any) -> HttpResponse:
    headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
    return HttpResponse(status, headers, json.dumps(body).encode("utf-8"))


def _error(status: int, error: str, code: str, description: str) -> HttpResponse:
    """Return an OAuth error as Entra words it (``AADSTS`` code in the description)."""
    return _json(status, {"error": error, "error_description": f"{code}: {description}",
                          "error_codes": [int(code.removeprefix("AADSTS"))]})


class Entra:
    """The authority's answers (one object for every fake: tokens name no organization)."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer discovery and token requests; anything else is Entra's 404."""
        parts = urlsplit(request.url)
        path = parts.path.rstrip("/")
        method = request.method.upper()
        if method == "GET" and path == "/common/discovery/instance":
            return self._instance_discovery(parts.query)
        configuration = _CONFIGURATION.fullmatch(path)
        if method == "GET" and configuration is not None:
            return self._configuration(configuration["tenant"], bool(configuration["v2"]))
        token = _TOKEN.fullmatch(path)
        if token is not None:
            if method != "POST":
                return _error(405, "invalid_request", "AADSTS900561",
                              "The endpoint only accepts POST requests.")
            return self._token(request)
        return _error(404, "invalid_request", "AADSTS90002",
                      f"No Microsoft Entra endpoint is served at '{path}' by the fake.")

    def _instance_discovery(self, query: str) -> HttpResponse:
        options = {k: v[-1] for k, v in parse_qs(query).items()}
        endpoint = options.get("authorization_endpoint", f"{ENTRA_URL}/common/oauth2/authorize")
        tenant = urlsplit(endpoint).path.strip("/").split("/")[0] or "common"
        return _json(200, {
            "tenant_discovery_endpoint":
                f"{ENTRA_URL}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": "login.microsoftonline.com",
                          "preferred_cache": "login.windows.net", "aliases": list(_HOSTS)}],
        })

    def _configuration(self, tenant: str, v2: bool) -> HttpResponse:
        root = f"{ENTRA_URL}/{tenant}"
        suffix = "/v2.0" if v2 else ""
        return _json(200, {
            "token_endpoint": f"{root}/oauth2{suffix}/token",
            "authorization_endpoint": f"{root}/oauth2{suffix}/authorize",
            "device_authorization_endpoint": f"{root}/oauth2{suffix}/devicecode",
            "end_session_endpoint": f"{root}/oauth2{suffix}/logout",
            "issuer": f"{root}/v2.0" if v2 else f"https://sts.windows.net/{tenant}/",
            "jwks_uri": f"{root}/discovery{suffix}/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
        })

    def _token(self, request: HttpRequest) -> HttpResponse:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant != "client_credentials":
            return _error(400, "unsupported_grant_type", "AADSTS70003",
                          f"The app requested an unsupported grant type '{grant}': the fake "
                          "answers the client-credentials flow only.")
        client_id = form.get("client_id")
        if not client_id:
            return _error(400, "invalid_request", "AADSTS900144",
                          "The request body must contain the following parameter: 'client_id'.")
        if not (form.get("client_secret") or form.get("client_assertion")):
            return _error(401, "invalid_client", "AADSTS7000216",
                          "'client_assertion', 'client_secret' or 'request' is required for "
                          "the 'client_credentials' grant type.")
        scope = form.get("scope", "").split()
        if not scope or not scope[0].endswith("/.default"):
            return _error(400, "invalid_scope", "AADSTS1002012",
                          f"The provided value for scope {form.get('scope', '')!r} is not "
                          "valid. Client credential flows must have a scope value with "
                          "/.default suffixed to the resource identifier.")
        token, _ = issue_token(audience=audience_of(scope[0]), app_id=client_id)
        return _json(200, {"token_type": "Bearer", "expires_in": LIFETIME_SECONDS,
                           "ext_expires_in": LIFETIME_SECONDS, "access_token": token})


#: The one authority every interception answers for.
ENTRA = Entra()
