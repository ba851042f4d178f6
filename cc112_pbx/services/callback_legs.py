"""The legs of one callback attempt, agent first: the attempt waits in the ACD for a seat (below
every inbound caller); when the call taker answers, the citizen is dialled through the trunk
into the app (`Stasis(cc112,callback,<call id>)`), then recorded and bridged with the seat.
How the citizen's leg went (connected, busy, no answer, failed) is the attempt's outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import AcdEvent, CallArrived, CallerHungUp
from cc112_pbx.domain.callbacks import CallbackOutcome, CallbackPolicy
from cc112_pbx.domain.caller import CallerKind
from cc112_pbx.domain.telephony_errors import TelephonyError
from cc112_pbx.services import facts as f
from cc112_pbx.services.callbacks import PendingCallback
from cc112_pbx.services.context import Context
from cc112_pbx.services.holding import call_log
from cc112_pbx.services.sessions import CallKind, CallSession

log = structlog.get_logger("cc112.callback_legs")

CALLBACK_PRIORITY = -1  # below every inbound caller (priority 0 and up): 112 is never starved

_OUTCOMES = {
    tel.HangupCause.BUSY: CallbackOutcome.BUSY,
    tel.HangupCause.NO_ANSWER: CallbackOutcome.NO_ANSWER,
    tel.HangupCause.REJECTED: CallbackOutcome.NO_ANSWER,
}


def outcome_for(cause: tel.HangupCause | None) -> CallbackOutcome:
    """How a citizen's leg that ended before it was bridged went."""
    return _OUTCOMES.get(cause, CallbackOutcome.FAILED) if cause is not None else CallbackOutcome.FAILED


@dataclass(frozen=True, slots=True)
class CitizenNotDialled:
    """Loop input: the trunk refused the citizen's leg (the attempt failed)."""

    call_id: str


class CallbackLegs:
    def __init__(self, ctx: Context, feed: Callable[[AcdEvent], None], post: Callable[[object], None],
                 policy: Callable[[], CallbackPolicy]) -> None:
        self.ctx = ctx
        self.feed = feed
        self.post = post
        self.policy = policy

    def open(self, entry: PendingCallback) -> str:
        """Queue an attempt for a seat; returns its call id."""
        ctx = self.ctx
        now_wall, now_mono = ctx.clock.wall(), ctx.clock.monotonic()
        session = CallSession(
            call_id=f"callback-{uuid.uuid4()}", channel_id=f"cc112-callback-{uuid.uuid4().hex}", channel_name="",
            caller_number=entry.number, caller_kind=CallerKind.NORMAL, dialled=entry.number, category=None,
            arrived_at=now_wall, arrived_mono=now_mono, incident_id=entry.incident_id, kind=CallKind.CALLBACK,
            callback_key=entry.key,
        )
        ctx.sessions.add(session)
        ctx.facts.publish(f.CallbackAttemptStarted(entry.key, entry.attempts, session.call_id, session.channel_id,
                                                   entry.number, entry.incident_id, now_wall))
        self.feed(CallArrived(session.call_id, priority=CALLBACK_PRIORITY, preferred_seat_id=entry.seat_id,
                              arrived_at=now_mono))
        return session.call_id

    def withdraw(self, call_id: str) -> None:
        """The attempt is no longer wanted (the citizen called again) while it waits for a seat."""
        session = self.ctx.sessions.calls.get(call_id)
        if session is not None and session.seat_id is None and not session.ended:
            session.ended = True
            session.callback_outcome = CallbackOutcome.CANCELLED
            self.feed(CallerHungUp(call_id))

    def dial_citizen(self, session: CallSession) -> None:
        """The call taker answered: now ring the citizen through the trunk."""
        policy, control = self.policy(), self.ctx.control
        dial = policy.dial_string(session.caller_number or "")
        clog = call_log(log, session)
        clog.info("callback_dialling_citizen", dial=dial)
        self.ctx.watch(session.channel_id)

        async def dial_out() -> None:
            try:
                await control.call_citizen(dial, call_id=session.call_id, caller_id=policy.caller_id,
                                           timeout=int(policy.ring_timeout), channel_id=session.channel_id)
            except TelephonyError as exc:
                clog.warning("callback_dial_failed", dial=dial, error=str(exc))
                self.post(CitizenNotDialled(session.call_id))

        self.ctx.lanes.submit(session.call_id, "dial_citizen", dial_out)

    def not_dialled(self, item: CitizenNotDialled) -> CallSession | None:
        session = self.ctx.sessions.calls.get(item.call_id)
        if session is None or session.ended:
            return None
        session.callback_outcome = CallbackOutcome.FAILED
        return session

    def leg_ended(self, session: CallSession, cause: tel.HangupCause | None) -> None:
        if session.callback_outcome is None:
            session.callback_outcome = (CallbackOutcome.CONNECTED if session.connected_at is not None
                                        else outcome_for(cause))
