"""ARI REST: /channels (list, get, originate, create, dial, answer, ring, hangup, play, record,
moh, variables, continue, dtmf).

Commands res_stasis runs on the channel's control queue go through `ari_control`: answer waits
for its turn before answering 204; ring, moh, play, record, continue and dtmf answer at once and
act in turn (after the channel's queued playbacks, ari-15). Hang-up and variables act at once.
"""

from __future__ import annotations

from aiohttp import web

from .ari_models import channel_json, json_response, no_content
from .ari_rest_common import (
    as_list,
    as_number,
    core_errors,
    params,
    stasis_channel,
    state,
)
from .core import CallerId, CoreError

HANGUP_REASONS = {
    "normal": 16, "busy": 17, "congestion": 34, "no_answer": 19, "timeout": 18, "rejected": 21,
    "unallocated": 1, "normal_unspecified": 31, "number_incomplete": 28, "codec_mismatch": 58,
    "interworking": 127, "failure": 38, "answered_elsewhere": 26,
}

routes = web.RouteTableDef()


@routes.get("/ari/channels")
@core_errors
async def list_channels(request: web.Request) -> web.Response:
    core = state(request).core
    return json_response([channel_json(c.to_dict()) for c in core.channels.values()])


@routes.post("/ari/channels/create")
@core_errors
async def create(request: web.Request) -> web.Response:
    ari = state(request)
    p = await params(request)
    if not p.get("endpoint"):
        raise CoreError("bad_request", "Endpoint must be specified")
    if not p.get("app"):
        raise CoreError("bad_request", "Application must be specified")
    result = ari.core.originate(
        p["endpoint"], app=p["app"], app_args=tuple(as_list(p.get("appArgs"))),
        variables={str(k): str(v) for k, v in (p.get("variables") or {}).items()},
        channel_id=p.get("channelId"), other_channel_id=p.get("otherChannelId"), start=False,
    )
    ari.created[result.channel_id] = result
    return json_response(channel_json(result.channel.to_dict()))


@routes.post("/ari/channels")
@routes.post("/ari/channels/{channel_id}")
@core_errors
async def originate(request: web.Request) -> web.Response:
    ari = state(request)
    p = await params(request)
    channel_id = request.match_info.get("channel_id") or p.get("channelId")
    endpoint, app, exten = p.get("endpoint"), p.get("app"), p.get("extension")
    if not endpoint:
        raise CoreError("bad_request", "Endpoint must be specified")
    if not app and not exten:
        raise CoreError("bad_request", "Application or extension must be specified")
    if channel_id and channel_id in ari.core.channels:
        raise CoreError("conflict", "Channel with given unique ID already exists")
    result = ari.core.originate(
        endpoint, app=app or None, app_args=tuple(as_list(p.get("appArgs"))),
        context=p.get("context") or "default" if not app else None,
        exten=exten if not app else None, priority=int(as_number(p.get("priority"), 1, "priority")),
        caller_id=CallerId.parse(p.get("callerId")), timeout=as_number(p.get("timeout"), 30, "timeout"),
        variables={str(k): str(v) for k, v in (p.get("variables") or {}).items()},
        channel_id=channel_id, other_channel_id=p.get("otherChannelId"),
    )
    return json_response(channel_json(result.channel.to_dict()))


