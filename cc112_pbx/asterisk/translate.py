"""ARI events (JSON) -> telephony events. Pure functions; never raise.

With `translate_ami.py` and `snapshots.py` this is the only place where Asterisk's names
(`StasisStart`, `ChannelDestroyed`, `cause_txt`, ...) appear. Anything that cannot be
translated is counted in a `DropCounter` and logged (unknown types once per type); the
caller gets None, never an exception.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog

from cc112_pbx.asterisk.vocabulary import channel_state, hangup_cause
from cc112_pbx.domain import telephony as t

log = structlog.get_logger(__name__)


class Malformed(ValueError):
    """A message lacks a field or has one of the wrong type (internal to the translators)."""


class DropCounter:
    """What the translators could not use: unknown types, malformed messages, ignored types."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.unknown: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()
        self.malformed = 0

    def unknown_type(self, kind: str) -> None:
        self.unknown[kind] += 1
        if self.unknown[kind] == 1:
            log.warning("asterisk_unknown_event_type", source=self.source, type=kind[:80])

    def ignore(self, kind: str) -> None:
        self.ignored[kind] += 1

    def bad(self, reason: str, sample: object) -> None:
        """Count a dropped message; log the first ones, then every 1000th (a garbage flood stays quiet)."""
        self.malformed += 1
        if self.malformed <= 20 or self.malformed % 1000 == 0:
            log.warning("asterisk_malformed_message", source=self.source, reason=reason[:200],
                        sample=repr(sample)[:200], dropped_total=self.malformed)


# --- small accessors: they raise Malformed, caught once in translate_ari_event -----------------


