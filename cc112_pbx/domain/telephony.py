"""Telephony events in the project's own words.

`cc112_pbx.asterisk.translate` turns raw ARI JSON and AMI messages into these; nothing
outside `asterisk/` ever sees Asterisk's CamelCase names. Standard library only.

Times are `datetime` in UTC as Asterisk stamped them (or as received, when it did not).
Channel ids are Asterisk's unique ids (`"1795938506.1"`), opaque strings here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DeviceState(StrEnum):
    """Asterisk device states, named as Asterisk names them in both AMI and ARI."""

    UNKNOWN = "UNKNOWN"
    NOT_INUSE = "NOT_INUSE"
    INUSE = "INUSE"
    BUSY = "BUSY"
    INVALID = "INVALID"
    UNAVAILABLE = "UNAVAILABLE"
    RINGING = "RINGING"
    RINGINUSE = "RINGINUSE"
    ONHOLD = "ONHOLD"


class ChannelState(StrEnum):
    """Where a channel's call stands, in the project's words (Asterisk's names are translated
    by the adapters). `RING`: a call coming in that nobody answered yet; `RINGING`: a call we
    placed that rings at the far end; `UP`: answered."""

    DOWN = "down"
    RING = "ring"
    RINGING = "ringing"
    UP = "up"
    BUSY = "busy"
    OTHER = "other"


class HangupCause(StrEnum):
    """Why a channel ended, in the project's words (the adapters map Q.850 codes to these)."""

    NORMAL = "normal"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    CONGESTION = "congestion"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TelephonyEvent:
    at: datetime


@dataclass(frozen=True, slots=True)
class CallEntered(TelephonyEvent):
    """A channel entered the Stasis app (ARI StasisStart).

    `args` are the Stasis arguments: `("inbound", "112")` for a citizen's call,
    `("seat", "seat01")` for a seat leg the controller originated,
    `("feature", "seat01", "*11")` for a seat's feature code.
    `caller_number` is None when Asterisk had no number (SIM-less phones) and the raw
    string otherwise (it may be "anonymous"); classifying it is the domain's job.
    A recovered channel's `at` is when the channel was created (its caller's arrival).
    """

    channel_id: str
    channel_name: str
    args: tuple[str, ...]
    caller_number: str | None
    caller_name: str | None
    state: ChannelState
    dialled: str | None = None
    recovered: bool = False  # True: learnt from a resync after a reconnect, not from StasisStart
    # recovered only: the app's bridge the channel is in, and the other channels in that bridge
    bridge_id: str | None = None
    bridge_peers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallLeft(TelephonyEvent):
    """A channel left the Stasis app (ARI StasisEnd)."""

    channel_id: str


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(TelephonyEvent):
    channel_id: str
    state: ChannelState


@dataclass(frozen=True, slots=True)
class HangupRequested(TelephonyEvent):
    channel_id: str
    soft: bool = False


@dataclass(frozen=True, slots=True)
class ChannelGone(TelephonyEvent):
    """The channel no longer exists: ChannelDestroyed, or found gone after a resync.

    `reason` is why it ended, when known; `cause` and `cause_text` are the raw code and text
    the adapter was given, kept for logs only (decisions use `reason`).
    `while_disconnected` is True when the adapter learnt it from a resync.
    """

    channel_id: str
    cause: int | None = None
    cause_text: str | None = None
    while_disconnected: bool = False
    reason: HangupCause | None = None


@dataclass(frozen=True, slots=True)
class ChannelEnteredBridge(TelephonyEvent):
    channel_id: str
    bridge_id: str


@dataclass(frozen=True, slots=True)
class ChannelLeftBridge(TelephonyEvent):
    channel_id: str
    bridge_id: str


@dataclass(frozen=True, slots=True)
class DtmfReceived(TelephonyEvent):
    channel_id: str
    digit: str


@dataclass(frozen=True, slots=True)
class TalkingChanged(TelephonyEvent):
    """Talk detection on the channel heard talking start (`talking`) or stop."""

    channel_id: str
    talking: bool


@dataclass(frozen=True, slots=True)
class DialProgress(TelephonyEvent):
    """ARI Dial: the status of an outgoing leg ("RINGING", "ANSWER", "BUSY", "NOANSWER", ...)."""

    peer_channel_id: str
    status: str


@dataclass(frozen=True, slots=True)
class PlaybackEnded(TelephonyEvent):
    playback_id: str
    target_uri: str
    failed: bool


@dataclass(frozen=True, slots=True)
class DeviceStateChanged(TelephonyEvent):
    """A device (`PJSIP/seat01`) changed state (ARI DeviceStateChanged or AMI DeviceStateChange)."""

    device: str
    state: DeviceState


@dataclass(frozen=True, slots=True)
class EndpointReachability(TelephonyEvent):
    """An endpoint (`PJSIP/seat01`) registered or unregistered (EndpointStateChange, ContactStatus)."""

    endpoint: str
    online: bool


@dataclass(frozen=True, slots=True)
class RecordingStarted(TelephonyEvent):
    """MixMonitor (AMI MixMonitorStart / VarSet MIXMONITOR_FILENAME) began writing `path`."""

    channel_id: str
    path: str | None