@routes.post("/ari/channels/{channel_id}/dial")
@core_errors
async def dial(request: web.Request) -> web.Response:
    ari = state(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    result = ari.created.pop(channel.id, None)
    if result is None:
        raise CoreError("conflict", "Channel is not in the Created state")
    p = await params(request)
    result.start(as_number(p.get("timeout"), 0, "timeout") or None)
    return no_content()


@routes.get("/ari/channels/{channel_id}")
@core_errors
async def get_channel(request: web.Request) -> web.Response:
    channel = state(request).core.get_channel(request.match_info["channel_id"])
    return json_response(channel_json(channel.to_dict()))


@routes.delete("/ari/channels/{channel_id}")
@core_errors
async def hangup(request: web.Request) -> web.Response:
    ari = state(request)
    p = await params(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    cause = 16
    if p.get("reason_code"):
        cause = int(as_number(p["reason_code"], 16, "reason_code"))
    elif p.get("reason"):
        if p["reason"] not in HANGUP_REASONS:
            raise CoreError("bad_request", "Invalid reason for hangup provided")
        cause = HANGUP_REASONS[p["reason"]]
    ari.created.pop(channel.id, None)
    ari.core.hangup(channel.id, cause, origin="api")
    return no_content()


@routes.post("/ari/channels/{channel_id}/answer")
@core_errors
async def answer(request: web.Request) -> web.Response:
    channel = stasis_channel(request)
    core = state(request).core
    await state(request).control().call(channel.id, lambda: core.answer(channel) if channel.alive else None,
                                        name="answer")
    return no_content()


@routes.post("/ari/channels/{channel_id}/ring")
@core_errors
async def ring(request: web.Request) -> web.Response:
    channel = stasis_channel(request)
    core = state(request).core
    state(request).control().run(channel.id, lambda: core.ring(channel) if channel.alive else None, name="ring")
    return no_content()


@routes.delete("/ari/channels/{channel_id}/ring")
@routes.post("/ari/channels/{channel_id}/hold")
@routes.delete("/ari/channels/{channel_id}/hold")
@routes.post("/ari/channels/{channel_id}/mute")
@routes.delete("/ari/channels/{channel_id}/mute")
@routes.post("/ari/channels/{channel_id}/silence")
@routes.delete("/ari/channels/{channel_id}/silence")
@core_errors
async def accepted_no_effect(request: web.Request) -> web.Response:
    """Operations with no observable effect in the emulator (no audio): checked, then 204."""
    stasis_channel(request)
    return no_content()


@routes.post("/ari/channels/{channel_id}/moh")
@core_errors
async def moh_start(request: web.Request) -> web.Response:
    channel = stasis_channel(request)
    p = await params(request)
    media, music = state(request).media, p.get("mohClass") or "default"
    state(request).control().run(channel.id, lambda: media.channel_moh(channel.id, music), name="moh")
    return no_content()


@routes.delete("/ari/channels/{channel_id}/moh")
@core_errors
async def moh_stop(request: web.Request) -> web.Response:
    channel = stasis_channel(request)
    media = state(request).media
    state(request).control().run(channel.id, lambda: media.channel_moh(channel.id, None), name="moh_stop")
    return no_content()


@routes.post("/ari/channels/{channel_id}/play")
@routes.post("/ari/channels/{channel_id}/play/{playback_id}")
@core_errors
async def play(request: web.Request) -> web.Response:
    ari = state(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    p = await params(request)
    media = as_list(p.get("media"))
    if not media:
        raise CoreError("bad_request", "Missing parameter media")
    if channel.stasis_app is None:
        raise CoreError("conflict", "Channel not in Stasis application")
    playback_id = request.match_info.get("playback_id") or p.get("playbackId")
    playback = ari.media.play(media, p.get("lang") or "", playback_id, channel_id=channel.id)
    return json_response(playback.to_dict(), 201)


@routes.post("/ari/channels/{channel_id}/record")
@core_errors
async def record(request: web.Request) -> web.Response:
    ari = state(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    p = await params(request)
    if not p.get("format"):
        raise CoreError("bad_request", "Missing parameter format")
    if channel.stasis_app is None:
        raise CoreError("conflict", "Channel not in Stasis application")
    recording = ari.media.record(p.get("name", ""), p["format"], p.get("ifExists", "fail"),
                                 as_number(p.get("maxDurationSeconds"), 0, "maxDurationSeconds"),
                                 channel_id=channel.id)
    return json_response(recording.to_dict(), 201)


@routes.get("/ari/channels/{channel_id}/variable")
@core_errors
async def get_variable(request: web.Request) -> web.Response:
    ari = state(request)
    p = await params(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    if not p.get("variable"):
        raise CoreError("bad_request", "Variable name is required")
    value = ari.core.get_variable(channel.id, p["variable"])
    if value is None:
        raise CoreError("not_found", "Provided variable was not found")
    return json_response({"value": value})


@routes.post("/ari/channels/{channel_id}/variable")
@core_errors
async def set_variable(request: web.Request) -> web.Response:
    ari = state(request)
    p = await params(request)
    channel = ari.core.get_channel(request.match_info["channel_id"])
    if not p.get("variable"):
        raise CoreError("bad_request", "Variable name is required")
    ari.core.set_variable(channel.id, p["variable"], str(p.get("value", "")))
    return no_content()


@routes.post("/ari/channels/{channel_id}/continue")
@core_errors
async def continue_in_dialplan(request: web.Request) -> web.Response:
    ari = state(request)
    channel = stasis_channel(request)
    p = await params(request)
    priority = int(as_number(p.get("priority"), 0, "priority"))
    context, exten, core = p.get("context", ""), p.get("extension", ""), ari.core

    def resume() -> None:  # still in Stasis when its turn comes (a hang-up drops it)
        if channel.alive and channel.stasis_app is not None:
            core.continue_in_dialplan(channel.id, context, exten, priority)

    ari.control().run(channel.id, resume, name="continue")
    return no_content()


@routes.post("/ari/channels/{channel_id}/dtmf")
@core_errors
async def send_dtmf(request: web.Request) -> web.Response:
    ari = state(request)
    channel = stasis_channel(request)
    p = await params(request)
    digits = p.get("dtmf", "")
    if not digits:
        raise CoreError("bad_request", "DTMF is required")
    between = int(as_number(p.get("between"), 100, "between"))
    duration = int(as_number(p.get("duration"), 100, "duration"))
    ari.control().run(channel.id, lambda: ari.core.send_dtmf(channel.id, digits, between_ms=between,
                                                             duration_ms=duration) if channel.alive else None,
                      name="dtmf")
    return no_content()
