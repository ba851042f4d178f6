"""Calling citizens back when their line dropped or they gave up waiting (SOP step 2).

Agent first: a callback attempt is queued in the ACD like a caller (below every inbound caller,
offered first to the seat that had the call); when a call taker answers, the citizen is dialled
through the trunk and bridged with them, recorded and linked to the same incident
(`call_flow.py` runs the legs). This service decides *whether* and *when*: the policy and its
decisions are the domain's (`domain.callbacks`); the store learns everything as facts.

Never starving 112: at most `seat_cap` attempts run at once (0: one, and only while no
inbound caller waits), and each waits behind every inbound caller for a seat. Callers with no
number to dial go on the supervisor's no-callback list instead. A citizen who calls again
cancels what is pending for their number. Pending callbacks live in the store too, so a
restarted controller picks them up (`restore`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from cc112_pbx.domain.call_end import CallOutcome
from cc112_pbx.domain.callbacks import (
    CallbackOutcome,
    CallbackPolicy,
    CallbackReason,
    CallbackStatus,
    Verdict,
    first_due,
    may_take_seat,
    next_step,
    qualify,
)
from cc112_pbx.services import facts as f
from cc112_pbx.services.context import Context
from cc112_pbx.services.sessions import CallKind, CallSession

log = structlog.get_logger("cc112.callbacks")

OWN_SEAT_WAIT = 60.0  # seconds a due callback waits for the seat that had the call to finish its work


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """Timer key: the callback `key` may be tried now."""

    key: str


@dataclass(slots=True)
class PendingCallback:
    key: str  # the id of the call that ended (or `callback-<id>` for one restored from the store)
    number: str  # E.164
    reason: CallbackReason
    incident_id: int | None
    seat_id: str | None  # the seat that had the call: offered first
    due_at: datetime
    attempts: int = 0
    callback_id: int | None = None  # the store's id, once written
    running: str | None = None  # the call id of the attempt in progress
    due: bool = False  # its time has come; it waits for the cap to allow it
    waiting_since: float = field(default=0.0)


class CallbackService:
    def __init__(self, ctx: Context, policy: CallbackPolicy, *, start_timer: Callable[[Hashable, float], None],
                 cancel_timer: Callable[[Hashable], None], open_attempt: Callable[[PendingCallback], str],
                 end_attempt: Callable[[str], None], inbound_waiting: Callable[[], int],
                 seat_finishing: Callable[[str], bool] = lambda seat_id: False) -> None:
        self.ctx = ctx
        self.policy = policy
        self._start_timer = start_timer
        self._cancel_timer = cancel_timer
        self._open_attempt = open_attempt
        self._end_attempt = end_attempt
        self._inbound_waiting = inbound_waiting
        self._seat_finishing = seat_finishing
        self.pending: dict[str, PendingCallback] = {}

    # --- what ends a call decides ------------------------------------------------------------
    def call_ended(self, session: CallSession, outcome: CallOutcome, ghost: bool) -> None:
        """An inbound call ended: call it back, list it for the supervisor, or nothing."""
        if session.kind is not CallKind.INBOUND:
            return
        decision = qualify(outcome, session.caller_number, self.policy, ghost=ghost)
        clog = log.bind(call_id=session.call_id, incident_id=session.incident_id)
        if decision.verdict is Verdict.NOT_NEEDED:
            clog.debug("no_callback_needed", reason=decision.reason)
            return
        now = self.ctx.clock.wall()
        dialable = decision.verdict is Verdict.CALL_BACK
        due_at = first_due(now, self.policy)
        reason = decision.callback_reason.value if decision.callback_reason else outcome.value
        self.ctx.facts.publish(f.CallbackScheduled(
            key=session.call_id, incident_id=session.incident_id, reason=reason, number=decision.number,
            created_at=now, due_at=due_at, seat_id=session.seat_id, dialable=dialable, detail=decision.reason))
        if not dialable:
            clog.warning("no_callback_possible_supervisor_list", reason=decision.reason)
            return
        assert decision.number is not None and decision.callback_reason is not None
        entry = PendingCallback(session.call_id, decision.number, decision.callback_reason, session.incident_id,
                                session.seat_id, due_at)
        self.pending[entry.key] = entry
        clog.info("callback_scheduled", number=entry.number, reason=entry.reason.value,
                  due_in_s=self.policy.first_delay)
        self._arm(entry)

    def restore(self, entries: list[PendingCallback]) -> None:
        """Callbacks the store still has open (a previous run scheduled them): due as stored."""
        for entry in entries:
            if entry.key in self.pending:
                continue
            self.pending[entry.key] = entry
            if entry.callback_id is not None:
                self.ctx.facts.publish(f.CallbackStored(entry.key, entry.callback_id))
            self._arm(entry)
        if entries:
            log.info("callbacks_restored", count=len(entries))

    def stored(self, item: f.CallbackStored) -> None:
        entry = self.pending.get(item.key)
        if entry is not None:
            entry.callback_id = item.callback_id

    # --- running attempts ----------------------------------------------------------------------
    def due(self, key: str) -> None:
        entry = self.pending.get(key)
        if entry is None or entry.running is not None:
            return
        if not entry.due:
            entry.due, entry.waiting_since = True, self.ctx.clock.monotonic()
        self._start_due()

    def _start_due(self) -> None:
        now = self.ctx.clock.monotonic()
        for entry in sorted((e for e in self.pending.values() if e.due and e.running is None),
                            key=lambda e: e.waiting_since):
            if self._waits_for_own_seat(entry, now):
                continue
            if not self._may_start():
                return
            entry.due = False
            entry.attempts += 1
            entry.running = self._open_attempt(entry)
            log.info("callback_attempt_started", key=entry.key, attempt=entry.attempts, number=entry.number,
                     call_id=entry.running, incident_id=entry.incident_id)

    def _waits_for_own_seat(self, entry: PendingCallback, now: float) -> bool:
        """The call taker who had the call knows the case: while they finish it (talking, wrap-up),
        the callback waits for them, up to `OWN_SEAT_WAIT` (then any free seat takes it)."""
        if entry.seat_id is None or not self._seat_finishing(entry.seat_id):
            return False
        until = entry.waiting_since + OWN_SEAT_WAIT
        if now >= until:
            return False
        self._start_timer(CallbackDue(entry.key), until)
        return True

    def _may_start(self) -> bool:
        running = sum(1 for e in self.pending.values() if e.running is not None)
        cap = self.policy.seat_cap
        if cap == 0:
            return running == 0 and self._inbound_waiting() == 0
        return running < cap and may_take_seat(self._inbound_waiting(), running, self.policy)

    def attempt_ended(self, session: CallSession) -> None:
        """A callback attempt's session ended (connected and finished, or the citizen did not answer)."""
        entry = self.pending.get(session.callback_key or "")
        if entry is None or entry.running != session.call_id:
            return
        entry.running = None
        outcome = session.callback_outcome or CallbackOutcome.FAILED
        now = self.ctx.clock.wall()
        status, next_due = next_step(outcome, entry.attempts, now, self.policy)
        self.ctx.facts.publish(f.CallbackAttemptEnded(entry.key, entry.attempts, session.call_id, outcome.value, now,
                                                      session.seat_id, next_due))
        log.info("callback_attempt_ended", key=entry.key, attempt=entry.attempts, outcome=outcome.value,
                 status=status.value, incident_id=entry.incident_id)
        if status is CallbackStatus.PENDING and next_due is not None:
            entry.due_at = next_due
            self._arm(entry)
        else:
            del self.pending[entry.key]
        self._start_due()

    def seat_freed(self) -> None:
        """An inbound caller stopped waiting or a seat is free again: a due callback may go now."""
        if any(e.due and e.running is None for e in self.pending.values()):
            self._start_due()

    # --- cancelling ----------------------------------------------------------------------------
    def cancel_for_number(self, number: str | None, reason: str, actor: str = "system") -> int:
        """The citizen called again: what is pending for their number is cancelled (an attempt
        already ringing a seat or talking goes on). Returns how many were cancelled."""
        if not number:
            return 0
        keys = [e.key for e in self.pending.values() if e.number == number and e.running is None]
        for key in keys:
            self.cancel(key, reason, actor)
        return len(keys)

    def cancel(self, key: str, reason: str, actor: str) -> bool:
        entry = self.pending.get(key)
        if entry is None:
            return False
        if entry.running is not None:
            self._end_attempt(entry.running)  # still waiting for a seat: withdrawn
            return True
        del self.pending[key]
        self._cancel_timer(CallbackDue(key))
        self.ctx.facts.publish(f.CallbackCancelled(key, self.ctx.clock.wall(), actor, reason))
        log.info("callback_cancelled", key=key, reason=reason, actor=actor, incident_id=entry.incident_id)
        return True

    def retry_now(self, key: str) -> bool:
        """A supervisor asks for the next attempt now."""
        entry = self.pending.get(key)
        if entry is None or entry.running is not None:
            return False
        self._cancel_timer(CallbackDue(key))
        self.due(key)
        return True

    def key_for(self, callback_id: int) -> str | None:
        return next((e.key for e in self.pending.values() if e.callback_id == callback_id), None)

    def _arm(self, entry: PendingCallback) -> None:
        delay = max(0.0, (entry.due_at - self.ctx.clock.wall()) / timedelta(seconds=1))
        self._start_timer(CallbackDue(entry.key), self.ctx.clock.monotonic() + delay)
