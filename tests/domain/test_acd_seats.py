"""Stories of seats: login, pause, reachability, auto-pause, and the fallback queue's membership."""

from __future__ import annotations

import pytest
from acd_driver import AcdDriver, config

from cc112_pbx.domain.acd import (
    AUTO_PAUSE_REASON,
    CallArrived,
    CallerHungUp,
    CancelOffer,
    CancelTimer,
    FallbackMembershipChanged,
    OfferAnswered,
    OfferFailed,
    OfferFailure,
    SeatAutoPaused,
    SeatLoggedIn,
    SeatLoggedOut,
    SeatPaused,
    SeatReachable,
    SeatStateChanged,
    SeatStatus,
    SeatUnpaused,
    SeatUnreachable,
    TimerFired,
    UnknownSeatError,
    WrapupTimer,
)
from cc112_pbx.domain.call_end import CallOutcome


def board(*seats: str, **fields: object) -> AcdDriver:
    sb = AcdDriver.of(config(*seats, **fields))
    for seat in seats:
        sb.feed(SeatLoggedIn(seat))
    return sb


def status(sb: AcdDriver, seat_id: str) -> SeatStatus:
    return next(s.status for s in sb.acd.snapshot().seats if s.seat_id == seat_id)


def miss(sb: AcdDriver, call_id: str) -> None:
    sb.feed(OfferFailed(sb.offer_for(call_id), OfferFailure.NO_ANSWER))


def test_seat_is_auto_paused_after_three_missed_offers_in_a_row():
    sb = board("seat01", auto_pause_after_missed=3, ring_timeout=10)
    sb.feed(CallArrived("c1"))
    sb.advance(10)
    sb.advance(10)
    assert sb.auto_paused == []
    sb.advance(10)
    assert sb.auto_paused == [SeatAutoPaused("seat01", AUTO_PAUSE_REASON, 3)]
    assert status(sb, "seat01") is SeatStatus.PAUSED
    assert sb.fallback["seat01"] == (True, True)
    assert sb.ringing == {}  # the caller waits for another seat


def test_answering_resets_the_missed_offers_streak():
    sb = board("seat01", auto_pause_after_missed=2)
    sb.feed(CallArrived("c1"))
    miss(sb, "c1")
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(CallerHungUp("c1"))
    sb.advance(10)
    sb.feed(CallArrived("c2"))
    miss(sb, "c2")
    assert sb.auto_paused == []
    assert sb.offer_for("c2").seat_id == "seat01"


def test_auto_pause_zero_never_pauses_a_seat():
    sb = board("seat01", auto_pause_after_missed=0, ring_timeout=5)
    sb.feed(CallArrived("c1"))
    sb.advance(5 * 20)
    assert sb.auto_paused == []
    assert sb.offer_for("c1").seat_id == "seat01"


def test_busy_seat_is_marked_unreachable_without_counting_a_miss_and_the_call_goes_elsewhere():
    sb = board("seat01", "seat02", auto_pause_after_missed=1)
    sb.feed(CallArrived("c1"))
    busy = sb.offer_for("c1").seat_id
    sb.feed(OfferFailed(sb.offer_for("c1"), OfferFailure.BUSY))
    assert sb.auto_paused == []
    assert status(sb, busy) is SeatStatus.UNREACHABLE
    assert sb.offer_for("c1").seat_id != busy


def test_unreachable_seat_is_never_rung_and_is_offered_the_waiting_caller_when_reachable_again():
    sb = board("seat01")
    sb.feed(SeatUnreachable("seat01", reason="unregistered"))
    sb.feed(CallArrived("c1"))
    assert sb.ringing == {}
    assert status(sb, "seat01") is SeatStatus.UNREACHABLE
    sb.feed(SeatReachable("seat01"))
    assert sb.offer_for("c1").seat_id == "seat01"


def test_device_busy_with_our_own_call_does_not_disturb_the_conversation():
    sb = board("seat01")
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(SeatUnreachable("seat01", reason="in_use"))
    assert sb.bridged == {"c1": "seat01"}
    assert status(sb, "seat01") is SeatStatus.ON_CALL
    sb.feed(CallerHungUp("c1"))
    sb.feed(SeatReachable("seat01"))
    sb.advance(10)
    assert status(sb, "seat01") is SeatStatus.AVAILABLE


def test_pausing_while_ringing_gives_the_call_to_another_seat_without_counting_a_miss():
    sb = board("seat01", "seat02")
    sb.feed(CallArrived("c1"))
    first = sb.offer_for("c1")
    commands = sb.feed(SeatPaused(first.seat_id, reason="toilet"))
    assert CancelOffer(first) in commands
    assert sb.offer_for("c1").seat_id != first.seat_id
    paused = next(s for s in sb.acd.snapshot().seats if s.seat_id == first.seat_id)
    assert (paused.status, paused.pause_reason, paused.missed_in_a_row) == (SeatStatus.PAUSED, "toilet", 0)


