"""Overflow seats, queue configuration, and live reconfiguration."""

from __future__ import annotations

import pytest
from acd_driver import AcdDriver, config

from cc112_pbx.domain.acd import (
    CallArrived,
    CallerHungUp,
    CancelTimer,
    ConfigError,
    OfferAnswered,
    OfferCall,
    OverflowTimer,
    QueueConfig,
    Reconfigured,
    SeatConfig,
    SeatLoggedIn,
    SeatStatus,
    StartTimer,
)
from cc112_pbx.settings.model import QueueSettings, SeatSettings


def logged_in(queue: QueueConfig) -> AcdDriver:
    sb = AcdDriver.of(queue)
    for seat in queue.seats:
        sb.feed(SeatLoggedIn(seat.seat_id))
    return sb


def test_overflow_seat_is_not_offered_a_caller_before_overflow_after_then_is():
    sb = logged_in(config("seat01", overflow=("volunteer",), overflow_after=60))
    sb.feed(CallArrived("c1"))
    sb.feed(OfferAnswered(sb.offer_for("c1")))  # seat01 busy
    sb.now = 10
    commands = sb.feed(CallArrived("c2"))
    assert StartTimer(OverflowTimer("c2"), at=70) in commands
    sb.advance(59.9)
    assert sb.ringing_seat_of("c2") is None
    sb.advance(0.1)
    assert sb.ringing_seat_of("c2") == "volunteer"


def test_regular_seat_gets_the_caller_before_the_overflow_seat():
    sb = logged_in(config("seat01", overflow=("volunteer",), overflow_after=60))
    sb.feed(CallArrived("c1"))
    assert sb.offer_for("c1").seat_id == "seat01"


def test_overflow_after_zero_makes_overflow_seats_ordinary_seats():
    sb = logged_in(config(overflow=("volunteer",), overflow_after=0))
    commands = sb.feed(CallArrived("c1"))
    assert sb.offer_for("c1").seat_id == "volunteer"
    assert not any(isinstance(c, StartTimer) and isinstance(c.key, OverflowTimer) for c in commands)


def test_overflow_timer_is_cancelled_once_the_caller_is_answered():
    sb = logged_in(config("seat01", overflow=("volunteer",), overflow_after=60))
    sb.feed(CallArrived("c1"))
    commands = sb.feed(OfferAnswered(sb.offer_for("c1")))
    assert CancelTimer(OverflowTimer("c1")) in commands
    assert sb.timers.keys() == set()


def test_no_overflow_timers_when_no_seat_is_an_overflow_seat():
    sb = logged_in(config("seat01", overflow_after=60))
    sb.feed(CallArrived("c1"))
    sb.feed(CallArrived("c2"))  # waits: seat01 is ringing for c1
    assert not any(isinstance(k, OverflowTimer) for k in sb.timers)


def test_new_ring_timeout_applies_to_the_next_offer():
    queue = config("seat01", ring_timeout=15)
    sb = logged_in(queue)
    sb.feed(CallArrived("c1"))
    assert sb.log[-3] == OfferCall(sb.offer_for("c1"), timeout=15)
    sb.feed(Reconfigured(config("seat01", ring_timeout=25)))
    sb.feed(CallArrived("c2"))
    sb.feed(CallerHungUp("c1"))
    assert OfferCall(sb.offer_for("c2"), timeout=25) in sb.log


def test_shorter_overflow_after_opens_overflow_seats_to_callers_already_waiting_long_enough():
    sb = logged_in(config(overflow=("volunteer",), overflow_after=120))
    sb.feed(CallArrived("c1"))
    sb.advance(50)
    assert sb.ringing == {}
    sb.feed(Reconfigured(config(overflow=("volunteer",), overflow_after=30)))
    assert sb.offer_for("c1").seat_id == "volunteer"
    assert not any(isinstance(k, OverflowTimer) for k in sb.timers)


def test_longer_overflow_after_reschedules_the_overflow_timer():
    sb = logged_in(config(overflow=("volunteer",), overflow_after=30))
    sb.feed(CallArrived("c1"))
    sb.advance(10)
    sb.feed(Reconfigured(config(overflow=("volunteer",), overflow_after=90)))
    assert sb.timers == {OverflowTimer("c1"): 90}


def test_changing_the_strategy_takes_effect_on_the_next_offer():
    sb = logged_in(config("seat01", "seat02"))
    assert sb.acd.strategy.name == "longest_idle"
    sb.feed(Reconfigured(config("seat01", "seat02", strategy="round_robin")))
    assert sb.acd.strategy.name == "round_robin"


def test_a_seat_added_by_an_admin_can_log_in_and_a_removed_seat_is_logged_out():
    sb = logged_in(config("seat01"))
    sb.feed(Reconfigured(config("seat02")))
    seats = {s.seat_id: s.status for s in sb.acd.snapshot().seats}
    assert seats == {"seat02": SeatStatus.LOGGED_OUT, "seat01": SeatStatus.LOGGED_OUT}
    assert sb.fallback["seat01"] == (False, False)
    sb.feed(SeatLoggedIn("seat02"))
    sb.feed(CallArrived("c1"))
    assert sb.offer_for("c1").seat_id == "seat02"
    with pytest.raises(ValueError, match="removed"):
        sb.feed(SeatLoggedIn("seat01"))


def test_queue_config_refuses_bad_values_naming_each_field():
    with pytest.raises(ConfigError) as caught:
        QueueConfig(
            seats=(SeatConfig("a"), SeatConfig("a")),
            strategy="random",
            ring_timeout=0,
            wrapup_time=-1,
            auto_pause_after_missed=-2,
            overflow_after=-5,
        )
    fields = [e.split(":")[0] for e in caught.value.errors]
    assert fields == [
        "strategy",
        "ring_timeout",
        "wrapup_time",
        "auto_pause_after_missed",
        "overflow_after",
        "seats",
    ]


def test_queue_config_is_built_from_the_settings_sections():
    queue = QueueSettings(strategy="fewest_calls", ring_timeout=20, wrapup_time=5, auto_pause_after_missed=0)
    seats = (
        SeatSettings(id="seat01", name="Meja 1", dial_string="PJSIP/seat01"),
        SeatSettings(id="relawan1", name="Relawan", dial_string="PJSIP/relawan1", overflow=True),
    )
    built = QueueConfig.from_settings(queue, seats)
    assert built == QueueConfig(
        seats=(SeatConfig("seat01"), SeatConfig("relawan1", overflow=True)),
        strategy="fewest_calls",
        ring_timeout=20,
        wrapup_time=5,
        auto_pause_after_missed=0,
        overflow_after=60,
    )
    assert built.is_overflow("relawan1") and not built.is_overflow("seat01")
