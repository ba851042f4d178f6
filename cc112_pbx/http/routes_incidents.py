"""Incidents, callbacks and the no-callback list."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import ARRAY, PAGE, PATH_ID, Param, Route, int_param, services

INCIDENT_ID = PATH_ID("incident_id")
CALLBACK_ID = PATH_ID("callback_id")
STATUS_BODY = {"type": "object", "required": ["status"], "properties": {
    "status": {"enum": ["new", "in_progress", "verified", "dispatched", "resolved", "closed", "cancelled"]},
    "reason": {"type": "string"},
    "override": {"type": "boolean", "description": "a supervisor closes despite open dispatches"}}}
PAGE_OF_INCIDENTS = {"type": "object", "required": ["items", "total", "limit", "offset"], "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "total": {"type": "integer"},
    "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
INCIDENT_FULL = {"type": "object", "required": ["incident", "timeline"], "properties": {
    "incident": {"$ref": "#/components/schemas/Incident"}, "timeline": ARRAY, "calls": ARRAY,
    "recordings": ARRAY, "callbacks": ARRAY}}
CHANGED = {"type": "object", "required": ["incident", "timeline"], "properties": {
    "incident": {"$ref": "#/components/schemas/Incident"}, "timeline": ARRAY}}
CANCEL = {"type": "object", "properties": {"reason": {"type": "string"}}}


async def search(request: web.Request) -> web.Response:
    return web.json_response(await services(request).incidents.search(principal(request), request.query))


async def get(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    return web.json_response(await services(request).incidents.get(principal(request), incident_id))


async def change(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    body = await json_body(request)
    return web.json_response(await services(request).incidents.change(principal(request), incident_id, body))


async def transition(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    body = await json_body(request)
    return web.json_response(await services(request).incidents.transition(principal(request), incident_id, body))


async def callbacks(request: web.Request) -> web.Response:
    return web.json_response(await services(request).callbacks.list(principal(request), request.query))


async def no_callback(request: web.Request) -> web.Response:
    return web.json_response(await services(request).callbacks.no_callback_list(principal(request), request.query))


async def cancel(request: web.Request) -> web.Response:
    callback_id = int_param(request, "callback_id")
    body = await json_body(request)
    reason = body.get("reason") if isinstance(body, dict) and isinstance(body.get("reason"), str) else ""
    return web.json_response(await services(request).callbacks.cancel(principal(request), callback_id, reason))


async def retry(request: web.Request) -> web.Response:
    callback_id = int_param(request, "callback_id")
    return web.json_response(await services(request).callbacks.retry(principal(request), callback_id))


FILTERS = (
    Param("from", description="opened at or after (ISO 8601 with offset)"),
    Param("to", description="opened before (ISO 8601 with offset)"),
    Param("status", description="comma-separated statuses"), Param("category"), Param("seat"),
    Param("verification"), *PAGE,
)

ROUTES = (
    Route("GET", "/api/incidents", search, "Incidents, newest first, filtered and paged (a call taker: their own "
          "calls')", "everyone", "incidents", params=FILTERS, response=PAGE_OF_INCIDENTS),
    Route("GET", "/api/incidents/{incident_id}", get, "One incident with its timeline, calls, recordings and "
          "callbacks", "everyone", "incidents", params=(INCIDENT_ID,), response=INCIDENT_FULL),
    Route("PATCH", "/api/incidents/{incident_id}", change, "Change the SOP's fields (422 names each bad field)",
          "everyone", "incidents", params=(INCIDENT_ID,), body={"type": "object"}, response=CHANGED),
    Route("POST", "/api/incidents/{incident_id}/status", transition, "Move the status (409 with the allowed "
          "targets when the lifecycle refuses)", "everyone", "incidents", params=(INCIDENT_ID,), body=STATUS_BODY,
          response=CHANGED, errors=(400, 401, 403, 404, 409, 422)),
    Route("GET", "/api/callbacks", callbacks, "Callbacks, newest first (a call taker: those for their seat)",
          "everyone", "callbacks", params=(Param("status", description="comma-separated statuses"), *PAGE),
          response=ARRAY),
    Route("POST", "/api/callbacks/{callback_id}/cancel", cancel, "Cancel an open callback", "staff", "callbacks",
          params=(CALLBACK_ID,), body=CANCEL, errors=(400, 401, 403, 404, 409, 422)),
    Route("POST", "/api/callbacks/{callback_id}/retry", retry, "Make a callback due now (open or exhausted)",
          "staff", "callbacks", params=(CALLBACK_ID,), errors=(401, 403, 404, 409)),
    Route("GET", "/api/no-callback", no_callback, "Abandoned or dropped calls with no number to call back",
          "staff", "callbacks", params=PAGE, response=ARRAY),
)
