"""Stories of callers meeting seats: event-driven offering, priorities, answers, timeouts."""

from __future__ import annotations

import pytest
from acd_driver import AcdDriver, config

from cc112_pbx.domain.acd import (
    CallArrived,
    CallerHungUp,
    CallPhase,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    OfferAnswered,
    OfferCall,
    OfferFailed,
    OfferFailure,
    RingTimer,
    SeatHungUp,
    SeatLoggedIn,
    SeatLost,
    SeatStatus,
    StartTimer,
    TimerFired,
    WrapupTimer,
)
from cc112_pbx.domain.call_end import CallOutcome


def board(*seats: str, **fields: object) -> AcdDriver:
    sb = AcdDriver.of(config(*seats, **fields))
    for seat in seats:
        sb.feed(SeatLoggedIn(seat))
    return sb


def test_caller_arriving_while_a_seat_is_free_is_offered_at_once_with_ring_timeout():
    sb = board("seat01", ring_timeout=12)
    sb.now = 5.0
    commands = sb.feed(CallArrived("c1"))
    offer = sb.offer_for("c1")
    assert offer.seat_id == "seat01"
    assert OfferCall(offer, timeout=12) in commands
    assert StartTimer(RingTimer(offer.offer_id), at=17.0) in commands


def test_caller_waits_when_no_seat_is_logged_in_and_seat_logging_in_gets_it_at_once():
    sb = AcdDriver.of(config("seat01"))
    assert sb.feed(CallArrived("c1")) == []
    assert [c.phase for c in sb.acd.snapshot().calls] == [CallPhase.WAITING]
    sb.feed(SeatLoggedIn("seat01"))
    assert sb.offer_for("c1").seat_id == "seat01"


def test_waiting_callers_are_served_by_priority_then_arrival():
    sb = AcdDriver.of(config("seat01"))
    sb.feed(CallArrived("early"))
    sb.now = 1
    sb.feed(CallArrived("later"))
    sb.now = 2
    sb.feed(CallArrived("ambulance", priority=5))
    sb.now = 3
    sb.feed(CallArrived("callback", priority=5))
    assert [(c.call_id, c.position) for c in sb.acd.snapshot().calls] == [
        ("ambulance", 1),
        ("callback", 2),
        ("early", 3),
        ("later", 4),
    ]
    served = []
    sb.feed(SeatLoggedIn("seat01"))
    for _ in range(4):
        offer = next(iter(sb.ringing.values()))
        served.append(offer.call_id)
        sb.feed(OfferAnswered(offer))
        sb.feed(CallerHungUp(offer.call_id))
        sb.advance(10)  # wrap-up over: the next caller is offered at once
    assert served == ["ambulance", "callback", "early", "later"]


def test_answer_connects_caller_and_seat_and_stops_the_ring_timer():
    sb = board("seat01")
    sb.feed(CallArrived("c1"))
    offer = sb.offer_for("c1")
    sb.now = 3
    commands = sb.feed(OfferAnswered(offer))
    assert ConnectCall(offer) in commands
    assert CancelTimer(RingTimer(offer.offer_id)) in commands
    assert sb.bridged == {"c1": "seat01"}
    assert sb.acd.snapshot().seats[0].status is SeatStatus.ON_CALL


def test_offer_that_rings_out_is_cancelled_and_goes_to_the_next_free_seat():
    sb = board("seat01", "seat02", ring_timeout=15)
    sb.feed(CallArrived("c1"))
    first = sb.offer_for("c1")
    sb.advance(15)
    assert first in sb.cancelled
    second = sb.offer_for("c1")
    assert second.seat_id != first.seat_id


def test_seat_that_let_a_call_ring_out_is_not_offered_it_again_while_another_seat_is_free():
    sb = board("seat01", "seat02", "seat03", ring_timeout=10, strategy="round_robin")
    sb.feed(CallArrived("c1"))
    assert sb.offer_for("c1").seat_id == "seat01"
    sb.feed(OfferFailed(sb.offer_for("c1"), OfferFailure.NO_ANSWER))
    assert sb.offer_for("c1").seat_id == "seat02"
    sb.advance(10)
    # seat02 just let it ring out; seat01 and seat03 are free, seat02 is not asked again at once
    assert sb.offer_for("c1").seat_id in {"seat01", "seat03"}


