"""Seats: list with live state, create/update/delete (admins), login/logout/pause/unpause."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import Param, Route, services

SEAT = {"$ref": "#/components/schemas/Seat"}
SEAT_ID = Param("seat_id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,31}$"}, required=True)
NEW_SEAT = {"type": "object", "required": ["id", "name", "dial_string"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "dial_string": {"type": "string", "example": "PJSIP/seat11"},
    "overflow": {"type": "boolean"}}}
SEAT_PATCH = {"type": "object", "properties": {"name": {"type": "string"}, "dial_string": {"type": "string"},
                                               "overflow": {"type": "boolean"}}}
PAUSE = {"type": "object", "properties": {"reason": {"type": "string", "example": "break"}}}
STATE = {"$ref": "#/components/schemas/SeatState"}


async def list_seats(request: web.Request) -> web.Response:
    return web.json_response(await services(request).seats.list(principal(request)))


async def get_seat(request: web.Request) -> web.Response:
    return web.json_response(await services(request).seats.get(principal(request), request.match_info["seat_id"]))


async def create(request: web.Request) -> web.Response:
    body = await json_body(request)
    return web.json_response(await services(request).seats.create(principal(request), body), status=201)


async def update(request: web.Request) -> web.Response:
    body = await json_body(request)
    seat = await services(request).seats.update(principal(request), request.match_info["seat_id"], body)
    return web.json_response(seat)


async def delete(request: web.Request) -> web.Response:
    await services(request).seats.delete(principal(request), request.match_info["seat_id"])
    return web.Response(status=204)


def _action(action: str):
    async def handle(request: web.Request) -> web.Response:
        reason = None
        if action == "pause":
            body = await json_body(request)
            reason = body.get("reason") if isinstance(body, dict) else None
            reason = reason if isinstance(reason, str) else None
        seat = await services(request).seats.act(principal(request), request.match_info["seat_id"], action, reason)
        return web.json_response(seat)

    handle.__name__ = f"seat_{action}"
    return handle


ROUTES = (
    Route("GET", "/api/seats", list_seats, "Seats with their live state (a call taker: their own)", "everyone",
          "seats", response={"type": "array", "items": SEAT}, errors=(401,)),
    Route("POST", "/api/seats", create, "Create a seat (rung from the next offer)", "admin", "seats", ok=201,
          body=NEW_SEAT, response=SEAT, errors=(400, 401, 403, 409, 422)),
    Route("GET", "/api/seats/{seat_id}", get_seat, "One seat with its live state", "everyone", "seats",
          params=(SEAT_ID,), response=SEAT),
    Route("PATCH", "/api/seats/{seat_id}", update, "Change a seat's name, dial string or overflow flag", "admin",
          "seats", params=(SEAT_ID,), body=SEAT_PATCH, response=SEAT),
    Route("DELETE", "/api/seats/{seat_id}", delete, "Delete a seat (refused while it is on a call)", "admin",
          "seats", ok=204, response=None, params=(SEAT_ID,), errors=(401, 403, 404, 409)),
    *(Route("POST", f"/api/seats/{{seat_id}}/{action}", _action(action), f"{action.capitalize()} the seat",
            "everyone", "seats", params=(SEAT_ID,), response=STATE, body=PAUSE if action == "pause" else None,
            description="A call taker only for their own seat.")
      for action in ("login", "logout", "pause", "unpause")),
)