def test_pause_during_a_call_takes_effect_after_wrap_up():
    sb = board("seat01", wrapup_time=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(SeatPaused("seat01", reason="lunch"))
    assert status(sb, "seat01") is SeatStatus.ON_CALL
    sb.feed(CallerHungUp("c1"))
    assert status(sb, "seat01") is SeatStatus.WRAP_UP
    sb.feed(CallArrived("c2"))
    sb.advance(10)
    assert status(sb, "seat01") is SeatStatus.PAUSED
    assert sb.ringing == {}


def test_unpausing_offers_the_longest_waiting_caller_at_once():
    sb = board("seat01")
    sb.feed(SeatPaused("seat01", reason="break"))
    sb.feed(CallArrived("c1"))
    sb.feed(CallArrived("c2"))
    assert sb.ringing == {}
    sb.feed(SeatUnpaused("seat01"))
    assert sb.offer_for("c1").seat_id == "seat01"


def test_logging_out_during_a_call_keeps_the_call_and_skips_wrap_up():
    sb = board("seat01", wrapup_time=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(SeatLoggedOut("seat01"))
    assert sb.bridged == {"c1": "seat01"}
    assert sb.fallback["seat01"] == (False, False)
    sb.feed(CallerHungUp("c1"))
    assert sb.outcome_of("c1").outcome is CallOutcome.ANSWERED
    assert status(sb, "seat01") is SeatStatus.LOGGED_OUT
    assert not any(isinstance(k, WrapupTimer) for k in sb.timers)


def test_logging_out_during_wrap_up_cancels_the_wrap_up_timer():
    sb = board("seat01", wrapup_time=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(CallerHungUp("c1"))
    commands = sb.feed(SeatLoggedOut("seat01"))
    assert CancelTimer(WrapupTimer("seat01", 1)) in commands
    assert sb.timers == {}


def test_logging_out_while_ringing_returns_the_caller_to_the_head_of_the_queue():
    sb = board("seat01", "seat02")
    sb.feed(CallArrived("c1"))
    sb.feed(CallArrived("c2"))
    ringing_c1 = sb.offer_for("c1")
    sb.feed(OfferAnswered(sb.offer_for("c2")))
    sb.feed(SeatLoggedOut(ringing_c1.seat_id))
    assert ringing_c1 in sb.cancelled
    positions = [(c.call_id, c.position) for c in sb.acd.snapshot().calls]
    assert positions == [("c1", 1), ("c2", None)]


def test_a_seat_logged_in_pauses_and_logs_out_in_the_fallback_queue_too():
    sb = AcdDriver.of(config("seat01"))
    changes = []
    for event in (SeatLoggedIn("seat01"), SeatPaused("seat01", "break"), SeatUnpaused("seat01")):
        changes += [c for c in sb.feed(event) if isinstance(c, FallbackMembershipChanged)]
    changes += [c for c in sb.feed(SeatLoggedOut("seat01")) if isinstance(c, FallbackMembershipChanged)]
    assert changes == [
        FallbackMembershipChanged("seat01", member=True, paused=False),
        FallbackMembershipChanged("seat01", member=True, paused=True),
        FallbackMembershipChanged("seat01", member=True, paused=False),
        FallbackMembershipChanged("seat01", member=False, paused=False),
    ]
    assert sb.acd.sync_commands() == [FallbackMembershipChanged("seat01", member=False, paused=False)]


def test_seat_state_changes_are_reported_with_the_pause_reason():
    sb = AcdDriver.of(config("seat01"))
    sb.feed(SeatLoggedIn("seat01"))
    sb.feed(SeatPaused("seat01", "briefing"))
    sb.feed(SeatPaused("seat01", "lunch"))
    assert sb.status_changes == [
        SeatStateChanged("seat01", SeatStatus.LOGGED_OUT, SeatStatus.AVAILABLE, None),
        SeatStateChanged("seat01", SeatStatus.AVAILABLE, SeatStatus.PAUSED, "briefing"),
        SeatStateChanged("seat01", SeatStatus.PAUSED, SeatStatus.PAUSED, "lunch"),
    ]


def test_repeated_login_pause_and_unpause_change_nothing():
    sb = board("seat01")
    assert sb.feed(SeatLoggedIn("seat01")) == []
    assert sb.feed(SeatUnpaused("seat01")) == []
    sb.feed(SeatLoggedOut("seat01"))
    assert sb.feed(SeatPaused("seat01", "break")) == []
    assert sb.feed(SeatLoggedOut("seat01")) == []


def test_event_for_a_seat_not_in_the_configuration_is_refused_with_its_name():
    sb = AcdDriver.of(config("seat01"))
    with pytest.raises(UnknownSeatError, match="seat99"):
        sb.feed(SeatLoggedIn("seat99"))


def test_supervisor_view_shows_why_a_seat_cannot_be_rung():
    sb = board("seat01")
    sb.feed(SeatUnreachable("seat01", reason="unregistered"))
    view = sb.acd.snapshot().seats[0]
    assert (view.status, view.reachable, view.unreachable_reason) == (
        SeatStatus.UNREACHABLE,
        False,
        "unregistered",
    )
    sb.feed(SeatReachable("seat01"))
    view = sb.acd.snapshot().seats[0]
    assert (view.status, view.unreachable_reason) == (SeatStatus.AVAILABLE, "")


def test_a_late_wrap_up_timer_from_an_earlier_call_does_not_cut_the_next_wrap_up_short():
    sb = board("seat01", wrapup_time=10)
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))
    sb.feed(CallerHungUp("c1"))
    sb.feed(SeatLoggedOut("seat01"))  # cancels wrap-up round 1, but say it had already fired
    sb.feed(SeatLoggedIn("seat01"))
    sb.feed(CallArrived("c2"))
    sb.feed(OfferAnswered(sb.offer_for("c2")))
    sb.feed(CallerHungUp("c2"))
    assert sb.feed(TimerFired(WrapupTimer("seat01", 1))) == []
    assert status(sb, "seat01") is SeatStatus.WRAP_UP
