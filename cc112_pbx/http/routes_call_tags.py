"""Call tags (issue 19): the call taker tags a call prank, abusive, ghost (accidental) or silent;
the reports count them by day, hour, tag and number in the centre's time zone."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.routing import Param, Route, services
from cc112_pbx.services.call_tag_service import CallTagService

TAGS = ["prank", "abusive", "ghost", "silent"]
TAG_BODY = {"type": "object", "required": ["tag"], "properties": {"tag": {"type": "string", "enum": TAGS}}}
CALL_ID = Param("call_id", "path", {"type": "string", "maxLength": 64}, required=True)
TAG = Param("tag", "path", {"type": "string", "enum": TAGS}, required=True)


def _tags(request: web.Request) -> CallTagService:
    service = services(request).tags
    if service is None:
        raise web.HTTPServiceUnavailable(reason="call tags are not available")
    return service


async def tag_call(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(reason="the body is not JSON") from None
    result = await _tags(request).tag(principal(request), request.match_info["call_id"], body)
    return web.json_response(result, status=201 if result["created"] else 200)


async def untag_call(request: web.Request) -> web.Response:
    return web.json_response(await _tags(request).untag(principal(request), request.match_info["call_id"],
                                                        request.match_info["tag"]))


async def call_tags(request: web.Request) -> web.Response:
    return web.json_response(await _tags(request).tags_of(principal(request), request.match_info["call_id"]))


async def statistics(request: web.Request) -> web.Response:
    return web.json_response(await _tags(request).statistics(principal(request), request.query))


ROUTES = (
    Route("POST", "/api/calls/{call_id}/tags", tag_call, "Tag a citizen's call prank, abusive, ghost (accidental) "
          "or silent: 201 tagged, 200 it had that tag already; `prank_flag` when the number is now flagged "
          "(a call taker: only calls their own seat had)", "everyone", "call tags", ok=201, body=TAG_BODY,
          params=(CALL_ID,), other_responses={200: {"type": "object"}}),
    Route("DELETE", "/api/calls/{call_id}/tags/{tag}", untag_call, "Remove a call's tag (a key pressed by mistake)",
          "everyone", "call tags", params=(CALL_ID, TAG)),
    Route("GET", "/api/calls/{call_id}/tags", call_tags, "A call's tags", "everyone", "call tags",
          params=(CALL_ID,), errors=(401, 403, 404)),
    Route("GET", "/api/reports/call-tags", statistics, "Tagged calls by tag, day and hour (in `[http] time_zone`) "
          "and number, with the numbers flagged for repeated pranks (default window: the last 7 days)", "staff",
          "reports", params=(Param("from", description="ISO 8601 with offset"),
                             Param("to", description="ISO 8601 with offset"),
                             Param("top", schema={"type": "integer", "minimum": 1, "maximum": 200},
                                   description="how many numbers (default 20)"))),
)
