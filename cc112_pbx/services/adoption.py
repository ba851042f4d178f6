"""Callers found in the Stasis app after a (re)start: what a previous run stored about them.

A controller killed mid-call leaves its callers in Asterisk, recorded, some of them bridged with
a seat (ari-14). The event stream reports each as recovered; this looks its call up in the store
(bounded: a database outage never holds a caller back) so the same call and incident go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import AcdEvent, CallResumed, Offer
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import call_log
from cc112_pbx.services.ports import Store, StoredCall, StoredRecording
from cc112_pbx.services.sessions import CallSession, SeatLeg

log = structlog.get_logger("cc112.adoption")

ADOPT_LOOKUP_TIMEOUT = 2.0  # seconds a recovered caller may wait for the database's answer


@dataclass(frozen=True, slots=True)
class Adoption:
    """What a previous run stored about a caller found in the app (all None: nothing)."""

    call_id: str | None = None
    incident_id: int | None = None
    arrived_at: datetime | None = None
    recording_id: int | None = None
    recording_path: str | None = None
    connected_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Adopted:
    """Loop input: a recovered caller, with what the database knew of it."""

    event: tel.CallEntered
    adoption: Adoption


async def look_up_stored(store: Store | StoredCalls, event: tel.CallEntered, post: Callable[[object], None]) -> None:
    """What the store knows of this channel, then hand the caller to the loop as `Adopted`."""
    adoption = Adoption()
    try:
        async with asyncio.timeout(ADOPT_LOOKUP_TIMEOUT):
            row = await store.calls.by_channel(event.channel_id)
            if row is not None and row.ended_at is None and row.direction == "inbound":
                recordings = await store.recordings.for_call(row.id)
                last = recordings[-1] if recordings else None
                adoption = Adoption(row.id, row.incident_id, row.arrived_at, last.id if last else None,
                                    last.path if last else None, row.connected_at)
    except Exception as exc:
        log.warning("adopt_lookup_failed", channel=event.channel_id, error=repr(exc))
    post(Adopted(event, adoption))


class StoredCalls:
    """What the store knew of every open call, read at once before a (re)start's or a takeover's
    resync (issue 21: two queries instead of two per caller, so 100 callers are taken back quickly).
    `look_up_stored` reads it like the store; each channel's entry serves once, then the store answers."""

    def __init__(self, store: Store, calls: Mapping[str, StoredCall],
                 recordings: Mapping[str, Sequence[StoredRecording]]) -> None:
        self.store = store
        self._calls = dict(calls)
        self._recordings = recordings
        self.calls = self  # `store.calls.by_channel` and `store.recordings.for_call`, as look_up_stored asks
        self.recordings = self

    @classmethod
    async def load(cls, store: Store) -> StoredCalls:
        rows = [row for row in await store.calls.active() if row.direction == "inbound"]
        recordings = await store.recordings.for_calls([row.id for row in rows])
        return cls(store, {row.channel_id: row for row in rows}, recordings)

    async def by_channel(self, channel_id: str) -> StoredCall | None:
        row = self._calls.pop(channel_id, None)
        return row if row is not None else await self.store.calls.by_channel(channel_id)

    async def for_call(self, call_id: str) -> Sequence[StoredRecording]:
        known = self._recordings.get(call_id)
        return known if known is not None else await self.store.recordings.for_call(call_id)


class Resumption:
    """Callers found after a (re)start: their place in the queue and calls still connected."""

    def __init__(self, ctx: Context, feed: Callable[[AcdEvent], None]) -> None:
        self.ctx = ctx
        self.feed = feed
        self._clock_ref: tuple[datetime, float] | None = None  # see `mono_of`

    def mono_of(self, wall: datetime) -> float:
        """A past wall-clock time on the monotonic clock, through one reference pair taken once:
        callers found after a restart keep their order even when microseconds apart (two clock
        reads per caller would jitter by more than that)."""
        if self._clock_ref is None:
            self._clock_ref = (self.ctx.clock.wall(), self.ctx.clock.monotonic())
        ref_wall, ref_mono = self._clock_ref
        return min(self.ctx.clock.monotonic(), ref_mono + (wall - ref_wall).total_seconds())

    def resume(self, session: CallSession, bridge_id: str, adoption: Adoption) -> bool:
        """A caller found in a bridge after a restart: if its seat's leg is there too, the call goes
        on as it was (no second ring, the recording continues); if the seat left meanwhile, the
        stale bridge is destroyed and the caller waits for a seat again. True when resumed."""
        ctx = self.ctx
        stray = ctx.sessions.stray_seat_legs.pop(bridge_id, None)
        if stray is None or stray.seat_id not in ctx.options.seat_dial_strings:
            ctx.lanes.submit(session.call_id, "destroy_stale_bridge", lambda: ctx.control.destroy_bridge(bridge_id))
            return False
        now_wall, now_mono = ctx.clock.wall(), ctx.clock.monotonic()
        connected_at = adoption.connected_at or now_wall
        offer = Offer(offer_id=f"{session.call_id}/resumed", call_id=session.call_id, seat_id=stray.seat_id)
        ctx.sessions.add_seat_leg(SeatLeg(stray.channel_id, offer, answered=True))
        ctx.watch(stray.channel_id)
        session.seat_id, session.seat_channel_id, session.bridge_id = stray.seat_id, stray.channel_id, bridge_id
        session.connected_at = connected_at
        session.connected_mono = now_mono - max(0.0, (now_wall - connected_at).total_seconds())
        call_log(log, session).info("call_resumed", seat_channel=stray.channel_id, bridge=bridge_id)
        self.feed(CallResumed(session.call_id, stray.seat_id, session.arrived_mono, session.connected_mono))
        return True
