"""What every simulated party experienced, for e2e assertions: `emulator.timeline`.

Built only from core events. Times are monotonic seconds (`core.clock.monotonic()`), so a test
can measure e.g. the delay between a seat becoming free and its phone ringing.

- `timeline.calls`: one `SimulatedCall` per simulated caller (placed with `place_call`).
- `timeline.seat_legs`: one `SeatLeg` per call to a seat's softphone (`PJSIP/seatNN`): when it
  rang, was answered, ended, and with which channels it was bridged.
- `timeline.trunk_legs`: outbound calls through the trunk (callbacks): number, outcome.
- `timeline.recordings`: recording files announced by MixMonitor (MIXMONITOR_FILENAME) or ARI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from .core import Core
from .core import events as ev


@dataclass(eq=False)
class SimulatedCall:
    """A citizen's call: `channel_id` is the caller's own leg (`;1`), `inbound_id` the `;2` half."""

    number: str | None
    dialled: str
    channel_id: str
    inbound_id: str
    placed_at: float
    stasis_at: float | None = None
    answered_at: float | None = None  # the network answered (holding bridge or fallback queue)
    connected_at: float | None = None  # bridged with a call taker
    seat: str | None = None
    ended_at: float | None = None
    ended_by: str | None = None  # "caller" or "network"
    dtmf_sent: str = ""
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def abandoned(self) -> bool:
        return self.ended_at is not None and self.connected_at is None


@dataclass(eq=False)
class SeatLeg:
    seat: str
    channel_id: str
    created_at: float
    rang_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    cause: int | None = None
    bridged_with: list[str] = field(default_factory=list)


@dataclass(eq=False)
class TrunkLeg:
    number: str
    channel_id: str
    created_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    cause: int | None = None


class Timeline:
    def __init__(self, core: Core, seat_resources: Callable[[str], bool] | None = None) -> None:
        self.core = core
        self.calls: list[SimulatedCall] = []
        self.seat_legs: list[SeatLeg] = []
        self.trunk_legs: list[TrunkLeg] = []
        self.recordings: list[str] = []
        self.bridged: list[tuple[float, str, str]] = []  # (at, channel a, channel b)
        self._is_seat = seat_resources or (lambda resource: resource.startswith("seat"))
        self._calls_by_channel: dict[str, SimulatedCall] = {}
        self._legs: dict[str, SeatLeg | TrunkLeg] = {}
        self._changed = asyncio.Event()
        self._unsubscribe = core.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    # ---- queries -----------------------------------------------------------------------------
    def call_by_channel(self, channel_id: str) -> SimulatedCall | None:
        return self._calls_by_channel.get(channel_id)

    def calls_from(self, number: str | None) -> list[SimulatedCall]:
        return [c for c in self.calls if c.number == number]

    def rings_of(self, seat: str) -> list[SeatLeg]:
        return [leg for leg in self.seat_legs if leg.seat == seat]

    def leg(self, channel_id: str) -> SeatLeg | TrunkLeg | None:
        return self._legs.get(channel_id)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds, re-checked after every core event."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    # ---- recording -------------------------------------------------------------------------------
    def add_call(self, record: SimulatedCall) -> None:
        self.calls.append(record)
        self._calls_by_channel[record.channel_id] = record
        self._calls_by_channel[record.inbound_id] = record

    def _now(self) -> float:
        return self.core.clock.monotonic()

    def _on_event(self, event: ev.CoreEvent) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
        self._changed.set()

    def _on_ChannelCreated(self, event: ev.ChannelCreated) -> None:
        channel = self.core.channels.get(event.channel_id)
        if channel is None or channel.technology != "PJSIP":
            return
        if channel.dialled:
            trunk = TrunkLeg(channel.dialled, channel.id, self._now())
            self.trunk_legs.append(trunk)
            self._legs[channel.id] = trunk
        elif self._is_seat(channel.resource):
            seat = SeatLeg(channel.resource, channel.id, self._now())
            self.seat_legs.append(seat)
            self._legs[channel.id] = seat

    def _on_ChannelStateChanged(self, event: ev.ChannelStateChanged) -> None:
        state, now = event.snapshot["state"], self._now()
        leg = self.leg(event.channel_id)
        if isinstance(leg, SeatLeg) and state == "Ringing" and leg.rang_at is None:
            leg.rang_at = now
        if leg is not None and state == "Up" and leg.answered_at is None:
            leg.answered_at = now
        call = self.call_by_channel(event.channel_id)
        if call is not None and state == "Up" and call.answered_at is None:
            call.answered_at = now

    def _on_StasisStart(self, event: ev.StasisStart) -> None:
        call = self.call_by_channel(event.channel_id)
        if call is not None and call.stasis_at is None:
            call.stasis_at = self._now()

    def _on_EnteredBridge(self, event: ev.EnteredBridge) -> None:
        now = self._now()
        for other in event.bridge_snapshot["channels"]:
            if other == event.channel_id:
                continue
            self.bridged.append((now, event.channel_id, other))
            self._link(event.channel_id, other, now)
            self._link(other, event.channel_id, now)

    def _link(self, channel_id: str, other_id: str, now: float) -> None:
        leg = self.leg(channel_id)
        if isinstance(leg, SeatLeg):
            leg.bridged_with.append(other_id)
        call = self.call_by_channel(channel_id)
        if call is None or call.connected_at is not None:
            return
        other = self.core.channels.get(other_id)
        seat = self.leg(other_id)
        if isinstance(seat, SeatLeg):
            call.seat = seat.seat
        elif other is not None and other.technology == "Local":
            call.seat = other.exten  # tests seat a call taker as Local/seatNN@...
        else:
            return
        call.connected_at = now
        call.connected.set()

    def _on_ChannelVarSet(self, event: ev.ChannelVarSet) -> None:
        if event.variable == "MIXMONITOR_FILENAME" and event.value:
            self.recordings.append(event.value)

    def _on_RecordingEvent(self, event: ev.RecordingEvent) -> None:
        if event.kind == "finished":
            self.recordings.append(f"{event.name}.{event.snapshot.get('format', 'wav')}")

    def _on_ChannelDestroyed(self, event: ev.ChannelDestroyed) -> None:
        now = self._now()
        leg = self.leg(event.channel_id)
        if leg is not None and leg.ended_at is None:
            leg.ended_at, leg.cause = now, event.cause
        call = self.call_by_channel(event.channel_id)
        if call is not None and call.ended_at is None:
            call.ended_at = now
            call.ended_by = call.ended_by or "network"
            call.ended.set()
