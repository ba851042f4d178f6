"""Audit log, service level, metrics, health, the OpenAPI document and the console's files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.metrics import metrics
from cc112_pbx.http.routing import ARRAY, Param, Route, services

STATIC_DIR = Path(__file__).parent / "static"
HEALTH = {"$ref": "#/components/schemas/Health"}
PLACEHOLDER = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>CC112</title></head>
<body><h1>Call Center 112</h1><p>Konsol belum tersedia. The console is not built yet: use the API
(<code>/api/openapi.json</code>, with a bearer token).</p></body></html>"""


async def audit(request: web.Request) -> web.Response:
    return web.json_response(await services(request).reports.audit_log(principal(request), request.query))


async def service_level(request: web.Request) -> web.Response:
    return web.json_response(await services(request).reports.service_level(principal(request), request.query))


async def healthz(request: web.Request) -> web.Response:
    report = await services(request).health.check()
    return web.json_response(report, status=503 if report["status"] == "failing" else 200)


async def index(request: web.Request) -> web.Response:
    return web.Response(text=PLACEHOLDER, content_type="text/html")


async def static(request: web.Request) -> web.StreamResponse:
    """The console's files (issue 16); nothing but what is inside the static directory."""
    relative = request.match_info["path"]
    path = await asyncio.to_thread(_static_file, relative)
    if path is None:
        raise web.HTTPNotFound(reason=f"no static file {relative!r}")
    return web.FileResponse(path)


def _static_file(relative: str) -> Path | None:
    path = (STATIC_DIR / relative).resolve()
    return path if path.is_relative_to(STATIC_DIR.resolve()) and path.is_file() else None


async def openapi_json(request: web.Request) -> web.Response:
    from cc112_pbx.http.openapi import document

    return web.json_response(document())


ROUTES = (
    Route("GET", "/api/audit", audit, "The audit log, newest first", "staff", "reports",
          params=(Param("action"), Param("actor"), Param("limit", schema={"type": "integer", "minimum": 1,
                                                                           "maximum": 200})), response=ARRAY),
    Route("GET", "/api/service-level", service_level, "Answered within 10/15/20 s, abandoned, dropped and "
          "callbacks by outcome for a window (default: the last 24 hours)", "staff", "reports",
          params=(Param("from", description="ISO 8601 with offset"), Param("to", description="ISO 8601 with offset")),
          response={"$ref": "#/components/schemas/ServiceLevel"}),
    Route("GET", "/metrics", metrics, "Prometheus metrics (text format)", "everyone", "reports",
          response={"type": "string"}, content_type="text/plain", errors=(401,)),
    Route("GET", "/healthz", healthz, "ARI, AMI and database state: 200 while calls can be handled (ok or "
          "degraded), 503 when ARI is down", "public", "reports", response=HEALTH, errors=(),
          other_responses={503: HEALTH}),
    Route("GET", "/api/openapi.json", openapi_json, "This document", "everyone", "reports", errors=(401,)),
    Route("GET", "/", index, "The console (a placeholder until it is built)", "public", "console",
          response={"type": "string"}, content_type="text/html", errors=()),
    Route("GET", "/static/{path}", static, "The console's static files", "public", "console",
          params=(Param("path", "path", required=True),), response={"type": "string", "format": "binary"},
          content_type="application/octet-stream", errors=(404,)),
)
