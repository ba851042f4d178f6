"""Dispatch to the agencies (issue 17): the agency directory, officers, dispatches and their moves,
the officers' positions (their phones post them with their own device tokens), and the reporter
informed. Shapes: docs/contracts.md ("Dispatch, agencies, officers and positions")."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import ARRAY, PATH_ID, Param, Route, int_param, services
from cc112_pbx.services.api_errors import FieldProblem, Invalid

AGENCY_ID = PATH_ID("agency_id")
OFFICER_ID = PATH_ID("officer_id")
DISPATCH_ID = PATH_ID("dispatch_id")
INCIDENT_ID = PATH_ID("incident_id")
STATUSES = ["created", "sent_to_agency", "accepted", "assigned", "en_route", "on_scene", "resolved", "cancelled",
            "rejected"]
NULLABLE_NUMBER = {"type": ["number", "null"]}
AGENCY = {"type": "object", "required": ["id", "code", "name", "kind", "categories", "active"], "properties": {
    "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
    "contacts": ARRAY, "categories": {"type": "array", "items": {"type": "string"}}, "area": {"type": "object"},
    "active": {"type": "boolean"}, "origin": {"type": "string"}}}
AGENCY_BODY = {"type": "object", "properties": {
    "code": {"type": "string"}, "name": {"type": "string"},
    "kind": {"enum": ["police", "fire", "health", "disaster", "sar", "electricity", "water", "internet", "volunteer",
                      "other"]},
    "contacts": ARRAY, "categories": {"type": "array", "items": {"type": "string"}},
    "area": {"type": "object", "properties": {"description": {"type": "string"}, "lat": {"type": "number"},
                                              "lon": {"type": "number"}, "radius_km": {"type": "number"}}},
    "active": {"type": "boolean"}}}
POSITION = {"type": "object", "required": ["officer_id", "lat", "lon", "at"], "properties": {
    "officer_id": {"type": "integer"}, "agency_id": {"type": ["integer", "null"]}, "lat": {"type": "number"},
    "lon": {"type": "number"}, "at": {"type": "string"}, "received_at": {"type": "string"},
    "age_s": {"type": "number"}, "stale": {"type": "boolean"}, "speed_kmh": NULLABLE_NUMBER,
    "bearing": NULLABLE_NUMBER, "altitude": NULLABLE_NUMBER, "accuracy_m": NULLABLE_NUMBER,
    "battery": NULLABLE_NUMBER, "source": {"type": "string"}}}
OFFICER = {"type": "object", "required": ["id", "agency_id", "name", "device_id", "available", "state"],
           "properties": {
               "id": {"type": "integer"}, "agency_id": {"type": "integer"}, "name": {"type": "string"},
               "callsign": {"type": "string"}, "kind": {"type": "string"}, "device_id": {"type": "string"},
               "available": {"type": "boolean"}, "active": {"type": "boolean"},
               "username": {"type": ["string", "null"]},
               "state": {"enum": ["available", "busy", "unavailable", "stale"]},
               "dispatch_id": {"type": ["integer", "null"]},
               "position": {"oneOf": [POSITION, {"type": "null"}]},
               "device_token": {"type": "string", "description": "shown once, when made"}}}
OFFICER_BODY = {"type": "object", "properties": {
    "agency_id": {"type": "integer"}, "name": {"type": "string"}, "callsign": {"type": "string"},
    "kind": {"enum": ["officer", "unit", "team"]}, "device_id": {"type": "string"},
    "available": {"type": "boolean"}, "active": {"type": "boolean"}, "username": {"type": ["string", "null"]}}}
DISPATCH = {"type": "object", "required": ["id", "incident_id", "agency_id", "status", "allowed_transitions"],
            "properties": {
                "id": {"type": "integer"}, "incident_id": {"type": "integer"}, "agency_id": {"type": "integer"},
                "agency_name": {"type": ["string", "null"]}, "officer_id": {"type": ["integer", "null"]},
                "officer_name": {"type": ["string", "null"]}, "status": {"enum": STATUSES},
                "priority": {"type": "integer"}, "instructions": {"type": "string"}, "reason": {"type": "string"},
                "report": {"type": "string"}, "has_photo": {"type": "boolean"}, "eta_s": NULLABLE_NUMBER,
                "eta_estimate": {"type": ["boolean", "null"]}, "overdue": {"type": "boolean"},
                "allowed_transitions": {"type": "array", "items": {"enum": STATUSES}},
                "scene": {"type": ["object", "null"]}, "created_at": {"type": "string"},
                "acknowledged_at": {"type": ["string", "null"]}}}
DISPATCHES = {"type": "array", "items": DISPATCH}
ONE_DISPATCH = {"type": "object", "properties": {
    "agency_id": {"type": "integer", "minimum": 1}, "instructions": {"type": "string"},
    "priority": {"type": "integer", "minimum": 1, "maximum": 5}}}
CREATE_BODY = {"oneOf": [ONE_DISPATCH, {"type": "object", "required": ["dispatches"], "properties": {
    "dispatches": {"type": "array", "items": ONE_DISPATCH}}}]}
MOVE_BODY = {"type": "object", "required": ["status"], "properties": {
    "status": {"enum": STATUSES}, "officer_id": {"type": "integer"}, "reason": {"type": "string"},
    "report": {"type": "string"}}}
SUGGESTIONS = {"type": "object", "required": ["scene", "agencies", "officers"], "properties": {
    "scene": {"type": ["object", "null"]}, "category": {"type": ["string", "null"]},
    "agencies": {"type": "array", "items": AGENCY},
    "officers": {"type": "array", "items": {"type": "object", "required": ["officer_id", "eta_s", "estimate"],
                                            "properties": {"officer_id": {"type": "integer"},
                                                           "eta_s": {"type": "number"},
                                                           "distance_m": {"type": "number"},
                                                           "estimate": {"type": "boolean"},
                                                           "source": {"enum": ["osrm", "haversine"]}}}}}}
TRAIL = {"type": "object", "required": ["officer_id", "points"], "properties": {
    "officer_id": {"type": "integer"}, "minutes": {"type": "integer"}, "points": ARRAY}}
STORED = {"type": "object", "required": ["id", "officer_id", "at"], "properties": {
    "id": {"type": "integer"}, "officer_id": {"type": "integer"}, "at": {"type": "string"}}}
OSMAND_FIELDS = ("id", "lat", "lon", "timestamp", "speed", "bearing", "altitude", "accuracy", "batt", "token")
OSMAND_PARAMS = tuple(Param(name) for name in OSMAND_FIELDS)
OWNTRACKS = {"type": "object", "properties": {
    "_type": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"}, "tst": {"type": "integer"},
    "acc": {"type": "number"}, "vel": {"type": "number"}, "cog": {"type": "number"}, "batt": {"type": "number"},
    "tid": {"type": "string"}}}
INFORMED_BODY = {"type": "object", "properties": {"note": {"type": "string"}, "callback": {"type": "boolean"}}}
BINARY = {"type": "string", "format": "binary"}
DEVICE_ERRORS = (400, 401, 422)


def _dispatching(request: web.Request) -> Any:
    return services(request).dispatch


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


# --- agencies and officers ---------------------------------------------------------------------------
async def list_agencies(request: web.Request) -> web.Response:
    return _json(_dispatching(request).directory.list_agencies(principal(request)))


async def get_agency(request: web.Request) -> web.Response:
    return _json(_dispatching(request).directory.get_agency(principal(request), int_param(request, "agency_id")))


async def create_agency(request: web.Request) -> web.Response:
    body = await json_body(request)
    return _json(await _dispatching(request).directory.create_agency(principal(request), body), 201)


async def update_agency(request: web.Request) -> web.Response:
    agency_id = int_param(request, "agency_id")
    body = await json_body(request)
    return _json(await _dispatching(request).directory.update_agency(principal(request), agency_id, body))


async def delete_agency(request: web.Request) -> web.Response:
    agency_id = int_param(request, "agency_id")
    await _dispatching(request).directory.update_agency(principal(request), agency_id, {"active": False})
    return web.Response(status=204)


async def bind_dispatcher(request: web.Request) -> web.Response:
    agency_id = int_param(request, "agency_id")
    body = await json_body(request)
    return _json(await _dispatching(request).directory.bind_dispatcher(principal(request), agency_id, body))


async def list_officers(request: web.Request) -> web.Response:
    return _json(_dispatching(request).directory.list_officers(principal(request), request.query))


async def get_officer(request: web.Request) -> web.Response:
    return _json(_dispatching(request).directory.get_officer(principal(request), int_param(request, "officer_id")))


async def create_officer(request: web.Request) -> web.Response:
    body = await json_body(request)
    return _json(await _dispatching(request).directory.create_officer(principal(request), body), 201)


async def update_officer(request: web.Request) -> web.Response:
    officer_id = int_param(request, "officer_id")
    body = await json_body(request)
    return _json(await _dispatching(request).directory.update_officer(principal(request), officer_id, body))


async def delete_officer(request: web.Request) -> web.Response:
    officer_id = int_param(request, "officer_id")
    await _dispatching(request).directory.update_officer(principal(request), officer_id, {"active": False})
    return web.Response(status=204)


async def device_token(request: web.Request) -> web.Response:
    officer_id = int_param(request, "officer_id")
    return _json(await _dispatching(request).directory.new_device_token(principal(request), officer_id))


async def trail(request: web.Request) -> web.Response:
    officer_id = int_param(request, "officer_id")
    return _json(await _dispatching(request).positions.trail(principal(request), officer_id, request.query))


# --- dispatches --------------------------------------------------------------------------------------
async def suggestions(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    return _json(await _dispatching(request).service.suggestions(principal(request), incident_id, request.query))


async def create_dispatches(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    body = await json_body(request)
    return _json(await _dispatching(request).service.create(principal(request), incident_id, body), 201)


async def incident_dispatches(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    return _json(await _dispatching(request).service.for_incident(principal(request), incident_id))


async def list_dispatches(request: web.Request) -> web.Response:
    return _json(await _dispatching(request).service.listing(principal(request), request.query))


async def get_dispatch(request: web.Request) -> web.Response:
    return _json(await _dispatching(request).service.get(principal(request), int_param(request, "dispatch_id")))


async def move_dispatch(request: web.Request) -> web.Response:
    dispatch_id = int_param(request, "dispatch_id")
    body = await json_body(request)
    return _json(await _dispatching(request).service.move(principal(request), dispatch_id, body))


async def acknowledge_dispatch(request: web.Request) -> web.Response:
    dispatch_id = int_param(request, "dispatch_id")
    return _json(await _dispatching(request).service.acknowledge(principal(request), dispatch_id))


async def put_photo(request: web.Request) -> web.Response:
    dispatch_id = int_param(request, "dispatch_id")
    reports = _dispatching(request).reports
    data = await request.content.read(reports.photo_max_bytes + 1)
    return _json(await reports.put_photo(principal(request), dispatch_id, request.content_type, data))


async def get_photo(request: web.Request) -> web.Response:
    dispatch_id = int_param(request, "dispatch_id")
    data, content_type = await _dispatching(request).reports.get_photo(principal(request), dispatch_id)
    return web.Response(body=data, content_type=content_type)


async def assignments(request: web.Request) -> web.Response:
    return _json(await _dispatching(request).service.assignments(principal(request)))


async def reporter_informed(request: web.Request) -> web.Response:
    incident_id = int_param(request, "incident_id")
    body = await json_body(request)
    return _json(await services(request).dispatch.informed(principal(request), incident_id, body), 201)


# --- positions (device-authenticated) ----------------------------------------------------------------
def _basic(request: web.Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return "", ""
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return user, password


async def osmand(request: web.Request) -> web.Response:
    fields: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text())
            except (ValueError, UnicodeDecodeError):
                raise web.HTTPBadRequest(reason="the body is not valid JSON") from None
            if not isinstance(body, dict):
                raise Invalid([FieldProblem("body", "a JSON object")])
            fields |= body
        else:
            form = await request.post()
            fields |= {k: v for k, v in form.items() if isinstance(v, str)}
    user, password = _basic(request)
    token = password or str(fields.pop("token", "") or "")
    if user and "id" not in fields and "location" not in fields:
        fields["id"] = user
    return _json(await _dispatching(request).positions.receive_osmand(fields, token))


async def owntracks(request: web.Request) -> web.Response:
    try:
        body = json.loads(await request.text()) if request.body_exists else None
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(reason="the body is not valid JSON") from None
    user, password = _basic(request)
    device = request.headers.get("X-Limit-D") or request.headers.get("X-Limit-U") or user
    token = password or request.query.get("token", "")
    await _dispatching(request).positions.receive_owntracks(body, device, token)
    return _json([])  # OwnTracks expects a JSON array (messages for the phone: none)


async def latest_positions(request: web.Request) -> web.Response:
    return _json(_dispatching(request).positions.latest(principal(request)))


T = "dispatch"
ROUTES = (
    Route("GET", "/api/agencies", list_agencies, "The agency directory (an agency's people: their own agency)",
          "everyone", T, response={"type": "array", "items": AGENCY}, errors=(401, 403)),
    Route("POST", "/api/agencies", create_agency, "Add an agency", "admin", T, ok=201, body={**AGENCY_BODY,
          "required": ["code", "name", "kind"]}, response=AGENCY, errors=(400, 401, 403, 409, 422)),
    Route("GET", "/api/agencies/{agency_id}", get_agency, "One agency", "everyone", T, params=(AGENCY_ID,),
          response=AGENCY, errors=(401, 403, 404)),
    Route("PATCH", "/api/agencies/{agency_id}", update_agency, "Change an agency", "admin", T, params=(AGENCY_ID,),
          body=AGENCY_BODY, response=AGENCY, errors=(400, 401, 403, 404, 409, 422)),
    Route("DELETE", "/api/agencies/{agency_id}", delete_agency, "Deactivate an agency (kept for its dispatches)",
          "admin", T, ok=204, response=None, params=(AGENCY_ID,), errors=(401, 403, 404)),
    Route("POST", "/api/agencies/{agency_id}/dispatchers", bind_dispatcher, "Bind a user with the role "
          "agency_dispatcher to this agency", "admin", T, params=(AGENCY_ID,),
          body={"type": "object", "required": ["username"], "properties": {"username": {"type": "string"}}},
          errors=(400, 401, 403, 404, 422)),
    Route("GET", "/api/officers", list_officers, "Officers, units and teams with their state and last position",
          "everyone", T, params=(Param("agency_id", schema={"type": "integer", "minimum": 1}),),
          response={"type": "array", "items": OFFICER}, errors=(401, 403, 422)),
    Route("POST", "/api/officers", create_officer, "Add an officer; the answer carries the device token once",
          "admin", T, ok=201, body={**OFFICER_BODY, "required": ["agency_id", "name", "device_id"]},
          response=OFFICER, errors=(400, 401, 403, 409, 422)),
    Route("GET", "/api/officers/{officer_id}", get_officer, "One officer", "everyone", T, params=(OFFICER_ID,),
          response=OFFICER, errors=(401, 403, 404)),
    Route("PATCH", "/api/officers/{officer_id}", update_officer, "Change an officer (an agency dispatcher: only "
          "`available` of their own officers, an officer their own)", "everyone", T, params=(OFFICER_ID,),
          body=OFFICER_BODY, response=OFFICER, errors=(400, 401, 403, 404, 409, 422)),
    Route("DELETE", "/api/officers/{officer_id}", delete_officer, "Deactivate an officer", "admin", T, ok=204,
          response=None, params=(OFFICER_ID,), errors=(400, 401, 403, 404, 422)),
    Route("POST", "/api/officers/{officer_id}/device-token", device_token, "A new device token (the old one stops "
          "working)", "admin", T, params=(OFFICER_ID,), response=OFFICER, errors=(401, 403, 404)),
    Route("GET", "/api/officers/{officer_id}/trail", trail, "The officer's positions over the last `minutes` "
          "(60 by default), oldest first", "everyone", T, params=(
              OFFICER_ID, Param("minutes", schema={"type": "integer", "minimum": 1, "maximum": 1440})),
          response=TRAIL, errors=(401, 403, 404, 422)),
    Route("GET", "/api/incidents/{incident_id}/dispatch-suggestions", suggestions, "Agencies for the incident's "
          "category and the available, recently seen officers nearest first by ETA (road router, or the straight "
          "line marked `estimate`)", "everyone", T, params=(INCIDENT_ID, Param("agency_id", schema={
              "type": "integer", "minimum": 1})), response=SUGGESTIONS, errors=(401, 403, 404, 422)),
    Route("POST", "/api/incidents/{incident_id}/dispatches", create_dispatches, "Dispatch the incident to one or "
          "more agencies (each created and sent at once)", "everyone", T, ok=201, params=(INCIDENT_ID,),
          body=CREATE_BODY, response={"type": "object", "required": ["dispatches"],
                                      "properties": {"dispatches": DISPATCHES}}, errors=(400, 401, 403, 404, 409, 422)),
    Route("GET", "/api/incidents/{incident_id}/dispatches", incident_dispatches, "The incident's dispatches",
          "everyone", T, params=(INCIDENT_ID,), response=DISPATCHES, errors=(401, 403, 404)),
    Route("POST", "/api/incidents/{incident_id}/reporter-informed", reporter_informed, "The reporter was told the "
          "report was dispositioned (a timeline entry); `callback: true` queues a callback to tell them",
          "everyone", T, ok=201, params=(INCIDENT_ID,), body=INFORMED_BODY, errors=(400, 401, 403, 404, 409, 422)),
    Route("GET", "/api/dispatches", list_dispatches, "Dispatches, newest first (an agency dispatcher: their "
          "agency's; an officer: their own)", "everyone", T, params=(
              Param("status", description="comma-separated statuses"),
              Param("agency_id", schema={"type": "integer", "minimum": 1}),
              Param("open", schema={"type": "boolean"})), response=DISPATCHES, errors=(401, 403, 422)),
    Route("GET", "/api/dispatches/{dispatch_id}", get_dispatch, "One dispatch", "everyone", T,
          params=(DISPATCH_ID,), response=DISPATCH, errors=(401, 403, 404)),
    Route("POST", "/api/dispatches/{dispatch_id}/transition", move_dispatch, "Move the dispatch (409 with the "
          "allowed statuses; 422 when the move lacks its officer, reason or report)", "everyone", T,
          params=(DISPATCH_ID,), body=MOVE_BODY, response=DISPATCH, errors=(400, 401, 403, 404, 409, 422)),
    Route("POST", "/api/dispatches/{dispatch_id}/acknowledge", acknowledge_dispatch, "The assigned officer accepts "
          "the assignment (`acknowledged_at`; once; 403 for anyone else; 409 unless it is `assigned`)", "everyone", T,
          params=(DISPATCH_ID,), response=DISPATCH, errors=(401, 403, 404, 409)),
    Route("PUT", "/api/dispatches/{dispatch_id}/photo", put_photo, "The report's photo (JPEG or PNG, size-limited)",
          "everyone", T, params=(DISPATCH_ID,), body=BINARY, body_type="image/jpeg", response=DISPATCH,
          errors=(400, 401, 403, 404, 413, 422)),
    Route("GET", "/api/dispatches/{dispatch_id}/photo", get_photo, "The report's photo", "everyone", T,
          params=(DISPATCH_ID,), response=BINARY, content_type="image/jpeg", errors=(401, 403, 404)),
    Route("GET", "/api/officer/assignments", assignments, "An officer's own assignments, open first", "everyone", T,
          response=DISPATCHES, errors=(401, 403)),
    Route("GET", "/api/positions/latest", latest_positions, "Each officer's latest position (an agency dispatcher: "
          "their agency's)", "everyone", T, response={"type": "array", "items": POSITION}, errors=(401, 403)),
    Route("GET", "/api/positions/osmand", osmand, "A position in the OsmAnd / Traccar Client protocol (query "
          "fields); the device's token as HTTP Basic password or `token`", "device", T, params=OSMAND_PARAMS,
          response=STORED, errors=DEVICE_ERRORS),
    Route("POST", "/api/positions/osmand", osmand, "A position in the OsmAnd / Traccar Client protocol (query, "
          "form or Traccar Client's JSON)", "device", T, params=OSMAND_PARAMS,
          body={"type": "object", "properties": {name: {"type": "string"} for name in OSMAND_FIELDS}},
          body_type="application/x-www-form-urlencoded", response=STORED, errors=DEVICE_ERRORS),
    Route("POST", "/api/positions/owntracks", owntracks, "An OwnTracks HTTP-mode message (HTTP Basic: device id "
          "and token; or X-Limit-D and `token`); answers []", "device", T, body=OWNTRACKS,
          params=(Param("token"),), response={"type": "array"}, errors=DEVICE_ERRORS),
)
