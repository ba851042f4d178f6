"""ARI REST bodies -> snapshot dataclasses of `cc112_pbx.domain.telephony`.

Each function raises `Malformed` on a body it cannot read; `AriClient` turns that into
`BadResponse`. Channels are "in the app" when their dialplan shows `Stasis(<app>,...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cc112_pbx.asterisk.translate import Malformed, ari_time, device_state, opt_int, opt_text, str_tuple, text
from cc112_pbx.asterisk.vocabulary import channel_state
from cc112_pbx.domain import telephony as t


def _sub(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def stasis_app_and_args(dialplan: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """`app_name` Stasis, `app_data` "cc112,inbound,113" -> ("cc112", ("inbound", "113"))."""
    if dialplan.get("app_name") != "Stasis" or not isinstance(dialplan.get("app_data"), str):
        return None, ()
    app, *args = dialplan["app_data"].split(",")
    return (app.strip() or None), tuple(a.strip() for a in args)


def channel(data: object) -> t.ChannelSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("channel is not an object")
    caller, dialplan = _sub(data, "caller"), _sub(data, "dialplan")
    app, args = stasis_app_and_args(dialplan)
    created = data.get("creationtime")
    return t.ChannelSnapshot(
        channel_id=text(data, "id"), name=text(data, "name"), state=channel_state(text(data, "state")),
        caller_number=opt_text(caller, "number"), caller_name=opt_text(caller, "name"),
        context=str(dialplan.get("context", "")), exten=str(dialplan.get("exten", "")), app=app, args=args,
        created=ari_time(created) if isinstance(created, str) else None,
    )


def bridge(data: object) -> t.BridgeSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("bridge is not an object")
    return t.BridgeSnapshot(
        bridge_id=text(data, "id"), bridge_type=str(data.get("bridge_type", "")),
        technology=str(data.get("technology", "")), name=str(data.get("name", "")),
        channel_ids=str_tuple(data, "channels"), stasis=data.get("bridge_class", "stasis") == "stasis",
    )


def playback(data: object) -> t.PlaybackSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("playback is not an object")
    return t.PlaybackSnapshot(playback_id=text(data, "id"), media_uri=str(data.get("media_uri", "")),
                              target_uri=str(data.get("target_uri", "")), state=str(data.get("state", "")))


def recording(data: object) -> t.RecordingSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("recording is not an object")
    return t.RecordingSnapshot(name=text(data, "name"), format=str(data.get("format", "")),
                               state=str(data.get("state", "")), target=str(data.get("target_uri", "")),
                               duration=opt_int(data, "duration"))


def endpoint(data: object) -> t.EndpointSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("endpoint is not an object")
    return t.EndpointSnapshot(endpoint=f"{text(data, 'technology')}/{text(data, 'resource')}",
                              state=str(data.get("state", "unknown")),
                              channel_ids=str_tuple(data, "channel_ids"))


def device(data: object) -> t.DeviceStateSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("device state is not an object")
    return t.DeviceStateSnapshot(device=text(data, "name"), state=device_state(text(data, "state")))


def application(data: object) -> t.ApplicationSnapshot:
    if not isinstance(data, Mapping):
        raise Malformed("application is not an object")
    return t.ApplicationSnapshot(
        name=text(data, "name"), channel_ids=str_tuple(data, "channel_ids"),
        bridge_ids=str_tuple(data, "bridge_ids"), endpoint_ids=str_tuple(data, "endpoint_ids"),
        device_names=str_tuple(data, "device_names"),
    )


def variable_value(data: object) -> str:
    if not isinstance(data, Mapping):
        raise Malformed("variable is not an object")
    return text(data, "value")


def asterisk_version(data: object) -> str:
    """`GET /asterisk/info` -> "22.10.1" ("" when the server does not say)."""
    if not isinstance(data, Mapping):
        raise Malformed("asterisk info is not an object")
    return str(_sub(data, "system").get("version", ""))


def listing(data: object, item) -> list:
    if not isinstance(data, list):
        raise Malformed("expected a JSON list")
    return [item(entry) for entry in data]


__all__ = ["application", "asterisk_version", "bridge", "channel", "device", "endpoint", "listing",
           "playback", "recording", "stasis_app_and_args", "variable_value"]
