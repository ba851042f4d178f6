"""The OpenAPI 3.1 document, generated from the route tables (`ROUTES` of each `routes_*.py`)
plus the shared schemas below; a test checks it against the routes the server registers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from cc112_pbx import __version__
from cc112_pbx.http.routing import Route

NOTE_ROLES = {
    "public": "No token needed.",
    "everyone": "Any valid token; call takers are limited to their own seat and their own calls.",
    "staff": "Supervisors and admins.",
    "admin": "Admins only.",
    "qc": "Quality control: QC evaluators, supervisors and admins (each route says which).",
    "aml_sender": "AML senders only (a sender's own bearer token, configured in `[aml] senders`; not an API token).",
    "device": "Officers' tracking devices only: the device id and its own token (HTTP Basic, or `token`); "
              "not an API token.",
}
ERROR = {"$ref": "#/components/schemas/Error"}
NULLABLE_STR = {"type": ["string", "null"]}
SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "message_id": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                                  "properties": {"field": {"type": "string"},
                                                                 "message": {"type": "string"}}}},
            "allowed": {"type": "array", "items": {"type": "string"}}, "current": {"type": "string"}}}}},
    "Me": {"type": "object", "required": ["id", "username", "role"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"},
        "role": {"enum": ["admin", "supervisor", "call_taker", "agency_dispatcher", "officer", "qc_evaluator"]},
        "seat": NULLABLE_STR}},
    "QueueConfigVersion": {"type": "object", "required": ["version", "settings", "author"], "properties": {
        "version": {"type": "integer"}, "settings": {"type": "object"}, "author": {"type": "string"},
        "created_at": NULLABLE_STR}},
    "SeatState": {"type": "object", "required": ["status", "logged_in"], "properties": {
        "status": {"type": "string"}, "logged_in": {"type": "boolean"}, "pause_reason": NULLABLE_STR,
        "reachable": {"type": "boolean"}, "call_id": NULLABLE_STR}},
    "Seat": {"type": "object", "required": ["id", "name", "dial_string", "status"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "dial_string": {"type": "string"},
        "overflow": {"type": "boolean"}, "status": {"type": "string"}}},
    "Live": {"type": "object", "required": ["waiting", "ringing", "connected", "seats", "longest_wait_s"],
             "properties": {"waiting": {"type": "array"}, "ringing": {"type": "array"},
                            "connected": {"type": "array"}, "seats": {"type": "array"},
                            "longest_wait_s": {"type": "number"}}},
    "Incident": {"type": "object", "required": ["id", "status", "opened_at"], "properties": {
        "id": {"type": "integer"}, "status": {"type": "string"}, "opened_at": {"type": "string"},
        "caller_number": NULLABLE_STR, "no_callback": {"type": "boolean"}, "category": NULLABLE_STR,
        "allowed_transitions": {"type": "array", "items": {"type": "string"},
                                "description": "the statuses it may move to now (the lifecycle's order)"}}},
    "Health": {"type": "object", "required": ["status", "ari", "ami", "database"], "properties": {
        "status": {"enum": ["ok", "degraded", "failing"]}, "ari": {"type": "object"}, "ami": {"type": "object"},
        "database": {"type": "object"}, "role": {"enum": ["single", "standby", "leader", "lost"]},
        "ha": {"type": "object"}}},
    "ServiceLevel": {"type": "object", "required": ["from", "to", "calls", "answered", "abandoned",
                                                    "answered_within", "service_level"], "properties": {
        "from": {"type": "string"}, "to": {"type": "string"}, "calls": {"type": "integer"},
        "answered": {"type": "integer"}, "abandoned": {"type": "integer"}, "dropped": {"type": "integer"},
        "answered_within": {"type": "object"}, "service_level": {"type": "object"},
        "callbacks_by_outcome": {"type": "object"},
        "dispatch": {"type": "object", "description": "per agency code: dispatches, accept_s, on_scene_s, "
                                                      "resolved_s (averages, seconds from sent to the agency)"}}},
}
DESCRIPTIONS = {101: "Switching to the WebSocket protocol", 200: "OK", 201: "Created", 204: "No content",
                206: "Partial content", 400: "Bad request (not JSON)", 401: "No valid bearer token",
                403: "Not allowed for this role", 404: "Not found", 409: "Conflict with the current state",
                416: "Range not satisfiable", 422: "Invalid fields (each named)", 429: "Too many failed logins",
                503: "Unavailable"}


def all_routes() -> tuple[Route, ...]:
    from cc112_pbx.http import (
        routes_aml,
        routes_auth,
        routes_call_tags,
        routes_console,
        routes_dispatch,
        routes_incidents,
        routes_live,
        routes_qc,
        routes_queue,
        routes_recordings,
        routes_reports,
        routes_seats,
    )

    modules = (routes_auth, routes_queue, routes_seats, routes_live, routes_incidents, routes_recordings,
               routes_reports, routes_console, routes_aml, routes_call_tags,
               routes_dispatch, routes_qc)
    return tuple(route for module in modules for route in module.ROUTES)


def _operation(route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    ok: dict[str, Any] = {"description": DESCRIPTIONS.get(route.ok, "OK")}
    if route.response is not None:
        ok["content"] = {route.content_type: {"schema": route.response}}
    responses[str(route.ok)] = ok
    if route.content_type.startswith("audio/"):
        partial = {route.content_type: {"schema": route.response}}
        responses["206"] = {"description": DESCRIPTIONS[206], "content": partial}
    for status, schema in route.other_responses.items():
        responses[str(status)] = {"description": DESCRIPTIONS.get(status, ""),
                                  "content": {"application/json": {"schema": schema}}}
    for status in route.errors:
        responses[str(status)] = {"description": DESCRIPTIONS.get(status, "Error"),
                                  "content": {"application/json": {"schema": ERROR}}}
    op: dict[str, Any] = {
        "operationId": f"{route.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', route.path.lower()).strip('_') or 'root'}",
        "summary": route.summary, "tags": [route.tag],
        "description": " ".join(x for x in (NOTE_ROLES[route.roles], route.description) if x),
        "x-roles": route.roles, "responses": responses,
    }
    if route.roles == "public":
        op["security"] = []
    elif route.roles == "aml_sender":
        op["security"] = [{"amlSender": []}]
    elif route.roles == "device":
        op["security"] = [{"device": []}, {}]
    if route.params:
        op["parameters"] = [
            {"name": p.name, "in": p.where, "required": p.required or p.where == "path", "schema": p.schema,
             **({"description": p.description} if p.description else {})}
            for p in route.params
        ]
    if route.body is not None:
        op["requestBody"] = {"required": route.method in ("PUT", "POST") and bool(route.body.get("required")),
                             "content": {route.body_type: {"schema": route.body}}}
    return op


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in all_routes():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "cc112-pbx API", "version": __version__,
                 "description": "The HTTP API of the Call Center 112 Kota Semarang controller. Every route needs "
                                "`Authorization: Bearer TOKEN` except those marked public. Errors share one "
                                "shape: `{\"error\": {\"code\", \"message\", \"message_id\", \"fields\"}}`."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "amlSender": {"type": "http", "scheme": "bearer"},
                                           "device": {"type": "http", "scheme": "basic"}}},
        "security": [{"bearer": []}],
    }
