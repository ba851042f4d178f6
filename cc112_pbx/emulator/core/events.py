"""Events the emulator core publishes to its observers (the ARI and AMI sides).

Every event carries the `at` wall-clock time (UTC) the core stamped it with. Channel and
bridge events carry the live model object (read it at once: it keeps changing) plus a
`snapshot` dict taken when the event happened, so an observer that formats later still
sees the state of that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CoreEvent:
    at: datetime


@dataclass(frozen=True, slots=True)
class ChannelEvent(CoreEvent):
    channel_id: str
    snapshot: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChannelCreated(ChannelEvent):
    """A channel exists (AMI Newchannel). `originator` is the ARI app that originated it."""

    originator: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(ChannelEvent):
    """`snapshot["state"]` is the new state: Down, Ring, Ringing, Up, Busy."""


@dataclass(frozen=True, slots=True)
class ChannelCallerIdChanged(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class ChannelConnectedLineChanged(ChannelEvent):
    pass


@dataclass(frozen=True, slots=True)
class ChannelDialplanStep(ChannelEvent):
    """The channel runs a dialplan application (AMI Newexten, ARI ChannelDialplan)."""

    app: str = ""
    app_data: str = ""


@dataclass(frozen=True, slots=True)
class ChannelVarSet(ChannelEvent):
    variable: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class ChannelHangupRequest(ChannelEvent):
    """`cause` as ARI shows it (None: no cause key, e.g. SIP BYE); `soft` the soft flag."""

    cause: int | None = None
    soft: bool = False


@dataclass(frozen=True, slots=True)
class ChannelDestroyed(ChannelEvent):
    cause: int = 16
    cause_txt: str = "Normal Clearing"


@dataclass(frozen=True, slots=True)
class DtmfDigit(ChannelEvent):
    digit: str = ""
    duration_ms: int = 100
    requeued: bool = False  # read again after Answer() put it back (DtmfBeginRead came first)


@dataclass(frozen=True, slots=True)
class Talking(ChannelEvent):
    """TALK_DETECT on the channel heard talking start (`talking`) or stop (after `duration_ms`)."""

    talking: bool = True
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class DtmfBeginRead(ChannelEvent):
    """A digit's begin read by Answer() while it waited for media (AMI DTMFBegin only)."""

    digit: str = ""
    duration_ms: int = 100


@dataclass(frozen=True, slots=True)
class DialBegin(CoreEvent):
    """`caller_id` is the dialling channel (None for an originate), `peer_id` the dialled one."""

    caller_id: str | None
    caller_snapshot: dict[str, Any] | None
    peer_id: str
    peer_snapshot: dict[str, Any]
    dialstring: str


@dataclass(frozen=True, slots=True)
class DialStatus(CoreEvent):
    """Progress or end of a dial: status RINGING (progress) or ANSWER/BUSY/CONGESTION/NOANSWER/CANCEL."""

    caller_id: str | None
    caller_snapshot: dict[str, Any] | None
    peer_id: str
    peer_snapshot: dict[str, Any]
    dialstring: str
    status: str
    final: bool = True


@dataclass(frozen=True, slots=True)
class BridgeCreated(CoreEvent):
    bridge_id: str
    snapshot: dict[str, Any]
    by_rest: bool = False


@dataclass(frozen=True, slots=True)
class BridgeDestroyed(CoreEvent):
    bridge_id: str
    snapshot: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EnteredBridge(CoreEvent):
    bridge_id: str
    bridge_snapshot: dict[str, Any]
    channel_id: str
    snapshot: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LeftBridge(CoreEvent):
    bridge_id: str
    bridge_snapshot: dict[str, Any]
    channel_id: str
    snapshot: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StasisStart(ChannelEvent):
    app: str = ""
    args: tuple[str, ...] = ()
    replace_channel: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StasisEnd(ChannelEvent):
    app: str = ""


@dataclass(frozen=True, slots=True)
class DeviceStateChanged(CoreEvent):
    device: str  # "PJSIP/seat01"
    state: str  # NOT_INUSE, INUSE, RINGING, UNAVAILABLE, ...


@dataclass(frozen=True, slots=True)
class EndpointStateChanged(CoreEvent):
    """An endpoint went online/offline (registration); `peer_status` Reachable / Unreachable.

    On registration the core emits EndpointStateChanged, DeviceStateChanged, ContactStatusChanged;
    on unregistration EndpointStateChanged, ContactStatusChanged, DeviceStateChanged (as Asterisk).
    A qualified contact (Endpoint.qualify_delay) registers with EndpointStateChanged alone (no
    peer status); its first qualify answer gives EndpointStateChanged(state_changed=False,
    peer_status Reachable), ContactStatusChanged(qualify=True, Reachable), DeviceStateChanged.
    """

    technology: str
    resource: str
    state: str
    peer_status: str  # "" when no peer status is published (a registration awaiting its qualify)
    state_changed: bool = True  # False: only the peer status is news (a first qualify answer)


@dataclass(frozen=True, slots=True)
class ContactStatusChanged(CoreEvent):
    """A softphone registered (`status` "NonQualified", endpoint online) or unregistered ("Removed"),
    or its contact answered its first qualify (`qualify` True, "Reachable": no REGISTER behind it)."""

    technology: str
    resource: str
    uri: str
    status: str
    endpoint_state: str  # online / offline
    peer_status: str  # Reachable / Unreachable
    qualify: bool = False
    roundtrip_usec: str = "0"


@dataclass(frozen=True, slots=True)
class PlaybackEvent(CoreEvent):
    """`kind` is started / finished; `snapshot` the ARI Playback model; channel ids that hear it."""

    kind: str
    playback_id: str
    snapshot: dict[str, Any]
    channel_ids: tuple[str, ...] = ()
    bridge_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordingEvent(CoreEvent):
    """`kind` is started / finished / failed; `snapshot` the ARI LiveRecording model."""

    kind: str
    name: str
    snapshot: dict[str, Any]
    channel_ids: tuple[str, ...] = ()
    bridge_id: str | None = None


@dataclass(frozen=True, slots=True)
class StasisAppChanged(CoreEvent):
    """A Stasis application was registered or unregistered (`registered`)."""

    app: str
    registered: bool
    extra: dict[str, Any] = field(default_factory=dict)
