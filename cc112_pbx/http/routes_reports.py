"""Audit log, service level, metrics, health and the OpenAPI document (the console: `routes_console`)."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.metrics import metrics
from cc112_pbx.http.routes_console import STATIC_DIR, _static_file  # noqa: F401 - where they used to be
from cc112_pbx.http.routing import ARRAY, Param, Route, services

HEALTH = {"$ref": "#/components/schemas/Health"}


async def audit(request: web.Request) -> web.Response:
    return web.json_response(await services(request).reports.audit_log(principal(request), request.query))


async def service_level(request: web.Request) -> web.Response:
    return web.json_response(await services(request).reports.service_level(principal(request), request.query))


async def healthz(request: web.Request) -> web.Response:
    report = await services(request).health.check()
    return web.json_response(report, status=503 if report["status"] == "failing" else 200)


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
)
