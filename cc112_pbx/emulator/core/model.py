"""The emulator's call model: channels, bridges, endpoints, the clock.

Snapshots (`to_dict`) use the ARI model's field names and shapes (Channel, Bridge,
Endpoint) so the ARI side can send them as they are; the AMI side reads the same keys.
Channel snapshots carry three extra keys the ARI side drops: `linkedid`, `uniqueid`,
`variables` (a copy), `bridge_id`, `stasis_app`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ARI_CHANNEL_KEYS = (
    "id", "name", "state", "protocol_id", "caller", "connected", "accountcode",
    "dialplan", "creationtime", "language",
)

CAUSE_TEXT = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    26: "Answered elsewhere",
    32: "Circuit/channel congestion",
    34: "Circuit/channel congestion",
    38: "Network out of order",
}


def ari_time(when: datetime) -> str:
    """Asterisk's ARI timestamp format: `2026-11-29T07:42:20.639+0000`."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}" + when.strftime("%z")


class Clock:
    """Wall time (UTC) for stamps and monotonic time for measuring delays; replaceable in tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


@dataclass(slots=True)
class CallerId:
    name: str = ""
    number: str = ""

    @classmethod
    def parse(cls, text: str | None) -> CallerId:
        """`'Anna <+62811>'`, `'+62811'`, `'"Anna" <1>'`, `''` or None."""
        if not text:
            return cls()
        text = text.strip()
        if "<" in text and text.endswith(">"):
            name, _, number = text[:-1].partition("<")
            return cls(name.strip().strip('"'), number.strip())
        return cls("", text)

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "number": self.number}


@dataclass(eq=False)
class Channel:
    id: str
    name: str
    technology: str
    resource: str  # endpoint resource ("seat01") or "exten@context" for Local
    state: str = "Down"
    caller: CallerId = field(default_factory=CallerId)
    connected: CallerId = field(default_factory=CallerId)
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    app_name: str = ""
    app_data: str = ""
    creationtime: datetime = field(default_factory=lambda: datetime.now(UTC))
    language: str = "en"
    protocol_id: str = ""
    accountcode: str = ""
    linkedid: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    partner_id: str | None = None  # the other half of a Local pair
    half: int = 0  # 1 or 2 for Local halves, 0 otherwise
    bridge_id: str | None = None
    stasis_app: str | None = None
    stasis_args: tuple[str, ...] = ()
    originator: str | None = None
    dialled: str = ""  # the number a trunk channel dialled
    dialstatus: str = ""  # why the far end refused: BUSY, CONGESTION
    dialing: str | None = None  # the dial string while this channel is being dialled
    hangup_cause: int | None = None
    answered_at: float | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    # A Local `;1` half whose owner (a queue's ringall) reads the far end's answer itself: it
    # goes Up only when the owner picks it (`core.answer`); until then `far_answered` is set.
    owner_reads_answer: bool = False
    far_answered: asyncio.Event = field(default_factory=asyncio.Event)
    # a caller id set without a snapshot (a Local partner's connected line): taken with the next one
    pending_caller: CallerId | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    stasis_exit: asyncio.Future[tuple[str, str, int] | None] | None = None
    driver: asyncio.Task[Any] | None = None
    dtmf: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    # Answer() waiting for media (dialplan): a digit read meanwhile ends the wait and is put
    # back (`requeued_dtmf`, digit and duration) for the next application to read again
    awaiting_media: bool = False
    talk_detect: bool = False  # TALK_DETECT(set) was written: talking on it is reported
    requeued_dtmf: list[tuple[str, int]] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return not self.gone.is_set()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "protocol_id": self.protocol_id,
            "caller": self.caller.to_dict(),
            "connected": self.connected.to_dict(),
            "accountcode": self.accountcode,
            "dialplan": {
                "context": self.context,
                "exten": self.exten,
                "priority": self.priority,
                "app_name": self.app_name,
                "app_data": self.app_data,
            },
            "creationtime": ari_time(self.creationtime),
            "language": self.language,
            "linkedid": self.linkedid,
            "uniqueid": self.id,
            "variables": dict(self.variables),
            "bridge_id": self.bridge_id,
            "stasis_app": self.stasis_app,
        }


@dataclass(eq=False)
class Bridge:
    id: str
    bridge_type: str = "mixing"  # mixing, holding, ...
    name: str = ""
    bridge_class: str = "stasis"
    creator: str = "Stasis"
    channels: list[str] = field(default_factory=list)
    creationtime: datetime = field(default_factory=lambda: datetime.now(UTC))
    hidden: list[str] = field(default_factory=list)  # Recorder/ARI, Announcer/ARI channels' names
    music_class: str | None = None
    video_mode: str = "talker"

    technology: str = ""

    def __post_init__(self) -> None:
        self.refresh_technology()

    def refresh_technology(self) -> None:
        """Re-pick the technology as Asterisk's smart bridge does: softmix above two participants
        (recorders and announcers count), after the membership change's own events."""
        if self.bridge_type == "holding":
            self.technology = "holding_bridge"
        elif len(self.channels) + len(self.hidden) > 2:
            self.technology = "softmix"
        else:
            self.technology = "simple_bridge"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "technology": self.technology,
            "bridge_type": self.bridge_type,
            "bridge_class": self.bridge_class,
            "creator": self.creator,
            "name": self.name,
            "channels": list(self.channels),
            "creationtime": ari_time(self.creationtime),
            "video_mode": self.video_mode,
        }


