"""One error shape for every refusal, and the only place status codes are chosen:

    {"error": {"code": "invalid", "message": "...", "message_id": "...",
               "fields": [{"field": "ring_timeout", "message": "must be between 1 and 600"}]}}

The middleware maps the services' exceptions (`services.api_errors`) and the domain's
(`InvalidChanges`: 422 naming each field; `IllegalTransition`: 409 with the allowed targets).
Anything unexpected is logged and answered 500 without details.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web

from cc112_pbx.domain.dispatch import IllegalDispatchTransition
from cc112_pbx.domain.incident import InvalidChanges
from cc112_pbx.domain.incident_status import IllegalTransition
from cc112_pbx.services import api_errors as e

log = structlog.get_logger("cc112.http")

STATUS: dict[type[e.ServiceError], int] = {
    e.Unauthenticated: 401, e.Forbidden: 403, e.NotFound: 404, e.Conflict: 409, e.Invalid: 422,
    e.TooManyAttempts: 429, e.Unavailable: 503,
}
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
              415: "unsupported_media_type"}


def error_body(code: str, message: str, *, message_id: str | None = None,
               fields: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "fields": fields or []}
    if message_id:
        error["message_id"] = message_id
    return {"error": {**error, **extra}}


def error_response(status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                   **kwargs: Any) -> web.Response:
    return web.json_response(error_body(code, message, **kwargs), status=status, headers=headers)


def _from_service(exc: e.ServiceError) -> web.Response:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 500)
    headers = {}
    if isinstance(exc, e.TooManyAttempts):
        headers["Retry-After"] = str(int(exc.retry_after + 0.999))
    if isinstance(exc, e.Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="cc112"'
    extra = {"leader": exc.leader} if isinstance(exc, e.NotLeader) and exc.leader else {}
    return error_response(status, exc.code, exc.message, message_id=exc.message_id, headers=headers,
                          fields=[{"field": p.field, "message": p.message} for p in exc.fields], **extra)


@web.middleware
async def error_middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                           ) -> web.StreamResponse:
    try:
        return await handler(request)
    except e.ServiceError as exc:
        return _from_service(exc)
    except InvalidChanges as exc:
        return error_response(422, "invalid", "invalid incident changes; nothing was changed",
                              message_id="perubahan insiden tidak valid; tidak ada yang diubah",
                              fields=[{"field": p.field, "message": p.message} for p in exc.errors])
    except IllegalTransition as exc:
        return error_response(409, "illegal_transition", str(exc),
                              message_id="perubahan status tidak diizinkan", allowed=list(exc.allowed),
                              current=exc.current.value)
    except IllegalDispatchTransition as exc:  # issue 17
        return error_response(409, "illegal_transition", str(exc),
                              message_id="perubahan status dispatch tidak diizinkan", allowed=list(exc.allowed),
                              current=exc.current.value)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        code = HTTP_CODES.get(exc.status, "http_error")
        return error_response(exc.status, code, exc.reason, headers={
            k: v for k, v in exc.headers.items() if k.lower() == "allow"})
    except Exception:
        log.exception("api_request_failed", method=request.method, path=request.path)
        return error_response(500, "internal", "internal error", message_id="kesalahan internal")


async def json_body(request: web.Request) -> Any:
    """The request's JSON body; 400 (one error shape) when it is not JSON."""
    if not request.body_exists:
        return {}
    try:
        return json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(reason="the body is not valid JSON") from None
