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
    ConnectCall,
    Offer,
    OfferAnswered,
    OfferCall,
    OfferFailed,
    OfferFailure,
    SeatHungUp,
    SeatLost,
)
from cc112_pbx.domain.call_end import CallOutcome, EndedCall, classify_call_end, is_ghost_call
from cc112_pbx.domain.callbacks import CallbackOutcome
from cc112_pbx.domain.caller import callback_number, classify_caller
from cc112_pbx.domain.categories import category_for_dialled
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.telephony_errors import EndpointUnreachable, TelephonyError
from cc112_pbx.domain.timeline import HangupParty
from cc112_pbx.services import facts as f
from cc112_pbx.services.adoption import Adopted, Adoption, Resumption, StoredCalls, look_up_stored
from cc112_pbx.services.callback_legs import CallbackLegs, CitizenNotDialled
from cc112_pbx.services.callbacks import CallbackService
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import Holding, call_log
from cc112_pbx.services.repeat_callers import RepeatCallers
from cc112_pbx.services.sessions import CallKind, CallSession, SeatLeg, StraySeatLeg
from cc112_pbx.services.silent_callers import SilentCallers

log = structlog.get_logger("cc112.calls")


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
class CallBridged:
    """Loop input: caller and seat are both in the call's bridge (the request completed)."""

    call_id: str
    at: datetime
    mono: float


@dataclass(frozen=True, slots=True)
class SeatLegFailed:
    """Loop input: placing the seat's call failed (the request's answer, from its lane)."""

    channel_id: str
    reason: OfferFailure


@dataclass(frozen=True, slots=True)
class IncidentStatusChanged:
    """Loop input: an incident's status changed outside the call (the call taker's form)."""

    incident_id: int
    status: IncidentStatus


