"""A citizen's call through the controller: arrive, ring a seat, connect, end (holding: `holding.py`).

Called by the controller's single event loop with telephony facts; decides nothing about
*which* seat (the ACD core does) and never waits for Asterisk: every request goes into the
call's lane, every database write into the journal. Principle: the call is never refused:
a failing request is logged and the call carries on with what still works.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from cc112_pbx.asterisk import errors as ari_errors
from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import (
    AcdEvent,
    CallArrived,
    CallEndedOutcome,
    CallerHungUp,
    ConnectCall,
    Offer,
    OfferAnswered,
    OfferCall,
    OfferFailed,
    OfferFailure,
    SeatHungUp,
)
from cc112_pbx.domain.caller import classify_caller
from cc112_pbx.domain.categories import category_for_dialled
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import Holding, call_log
from cc112_pbx.services.sessions import CallSession, SeatLeg
from cc112_pbx.storage.records import RecordingRecord

log = structlog.get_logger("cc112.calls")

# Domain categories -> the incident's stored category hint.
_CATEGORY_HINT = {
    "police": "police", "fire": "fire", "search_and_rescue": "sar", "ambulance": "ambulance",
    "health": "health", "electricity": "electricity",
}
ADOPT_LOOKUP_TIMEOUT = 2.0  # seconds a recovered caller may wait for the database's answer


def offer_failure_for_cause(cause: int | None) -> OfferFailure:
    """Q.850 cause of a seat leg that ended before answering -> why the offer failed."""
    if cause == 17:  # user busy
        return OfferFailure.BUSY
    if cause in (18, 19, 21):  # no user responding, no answer, call rejected
        return OfferFailure.NO_ANSWER
    if cause in (1, 3, 20, 27, 34, 38, 41, 42):  # unallocated, no route, absent, out of order, congestion
        return OfferFailure.UNREACHABLE
    return OfferFailure.ERROR


@dataclass(frozen=True, slots=True)
class Adoption:
    """What a previous run stored about a caller found in the app (all None: nothing)."""

    call_id: str | None = None
    incident_id: int | None = None
    arrived_at: datetime | None = None
    recording: RecordingRecord | None = None


@dataclass(frozen=True, slots=True)
class Adopted:
    """Loop input: a recovered caller, with what the database knew of it."""

    event: tel.CallEntered
    adoption: Adoption


class CallFlow:
    def __init__(self, ctx: Context, feed: Callable[[AcdEvent], None],
                 start_hold_timer: Callable[[str], None], post: Callable[[object], None]) -> None:
        self.ctx = ctx
        self.feed = feed
        self.post = post
        self.holding = Holding(ctx, start_hold_timer)

    # --- arrival -------------------------------------------------------------------------
    def arrive(self, event: tel.CallEntered) -> None:
        if self.ctx.sessions.by_caller_channel(event.channel_id) is not None:
            return  # reported again by a resync: already ours
        if event.recovered:
            # found in the app after a (re)start: maybe the call a previous run already stored
            self.ctx.lanes.submit(event.channel_id, "adopt", lambda: self._look_up_stored(event))
            return
        self._open(event, Adoption())

    async def _look_up_stored(self, event: tel.CallEntered) -> None:
        """What the database knows of this channel (bounded: a database outage never holds a
        caller back), then hand the caller to the loop as adopted."""
        adoption = Adoption()
        db = self.ctx.db
        try:
            async with asyncio.timeout(ADOPT_LOOKUP_TIMEOUT):
                row = await db.calls.by_channel(event.channel_id)
                if row is not None and row.ended_at is None and row.direction == "inbound":
                    recordings = await db.recordings.for_call(row.id)
                    adoption = Adoption(row.id, row.incident_id, row.arrived_at,
                                        recordings[-1] if recordings else None)
        except Exception as exc:
            log.warning("adopt_lookup_failed", channel=event.channel_id, error=repr(exc))
        self.post(Adopted(event, adoption))

    def adopted(self, item: Adopted) -> None:
        if self.ctx.sessions.by_caller_channel(item.event.channel_id) is None:
            self._open(item.event, item.adoption)

    def _open(self, event: tel.CallEntered, adoption: Adoption) -> None:
        ctx = self.ctx
        dialled = event.dialled or (event.args[1] if len(event.args) > 1 else "112")
        kind = classify_caller(event.caller_number)
        category = category_for_dialled(dialled)
        now_wall, now_mono = ctx.wall(), ctx.monotonic()
        arrived_at = adoption.arrived_at or now_wall
        session = CallSession(
            call_id=adoption.call_id or str(uuid.uuid4()), channel_id=event.channel_id,
            channel_name=event.channel_name, caller_number=event.caller_number or None, caller_kind=kind,
            dialled=dialled, category=category.value if category else None, arrived_at=arrived_at,
            arrived_mono=now_mono - max(0.0, (now_wall - arrived_at).total_seconds()),
            answered=event.state == "Up", incident_id=adoption.incident_id, adopted=event.recovered,
        )
        if adoption.recording is not None:
            session.recording_path, session.recording_id = adoption.recording.path, adoption.recording.id
        ctx.sessions.add(session)
        clog = self._log(session)
        clog.info("call_arrived", caller=session.caller_number, caller_kind=kind.value, dialled=dialled,
                  category=session.category, adopted=event.recovered, stored_before=adoption.call_id is not None)
        ctx.notifier.publish("call_arrived", call_id=session.call_id, caller=session.caller_number,
                             caller_kind=kind.value, no_callback=session.no_callback, dialled=dialled,
                             category=session.category)
        if adoption.call_id is None:
            self._store_arrival(session)
        ctx.lanes.submit(session.call_id, "greet", lambda: self.holding.receive(session))
        self.feed(CallArrived(session.call_id, priority=0, arrived_at=session.arrived_mono))

    def _store_arrival(self, session: CallSession) -> None:
        db = self.ctx.db

        async def write() -> None:
            incident, _ = await db.incidents.open_for_call(
                call_id=session.call_id, channel_id=session.channel_id, channel_name=session.channel_name,
                arrived_at=session.arrived_at, dialled=session.dialled, caller_number=session.caller_number,
                caller_kind=session.caller_kind.value, category_hint=_CATEGORY_HINT.get(session.category or ""),
                no_callback=session.no_callback,
            )
            session.incident_id = incident.id
            self.ctx.notifier.publish("incident_opened", call_id=session.call_id, incident_id=incident.id)

        self.ctx.journal.submit("open_incident", write, call_id=session.call_id)

    # --- offering a seat -------------------------------------------------------------------
    def offer(self, command: OfferCall) -> None:
        offer = command.offer
        session = self.ctx.sessions.calls.get(offer.call_id)
        dial = self.ctx.options.seat_dial_strings.get(offer.seat_id)
        if session is None or dial is None:
            self.feed(OfferFailed(offer, OfferFailure.ERROR))
            return
        channel_id = f"cc112-seat-{uuid.uuid4().hex}"
        self.ctx.sessions.add_seat_leg(SeatLeg(channel_id, offer))
        self.ctx.watch(channel_id)
        self.ctx.notifier.publish("seat_ringing", call_id=offer.call_id, seat=offer.seat_id,
                                  caller=session.caller_number, no_callback=session.no_callback,
                                  incident_id=session.incident_id)
        self._log(session, seat=offer.seat_id).info("seat_offered", dial=dial, timeout=command.timeout)
        caller_id = f'"112 {session.caller_number or "TANPA NOMOR"}" <{session.caller_number or "112"}>'
        ari = self.ctx.ari

        async def originate() -> None:
            try:
                await ari.originate(
                    dial, app=self.ctx.options.app, app_args=("seat", offer.seat_id), caller_id=caller_id,
                    timeout=int(command.timeout) + 5, channel_id=channel_id,
                )
            except ari_errors.AllocationFailed:
                self._seat_leg_failed(channel_id, OfferFailure.UNREACHABLE)
            except ari_errors.AsteriskError as exc:
                self._log(session, seat=offer.seat_id).warning("seat_originate_failed", error=str(exc))
                self._seat_leg_failed(channel_id, OfferFailure.ERROR)

        self.ctx.lanes.submit(offer.call_id, "originate_seat", originate)

    def _seat_leg_failed(self, channel_id: str, reason: OfferFailure) -> None:
        leg = self.ctx.sessions.seat_leg(channel_id)
        if leg is None or leg.answered:
            return
        self.ctx.sessions.drop_seat_leg(channel_id)
        self.feed(OfferFailed(leg.offer, reason))

    def seat_answered(self, event: tel.CallEntered) -> None:
        leg = self.ctx.sessions.seat_leg(event.channel_id)
        if leg is None:
            log.warning("unknown_seat_leg_hung_up", channel=event.channel_id, args=list(event.args))
            self.ctx.lanes.submit(event.channel_id, "hangup_stray", lambda: self._hangup(event.channel_id))
            return
        leg.answered = True
        self.feed(OfferAnswered(leg.offer))

    def cancel_offer(self, offer: Offer) -> None:
        for channel_id, leg in list(self.ctx.sessions.seat_legs.items()):
            if leg.offer.offer_id == offer.offer_id:
                self.ctx.sessions.drop_seat_leg(channel_id)
                self.ctx.lanes.submit(offer.call_id, "cancel_offer", lambda c=channel_id: self._hangup(c))

    # --- connected -------------------------------------------------------------------------
    def connect(self, command: ConnectCall) -> None:
        offer = command.offer
        session = self.ctx.sessions.calls.get(offer.call_id)
        leg = next((leg for leg in self.ctx.sessions.seat_legs.values() if leg.offer == offer), None)
        if session is None or leg is None:
            return
        session.seat_id, session.seat_channel_id = offer.seat_id, leg.channel_id
        session.bridge_id = f"cc112-call-{session.call_id}"
        session.connected_at = self.ctx.wall()
        clog = self._log(session, seat=offer.seat_id)
        clog.info("call_connected", waited_s=round(self.ctx.monotonic() - session.arrived_mono, 3))
        self.ctx.notifier.publish("call_connected", call_id=session.call_id, seat=offer.seat_id,
                                  caller=session.caller_number, no_callback=session.no_callback,
                                  incident_id=session.incident_id)
        ari = self.ctx.ari

        async def bridge() -> None:
            try:
                await ari.stop_moh(session.channel_id)
            except ari_errors.AsteriskError:
                pass
            try:
                await ari.create_bridge("mixing", name=f"call-{session.call_id}", bridge_id=session.bridge_id)
                await ari.add_channel(session.bridge_id, [session.channel_id, leg.channel_id])
            except ari_errors.AsteriskError as exc:
                clog.error("bridge_failed", error=str(exc))

        self.ctx.lanes.submit(session.call_id, "bridge", bridge)
        self._store_connected(session, leg)

    def _store_connected(self, session: CallSession, leg: SeatLeg) -> None:
        ctx, at, seat = self.ctx, session.connected_at, session.seat_id
        assert at is not None and seat is not None

        async def write() -> None:
            await ctx.db.calls.add(
                call_id=leg.channel_id, direction="seat", channel_id=leg.channel_id, channel_name=seat,
                arrived_at=at, incident_id=session.incident_id, seat_id=seat, peer_call_id=session.call_id,
            )
            await ctx.db.calls.mark_connected(session.call_id, at, seat_id=seat, peer_call_id=leg.channel_id)
            if session.recording_id is not None:
                await ctx.db.recordings.set_seat(session.recording_id, seat)

        ctx.journal.submit("call_connected", write, call_id=session.call_id, seat=seat)

    def hang_up_caller(self, call_id: str) -> None:
        session = self.ctx.sessions.calls.get(call_id)
        if session is not None:
            self.ctx.lanes.submit(call_id, "hangup_caller", lambda: self._hangup(session.channel_id))

    # --- endings ---------------------------------------------------------------------------
    def channel_gone(self, channel_id: str, cause: int | None = None) -> None:
        """A channel left the app or was destroyed (whichever Asterisk told us first)."""
        session = self.ctx.sessions.by_caller_channel(channel_id)
        if session is not None:
            self._caller_gone(session, cause)
            return
        leg = self.ctx.sessions.seat_leg(channel_id)
        if leg is None:
            return
        if not leg.answered:
            self._seat_leg_failed(channel_id, offer_failure_for_cause(cause))
            return
        self.ctx.sessions.drop_seat_leg(channel_id)
        session = self.ctx.sessions.calls.get(leg.offer.call_id)
        if session is not None and session.seat_channel_id == channel_id:
            self._log(session, seat=leg.offer.seat_id).info("seat_hung_up")
            self.feed(SeatHungUp(leg.offer.call_id))
        self._store_leg_end(channel_id)

    def _caller_gone(self, session: CallSession, cause: int | None) -> None:
        if session.ended:
            return
        session.ended = True
        self._log(session, seat=session.seat_id).info("caller_hung_up", cause=cause)
        self.feed(CallerHungUp(session.call_id))
        if session.seat_channel_id is not None:
            seat_channel = session.seat_channel_id
            self.ctx.lanes.submit(session.call_id, "hangup_seat", lambda: self._hangup(seat_channel))

    def call_ended(self, command: CallEndedOutcome) -> None:
        """The ACD's one outcome for the call; the session is finished once its caller is gone."""
        session = self.ctx.sessions.calls.get(command.call_id)
        if session is None:
            return
        ended_at = self.ctx.wall()
        outcome = command.outcome.value
        self._log(session, seat=command.seat_id).info("call_ended", outcome=outcome,
                                                      waited_s=round(command.waited, 3))
        self.ctx.notifier.publish("call_ended", call_id=session.call_id, outcome=outcome, seat=command.seat_id,
                                  waited=command.waited, recording=session.recording_path,
                                  incident_id=session.incident_id)
        ctx = self.ctx

        async def write() -> None:
            await ctx.db.calls.end(session.call_id, ended_at, outcome)
            if session.recording_id is not None:
                await ctx.db.recordings.finish(session.recording_id, ended_at)

        ctx.journal.submit("call_ended", write, call_id=session.call_id, outcome=outcome)
        self.holding.forget(session)
        if session.bridge_id is not None:
            bridge_id = session.bridge_id
            self.ctx.lanes.submit(session.call_id, "destroy_bridge", lambda: self._destroy_bridge(bridge_id))
        session.ended = True  # if the seat ended it, the caller's leg is being hung up (HangUpCaller)
        self.ctx.sessions.remove(session)

    def _store_leg_end(self, channel_id: str) -> None:
        ctx, at = self.ctx, self.ctx.wall()
        ctx.journal.submit("seat_leg_ended", lambda: ctx.db.calls.end(channel_id, at, "answered"),
                           channel=channel_id)

    # --- helpers ---------------------------------------------------------------------------
    async def _hangup(self, channel_id: str) -> None:
        try:
            await self.ctx.ari.hangup(channel_id)
        except ari_errors.NotFound:
            pass

    async def _destroy_bridge(self, bridge_id: str) -> None:
        try:
            await self.ctx.ari.destroy_bridge(bridge_id)
        except ari_errors.NotFound:
            pass

    def _log(self, session: CallSession, **extra: object) -> structlog.typing.FilteringBoundLogger:
        return call_log(log, session, **extra)


__all__ = ["Adopted", "Adoption", "CallFlow", "offer_failure_for_cause"]