@dataclass(frozen=True, slots=True)
class RecordingStopped(TelephonyEvent):
    channel_id: str


@dataclass(frozen=True, slots=True)
class ApplicationReplaced(TelephonyEvent):
    """Another client took over the Stasis app; our event stream is dead until we reconnect."""

    application: str


@dataclass(frozen=True, slots=True)
class StreamResynced(TelephonyEvent):
    """After a reconnect: the channels still in the app. Those gone meanwhile arrive as ChannelGone."""

    present_channel_ids: frozenset[str] = field(default_factory=frozenset)
    bridge_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ConnectionChanged(TelephonyEvent):
    """An adapter's connection to Asterisk went up or down ("ari" or "ami")."""

    link: str
    connected: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class BridgeGone(TelephonyEvent):
    """A bridge was destroyed (ARI BridgeDestroyed), or found gone after a resync."""

    bridge_id: str
    while_disconnected: bool = False


@dataclass(frozen=True, slots=True)
class LiveRecordingChanged(TelephonyEvent):
    """An ARI recording (`POST /bridges/{id}/record`) changed state.

    `state` is "recording", "done" or "failed"; `target` is "bridge:<id>" or "channel:<id>";
    `duration` (s) is known once done.
    """

    name: str
    target: str
    state: str
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class OriginateFinished(TelephonyEvent):
    """AMI OriginateResponse of an async Originate (`action_id` is what `originate` returned).

    `reason` is Asterisk's originate reason: 4 answered, 5 busy, 3 no answer, 8 congestion,
    0 failure. `channel_id` is None when the call failed (Asterisk says `<unknown>`).
    """

    action_id: str
    success: bool
    reason: int
    channel: str
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class QueueMemberUpdated(TelephonyEvent):
    """A member of an Asterisk queue (the fallback queue) was added, removed, paused or changed.

    `kind` is "added", "removed", "paused" or "status". `status` is app_queue's device
    status number (1 not in use, 2 in use, 5 unavailable, 6 ringing, ...).
    """

    queue: str
    interface: str
    member_name: str
    kind: str
    paused: bool
    paused_reason: str = ""
    in_call: bool = False
    status: int | None = None


@dataclass(frozen=True, slots=True)
class QueueCallerJoined(TelephonyEvent):
    """A caller entered an Asterisk queue (the fallback ran: no controller had the call)."""

    queue: str
    channel_id: str
    channel_name: str
    caller_number: str | None
    position: int | None = None


@dataclass(frozen=True, slots=True)
class QueueCallerLeft(TelephonyEvent):
    """A caller left an Asterisk queue; `abandoned` when they hung up while waiting."""

    queue: str
    channel_id: str
    abandoned: bool = False
    hold_time: int | None = None


@dataclass(frozen=True, slots=True)
class QueueCallAnswered(TelephonyEvent):
    """A queue member answered a queued caller (AgentConnect)."""

    queue: str
    channel_id: str
    interface: str
    member_channel_id: str | None = None


# --- Snapshots returned by the ARI client (REST bodies, in the project's words). ---


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """A channel as `GET /channels` shows it. `app` and `args` are set while it is in Stasis."""

    channel_id: str
    name: str
    state: ChannelState
    caller_number: str | None
    caller_name: str | None
    context: str = ""
    exten: str = ""
    app: str | None = None
    args: tuple[str, ...] = ()
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class BridgeSnapshot:
    bridge_id: str
    bridge_type: str
    technology: str
    name: str
    channel_ids: tuple[str, ...]
    stasis: bool = True


@dataclass(frozen=True, slots=True)
class PlaybackSnapshot:
    playback_id: str
    media_uri: str
    target_uri: str
    state: str


@dataclass(frozen=True, slots=True)
class RecordingSnapshot:
    """A live (`state` recording/queued/done/failed, `target`) or stored recording (`format`)."""

    name: str
    format: str
    state: str = ""
    target: str = ""
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class EndpointSnapshot:
    endpoint: str  # "PJSIP/seat01"
    state: str  # "online", "offline", "unknown"
    channel_ids: tuple[str, ...] = ()

    @property
    def online(self) -> bool:
        return self.state == "online"


@dataclass(frozen=True, slots=True)
class DeviceStateSnapshot:
    device: str
    state: DeviceState


@dataclass(frozen=True, slots=True)
class ApplicationSnapshot:
    name: str
    channel_ids: tuple[str, ...] = ()
    bridge_ids: tuple[str, ...] = ()
    endpoint_ids: tuple[str, ...] = ()
    device_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueueMemberSnapshot:
    """A member as AMI QueueStatus lists it."""

    queue: str
    interface: str
    member_name: str
    state_interface: str
    paused: bool
    paused_reason: str = ""
    in_call: bool = False
    status: int | None = None
    calls_taken: int = 0
    dynamic: bool = True


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    """A registered PJSIP contact (AMI PJSIPShowContacts)."""

    endpoint: str  # "PJSIP/seat02"
    aor: str
    uri: str
    status: str