class CallFlow:
    def __init__(self, ctx: Context, feed: Callable[[AcdEvent], None],
                 start_hold_timer: Callable[[str], None], post: Callable[[object], None],
                 callbacks: CallbackService, silent: SilentCallers) -> None:
        self.ctx = ctx
        self.feed = feed
        self.post = post
        self.holding = Holding(ctx, start_hold_timer)
        self.callbacks = callbacks
        self.silent = silent
        self.legs = CallbackLegs(ctx, feed, post, lambda: callbacks.policy)
        self.repeats = RepeatCallers(ctx.options.repeat_caller_window)
        self.resumption = Resumption(ctx, feed)
        self.stored_calls: StoredCalls | None = None  # set by the app before a resync, used by that resync only
        self.adopting = 0  # callers found in the app whose stored call is being looked up
        self.all_adopted = asyncio.Event()  # none is (the app restores callbacks after this, issue 21)
        self.all_adopted.set()

    # --- arrival -------------------------------------------------------------------------
    def arrive(self, event: tel.CallEntered) -> None:
        if self.ctx.sessions.by_caller_channel(event.channel_id) is not None:
            return  # reported again by a resync: already ours
        if event.recovered:
            # found in the app after a (re)start: maybe the call a previous run already stored
            self.adopting += 1
            self.all_adopted.clear()
            store = self.stored_calls or self.ctx.store  # read at once before the resync, when the app did
            self.ctx.lanes.submit(event.channel_id, "adopt", lambda: look_up_stored(store, event, self.post))
            return
        self._open(event, Adoption())

    def adopted(self, item: Adopted) -> None:
        self.adopting = max(0, self.adopting - 1)
        if not self.adopting:
            self.all_adopted.set()
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
        # its place in the queue: every caller found after a restart by its channel's creation (one
        # clock for all, whether or not the previous run had stored the call before it died)
        queued_at = event.at if event.recovered else arrived_at
        session = CallSession(
            call_id=adoption.call_id or str(uuid.uuid4()), channel_id=event.channel_id,
            channel_name=event.channel_name, caller_number=event.caller_number or None, caller_kind=kind,
            dialled=dialled, category=category.value if category else None, arrived_at=arrived_at,
            arrived_mono=self.resumption.mono_of(queued_at) if event.recovered else now_mono,
            answered=event.state is tel.ChannelState.UP, incident_id=adoption.incident_id, adopted=event.recovered,
        )
        session.recording_path = adoption.recording_path
        flag = ctx.nuisance.flag(callback_number(session.caller_number), now_wall)
        session.prank_flag = flag.as_dict() if flag is not None else None
        ctx.sessions.add(session)
        preferred_seat = self._repeat_caller(session) if adoption.call_id is None else None
        clog = self._log(session)
        clog.info("call_arrived", caller=session.caller_number, caller_kind=kind.value, dialled=dialled,
                  category=session.category, adopted=event.recovered, stored_before=adoption.call_id is not None,
                  repeat_of=session.repeat_of)
        ctx.facts.publish(f.CallOpened(
            call_id=session.call_id, channel_id=session.channel_id, channel_name=session.channel_name,
            arrived_at=arrived_at, dialled=dialled, caller_number=session.caller_number, caller_kind=kind,
            category=session.category, adopted=event.recovered, stored_call=adoption.call_id is not None,
            incident_id=adoption.incident_id, recording_id=adoption.recording_id, repeat_of=session.repeat_of,
            repeat_window=ctx.options.repeat_caller_window))
        if event.bridge_id is not None and self.resumption.resume(session, event.bridge_id, adoption):
            if adoption.recording_id is None:
                ctx.lanes.submit(session.call_id, "recording", lambda: self.holding.adopt_recording(session))
            return
        # the ACD first: a free seat's originate leads the call's lane, so the seat rings while the
        # caller is answered and greeted, not after the greeting's requests (`cc112 bench` load mode)
        self.feed(CallArrived(session.call_id, priority=0, preferred_seat_id=preferred_seat,
                              arrived_at=session.arrived_mono))
        ctx.lanes.submit(session.call_id, "greet", lambda: self.holding.receive(session))
        self.silent.listen(session)

    def _repeat_caller(self, session: CallSession) -> str | None:
        """A citizen calling again: their pending callback is cancelled (they are on the line), and
        within the window the call joins their open incident, offered first to the seat that had it.
        Returns that seat."""
        number = callback_number(session.caller_number)
        if number is None:
            return None
        self.callbacks.cancel_for_number(number, "the citizen called again")
        recent = self.repeats.match(number, self.ctx.clock.monotonic())
        if recent is None:
            return None
        session.incident_id = session.repeat_of = recent.incident_id
        session.incident_status = recent.status
        return recent.seat_id

    def incident_linked(self, fact: f.IncidentLinked) -> None:
        session = self.ctx.sessions.calls.get(fact.call_id)
        if session is not None:
            session.incident_id = fact.incident_id
        self.ctx.facts.publish(fact)

    def incident_status_changed(self, item: IncidentStatusChanged) -> None:
        for session in self.ctx.sessions.calls.values():
            if session.incident_id == item.incident_id:
                session.incident_status = item.status
        self.repeats.status_changed(item.incident_id, item.status)

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
        label = "CALLBACK" if session.kind is CallKind.CALLBACK else "112"
        caller_id = f'"{label} {session.caller_number or "TANPA NOMOR"}" <{session.caller_number or "112"}>'
        control = self.ctx.control

        async def originate() -> None:
            try:
                await control.ring_seat(dial, seat_id=offer.seat_id, caller_id=caller_id,
                                        timeout=int(command.timeout) + 5, channel_id=channel_id)
            except EndpointUnreachable:
                self.post(SeatLegFailed(channel_id, OfferFailure.UNREACHABLE))
            except TelephonyError as exc:
                self._log(session, seat=offer.seat_id).warning("seat_originate_failed", error=str(exc))
                self.post(SeatLegFailed(channel_id, OfferFailure.ERROR))

        self.ctx.lanes.submit(offer.call_id, "originate_seat", originate)

    def seat_leg_failed(self, item: SeatLegFailed) -> None:
        self._seat_leg_failed(item.channel_id, item.reason)

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
        for leg in self.ctx.sessions.seat_legs_of_offer(offer.offer_id):
            self.ctx.sessions.drop_seat_leg(leg.channel_id)
            self.ctx.lanes.submit(offer.call_id, "cancel_offer", lambda c=leg.channel_id: self.ctx.control.hang_up(c))

    # --- connected -------------------------------------------------------------------------
    def connect(self, command: ConnectCall) -> None:
        """The seat answered: bridge it with the caller at once. The caller's prompts are stopped
        first: a channel's playbacks hold its other commands in Asterisk, and a call taker must
        never answer into silence while the caller still hears "please hold"."""
        offer = command.offer
        session = self.ctx.sessions.calls.get(offer.call_id)
        leg = next((leg for leg in self.ctx.sessions.seat_legs_of_offer(offer.offer_id) if leg.offer == offer), None)
        if session is None or leg is None:
            return
        session.seat_id, session.seat_channel_id = offer.seat_id, leg.channel_id
        session.bridge_id = f"cc112-call-{session.call_id}"
        self._log(session, seat=offer.seat_id).info(
            "seat_answered", waited_s=round(self.ctx.clock.monotonic() - session.arrived_mono, 3))
        if session.kind is CallKind.CALLBACK:
            self.legs.dial_citizen(session)  # bridged when the citizen answers
            return
        self._bridge(session)

    def callback_answered(self, event: tel.CallEntered) -> None:
        """The citizen answered a callback (`Stasis(cc112,callback,<call id>)`): record, bridge."""
        session = self.ctx.sessions.by_caller_channel(event.channel_id)
        if session is None or session.kind is not CallKind.CALLBACK or session.ended:
            log.warning("unknown_callback_leg_hung_up", channel=event.channel_id, args=list(event.args))
            self.ctx.lanes.submit(event.channel_id, "hangup_stray", lambda: self.ctx.control.hang_up(event.channel_id))
            return
        session.channel_name, session.answered = event.channel_name, True
        self._log(session).info("callback_citizen_answered")
        self.ctx.lanes.submit(session.call_id, "record", lambda: self.holding.start_recording(session))
        self._bridge(session)

    def citizen_not_dialled(self, item: CitizenNotDialled) -> None:
        session = self.legs.not_dialled(item)
        if session is not None:
            self._caller_gone(session, None)

    def _bridge(self, session: CallSession) -> None:
        control, clock = self.ctx.control, self.ctx.clock
        bridge_id, seat_channel = session.bridge_id, session.seat_channel_id
        assert bridge_id is not None and seat_channel is not None
        clog = self._log(session)

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
                await control.bridge_channels(bridge_id, [session.channel_id, seat_channel])
            except TelephonyError as exc:
                # the two cannot talk: the seat's leg goes, and its end puts the caller back in line
                clog.error("bridge_failed_seat_leg_released", error=str(exc))
                await control.hang_up(seat_channel)
                return
            self.post(CallBridged(session.call_id, clock.wall(), clock.monotonic()))

        self.ctx.lanes.submit(session.call_id, "bridge", bridge)

    def bridged(self, item: CallBridged) -> None:
        """Caller and call taker hear each other from now: this is when the call connected."""
        session = self.ctx.sessions.calls.get(item.call_id)
        if session is None or session.ended or session.seat_id is None or session.seat_channel_id is None:
            return
        session.connected_at, session.connected_mono = item.at, item.mono
        if session.kind is CallKind.INBOUND and session.incident_status is IncidentStatus.NEW:
            session.incident_status = IncidentStatus.IN_PROGRESS  # the call taker is taking the report
        waited = item.mono - session.arrived_mono
        self._log(session).info("call_connected", waited_s=round(waited, 3))
        self.ctx.facts.publish(f.CallConnected(
            call_id=session.call_id, seat_id=session.seat_id, seat_channel_id=session.seat_channel_id,
            at=item.at, caller_number=session.caller_number, no_callback=session.no_callback,
            incident_id=session.incident_id, waited=waited))
        self.callbacks.seat_freed()  # one caller fewer waits: a due callback may go
        self.silent.connected(session)

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
            self.ctx.sessions.forget_stray_seat_leg(channel_id)  # gone before its caller was adopted
            return
        if not leg.answered:
            self._seat_leg_failed(channel_id, offer_failure_for_cause(cause))
            return
        self.ctx.sessions.drop_seat_leg(channel_id)
        session = self.ctx.sessions.calls.get(leg.offer.call_id)
        if (session is not None and session.seat_channel_id == channel_id and session.connected_at is None
                and session.kind is CallKind.INBOUND and not session.ended):
            self._seat_lost(session, leg.offer.seat_id)
        elif session is not None and session.seat_channel_id == channel_id:
            self._log(session, seat=leg.offer.seat_id).info("seat_hung_up")
            session.hung_up_by = session.hung_up_by or HangupParty.SEAT
            if session.kind is CallKind.CALLBACK:
                self.legs.leg_ended(session, None)
            self.feed(SeatHungUp(leg.offer.call_id))
        self.ctx.facts.publish(f.SeatLegEnded(channel_id, self.ctx.clock.wall()))

    def _seat_lost(self, session: CallSession, seat_id: str) -> None:
        """The seat's leg ended after answering but before the two could talk: the caller never
        spoke to anyone and waits for a seat again, with music, at the head of the line."""
        self._log(session, seat=seat_id).warning("seat_lost_before_bridging")
        bridge_id = session.bridge_id
        session.seat_id = session.seat_channel_id = session.bridge_id = None
        if bridge_id is not None:
            self.ctx.lanes.submit(session.call_id, "destroy_bridge", lambda: self.ctx.control.destroy_bridge(bridge_id))
        self.ctx.lanes.submit(session.call_id, "music", lambda: self.holding.music_on(session))
        self.feed(SeatLost(session.call_id))

    def _caller_gone(self, session: CallSession, cause: tel.HangupCause | None) -> None:
        if session.ended:
            return
        session.ended = True
        session.hung_up_by = session.hung_up_by or HangupParty.CALLER
        if session.kind is CallKind.CALLBACK:
            self.legs.leg_ended(session, cause)
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
        ended_at = self.ctx.clock.wall()
        outcome, ghost = self._outcome(session, ended_at)
        # answered: the wait ended when caller and seat were bridged, not when the seat answered
        waited = (session.connected_mono - session.arrived_mono if session.connected_mono is not None
                  else command.waited)
        hung_up_by = session.hung_up_by or HangupParty.SYSTEM
        self._log(session, seat=command.seat_id).info("call_ended", outcome=outcome.value, waited_s=round(waited, 3),
                                                      hung_up_by=hung_up_by.value, ghost=ghost)
        self.ctx.facts.publish(f.CallFinished(
            call_id=session.call_id, outcome=outcome.value, seat_id=command.seat_id, waited=waited, at=ended_at,
            recording_path=session.recording_path, incident_id=session.incident_id, hung_up_by=hung_up_by.value,
            ghost=ghost, callback=session.kind is CallKind.CALLBACK, caller_number=session.caller_number))
        self.holding.forget(session)
        if session.bridge_id is not None:
            bridge_id = session.bridge_id
            self.ctx.lanes.submit(session.call_id, "destroy_bridge", lambda: self.ctx.control.destroy_bridge(bridge_id))
        session.ended = True  # if the seat ended it, the caller's leg is being hung up (HangUpCaller)
        self.ctx.sessions.remove(session)
        if session.kind is CallKind.CALLBACK:
            self.callbacks.attempt_ended(session)
        else:
            self.repeats.remember(session, self.ctx.clock.monotonic())
            self.callbacks.call_ended(session, outcome, ghost)
        self.callbacks.seat_freed()

    def _outcome(self, session: CallSession, ended_at: datetime) -> tuple[CallOutcome, bool]:
        """Answered, abandoned or dropped (the caller's side ended while the report was still
        being taken); and whether it was a ghost call (short, no conversation, by policy)."""
        if session.kind is CallKind.CALLBACK:
            connected = session.callback_outcome is CallbackOutcome.CONNECTED
            return (CallOutcome.ANSWERED if connected else CallOutcome.FAILED), False
        ended = EndedCall(arrived_at=session.arrived_at, ended_at=ended_at,
                          hung_up_by=session.hung_up_by or HangupParty.SYSTEM,
                          incident_status=session.incident_status, answered_by_seat_at=session.connected_at,
                          silent_call=session.silent)
        return classify_call_end(ended), is_ghost_call(ended, self.ctx.options.ghost_call_threshold)

    def _log(self, session: CallSession, **extra: object) -> structlog.typing.FilteringBoundLogger:
        return call_log(log, session, **extra)


__all__ = ["CallBridged", "CallFlow", "IncidentStatusChanged", "SeatLegFailed", "offer_failure_for_cause"]
