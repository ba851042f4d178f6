"""ARI applications: WebSocket registrations, subscriptions, and routing core events to them.

Subscription rules (as recorded from Asterisk 22.10.1, see the trace README):
- An app that originates a channel (`POST /channels?app=`) is subscribed to it (both Local halves)
  until the channel is destroyed: it sees ChannelDestroyed.
- A channel entering Stasis subscribes its app until StasisEnd: a dialplan-entered caller gives
  StasisEnd and no ChannelDestroyed. StasisStart / StasisEnd go to that app only.
- A Stasis channel entering a bridge subscribes its app to the bridge; ChannelEnteredBridge /
  ChannelLeftBridge / BridgeDestroyed go to the bridge's subscribers. Moving or removing the
  channel out of a bridge unsubscribes; a hang-up leaves the subscription (BridgeDestroyed follows).
- A second WebSocket for an app replaces the first: the first gets ApplicationReplaced and nothing
  more. When the active socket closes, `Stasis()` for the app fails; the app stays listed while
  it still has subscriptions, and vanishes when it has none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ari_models import channel_json, envelope
from .core import Core
from .core import events as ev

Send = Callable[[dict[str, Any]], None]


@dataclass(eq=False)
class EventSocket:
    """One WebSocket's outgoing side: `send` queues a JSON event for the socket's writer."""

    app: str
    send: Send
    subscribe_all: bool = False
    replaced: bool = False


@dataclass(eq=False)
class AriApplication:
    name: str
    socket: EventSocket | None = None
    channels: Counter[str] = field(default_factory=Counter)
    bridges: set[str] = field(default_factory=set)
    endpoints: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (+self.channels) and not self.bridges and not self.endpoints and not self.devices

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "channel_ids": [c for c, n in self.channels.items() if n > 0],
            "bridge_ids": sorted(self.bridges),
            "endpoint_ids": list(self.endpoints),
            "device_names": list(self.devices),
            "events_allowed": [],
            "events_disallowed": [],
        }

    def deliver(self, event: dict[str, Any]) -> None:
        if self.socket is not None and not self.socket.replaced:
            self.socket.send({**event, "application": self.name})


class AriApplications:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.apps: dict[str, AriApplication] = {}
        self._unsubscribe = core.subscribe(self.on_core_event)
        # the subscribers of the channel destroyed last: its late ChannelCallerId (ari-01) reaches them
        self._just_destroyed: tuple[str, list[AriApplication]] = ("", [])

    def close(self) -> None:
        self._unsubscribe()

    # ---- sockets -----------------------------------------------------------------------------
    def connect(self, name: str, send: Send, subscribe_all: bool = False) -> EventSocket:
        app = self.apps.setdefault(name, AriApplication(name))
        socket = EventSocket(name, send, subscribe_all)
        old = app.socket
        if old is not None:
            old.send(envelope(self.core, "ApplicationReplaced", application=name))
            old.replaced = True
        app.socket = socket
        self.core.register_stasis_app(name)
        return socket

    def disconnect(self, socket: EventSocket) -> None:
        app = self.apps.get(socket.app)
        if app is None or app.socket is not socket:
            return
        app.socket = None
        self.core.unregister_stasis_app(app.name)
        self._forget_if_empty(app)

    def _forget_if_empty(self, app: AriApplication) -> None:
        if app.socket is None and app.empty:
            self.apps.pop(app.name, None)

    def get(self, name: str) -> AriApplication | None:
        return self.apps.get(name)

    # ---- routing -------------------------------------------------------------------------------
    def _channel_subscribers(self, channel_id: str) -> list[AriApplication]:
        return [a for a in self.apps.values() if a.channels[channel_id] > 0 or self._all(a)]

    def _bridge_subscribers(self, bridge_id: str) -> list[AriApplication]:
        return [a for a in self.apps.values() if bridge_id in a.bridges or self._all(a)]

    @staticmethod
    def _all(app: AriApplication) -> bool:
        return app.socket is not None and app.socket.subscribe_all

    def _to_channel(self, channel_id: str, event: dict[str, Any]) -> None:
        for app in self._channel_subscribers(channel_id):
            app.deliver(event)

    def on_core_event(self, event: ev.CoreEvent) -> None:
        handler = self._DISPATCH.get(type(event))
        if handler is not None:
            handler(self, event)

    def _channel_event(self, event: ev.ChannelEvent, kind: str, **extra: Any) -> None:
        body = envelope(self.core, kind, at=event.at, **extra, channel=channel_json(event.snapshot))
        self._to_channel(event.channel_id, body)

    def _on_created(self, event: ev.ChannelCreated) -> None:
        if event.originator and event.originator in self.apps:
            self.apps[event.originator].channels[event.channel_id] += 1

    def _on_state(self, event: ev.ChannelStateChanged) -> None:
        self._channel_event(event, "ChannelStateChange")

    def _on_callerid(self, event: ev.ChannelCallerIdChanged) -> None:
        body = envelope(self.core, "ChannelCallerId", at=event.at, caller_presentation=0,
                        caller_presentation_txt="Presentation Allowed, Not Screened",
                        channel=channel_json(event.snapshot))
        gone_id, gone_subscribers = self._just_destroyed
        subscribers = gone_subscribers if event.channel_id == gone_id else \
            self._channel_subscribers(event.channel_id)
        for app in subscribers:
            app.deliver(body)

    def _on_connected(self, event: ev.ChannelConnectedLineChanged) -> None:
        self._channel_event(event, "ChannelConnectedLine")

    def _on_dialplan(self, event: ev.ChannelDialplanStep) -> None:
        self._channel_event(event, "ChannelDialplan", dialplan_app=event.app,
                            dialplan_app_data=event.app_data)

    def _on_varset(self, event: ev.ChannelVarSet) -> None:
        body = envelope(self.core, "ChannelVarset", at=event.at, variable=event.variable,
                        value=event.value, channel=channel_json(event.snapshot))
        self._to_channel(event.channel_id, body)

    def _on_hangup_request(self, event: ev.ChannelHangupRequest) -> None:
        extra: dict[str, Any] = {}
        if event.cause is not None:
            extra["cause"] = event.cause
        if event.soft:
            extra["soft"] = True
        self._channel_event(event, "ChannelHangupRequest", **extra)

    def _on_destroyed(self, event: ev.ChannelDestroyed) -> None:
        self._channel_event(event, "ChannelDestroyed", cause=event.cause, cause_txt=event.cause_txt)
        self._just_destroyed = (event.channel_id, self._channel_subscribers(event.channel_id))
        for app in list(self.apps.values()):
            if event.channel_id in app.channels:
                del app.channels[event.channel_id]
                self._forget_if_empty(app)

    def _on_talking(self, event: ev.Talking) -> None:
        if event.talking:
            self._channel_event(event, "ChannelTalkingStarted")
        else:
            self._channel_event(event, "ChannelTalkingFinished", duration=event.duration_ms)

    def _on_dtmf(self, event: ev.DtmfDigit) -> None:
        self._channel_event(event, "ChannelDtmfReceived", digit=event.digit, duration_ms=event.duration_ms)

    def _on_dial(self, event: ev.DialBegin | ev.DialStatus) -> None:
        status = event.status if isinstance(event, ev.DialStatus) else ""
        extra: dict[str, Any] = {}
        if event.caller_snapshot is not None:
            extra["caller"] = channel_json(event.caller_snapshot)
        body = envelope(self.core, "Dial", at=event.at, dialstatus=status, forward="",
                        dialstring=event.dialstring, peer=channel_json(event.peer_snapshot), **extra)
        targets = {id(a): a for a in self._channel_subscribers(event.peer_id)}
        if event.caller_id is not None:
            targets.update({id(a): a for a in self._channel_subscribers(event.caller_id)})
        for app in targets.values():
            app.deliver(body)

    def _on_stasis_start(self, event: ev.StasisStart) -> None:
        app = self.apps.get(event.app)
        if app is None:
            return
        app.channels[event.channel_id] += 1
        app.deliver(envelope(self.core, "StasisStart", at=event.at, args=list(event.args),
                             channel=channel_json(event.snapshot)))

    def _on_stasis_end(self, event: ev.StasisEnd) -> None:
        app = self.apps.get(event.app)
        if app is None:
            return
        app.deliver(envelope(self.core, "StasisEnd", at=event.at, channel=channel_json(event.snapshot)))
        app.channels[event.channel_id] -= 1
        if app.channels[event.channel_id] <= 0:
            del app.channels[event.channel_id]
        self._forget_if_empty(app)

    def _on_entered(self, event: ev.EnteredBridge) -> None:
        stasis_app = event.snapshot.get("stasis_app")
        if stasis_app in self.apps:
            self.apps[stasis_app].bridges.add(event.bridge_id)
        body = envelope(self.core, "ChannelEnteredBridge", at=event.at, bridge=event.bridge_snapshot,
                        channel=channel_json(event.snapshot))
        for app in self._bridge_subscribers(event.bridge_id):
            app.deliver(body)

    def _on_left(self, event: ev.LeftBridge) -> None:
        body = envelope(self.core, "ChannelLeftBridge", at=event.at, bridge=event.bridge_snapshot,
                        channel=channel_json(event.snapshot))
        for app in self._bridge_subscribers(event.bridge_id):
            app.deliver(body)
        channel = self.core.channels.get(event.channel_id)
        stasis_app = event.snapshot.get("stasis_app")
        moved = channel is not None and channel.hangup_cause is None
        if moved and stasis_app in self.apps:
            app = self.apps[stasis_app]
            others = [c for c in event.bridge_snapshot["channels"] if app.channels[c] > 0]
            if not others:
                app.bridges.discard(event.bridge_id)

    def _on_bridge_destroyed(self, event: ev.BridgeDestroyed) -> None:
        body = envelope(self.core, "BridgeDestroyed", at=event.at, bridge=event.snapshot)
        for app in self._bridge_subscribers(event.bridge_id):
            app.deliver(body)
        for app in list(self.apps.values()):
            app.bridges.discard(event.bridge_id)
            self._forget_if_empty(app)

    def _endpoint_subscribers(self, device: str) -> list[AriApplication]:
        technology = device.partition("/")[0]
        return [a for a in self.apps.values()
                if device in a.endpoints or technology in a.endpoints or self._all(a)]

    def _on_endpoint_state(self, event: ev.EndpointStateChanged) -> None:
        device = f"{event.technology}/{event.resource}"
        endpoint = self.core.endpoints.get(device)
        model = endpoint.to_dict([]) if endpoint else {"technology": event.technology,
                                                       "resource": event.resource, "state": event.state,
                                                       "channel_ids": []}
        for app in self._endpoint_subscribers(device):
            if event.state_changed:
                app.deliver(envelope(self.core, "EndpointStateChange", at=event.at, endpoint=model))
            if event.peer_status:
                app.deliver(envelope(self.core, "PeerStatusChange", at=event.at, endpoint=model,
                                     peer={"peer_status": event.peer_status}))

    def _on_contact(self, event: ev.ContactStatusChanged) -> None:
        device = f"{event.technology}/{event.resource}"
        model = {"technology": event.technology, "resource": event.resource,
                 "state": event.endpoint_state, "channel_ids": []}
        info = {"uri": event.uri, "contact_status": event.status, "aor": event.resource,
                "roundtrip_usec": event.roundtrip_usec}
        for app in self._endpoint_subscribers(device):
            app.deliver(envelope(self.core, "ContactStatusChange", at=event.at, endpoint=model,
                                 contact_info=info))

    def _on_device_state(self, event: ev.DeviceStateChanged) -> None:
        body = envelope(self.core, "DeviceStateChanged", at=event.at,
                        device_state={"name": event.device, "state": event.state})
        for app in self.apps.values():
            if event.device in app.devices or self._all(app):
                app.deliver(body)

    def _on_media(self, event: ev.PlaybackEvent | ev.RecordingEvent) -> None:
        if isinstance(event, ev.PlaybackEvent):
            kind = {"started": "PlaybackStarted", "finished": "PlaybackFinished"}[event.kind]
            body = envelope(self.core, kind, at=event.at, playback=event.snapshot)
        else:
            kind = {"started": "RecordingStarted", "finished": "RecordingFinished",
                    "failed": "RecordingFailed"}[event.kind]
            body = envelope(self.core, kind, at=event.at, recording=event.snapshot)
        targets: dict[int, AriApplication] = {}
        if event.bridge_id is not None:  # a bridge's media goes to the bridge's subscribers only
            targets.update({id(a): a for a in self._bridge_subscribers(event.bridge_id)})
        else:
            for channel_id in event.channel_ids:
                targets.update({id(a): a for a in self._channel_subscribers(channel_id)})
        for app in targets.values():
            app.deliver(body)

    _DISPATCH: dict[type, Callable[[AriApplications, Any], None]] = {
        ev.ChannelCreated: _on_created,
        ev.ChannelStateChanged: _on_state,
        ev.ChannelCallerIdChanged: _on_callerid,
        ev.ChannelConnectedLineChanged: _on_connected,
        ev.ChannelDialplanStep: _on_dialplan,
        ev.ChannelVarSet: _on_varset,
        ev.ChannelHangupRequest: _on_hangup_request,
        ev.ChannelDestroyed: _on_destroyed,
        ev.DtmfDigit: _on_dtmf,
        ev.Talking: _on_talking,
        ev.DialBegin: _on_dial,
        ev.DialStatus: _on_dial,
        ev.StasisStart: _on_stasis_start,
        ev.StasisEnd: _on_stasis_end,
        ev.EnteredBridge: _on_entered,
        ev.LeftBridge: _on_left,
        ev.BridgeDestroyed: _on_bridge_destroyed,
        ev.EndpointStateChanged: _on_endpoint_state,
        ev.ContactStatusChanged: _on_contact,
        ev.DeviceStateChanged: _on_device_state,
        ev.PlaybackEvent: _on_media,
        ev.RecordingEvent: _on_media,
    }