def test_the_only_free_seat_is_offered_the_call_again_after_letting_it_ring_out():
    sb = board("seat01", ring_timeout=10, auto_pause_after_missed=0)
    sb.feed(CallArrived("c1"))
    first = sb.offer_for("c1")
    sb.advance(10)
    second = sb.offer_for("c1")
    assert second.seat_id == "seat01"
    assert second.offer_id != first.offer_id


def test_answer_arriving_after_the_ring_timeout_is_hung_up_not_bridged():
    sb = board("seat01", "seat02", ring_timeout=10)
    sb.feed(CallArrived("c1"))
    late = sb.offer_for("c1")
    sb.advance(10)
    commands = sb.feed(OfferAnswered(late))
    assert commands == [CancelOffer(late)]
    assert "c1" not in sb.bridged


def test_report_about_an_old_offer_does_not_disturb_the_new_offer_to_the_same_seat():
    sb = board("seat01", ring_timeout=10, auto_pause_after_missed=0)
    sb.feed(CallArrived("c1"))
    old = sb.offer_for("c1")
    sb.advance(10)
    current = sb.offer_for("c1")
    assert sb.feed(OfferFailed(old, OfferFailure.NO_ANSWER)) == []
    assert sb.offer_for("c1") == current


def test_caller_hanging_up_while_waiting_is_abandoned():
    sb = AcdDriver.of(config("seat01"))
    sb.feed(CallArrived("c1"))
    sb.now = 7
    sb.feed(CallerHungUp("c1"))
    outcome = sb.outcome_of("c1")
    assert (outcome.outcome, outcome.seat_id, outcome.waited) == (CallOutcome.ABANDONED, None, 7)
    assert sb.acd.snapshot().calls == ()


def test_caller_hanging_up_while_a_seat_rings_cancels_the_offer_and_frees_the_seat_for_the_next():
    sb = board("seat01")
    sb.feed(CallArrived("c1"))
    sb.feed(CallArrived("c2"))
    ringing = sb.offer_for("c1")
    commands = sb.feed(CallerHungUp("c1"))
    assert CancelOffer(ringing) in commands
    assert sb.outcome_of("c1").outcome is CallOutcome.ABANDONED
    assert sb.offer_for("c2").seat_id == "seat01"
    assert sb.acd.snapshot().seats[0].missed_in_a_row == 0


def test_caller_hanging_up_after_answer_ends_answered_and_the_seat_wraps_up():
    sb = board("seat01", wrapup_time=10)
    sb.now = 1
    sb.feed(CallArrived("c1"))
    sb.now = 4
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.now = 60
    commands = sb.feed(CallerHungUp("c1"))
    outcome = sb.outcome_of("c1")
    assert (outcome.outcome, outcome.seat_id, outcome.waited) == (CallOutcome.ANSWERED, "seat01", 3)
    assert StartTimer(WrapupTimer("seat01", 1), at=70) in commands
    assert sb.acd.snapshot().seats[0].status is SeatStatus.WRAP_UP


def test_seat_hanging_up_hangs_up_the_caller_and_ends_the_call_answered():
    sb = board("seat01")
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(SeatHungUp("c1"))
    assert sb.callers_hung_up == ["c1"]
    assert sb.outcome_of("c1").outcome is CallOutcome.ANSWERED
    # the caller's own hang-up that follows is not a second outcome
    sb.feed(CallerHungUp("c1"))
    assert sb.outcome_counts()["c1"] == 1


