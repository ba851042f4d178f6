"""Recordings: metadata and audio (with HTTP range requests)."""

from __future__ import annotations

from aiohttp import web

from cc112_pbx.http.auth import principal
from cc112_pbx.http.routing import ARRAY, PAGE, PATH_ID, Route, int_param, services

RECORDING_ID = PATH_ID("recording_id")


async def list_recordings(request: web.Request) -> web.Response:
    return web.json_response(await services(request).recordings.list(principal(request), request.query))


async def get(request: web.Request) -> web.Response:
    recording_id = int_param(request, "recording_id")
    return web.json_response(await services(request).recordings.get(principal(request), recording_id))


async def audio(request: web.Request) -> web.StreamResponse:
    recording_id = int_param(request, "recording_id")
    path = await services(request).recordings.audio_file(principal(request), recording_id)
    return web.FileResponse(path, headers={"Content-Type": "audio/wav", "Accept-Ranges": "bytes",
                                           "Cache-Control": "private, no-store"})


ROUTES = (
    Route("GET", "/api/recordings", list_recordings, "Recordings, newest first (a call taker: their own calls')",
          "everyone", "recordings", params=PAGE, response=ARRAY),
    Route("GET", "/api/recordings/{recording_id}", get, "One recording's metadata", "everyone", "recordings",
          params=(RECORDING_ID,)),
    Route("GET", "/api/recordings/{recording_id}/audio", audio, "The audio (WAV); supports Range requests (206)",
          "everyone", "recordings", params=(RECORDING_ID,), response={"type": "string", "format": "binary"},
          content_type="audio/wav", errors=(401, 403, 404, 416)),
)
