"""Random but valid histories of a shift: the core's promises hold after every single step.

Arrivals, hang-ups, seats logging in and out, pausing, devices coming and going, answers,
failures, late reports about old offers, time passing (timers fire on time) and admins
reconfiguring the queue, in any order. After each step:
- no seat holds two calls and no call is bridged to two seats (checked as commands execute);
- no caller waits while a seat that may take it is free and reachable;
- nothing is stuck: every ringing offer has its ring timer, every wrap-up its timer;
- every call that ended has exactly one outcome, and at the end every call has ended once.
"""

from __future__ import annotations

from acd_driver import AcdDriver
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from cc112_pbx.domain.acd import (
    STRATEGY_NAMES,
    CallArrived,
    CallerHungUp,
    CallPhase,
    ConnectCall,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    OverflowTimer,
    QueueConfig,
    Reconfigured,
    RingTimer,
    SeatConfig,
    SeatHungUp,
    SeatLoggedIn,
    SeatLoggedOut,
    SeatPaused,
    SeatReachable,
    SeatStatus,
    SeatUnpaused,
    SeatUnreachable,
    WrapupTimer,
)
from cc112_pbx.domain.call_end import CallOutcome

SEATS = ("s1", "s2", "s3")


@st.composite
def queue_configs(draw: st.DrawFn) -> QueueConfig:
    return QueueConfig(
        seats=tuple(
            SeatConfig(s, overflow=draw(st.booleans()))
            for s in draw(st.lists(st.sampled_from(SEATS), min_size=1, max_size=3, unique=True))
        ),
        strategy=draw(st.sampled_from(STRATEGY_NAMES)),
        ring_timeout=draw(st.sampled_from([5.0, 10.0, 15.0])),
        wrapup_time=draw(st.sampled_from([0.0, 3.0, 10.0])),
        auto_pause_after_missed=draw(st.integers(0, 3)),
        overflow_after=draw(st.sampled_from([0.0, 20.0, 60.0])),
    )


