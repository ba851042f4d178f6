"""What the controller knows about the calls it is handling (one `CallSession` per citizen call,
and one per callback attempt: the citizen's leg is then the one the controller dials).

Plain data, no I/O: the ACD core decides *who* gets a call; a session remembers *which
channels, bridge and recording* belong to it, so commands can be turned into ARI/AMI requests
and Asterisk's events can be traced back to a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cc112_pbx.domain.acd import Offer
from cc112_pbx.domain.callbacks import CallbackOutcome
from cc112_pbx.domain.caller import CallerKind
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.timeline import HangupParty


class CallKind(StrEnum):
    INBOUND = "inbound"  # a citizen called 112
    CALLBACK = "callback"  # the centre calls a citizen back (seat first, then the citizen)


@dataclass(slots=True)
class CallSession:
    call_id: str
    channel_id: str  # the citizen's channel in the app (for a callback: the leg the controller dials)
    channel_name: str
    caller_number: str | None
    caller_kind: CallerKind
    dialled: str
    category: str | None
    arrived_at: datetime  # wall clock (stored)
    arrived_mono: float  # loop time (the ACD's clock)
    incident_id: int | None = None
    answered: bool = False
    recording_path: str | None = None
    bridge_id: str | None = None
    seat_id: str | None = None
    seat_channel_id: str | None = None
    connected_at: datetime | None = None  # when caller and seat were both in the bridge
    connected_mono: float | None = None
    ended: bool = False
    silent_digits: str = ""
    hold_timer_started: bool = False
    adopted: bool = False  # found in the app after a (re)start, not seen arriving
    playbacks: set[str] = field(default_factory=set)
    kind: CallKind = CallKind.INBOUND
    incident_status: IncidentStatus = IncidentStatus.NEW  # as far as the controller knows
    hung_up_by: HangupParty | None = None
    silent: bool = False  # the caller pressed 5 5
    talked: bool = False  # talk detection heard the caller
    silence_prompted: bool = False  # asked to press 5 5 after a silence
    repeat_of: int | None = None  # the open incident a repeat caller's call joined
    callback_key: str | None = None  # callback attempts: the callback they belong to
    callback_outcome: CallbackOutcome | None = None  # callback attempts: how the citizen's leg went
    location: dict[str, object] | None = None  # the handset's AML position, once one is attached (issue 19)
    prank_flag: dict[str, object] | None = None  # the number's repeated pranks when the call arrived (issue 19)

    @property
    def no_callback(self) -> bool:
        return self.caller_kind.no_callback


@dataclass(slots=True)
class SeatLeg:
    """A channel the controller originated to ring a seat for an offer."""

    channel_id: str
    offer: Offer
    answered: bool = False
    gone: bool = False


@dataclass(frozen=True, slots=True)
class StraySeatLeg:
    """A seat's leg found in a call bridge after a restart, until its caller is adopted."""

    channel_id: str
    seat_id: str


class SessionRegistry:
    """Index of live calls by call id and by every channel that belongs to them."""

    def __init__(self) -> None:
        self.calls: dict[str, CallSession] = {}
        self._by_channel: dict[str, CallSession] = {}
        self.seat_legs: dict[str, SeatLeg] = {}
        self._legs_by_offer: dict[str, dict[str, SeatLeg]] = {}  # offer id -> its legs by channel
        self.playback_owner: dict[str, str] = {}  # playback id -> call id
        self.stray_seat_legs: dict[str, StraySeatLeg] = {}  # bridge id -> seat leg found there

    def add(self, session: CallSession) -> None:
        self.calls[session.call_id] = session
        self._by_channel[session.channel_id] = session

    def by_caller_channel(self, channel_id: str) -> CallSession | None:
        return self._by_channel.get(channel_id)

    def add_seat_leg(self, leg: SeatLeg) -> None:
        self.seat_legs[leg.channel_id] = leg
        self._legs_by_offer.setdefault(leg.offer.offer_id, {})[leg.channel_id] = leg

    def seat_legs_of_offer(self, offer_id: str) -> list[SeatLeg]:
        """The legs ringing (or answered) for an offer, without a scan of every leg."""
        return list(self._legs_by_offer.get(offer_id, {}).values())

    def seat_leg(self, channel_id: str) -> SeatLeg | None:
        return self.seat_legs.get(channel_id)

    def forget_stray_seat_leg(self, channel_id: str) -> None:
        for bridge_id, stray in list(self.stray_seat_legs.items()):
            if stray.channel_id == channel_id:
                del self.stray_seat_legs[bridge_id]

    def drop_seat_leg(self, channel_id: str) -> None:
        leg = self.seat_legs.pop(channel_id, None)
        if leg is not None:
            legs = self._legs_by_offer.get(leg.offer.offer_id, {})
            legs.pop(channel_id, None)
            if not legs:
                self._legs_by_offer.pop(leg.offer.offer_id, None)

    def remove(self, session: CallSession) -> None:
        self.calls.pop(session.call_id, None)
        self._by_channel.pop(session.channel_id, None)

    def __len__(self) -> int:
        return len(self.calls)
