"""ARI REST: /bridges (create, list, get, destroy, addChannel, removeChannel, moh, play, record).

addChannel / removeChannel run on each channel's Stasis control queue and answer once done: a
channel with queued or playing channel playbacks joins when they have ended (ari_control).
"""

from __future__ import annotations

from aiohttp import web

from .ari_models import json_response, no_content
from .ari_rest_common import as_list, as_number, core_errors, params, state
from .core import Channel, Core, CoreError

BRIDGE_TYPES = {"mixing", "holding", "dtmf_events", "proxy_media", "video_sfu", "video_single", "sdp_label"}

routes = web.RouteTableDef()


@routes.get("/ari/bridges")
@core_errors
async def list_bridges(request: web.Request) -> web.Response:
    return json_response([b.to_dict() for b in state(request).core.bridges.values()])


@routes.post("/ari/bridges")
@routes.post("/ari/bridges/{bridge_id}")
@core_errors
async def create_bridge(request: web.Request) -> web.Response:
    core = state(request).core
    p = await params(request)
    bridge_id = request.match_info.get("bridge_id") or p.get("bridgeId")
    types = as_list(p.get("type")) or ["mixing"]
    if not set(types) <= BRIDGE_TYPES:
        raise CoreError("server_error", "Unable to create bridge. Possible duplicate bridge id '(null)'")
    if bridge_id and bridge_id in core.bridges:
        bridge = core.bridges[bridge_id]
        if request.match_info.get("bridge_id"):  # create-or-update: an existing bridge is returned
            return json_response(bridge.to_dict())
        raise CoreError("conflict", "Bridge with the same bridgeId already exists")
    bridge_type = "holding" if "holding" in types else "mixing"
    bridge = core.create_bridge(bridge_type, p.get("name", ""), bridge_id=bridge_id or None)
    return json_response(bridge.to_dict())


@routes.get("/ari/bridges/{bridge_id}")
@core_errors
async def get_bridge(request: web.Request) -> web.Response:
    return json_response(state(request).core.get_bridge(request.match_info["bridge_id"]).to_dict())


@routes.delete("/ari/bridges/{bridge_id}")
@core_errors
async def destroy_bridge(request: web.Request) -> web.Response:
    state(request).core.destroy_bridge(request.match_info["bridge_id"])
    return no_content()


@routes.post("/ari/bridges/{bridge_id}/addChannel")
@core_errors
async def add_channel(request: web.Request) -> web.Response:
    core = state(request).core
    bridge = core.get_bridge(request.match_info["bridge_id"])
    p = await params(request)
    ids = as_list(p.get("channel"))
    if not ids:
        raise CoreError("bad_request", "Missing parameter channel")
    channels = [core.channels.get(i) for i in ids]
    if any(c is None for c in channels):
        raise CoreError("bad_request", "Channel not found")
    if any(c.stasis_app is None for c in channels if c is not None):
        raise CoreError("unprocessable", "Channel not in Stasis application")
    controls = state(request).control()
    for channel in channels:  # one after the other, each once its control queue gets to it (ari-15)
        if channel is not None:
            await controls.call(channel.id, lambda c=channel: _join(core, bridge.id, c), name="addChannel")
    return no_content()


def _join(core: Core, bridge_id: str, channel: Channel) -> None:
    """The queued join: a channel gone, out of Stasis or a bridge destroyed meanwhile is skipped
    (Asterisk's failed command still answers 204)."""
    if channel.alive and channel.stasis_app is not None and bridge_id in core.bridges:
        core.add_to_bridge(bridge_id, channel.id)


def _leave(core: Core, bridge_id: str, channel_id: str) -> None:
    channel = core.channels.get(channel_id)
    if channel is not None and channel.bridge_id == bridge_id:
        core.remove_from_bridge(bridge_id, channel_id)


@routes.post("/ari/bridges/{bridge_id}/removeChannel")
@core_errors
async def remove_channel(request: web.Request) -> web.Response:
    core = state(request).core
    bridge = core.get_bridge(request.match_info["bridge_id"])
    p = await params(request)
    ids = as_list(p.get("channel"))
    if not ids:
        raise CoreError("bad_request", "Missing parameter channel")
    if any(i not in core.channels for i in ids):
        raise CoreError("bad_request", "Channel not found")
    if any(core.channels[i].bridge_id != bridge.id for i in ids):
        raise CoreError("unprocessable", "Channel not in this bridge")
    controls = state(request).control()
    for channel_id in ids:
        await controls.call(channel_id, lambda c=channel_id: _leave(core, bridge.id, c), name="removeChannel")
    return no_content()


@routes.post("/ari/bridges/{bridge_id}/moh")
@core_errors
async def moh_start(request: web.Request) -> web.Response:
    p = await params(request)
    state(request).media.bridge_moh_start(request.match_info["bridge_id"], p.get("mohClass") or "default")
    return no_content()


@routes.delete("/ari/bridges/{bridge_id}/moh")
@core_errors
async def moh_stop(request: web.Request) -> web.Response:
    state(request).media.bridge_moh_stop(request.match_info["bridge_id"])
    return no_content()


@routes.post("/ari/bridges/{bridge_id}/play")
@routes.post("/ari/bridges/{bridge_id}/play/{playback_id}")
@core_errors
async def play(request: web.Request) -> web.Response:
    ari = state(request)
    bridge = ari.core.get_bridge(request.match_info["bridge_id"])
    p = await params(request)
    media = as_list(p.get("media"))
    if not media:
        raise CoreError("bad_request", "Missing parameter media")
    playback_id = request.match_info.get("playback_id") or p.get("playbackId")
    playback = ari.media.play(media, p.get("lang") or "", playback_id, bridge_id=bridge.id)
    return json_response(playback.to_dict(), 201)


@routes.post("/ari/bridges/{bridge_id}/record")
@core_errors
async def record(request: web.Request) -> web.Response:
    ari = state(request)
    bridge = ari.core.get_bridge(request.match_info["bridge_id"])
    p = await params(request)
    if not p.get("format"):
        raise CoreError("bad_request", "Missing parameter format")
    recording = ari.media.record(p.get("name", ""), p["format"], p.get("ifExists", "fail"),
                                 as_number(p.get("maxDurationSeconds"), 0, "maxDurationSeconds"),
                                 bridge_id=bridge.id)
    return json_response(recording.to_dict(), 201)
