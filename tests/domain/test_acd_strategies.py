"""Which free seat gets the call: longest idle, round robin with memory, fewest calls."""

from __future__ import annotations

import pytest
from acd_driver import AcdDriver, config

from cc112_pbx.domain.acd import (
    STRATEGY_NAMES,
    CallArrived,
    CallerHungUp,
    Candidate,
    FewestCalls,
    LongestIdle,
    OfferAnswered,
    RoundRobin,
    SeatLoggedIn,
    make_strategy,
)


def cand(seat_id: str, position: int, idle_since: float = 0.0, answered: int = 0) -> Candidate:
    return Candidate(seat_id, position, idle_since, answered)


def test_longest_idle_picks_the_seat_without_a_call_the_longest_and_ties_go_by_seat_order():
    strategy = LongestIdle()
    assert strategy.choose([cand("a", 0, 50), cand("b", 1, 10), cand("c", 2, 30)], now=60) == "b"
    assert strategy.choose([cand("b", 1, 10), cand("a", 0, 10)], now=60) == "a"


def test_round_robin_continues_after_the_seat_chosen_last_and_wraps_around():
    strategy = RoundRobin()
    seats = [cand("a", 0), cand("b", 1), cand("c", 2)]
    assert [strategy.choose(seats, now=0) for _ in range(4)] == ["a", "b", "c", "a"]


def test_round_robin_remembers_its_place_when_some_seats_are_busy():
    strategy = RoundRobin()
    assert strategy.choose([cand("a", 0), cand("b", 1), cand("c", 2)], now=0) == "a"
    assert strategy.choose([cand("a", 0), cand("c", 2)], now=0) == "c"  # b busy: c is next after a
    assert strategy.choose([cand("a", 0), cand("b", 1)], now=0) == "a"  # nothing after c: wrap


def test_fewest_calls_picks_the_seat_that_answered_least_then_the_longest_idle():
    strategy = FewestCalls()
    assert strategy.choose([cand("a", 0, 0, 3), cand("b", 1, 5, 1), cand("c", 2, 1, 1)], now=9) == "c"


def test_strategies_refuse_an_empty_choice_and_unknown_names():
    with pytest.raises(ValueError, match="at least one"):
        LongestIdle().choose([], now=0)
    with pytest.raises(ValueError, match="ringall"):
        make_strategy("ringall")
    assert [make_strategy(name).name for name in STRATEGY_NAMES] == list(STRATEGY_NAMES)


def serve(sb: AcdDriver, call_id: str, talk: float = 1.0) -> str:
    sb.feed(CallArrived(call_id))
    offer = sb.offer_for(call_id)
    sb.feed(OfferAnswered(offer))
    sb.advance(talk)
    sb.feed(CallerHungUp(call_id))
    return offer.seat_id


def test_longest_idle_queue_sends_the_next_call_to_the_seat_that_finished_first():
    sb = AcdDriver.of(config("seat01", "seat02", "seat03", wrapup_time=0))
    for seat in ("seat03", "seat01", "seat02"):
        sb.feed(SeatLoggedIn(seat))
        sb.advance(1)
    assert [serve(sb, f"c{n}") for n in range(4)] == ["seat03", "seat01", "seat02", "seat03"]


def test_fewest_calls_queue_evens_out_the_work():
    sb = AcdDriver.of(config("seat01", "seat02", wrapup_time=0, strategy="fewest_calls"))
    sb.feed(SeatLoggedIn("seat01"))
    for n in range(3):
        serve(sb, f"early{n}")
    sb.feed(SeatLoggedIn("seat02"))
    sb.advance(5)
    assert [serve(sb, f"c{n}") for n in range(3)] == ["seat02", "seat02", "seat02"]
