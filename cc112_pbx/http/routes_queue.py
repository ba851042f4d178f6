"""The queue configuration: current version, changes (admins), history and diff."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.errors import json_body
from cc112_pbx.http.routing import ARRAY, Param, Route, services
from cc112_pbx.services.api_errors import FieldProblem, Invalid

VERSION = {"$ref": "#/components/schemas/QueueConfigVersion"}
SETTINGS = {"type": "object", "properties": {
    "strategy": {"enum": ["longest_idle", "round_robin", "fewest_calls"]},
    "ring_timeout": {"type": "number", "minimum": 1, "maximum": 600},
    "wrapup_time": {"type": "number", "minimum": 0, "maximum": 3600},
    "auto_pause_after_missed": {"type": "integer", "minimum": 0, "maximum": 100},
    "overflow_after": {"type": "number", "minimum": 0, "maximum": 3600}}}
FULL = {**SETTINGS, "required": list(SETTINGS["properties"])}


async def current(request: web.Request) -> web.Response:
    return web.json_response(await services(request).queue.current(principal(request)))


async def put(request: web.Request) -> web.Response:
    body = await json_body(request)
    return web.json_response(await services(request).queue.change(principal(request), body, complete=True))


async def patch(request: web.Request) -> web.Response:
    body = await json_body(request)
    return web.json_response(await services(request).queue.change(principal(request), body, complete=False))


async def history(request: web.Request) -> web.Response:
    return web.json_response(await services(request).queue.history(principal(request), limit=50))


async def diff(request: web.Request) -> web.Response:
    problems, versions = [], []
    for name in ("from", "to"):
        text = request.query.get(name, "")
        if not text.isdigit() or len(text) > 9:
            problems.append(FieldProblem(name, "a version number"))
        else:
            versions.append(int(text))
    if problems:
        raise Invalid(problems)
    return web.json_response(await services(request).queue.diff(principal(request), *versions))


ROUTES = (
    Route("GET", "/api/queue-config", current, "The queue configuration in force", "staff", "queue",
          response=VERSION, errors=(401, 403)),
    Route("PUT", "/api/queue-config", put, "Replace the queue configuration (every field; applied from the next "
          "offer)", "admin", "queue", body=FULL, response=VERSION,
          description="422 lists every bad field at once; the version in force stays."),
    Route("PATCH", "/api/queue-config", patch, "Change some queue settings (applied from the next offer)", "admin",
          "queue", body=SETTINGS, response=VERSION),
    Route("GET", "/api/queue-config/history", history, "Every version, newest first (author, time)", "staff",
          "queue", response={"type": "array", "items": VERSION}, errors=(401, 403)),
    Route("GET", "/api/queue-config/diff", diff, "What changed between two versions", "staff", "queue",
          params=(Param("from", schema={"type": "integer", "minimum": 1}, required=True),
                  Param("to", schema={"type": "integer", "minimum": 1}, required=True))),
)
__all__ = ["ARRAY", "ROUTES"]