def obj(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise Malformed(f"{key!r} missing or not an object")
    return value


def text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise Malformed(f"{key!r} missing or not a string")
    return value


def opt_text(data: Mapping[str, Any], key: str) -> str | None:
    """A string field; "" and absent both mean None (Asterisk sends "" for no caller number)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Malformed(f"{key!r} not a string")
    return value


def opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Malformed(f"{key!r} not an integer")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Malformed(f"{key!r} not an integer") from exc


def str_tuple(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Malformed(f"{key!r} not a list of strings")
    return tuple(value)


def ari_time(value: object) -> datetime:
    """`2026-11-29T07:48:34.331+0000` -> aware datetime; now (UTC) when absent or unreadable."""
    if isinstance(value, str):
        for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                return datetime.strptime(value, fmt).astimezone(UTC)
            except ValueError:
                continue
    return datetime.now(UTC)


def device_state(value: str) -> t.DeviceState:
    try:
        return t.DeviceState(value.upper())
    except ValueError:
        return t.DeviceState.UNKNOWN


def dialled_number(args: tuple[str, ...], dialplan: Mapping[str, Any]) -> str | None:
    """`Stasis(cc112,inbound,113)` -> "113"; plain `Stasis(cc112)` -> the dialplan exten."""
    if len(args) >= 2 and args[0] == "inbound":
        return args[1] or None
    if not args:
        return opt_text(dialplan, "exten")
    return None


# --- one function per ARI event type -----------------------------------------------------------

Event = Mapping[str, Any]


def _stasis_start(ev: Event, at: datetime) -> t.TelephonyEvent:
    channel = obj(ev, "channel")
    caller = channel.get("caller") if isinstance(channel.get("caller"), Mapping) else {}
    dialplan = channel.get("dialplan") if isinstance(channel.get("dialplan"), Mapping) else {}
    args = str_tuple(ev, "args")
    return t.CallEntered(
        at=at, channel_id=text(channel, "id"), channel_name=text(channel, "name"), args=args,
        caller_number=opt_text(caller, "number"), caller_name=opt_text(caller, "name"),
        state=channel_state(text(channel, "state")), dialled=dialled_number(args, dialplan),
    )


def _channel_id(ev: Event) -> str:
    return text(obj(ev, "channel"), "id")


def _stasis_end(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.CallLeft(at=at, channel_id=_channel_id(ev))


def _state_change(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.ChannelStateChanged(at=at, channel_id=_channel_id(ev),
                                 state=channel_state(text(obj(ev, "channel"), "state")))


def _hangup_request(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.HangupRequested(at=at, channel_id=_channel_id(ev), soft=ev.get("soft") is True)


def _destroyed(ev: Event, at: datetime) -> t.TelephonyEvent:
    cause = opt_int(ev, "cause")
    return t.ChannelGone(at=at, channel_id=_channel_id(ev), cause=cause, cause_text=opt_text(ev, "cause_txt"),
                         reason=hangup_cause(cause))


def _talking_started(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.TalkingChanged(at=at, channel_id=_channel_id(ev), talking=True)


def _talking_finished(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.TalkingChanged(at=at, channel_id=_channel_id(ev), talking=False)


def _entered_bridge(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.ChannelEnteredBridge(at=at, channel_id=_channel_id(ev), bridge_id=text(obj(ev, "bridge"), "id"))


def _left_bridge(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.ChannelLeftBridge(at=at, channel_id=_channel_id(ev), bridge_id=text(obj(ev, "bridge"), "id"))


def _bridge_destroyed(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.BridgeGone(at=at, bridge_id=text(obj(ev, "bridge"), "id"))


def _dtmf(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.DtmfReceived(at=at, channel_id=_channel_id(ev), digit=text(ev, "digit"))


def _dial(ev: Event, at: datetime) -> t.TelephonyEvent | None:
    status = opt_text(ev, "dialstatus")
    if status is None:  # "" = dialling began; nothing to tell
        return None
    return t.DialProgress(at=at, peer_channel_id=text(obj(ev, "peer"), "id"), status=status)


def _playback_finished(ev: Event, at: datetime) -> t.TelephonyEvent:
    playback = obj(ev, "playback")
    return t.PlaybackEnded(at=at, playback_id=text(playback, "id"), target_uri=text(playback, "target_uri"),
                           failed=playback.get("state") == "failed")


def _device_state(ev: Event, at: datetime) -> t.TelephonyEvent:
    device = obj(ev, "device_state")
    return t.DeviceStateChanged(at=at, device=text(device, "name"), state=device_state(text(device, "state")))


def _endpoint_state(ev: Event, at: datetime) -> t.TelephonyEvent:
    endpoint = obj(ev, "endpoint")
    name = f"{text(endpoint, 'technology')}/{text(endpoint, 'resource')}"
    return t.EndpointReachability(at=at, endpoint=name, online=endpoint.get("state") == "online")


def _recording(ev: Event, at: datetime) -> t.TelephonyEvent:
    rec = obj(ev, "recording")
    return t.LiveRecordingChanged(at=at, name=text(rec, "name"), target=text(rec, "target_uri"),
                                  state=text(rec, "state"), duration=opt_int(rec, "duration"))


def _replaced(ev: Event, at: datetime) -> t.TelephonyEvent:
    return t.ApplicationReplaced(at=at, application=text(ev, "application"))


ARI_DISPATCH: dict[str, Callable[[Event, datetime], t.TelephonyEvent | None]] = {
    "StasisStart": _stasis_start,
    "StasisEnd": _stasis_end,
    "ChannelStateChange": _state_change,
    "ChannelTalkingStarted": _talking_started,
    "ChannelTalkingFinished": _talking_finished,
    "ChannelHangupRequest": _hangup_request,
    "ChannelDestroyed": _destroyed,
    "ChannelEnteredBridge": _entered_bridge,
    "ChannelLeftBridge": _left_bridge,
    "BridgeDestroyed": _bridge_destroyed,
    "ChannelDtmfReceived": _dtmf,
    "Dial": _dial,
    "PlaybackFinished": _playback_finished,
    "DeviceStateChanged": _device_state,
    "EndpointStateChange": _endpoint_state,
    "RecordingStarted": _recording,
    "RecordingFinished": _recording,
    "RecordingFailed": _recording,
    "ApplicationReplaced": _replaced,
}

# Real events the controller has no use for: counted, not logged as unknown.
ARI_IGNORED = frozenset({
    "ChannelVarset", "ChannelDialplan", "ChannelCallerId", "ChannelConnectedLine", "PlaybackStarted",
    "PlaybackContinuing", "PeerStatusChange", "ContactStatusChange", "BridgeCreated", "BridgeMerged",
    "BridgeVideoSourceChanged", "BridgeAttendedTransfer", "BridgeBlindTransfer", "ChannelCreated",
    "ChannelHold", "ChannelUnhold", "ChannelUserevent",
    "ChannelToneDetected", "TextMessageReceived", "ApplicationMoveFailed", "ChannelTransfer",
    "ApplicationRegistered", "ApplicationUnregistered",
})


def translate_ari_event(data: object, drops: DropCounter) -> t.TelephonyEvent | None:
    """One parsed ARI event (a JSON object) -> a telephony event, or None (ignored or dropped)."""
    if not isinstance(data, Mapping):
        drops.bad("ARI event is not a JSON object", data)
        return None
    kind = data.get("type")
    if not isinstance(kind, str):
        drops.bad("ARI event without a string 'type'", data)
        return None
    handler = ARI_DISPATCH.get(kind)
    if handler is None:
        if kind in ARI_IGNORED:
            drops.ignore(kind)
        else:
            drops.unknown_type(kind)
        return None
    try:
        return handler(data, ari_time(data.get("timestamp")))
    except Exception as exc:  # Malformed, or anything a hostile frame provokes: drop, never raise
        drops.bad(f"{kind}: {exc}", data)
        return None


def parse_ari_frame(frame: str | bytes, drops: DropCounter) -> t.TelephonyEvent | None:
    """A WebSocket text frame -> a telephony event, or None. Invalid JSON is counted and dropped."""
    try:
        data = json.loads(frame)
    except (ValueError, TypeError, RecursionError) as exc:
        drops.bad(f"invalid JSON: {exc}", frame)
        return None
    return translate_ari_event(data, drops)