@dataclass(eq=False)
class Endpoint:
    """A PJSIP endpoint: a seat's softphone or the trunk. `phone` answers calls made to it."""

    technology: str
    resource: str
    registered: bool = False
    contact_uri: str = ""
    phone: Any = None  # an object with `async def on_call(core, channel)`; see parties.py
    always_available: bool = False  # a trunk: reachable without a registration
    device_state: str = "UNAVAILABLE"
    # qualify (pjsip.conf qualify_frequency): None: the contact is not qualified (NonQualified, the
    # device NOT_INUSE as soon as it registers); seconds: the first OPTIONS is answered that long
    # after the registration, until then the device is UNAVAILABLE and the contact Unknown (ami-11)
    qualify_delay: float | None = None
    qualified: bool = False  # the registered contact answered a qualify (Reachable)
    busy_at: int = 0  # pjsip.conf device_state_busy_at: this many Up channels make the device BUSY
    caller: CallerId | None = None  # pjsip.conf callerid: the caller id of channels it makes

    @property
    def contact_status(self) -> str:
        """The registered contact's status: NonQualified, Unknown (qualify pending) or Reachable."""
        if self.qualify_delay is None:
            return "NonQualified"
        return "Reachable" if self.qualified else "Unknown"

    @property
    def reachable(self) -> bool:
        """Whether the device counts as available (chan_pjsip: not UNAVAILABLE when idle)."""
        if self.always_available:
            return True
        return self.registered and (self.qualify_delay is None or self.qualified)

    @property
    def device(self) -> str:
        return f"{self.technology}/{self.resource}"

    @property
    def state(self) -> str:
        return "online" if self.registered or self.always_available else "offline"

    def to_dict(self, channel_ids: list[str]) -> dict[str, Any]:
        return {
            "technology": self.technology,
            "resource": self.resource,
            "state": self.state,
            "channel_ids": channel_ids,
        }


class IdSource:
    """Asterisk-style unique ids (`<seconds>.<n>`) and channel-name suffixes.

    As channel.c does, the seconds are each channel's creation time (not the start-up time) and
    `n` a counter of the process: an emulator restarted within the same second never hands out
    an id an earlier run used. A fixed `epoch` (tests) replaces the clock."""

    def __init__(self, epoch: int | None = None) -> None:
        self._fixed = epoch
        self.epoch = int(time.time()) if epoch is None else epoch  # the start-up second
        self._unique = itertools.count()
        self._suffix = itertools.count(1)

    def unique_id(self) -> str:
        seconds = self._fixed if self._fixed is not None else int(time.time())
        return f"{seconds}.{next(self._unique)}"

    def suffix(self) -> str:
        return f"{next(self._suffix):08x}"

    @staticmethod
    def uuid() -> str:
        return str(uuid.uuid4())
