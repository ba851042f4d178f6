"""Which free seat a waiting caller gets, read off the seat book's ordered ready seats.

With a ranking strategy (one with `rank`, see `strategies`) the ready seats are kept sorted
by that rank, so the choice is the head of a list: the same seat `choose` would return over
all candidates, found without building them. Other strategies (round-robin, which remembers
its last choice) see the ready seats in configured order and are asked with `choose`.
"""

from __future__ import annotations

from cc112_pbx.domain.acd.calls import QueuedCall
from cc112_pbx.domain.acd.config import QueueConfig
from cc112_pbx.domain.acd.seat_book import OrderKey, SeatBook
from cc112_pbx.domain.acd.seats import Seat
from cc112_pbx.domain.acd.strategies import Candidate, Strategy


def order_key(strategy: Strategy, config: QueueConfig) -> OrderKey:
    """How the seat book sorts the ready seats: by the strategy's rank, else configured order."""
    rank = getattr(strategy, "rank", None)
    position = config.position
    if rank is None:
        return lambda seat: (position(seat.seat_id),)
    return lambda seat: tuple(rank(Candidate(seat.seat_id, position(seat.seat_id), seat.idle_since, seat.answered)))


def is_ranked(strategy: Strategy) -> bool:
    return getattr(strategy, "rank", None) is not None


def ranked_pick(book: SeatBook, config: QueueConfig, call: QueuedCall, with_overflow: bool) -> Seat | None:
    """The seat the core's rules and a ranking strategy give `call`, or None if none may take it.

    The rules, as for any strategy: among the ready seats that may take the call, the seat
    that last let it ring out is left out if another is free; the caller's preferred seat
    wins if it is still a candidate; otherwise the best-ranked candidate."""
    head = book.first_ready(with_overflow, 2)
    if not head:
        return None
    missed = call.last_missed_seat if len(head) > 1 else None
    preferred = call.preferred_seat_id
    if (
        preferred is not None
        and preferred != missed
        and book.is_ready(preferred)
        and (with_overflow or not config.is_overflow(preferred))
    ):
        return book.seats[preferred]
    return head[0] if head[0].seat_id != missed else head[1]
