"""A citizen's call through the controller: arrive, ring a seat, connect, end (holding: `holding.py`).

Called by the controller's single event loop with telephony events; decides nothing about
*which* seat (the ACD core does) and never waits for the telephony system: every request goes
into the call's lane (`lanes.py`). What happened is published once as a fact (`facts.py`); the
store and the people's notices subscribe to them. Principle: the call is never refused: a
failing request is logged and the call carries on with what still works.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import (
    AcdEvent,
    CallArrived,
    CallEndedOutcome,
    CallerHungUp,
    CallResumed,
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
from cc112_pbx.domain.telephony_errors import EndpointUnreachable, TelephonyError
from cc112_pbx.services import facts as f
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import Holding, call_log
from cc112_pbx.services.sessions import CallSession, SeatLeg, StraySeatLeg

log = structlog.get_logger("cc112.calls")

ADOPT_LOOKUP_TIMEOUT = 2.0  # seconds a recovered caller may wait for the database's answer


_OFFER_FAILURES = {
    tel.HangupCause.BUSY: OfferFailure.BUSY,
    tel.HangupCause.NO_ANSWER: OfferFailure.NO_ANSWER,
    tel.HangupCause.REJECTED: OfferFailure.NO_ANSWER,
    tel.HangupCause.UNREACHABLE: OfferFailure.UNREACHABLE,
    tel.HangupCause.CONGESTION: OfferFailure.UNREACHABLE,
}


def offer_failure_for_cause(cause: tel.HangupCause | None) -> OfferFailure:
    """Why a seat leg that ended before answering failed its offer."""
    return _OFFER_FAILURES.get(cause, OfferFailure.ERROR) if cause is not None else OfferFailure.ERROR


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
class CallBridged:
    """Loop input: caller and seat are both in the call's bridge (the request completed)."""

    call_id: str
    at: datetime
    mono: float


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
        store = self.ctx.store
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
        self.post(Adopted(event, adoption))

    def adopted(self, item: Adopted) -> None:
        if self.ctx.sessions.by_caller_channel(item.event.channel_id) is None:
            self._open(item.event, item.adoption)

    def _open(self, event: tel.CallEntered, adoption: Adoption) -> None:
        ctx = self.ctx
        dialled = event.dialled or (event.args[1] if len(event.args) > 1 else "112")
        kind = classify_caller(event.caller_number)
        category = category_for_dialled(dialled)
        now_wall, now_mono = ctx.clock.wall(), ctx.clock.monotonic()
        # a caller found after a restart keeps its place: arrived when stored, or when its channel was made
        arrived_at = adoption.arrived_at or (event.at if event.recovered else now_wall)
        session = CallSession(
            call_id=adoption.call_id or str(uuid.uuid4()), channel_id=event.channel_id,
            channel_name=event.channel_name, caller_number=event.caller_number or None, caller_kind=kind,
            dialled=dialled, category=category.value if category else None, arrived_at=arrived_at,
            arrived_mono=now_mono - max(0.0, (now_wall - arrived_at).total_seconds()),
            answered=event.state is tel.ChannelState.UP, incident_id=adoption.incident_id, adopted=event.recovered,
        )
        session.recording_path = adoption.recording_path
        ctx.sessions.add(session)
        clog = self._log(session)
        clog.info("call_arrived", caller=session.caller_number, caller_kind=kind.value, dialled=dialled,
                  category=session.category, adopted=event.recovered, stored_before=adoption.call_id is not None)
        ctx.facts.publish(f.CallOpened(
            call_id=session.call_id, channel_id=session.channel_id, channel_name=session.channel_name,
            arrived_at=arrived_at, dialled=dialled, caller_number=session.caller_number, caller_kind=kind,
            category=session.category, adopted=event.recovered, stored_call=adoption.call_id is not None,
            incident_id=adoption.incident_id, recording_id=adoption.recording_id))
        if event.bridge_id is not None and self._resume(session, event.bridge_id, adoption):
            return
        ctx.lanes.submit(session.call_id, "greet", lambda: self.holding.receive(session))
        self.feed(CallArrived(session.call_id, priority=0, arrived_at=session.arrived_mono))

    def _resume(self, session: CallSession, bridge_id: str, adoption: Adoption) -> bool:
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
        self._log(session).info("call_resumed", seat_channel=stray.channel_id, bridge=bridge_id)
        self.feed(CallResumed(session.call_id, stray.seat_id, session.arrived_mono, session.connected_mono))
        return True

    def incident_linked(self, fact: f.IncidentLinked) -> None:
        session = self.ctx.sessions.calls.get(fact.call_id)
        if session is not None:
            session.incident_id = fact.incident_id
        self.ctx.facts.publish(fact)

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
        self.ctx.facts.publish(f.SeatRinging(offer.call_id, offer.seat_id, session.caller_number,
                                             session.no_callback, session.incident_id))
        self._log(session, seat=offer.seat_id).info("seat_offered", dial=dial, timeout=command.timeout)
        caller_id = f'"112 {session.caller_number or "TANPA NOMOR"}" <{session.caller_number or "112"}>'
        control = self.ctx.control

        async def originate() -> None:
            try:
                await control.ring_seat(dial, seat_id=offer.seat_id, caller_id=caller_id,
                                        timeout=int(command.timeout) + 5, channel_id=channel_id)
            except EndpointUnreachable:
                self._seat_leg_failed(channel_id, OfferFailure.UNREACHABLE)
            except TelephonyError as exc:
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
        if leg is None and event.recovered and event.bridge_id is not None and event.bridge_peers:
            # talking to a caller when the controller (re)started: that caller's adoption takes it back
            seat_id = event.args[1] if len(event.args) > 1 else ""
            self.ctx.sessions.stray_seat_legs[event.bridge_id] = StraySeatLeg(event.channel_id, seat_id)
            log.info("seat_leg_found_in_bridge", channel=event.channel_id, seat=seat_id, bridge=event.bridge_id)
            return
        if leg is None:
            log.warning("unknown_seat_leg_hung_up", channel=event.channel_id, args=list(event.args))
            self.ctx.lanes.submit(event.channel_id, "hangup_stray", lambda: self.ctx.control.hang_up(event.channel_id))
            return
        leg.answered = True
        self.feed(OfferAnswered(leg.offer))

    def cancel_offer(self, offer: Offer) -> None:
        for channel_id, leg in list(self.ctx.sessions.seat_legs.items()):
            if leg.offer.offer_id == offer.offer_id:
                self.ctx.sessions.drop_seat_leg(channel_id)
                self.ctx.lanes.submit(offer.call_id, "cancel_offer", lambda c=channel_id: self.ctx.control.hang_up(c))

    # --- connected -------------------------------------------------------------------------
    def connect(self, command: ConnectCall) -> None:
        """The seat answered: bridge it with the caller at once. The caller's prompts are stopped
        first: a channel's playbacks hold its other commands in Asterisk, and a call taker must
        never answer into silence while the caller still hears "please hold"."""
        offer = command.offer
        session = self.ctx.sessions.calls.get(offer.call_id)
        leg = next((leg for leg in self.ctx.sessions.seat_legs.values() if leg.offer == offer), None)
        if session is None or leg is None:
            return
        control, clock = self.ctx.control, self.ctx.clock
        session.seat_id, session.seat_channel_id = offer.seat_id, leg.channel_id
        bridge_id = session.bridge_id = f"cc112-call-{session.call_id}"
        clog = self._log(session, seat=offer.seat_id)
        clog.info("seat_answered", waited_s=round(clock.monotonic() - session.arrived_mono, 3))

        async def bridge() -> None:
            for playback_id in list(session.playbacks):
                try:
                    await control.stop_playback(playback_id)
                except TelephonyError as exc:
                    clog.warning("prompt_not_stopped", playback=playback_id, error=str(exc))
            try:
                await control.stop_music(session.channel_id)
            except TelephonyError:
                pass
            try:
                await control.create_bridge(bridge_id, name=f"call-{session.call_id}")
                await control.bridge_channels(bridge_id, [session.channel_id, leg.channel_id])
            except TelephonyError as exc:
                clog.error("bridge_failed", error=str(exc))
                return
            self.post(CallBridged(session.call_id, clock.wall(), clock.monotonic()))

        self.ctx.lanes.submit(session.call_id, "bridge", bridge)

    def bridged(self, item: CallBridged) -> None:
        """Caller and call taker hear each other from now: this is when the call connected."""
        session = self.ctx.sessions.calls.get(item.call_id)
        if session is None or session.ended or session.seat_id is None or session.seat_channel_id is None:
            return
        session.connected_at, session.connected_mono = item.at, item.mono
        waited = item.mono - session.arrived_mono
        self._log(session).info("call_connected", waited_s=round(waited, 3))
        self.ctx.facts.publish(f.CallConnected(
            call_id=session.call_id, seat_id=session.seat_id, seat_channel_id=session.seat_channel_id,
            at=item.at, caller_number=session.caller_number, no_callback=session.no_callback,
            incident_id=session.incident_id, waited=waited))

    def hang_up_caller(self, call_id: str) -> None:
        session = self.ctx.sessions.calls.get(call_id)
        if session is not None:
            self.ctx.lanes.submit(call_id, "hangup_caller", lambda: self.ctx.control.hang_up(session.channel_id))

    # --- endings ---------------------------------------------------------------------------
    def channel_gone(self, channel_id: str, cause: tel.HangupCause | None = None) -> None:
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
        self.ctx.facts.publish(f.SeatLegEnded(channel_id, self.ctx.clock.wall()))

    def _caller_gone(self, session: CallSession, cause: tel.HangupCause | None) -> None:
        if session.ended:
            return
        session.ended = True
        self._log(session, seat=session.seat_id).info("caller_hung_up", cause=cause)
        self.feed(CallerHungUp(session.call_id))
        if session.seat_channel_id is not None:
            seat_channel = session.seat_channel_id
            self.ctx.lanes.submit(session.call_id, "hangup_seat", lambda: self.ctx.control.hang_up(seat_channel))

    def call_ended(self, command: CallEndedOutcome) -> None:
        """The ACD's one outcome for the call; the session is finished once its caller is gone."""
        session = self.ctx.sessions.calls.get(command.call_id)
        if session is None:
            return
        outcome = command.outcome.value
        # answered: the wait ended when caller and seat were bridged, not when the seat answered
        waited = (session.connected_mono - session.arrived_mono if session.connected_mono is not None
                  else command.waited)
        self._log(session, seat=command.seat_id).info("call_ended", outcome=outcome, waited_s=round(waited, 3))
        self.ctx.facts.publish(f.CallFinished(
            call_id=session.call_id, outcome=outcome, seat_id=command.seat_id, waited=waited,
            at=self.ctx.clock.wall(), recording_path=session.recording_path, incident_id=session.incident_id))
        self.holding.forget(session)
        if session.bridge_id is not None:
            bridge_id = session.bridge_id
            self.ctx.lanes.submit(session.call_id, "destroy_bridge", lambda: self.ctx.control.destroy_bridge(bridge_id))
        session.ended = True  # if the seat ended it, the caller's leg is being hung up (HangUpCaller)
        self.ctx.sessions.remove(session)

    def _log(self, session: CallSession, **extra: object) -> structlog.typing.FilteringBoundLogger:
        return call_log(log, session, **extra)


__all__ = ["Adopted", "Adoption", "CallBridged", "CallFlow", "offer_failure_for_cause"]