def test_wrap_up_keeps_the_seat_from_the_next_caller_until_it_is_over():
    sb = board("seat01", wrapup_time=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(CallArrived("c2"))
    sb.feed(CallerHungUp("c1"))
    sb.advance(9.9)
    assert sb.ringing_seat_of("c2") is None
    sb.advance(0.1)
    assert sb.ringing_seat_of("c2") == "seat01"


def test_zero_wrap_up_offers_the_next_caller_the_moment_the_call_ends():
    sb = board("seat01", wrapup_time=0)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(CallArrived("c2"))
    sb.feed(CallerHungUp("c1"))
    assert sb.ringing_seat_of("c2") == "seat01"


def test_callback_rings_the_seat_that_had_the_call_when_it_is_free():
    sb = board("seat01", "seat02", "seat03")
    sb.feed(CallArrived("cb1", priority=10, preferred_seat_id="seat03"))
    assert sb.offer_for("cb1").seat_id == "seat03"


def test_callback_goes_to_the_next_free_seat_when_its_seat_is_busy():
    sb = board("seat01", "seat02")
    sb.feed(CallArrived("c1"))
    busy_seat = sb.offer_for("c1").seat_id
    sb.feed(CallArrived("cb1", priority=10, preferred_seat_id=busy_seat))
    assert sb.offer_for("cb1").seat_id != busy_seat


def test_one_seat_and_many_callers_never_rings_twice():
    sb = board("seat01")
    for n in range(5):
        sb.feed(CallArrived(f"c{n}"))
    assert len(sb.ringing) == 1
    assert [c.phase for c in sb.acd.snapshot().calls].count(CallPhase.WAITING) == 4


def test_the_same_caller_reported_twice_is_queued_once():
    sb = AcdDriver.of(config("seat01"))
    sb.feed(CallArrived("c1"))
    assert sb.feed(CallArrived("c1")) == []
    assert len(sb.acd.snapshot().calls) == 1


def test_offer_report_that_contradicts_the_core_is_refused():
    sb = board("seat01", "seat02")
    sb.feed(CallArrived("c1"))
    offer = sb.offer_for("c1")
    forged = type(offer)(offer.offer_id, offer.call_id, "seat02" if offer.seat_id == "seat01" else "seat01")
    with pytest.raises(ValueError, match="does not match"):
        sb.feed(OfferAnswered(forged))


def test_events_about_calls_already_gone_are_ignored():
    sb = board("seat01")
    assert sb.feed(CallerHungUp("never-seen")) == []
    assert sb.feed(SeatHungUp("never-seen")) == []


def test_ring_timer_and_offer_are_cleared_when_the_call_is_answered():
    sb = board("seat01", ring_timeout=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.advance(30)
    assert sb.bridged == {"c1": "seat01"}
    assert sb.cancelled == []


def test_an_event_the_core_does_not_know_is_refused_by_name():
    sb = board("seat01")
    with pytest.raises(TypeError, match="str"):
        sb.acd.handle("CallArrived", 0.0)  # type: ignore[arg-type]


def test_a_late_ring_timer_after_the_answer_changes_nothing():
    sb = board("seat01")
    sb.feed(CallArrived("c1"))
    offer = sb.offer_for("c1")
    sb.feed(OfferAnswered(offer))
    assert sb.feed(TimerFired(RingTimer(offer.offer_id))) == []
    assert sb.bridged == {"c1": "seat01"}


def test_seat_lost_before_bridging_puts_the_caller_back_first_in_line_for_the_next_seat():
    sb = board("seat01", "seat02", wrapup_time=5)
    sb.feed(CallArrived("c1"))
    first = sb.offer_for("c1")
    sb.feed(OfferAnswered(first))
    sb.now = 1
    sb.feed(CallArrived("c2"))
    second = sb.offer_for("c2")
    sb.now = 2
    sb.feed(CallArrived("c3"))  # no seat free: waits
    sb.feed(SeatLost("c1"))  # c1's seat leg died before the bridge: c1 never talked to anyone
    assert "c1" not in {o.call_id for o in sb.outcomes}  # no outcome: the call goes on
    again = sb.offer_for("c1")  # the freed seat takes c1 again before c3, who came later
    assert again != first and again.seat_id == first.seat_id and second.seat_id != first.seat_id
    views = {s.seat_id: s for s in sb.acd.snapshot().seats}
    assert views[first.seat_id].missed_in_a_row == 1
    assert [c.call_id for c in sb.acd.snapshot().calls if c.phase.value == "waiting"] == ["c3"]