class ShiftMachine(RuleBasedStateMachine):
    sb: AcdDriver
    arrived: list[str]
    known_seats: set[str]  # configured now or at some point (removed seats keep their record)

    @initialize(queue=queue_configs())
    def open_the_queue(self, queue: QueueConfig) -> None:
        self.sb = AcdDriver.of(queue)
        self.arrived = []
        self.known_seats = {s.seat_id for s in queue.seats}

    def _seat(self, data: st.DataObject, configured_only: bool = False) -> str:
        seats = {s.seat_id for s in self.sb.acd.config.seats} if configured_only else self.known_seats
        return data.draw(st.sampled_from(sorted(seats)))

    # --- callers ---------------------------------------------------------------------

    @rule(priority=st.integers(0, 2), preferred=st.none() | st.sampled_from(SEATS))
    def caller_arrives(self, priority: int, preferred: str | None) -> None:
        call_id = f"c{len(self.arrived)}"
        self.arrived.append(call_id)
        self.sb.feed(CallArrived(call_id, priority=priority, preferred_seat_id=preferred))

    @precondition(lambda self: self._live_calls())
    @rule(data=st.data())
    def caller_hangs_up(self, data: st.DataObject) -> None:
        self.sb.feed(CallerHungUp(data.draw(st.sampled_from(self._live_calls()))))

    @precondition(lambda self: self.sb.bridged)
    @rule(data=st.data())
    def seat_hangs_up(self, data: st.DataObject) -> None:
        self.sb.feed(SeatHungUp(data.draw(st.sampled_from(sorted(self.sb.bridged)))))

    # --- offers ----------------------------------------------------------------------

    @precondition(lambda self: self.sb.ringing)
    @rule(data=st.data())
    def seat_answers(self, data: st.DataObject) -> None:
        offer = data.draw(st.sampled_from(sorted(self.sb.ringing.values(), key=lambda o: o.offer_id)))
        self.sb.feed(OfferAnswered(offer))

    @precondition(lambda self: self.sb.ringing)
    @rule(data=st.data(), reason=st.sampled_from(OfferFailure))
    def offer_fails(self, data: st.DataObject, reason: OfferFailure) -> None:
        offer = data.draw(st.sampled_from(sorted(self.sb.ringing.values(), key=lambda o: o.offer_id)))
        self.sb.feed(OfferFailed(offer, reason))

    @precondition(lambda self: self.sb.cancelled)
    @rule(data=st.data(), answered=st.booleans())
    def late_report_about_a_cancelled_offer(self, data: st.DataObject, answered: bool) -> None:
        offer = data.draw(st.sampled_from(self.sb.cancelled))
        event = OfferAnswered(offer) if answered else OfferFailed(offer, OfferFailure.NO_ANSWER)
        self.sb.feed(event)

    # --- seats -----------------------------------------------------------------------

    @rule(data=st.data())
    def seat_logs_in(self, data: st.DataObject) -> None:
        self.sb.feed(SeatLoggedIn(self._seat(data, configured_only=True)))

    @rule(data=st.data())
    def seat_logs_out(self, data: st.DataObject) -> None:
        self.sb.feed(SeatLoggedOut(self._seat(data)))

    @rule(data=st.data(), reason=st.sampled_from(["break", "lunch"]))
    def seat_pauses(self, data: st.DataObject, reason: str) -> None:
        self.sb.feed(SeatPaused(self._seat(data), reason))

    @rule(data=st.data())
    def seat_unpauses(self, data: st.DataObject) -> None:
        self.sb.feed(SeatUnpaused(self._seat(data)))

    @rule(data=st.data(), reachable=st.booleans())
    def seat_device_changes(self, data: st.DataObject, reachable: bool) -> None:
        seat = self._seat(data)
        self.sb.feed(SeatReachable(seat) if reachable else SeatUnreachable(seat, "unregistered"))

    # --- time and admins -------------------------------------------------------------

    @rule(seconds=st.sampled_from([0.5, 3.0, 5.0, 10.0, 30.0]))
    def time_passes(self, seconds: float) -> None:
        self.sb.advance(seconds)

    @rule(queue=queue_configs())
    def admin_reconfigures(self, queue: QueueConfig) -> None:
        self.sb.feed(Reconfigured(queue))
        self.known_seats |= {s.seat_id for s in queue.seats}

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def no_caller_waits_while_a_seat_that_may_take_it_is_free(self) -> None:
        snapshot = self.sb.acd.snapshot()
        queue = self.sb.acd.config
        free = [s for s in snapshot.seats if s.status is SeatStatus.AVAILABLE]
        for call in snapshot.calls:
            if call.phase is not CallPhase.WAITING:
                continue
            takers = [
                s.seat_id for s in free if not s.overflow or queue.overflow_after == 0 or call.overflow_open
            ]
            assert not takers, f"{call.call_id} waits while {takers} are free"

    @invariant()
    def caller_waiting_past_overflow_after_may_go_to_overflow_seats(self) -> None:
        queue = self.sb.acd.config
        if queue.overflow_after == 0 or not any(s.overflow for s in queue.seats):
            return
        for call in self.sb.acd.snapshot().calls:
            if (
                call.phase is not CallPhase.CONNECTED
                and self.sb.now >= call.arrived_at + queue.overflow_after
            ):
                assert call.overflow_open, f"{call.call_id} waited past overflow_after but overflow is shut"

    @invariant()
    def the_core_and_the_switchboard_agree_on_who_holds_which_call(self) -> None:
        snapshot = self.sb.acd.snapshot()
        holding = {s.seat_id: s.call_id for s in snapshot.seats if s.call_id is not None}
        expected = {o.seat_id: o.call_id for o in self.sb.ringing.values()}
        expected.update({seat: call for call, seat in self.sb.bridged.items()})
        assert holding == expected
        for seat in snapshot.seats:
            if seat.status is SeatStatus.OFFERED:
                offer = next(o for o in self.sb.ringing.values() if o.seat_id == seat.seat_id)
                assert RingTimer(offer.offer_id) in self.sb.timers, "a ringing offer without its ring timer"
            if seat.status is SeatStatus.WRAP_UP:
                assert any(isinstance(k, WrapupTimer) and k.seat_id == seat.seat_id for k in self.sb.timers)
        live = {c.call_id for c in snapshot.calls}
        assert not any(isinstance(k, OverflowTimer) and k.call_id not in live for k in self.sb.timers)

    @invariant()
    def what_was_reported_for_each_seat_is_its_state_now(self) -> None:
        """The core reports changes only for the seats an event touched: none may be missed."""
        last_status = {c.seat_id: c.new for c in self.sb.status_changes}
        for seat in self.sb.acd.snapshot().seats:
            assert last_status.get(seat.seat_id, SeatStatus.LOGGED_OUT) is seat.status, seat
            membership = (seat.logged_in, seat.logged_in and seat.pause_reason is not None)
            assert self.sb.fallback.get(seat.seat_id, (False, False)) == membership, seat

    @invariant()
    def every_ended_call_has_exactly_one_outcome(self) -> None:
        counts = self.sb.outcome_counts()
        assert all(n == 1 for n in counts.values()), counts
        live = {c.call_id for c in self.sb.acd.snapshot().calls}
        assert not live & counts.keys()
        assert live | counts.keys() == set(self.arrived)
        for outcome in self.sb.outcomes:
            answered = any(o.call_id == outcome.call_id for o in self._connected_offers())
            assert (outcome.outcome is CallOutcome.ANSWERED) == answered

    def teardown(self) -> None:
        if not hasattr(self, "sb"):
            return
        for call_id in self._live_calls():
            self.sb.feed(CallerHungUp(call_id))
        assert sorted(self.sb.outcome_counts().items()) == sorted((c, 1) for c in self.arrived)

    def _live_calls(self) -> list[str]:
        return [c.call_id for c in self.sb.acd.snapshot().calls]

    def _connected_offers(self) -> list[Offer]:
        return [c.offer for c in self.sb.log if isinstance(c, ConnectCall)]


ShiftMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_a_shift_of_random_events_keeps_every_promise = ShiftMachine.TestCase
