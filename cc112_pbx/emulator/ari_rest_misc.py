"""ARI REST: /asterisk, /applications, /endpoints, /deviceStates, /playbacks, /recordings."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .ari_apps import AriApplication
from .ari_models import asterisk_info, json_response, no_content
from .ari_rest_common import AriState, as_list, core_errors, params, state
from .core import CoreError, Endpoint, ari_time
from .core import events as ev

DEVICE_STATES = {"NOT_INUSE", "INUSE", "BUSY", "INVALID", "UNAVAILABLE", "RINGING", "RINGINUSE",
                 "ONHOLD", "UNKNOWN"}

routes = web.RouteTableDef()


@routes.get("/ari/asterisk/info")
async def info(request: web.Request) -> web.Response:
    ari = state(request)
    return json_response(asterisk_info(ari.core, ari.started, ari.started))


@routes.get("/ari/asterisk/ping")
async def ping(request: web.Request) -> web.Response:
    ari = state(request)
    return json_response({"asterisk_id": ari.core.asterisk_id, "ping": "pong",
                          "timestamp": ari_time(ari.core.now())})


# ---- applications ------------------------------------------------------------------------------
@routes.get("/ari/applications")
async def list_applications(request: web.Request) -> web.Response:
    apps = state(request).apps.apps.values()
    return json_response([a.to_dict() for a in sorted(apps, key=lambda a: a.name)])


@routes.get("/ari/applications/{name}")
@core_errors
async def get_application(request: web.Request) -> web.Response:
    app = state(request).apps.get(request.match_info["name"])
    if app is None:
        raise CoreError("not_found", "Application does not exist.")
    return json_response(app.to_dict())


def _check_source(ari: AriState, source: str) -> tuple[str, str]:
    scheme, sep, target = source.partition(":")
    if not sep or scheme not in ("channel", "bridge", "endpoint", "deviceState"):
        raise CoreError("bad_request", "Invalid event source URI scheme")
    exists = {
        "channel": lambda: target in ari.core.channels,
        "bridge": lambda: target in ari.core.bridges,
        "endpoint": lambda: target in ari.core.endpoints
        or any(e.technology == target for e in ari.core.endpoints.values()),  # `endpoint:PJSIP`: all
        "deviceState": lambda: True,
    }[scheme]()
    if not exists:
        raise CoreError("unprocessable", "Event source does not exist")
    return scheme, target


@routes.post("/ari/applications/{name}/subscription")
@routes.delete("/ari/applications/{name}/subscription")
@core_errors
async def subscription(request: web.Request) -> web.Response:
    ari = state(request)
    app = ari.apps.get(request.match_info["name"])
    if app is None:
        raise CoreError("not_found", "Application does not exist.")
    p = await params(request)
    sources = as_list(p.get("eventSource"))
    if not sources:
        raise CoreError("bad_request", "Missing parameter eventSource")
    checked = [_check_source(ari, s) for s in sources]
    subscribe = request.method == "POST"
    for scheme, target in checked:
        if not subscribe and not _subscribed(app, scheme, target):
            raise CoreError("unprocessable", "Event source was not subscribed to")
    for scheme, target in checked:
        _apply(app, scheme, target, subscribe)
    return json_response(app.to_dict())


def _subscribed(app: AriApplication, scheme: str, target: str) -> bool:
    return {
        "channel": lambda: app.channels[target] > 0,
        "bridge": lambda: target in app.bridges,
        "endpoint": lambda: target in app.endpoints,
        "deviceState": lambda: target in app.devices,
    }[scheme]()


def _apply(app: AriApplication, scheme: str, target: str, subscribe: bool) -> None:
    if scheme == "channel":
        app.channels[target] += 1 if subscribe else -1
        if app.channels[target] <= 0:
            del app.channels[target]
    elif scheme == "bridge":
        (app.bridges.add if subscribe else app.bridges.discard)(target)
    else:
        items = app.endpoints if scheme == "endpoint" else app.devices
        if subscribe and target not in items:
            items.append(target)
        elif not subscribe and target in items:
            items.remove(target)


# ---- endpoints -----------------------------------------------------------------------------------
def _endpoint_json(ari: AriState, endpoint: Endpoint) -> dict[str, Any]:
    return endpoint.to_dict([c.id for c in ari.core.channels_of_endpoint(endpoint)])


@routes.get("/ari/endpoints")
async def list_endpoints(request: web.Request) -> web.Response:
    ari = state(request)
    return json_response([_endpoint_json(ari, e) for e in ari.core.endpoints.values()])


@routes.get("/ari/endpoints/{tech}")
@core_errors
async def list_endpoints_of(request: web.Request) -> web.Response:
    ari = state(request)
    tech = request.match_info["tech"]
    found = [_endpoint_json(ari, e) for e in ari.core.endpoints.values() if e.technology == tech]
    if not found:
        raise CoreError("not_found", "No Endpoints found - invalid tech " + tech)
    return json_response(found)


@routes.get("/ari/endpoints/{tech}/{resource}")
@core_errors
async def get_endpoint(request: web.Request) -> web.Response:
    ari = state(request)
    endpoint = ari.core.get_endpoint(request.match_info["tech"], request.match_info["resource"])
    if endpoint is None:
        raise CoreError("not_found", "Endpoint not found")
    return json_response(_endpoint_json(ari, endpoint))


# ---- device states (only Stasis: devices, as Asterisk) ------------------------------------------
@routes.get("/ari/deviceStates")
async def list_device_states(request: web.Request) -> web.Response:
    states = state(request).device_states
    return json_response([{"name": n, "state": s} for n, s in states.items()])


@routes.get("/ari/deviceStates/{name}")
@core_errors
async def get_device_state(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return json_response({"name": name, "state": state(request).device_states.get(name, "UNKNOWN")})


@routes.put("/ari/deviceStates/{name}")
@routes.delete("/ari/deviceStates/{name}")
@core_errors
async def change_device_state(request: web.Request) -> web.Response:
    ari = state(request)
    name = request.match_info["name"]
    if not name.startswith("Stasis:"):
        raise CoreError("conflict", "Uncontrolled device specified")
    if request.method == "DELETE":
        if ari.device_states.pop(name, None) is None:
            raise CoreError("not_found", "Device name is missing")
        return no_content()
    new_state = (await params(request)).get("deviceState", "")
    if new_state not in DEVICE_STATES:
        raise CoreError("bad_request", "Invalid device state")
    ari.device_states[name] = new_state
    ari.core.emit(ev.DeviceStateChanged(ari.core.now(), name, new_state))
    return no_content()


# ---- playbacks -----------------------------------------------------------------------------------
@routes.get("/ari/playbacks/{playback_id}")
@core_errors
async def get_playback(request: web.Request) -> web.Response:
    playback = state(request).media.playbacks.get(request.match_info["playback_id"])
    if playback is None:
        raise CoreError("not_found", "Playback not found")
    return json_response(playback.to_dict())


@routes.delete("/ari/playbacks/{playback_id}")
@core_errors
async def stop_playback(request: web.Request) -> web.Response:
    await state(request).media.stop_playback(request.match_info["playback_id"])
    return no_content()


# ---- recordings ----------------------------------------------------------------------------------
@routes.get("/ari/recordings/stored")
async def list_stored(request: web.Request) -> web.Response:
    return json_response(state(request).media.stored())


@routes.get("/ari/recordings/stored/{name}")
@core_errors
async def get_stored(request: web.Request) -> web.Response:
    path = state(request).media.find_stored(request.match_info["name"])
    return json_response({"name": path.stem, "format": path.suffix[1:]})


@routes.delete("/ari/recordings/stored/{name}")
@core_errors
async def delete_stored(request: web.Request) -> web.Response:
    state(request).media.find_stored(request.match_info["name"]).unlink()
    return no_content()


@routes.get("/ari/recordings/stored/{name}/file")
@core_errors
async def stored_file(request: web.Request) -> web.StreamResponse:
    path = state(request).media.find_stored(request.match_info["name"])
    content_type = "audio/wav" if path.suffix == ".wav" else "application/octet-stream"
    return web.Response(body=path.read_bytes(), content_type=content_type)


@routes.get("/ari/recordings/live/{name}")
@core_errors
async def get_live(request: web.Request) -> web.Response:
    recording = state(request).media.recordings.get(request.match_info["name"])
    if recording is None:
        raise CoreError("not_found", "Recording not found")
    return json_response(recording.to_dict())


@routes.post("/ari/recordings/live/{name}/stop")
@core_errors
async def stop_live(request: web.Request) -> web.Response:
    state(request).media.stop_recording(request.match_info["name"])
    return no_content()


@routes.delete("/ari/recordings/live/{name}")
@core_errors
async def cancel_live(request: web.Request) -> web.Response:
    state(request).media.stop_recording(request.match_info["name"], cancel=True)
    return no_content()
