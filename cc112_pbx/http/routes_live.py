"""Live state and the event stream."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.events_ws import events
from cc112_pbx.http.routing import Route, services
from cc112_pbx.services.live_control import visible_to

LIVE = {"$ref": "#/components/schemas/Live"}


async def live(request: web.Request) -> web.Response:
    who = principal(request)
    snapshot = services(request).live.snapshot()
    if who.is_call_taker:
        snapshot = visible_to(snapshot, who.seat_id)
    return web.json_response(snapshot)


ROUTES = (
    Route("GET", "/api/live", live, "Calls waiting (wait, caller kind, category hint, repeat link), ringing and "
          "connected; seats and their states (a call taker: their own seat and calls)", "everyone", "live",
          response=LIVE, errors=(401,)),
    Route("GET", "/api/events", events, "WebSocket: every change as a JSON message, filtered per role; the "
          "screen pop is `seat_ringing`, sent before the seat answers", "everyone", "live", ok=101, response=None,
          errors=(401, 422),
          description="Token in the Authorization header, or `?access_token=` for browsers."),
)
