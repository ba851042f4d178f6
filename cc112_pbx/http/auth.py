"""Bearer tokens on every route but the public ones (`/healthz`, the console's `/`,
`/static/` and `/api/console`, and `POST /api/login`). The token and the Authorization header are never logged:
aiohttp's access log is off and our log lines name the user only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import Forbidden, Unauthenticated
from cc112_pbx.services.auth_service import AuthService

PUBLIC_EXACT = frozenset({"/healthz", "/", "/api/login", "/api/console"})
PUBLIC_PREFIXES = ("/static/",)
# AML senders (issue 19) authenticate with their own tokens, checked by the AML service
SENDER_AUTHENTICATED = frozenset({"/api/aml", "/api/aml/sms",
                                  "/api/positions/osmand", "/api/positions/owntracks"})  # issue 17: devices
# issue 17: what agency dispatchers and officers may reach (their services scope each answer)
FIELD_EXACT = frozenset({"/api/me", "/api/logout", "/api/events", "/api/agencies", "/api/officers",
                         "/api/dispatches", "/api/positions/latest"})
FIELD_PREFIXES = ("/api/agencies/", "/api/officers/", "/api/dispatches/", "/api/officer/")
AUTH_KEY: web.AppKey[AuthService] = web.AppKey("auth", AuthService)
PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal", Principal)
TOKEN: web.RequestKey[str] = web.RequestKey("token", str)


def is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.path == "/api/events":  # browsers cannot set headers on a WebSocket: ?access_token=
        return request.query.get("access_token", "")
    return ""


@web.middleware
async def auth_middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                          ) -> web.StreamResponse:
    if is_public(request.path) or request.path in SENDER_AUTHENTICATED:
        return await handler(request)
    token = bearer_token(request)
    if not token:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer TOKEN)",
                              message_id="diperlukan token bearer (Authorization: Bearer TOKEN)")
    request[PRINCIPAL] = who = await request.app[AUTH_KEY].principal(token)
    if who.is_field and request.path not in FIELD_EXACT and not request.path.startswith(FIELD_PREFIXES):
        raise Forbidden(f"role {who.role.value} may not use {request.path}",
                        message_id=f"peran {who.role.value} tidak boleh memakai {request.path}")
    request[TOKEN] = token
    if request[PRINCIPAL].role is Role.QC_EVALUATOR and not qc_evaluator_may(request.method, request.path):
        raise Forbidden("a QC evaluator reads; outside quality control they change nothing",
                        message_id="penilai QC hanya membaca; di luar kendali mutu tidak mengubah apa pun")
    return await handler(request)


def qc_evaluator_may(method: str, path: str) -> bool:
    """Issue 18: a QC evaluator reads everything a supervisor reads and acts only in `/api/qc/`."""
    return method in ("GET", "HEAD", "OPTIONS") or path.startswith("/api/qc/") or path == "/api/logout"


def principal(request: web.Request) -> Principal:
    return request[PRINCIPAL]


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"
