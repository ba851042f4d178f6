"""The seat book: only touched seats are looked at again, yet it answers as a full scan would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.domain.acd import (
    FallbackMembershipChanged,
    FewestCalls,
    LongestIdle,
    QueueConfig,
    RoundRobin,
    SeatConfig,
    SeatStateChanged,
    SeatStatus,
)
from cc112_pbx.domain.acd.seat_book import SeatBook, outward_of
from cc112_pbx.domain.acd.seat_order import order_key
from cc112_pbx.domain.acd.seats import Engagement, Seat

SEATS = ("s1", "s2", "s3", "s4", "s5")
QUEUE = QueueConfig(seats=tuple(SeatConfig(s, overflow=s in ("s2", "s5")) for s in SEATS))


def _ready_by_scan(book: SeatBook, queue: QueueConfig, with_overflow: bool, key: object) -> list[str]:
    seats = [s for s in book.seats.values() if s.ready and queue.has_seat(s.seat_id)]
    seats = [s for s in seats if with_overflow or not queue.is_overflow(s.seat_id)]
    return [s.seat_id for s in sorted(seats, key=key)]  # type: ignore[arg-type]


def test_a_seat_logging_in_is_reported_once_and_becomes_ready() -> None:
    book = SeatBook(QUEUE, order_key(LongestIdle(), QUEUE))
    assert book.changes() == [] and not book.has_ready()
    seat = book.seats["s3"]
    book.touch(seat)
    seat.logged_in = True
    assert book.changes() == [
        SeatStateChanged("s3", SeatStatus.LOGGED_OUT, SeatStatus.AVAILABLE, None),
        FallbackMembershipChanged("s3", member=True, paused=False),
    ]
    assert book.changes() == []
    assert book.is_ready("s3") and [s.seat_id for s in book.ready_seats(False)] == ["s3"]


def test_ready_seats_follow_the_strategy_rank_and_keep_overflow_seats_apart() -> None:
    book = SeatBook(QUEUE, order_key(LongestIdle(), QUEUE))
    for seat_id, idle_since in (("s1", 30.0), ("s2", 10.0), ("s4", 20.0), ("s5", 20.0)):
        seat = book.seats[seat_id]
        book.touch(seat)
        seat.logged_in, seat.idle_since = True, idle_since
    assert [s.seat_id for s in book.ready_seats(False)] == ["s4", "s1"]
    assert [s.seat_id for s in book.first_ready(True, 2)] == ["s2", "s4"]
    assert [s.seat_id for s in book.ready_seats(True)] == ["s2", "s4", "s5", "s1"]


@settings(max_examples=150, deadline=None)
@given(
    strategy=st.sampled_from([LongestIdle(), FewestCalls(), RoundRobin()]),
    steps=st.lists(
        st.tuples(
            st.sampled_from(SEATS),
            st.sampled_from(["login", "logout", "pause", "unpause", "unreachable", "reachable",
                             "offered", "on_call", "wrap_up", "free", "answered", "reconfigure"]),
            st.integers(0, 50),
        ),
        max_size=60,
    ),
)
def test_after_any_changes_it_answers_as_a_scan_of_every_seat_would(
    strategy: object, steps: list[tuple[str, str, int]]
) -> None:
    queue = QUEUE
    book = SeatBook(queue, order_key(strategy, queue))  # type: ignore[arg-type]
    reported = {s: outward_of(Seat(s)) for s in SEATS}
    for seat_id, change, value in steps:
        if change == "reconfigure":  # drop or restore one seat, order reversed
            kept = [s for s in SEATS if s != seat_id or value % 2]
            queue = QueueConfig(seats=tuple(SeatConfig(s, overflow=s in ("s2", "s5")) for s in reversed(kept)))
            book.reconfigure(queue, order_key(strategy, queue))  # type: ignore[arg-type]
        else:
            seat = book.seats[seat_id]
            book.touch(seat)
            _apply(seat, change, value)
        key = order_key(strategy, queue)  # type: ignore[arg-type]
        for with_overflow in (False, True):
            expected = _ready_by_scan(book, queue, with_overflow, key)
            assert [s.seat_id for s in book.ready_seats(with_overflow)] == expected
            assert [s.seat_id for s in book.first_ready(with_overflow, 2)] == expected[:2]
        for command in book.changes():
            if isinstance(command, SeatStateChanged):
                assert command.old is reported[command.seat_id][0]
                reported[command.seat_id] = (command.new, *reported[command.seat_id][1:])
        for seat in book.seats.values():
            assert reported[seat.seat_id][0] is seat.status


def _apply(seat: Seat, change: str, value: int) -> None:
    if change in ("login", "logout"):
        seat.logged_in = change == "login"
    elif change in ("pause", "unpause"):
        seat.pause_reason = "break" if change == "pause" else None
    elif change in ("reachable", "unreachable"):
        seat.reachable = change == "reachable"
    elif change == "answered":
        seat.answered += 1
    else:
        seat.engagement = Engagement(change)
        seat.idle_since = float(value)
