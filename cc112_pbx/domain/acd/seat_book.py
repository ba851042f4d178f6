"""The core's seats, with the bookkeeping that keeps an event's cost independent of their number.

Each event touches a few seats; the core marks them (`touch`) before changing them. Only the
touched seats are then looked at again:
- outward state (status, pause reason, fallback membership): `changes()` compares each touched
  seat with what was last reported for it and returns `SeatStateChanged` /
  `FallbackMembershipChanged`, in the seats' own order (configured order, then seats added by
  a reconfiguration), exactly as a comparison of every seat would;
- readiness: the seats that may be offered a call (logged in, not paused, reachable, free and
  still configured) are kept sorted by the core's seat order (the strategy's ranking where it
  has one, else configured order), regular and overflow seats apart, so the dispatcher finds
  the best free seat at the head of a list instead of scanning and sorting all seats.

Every change to a `Seat` inside `Acd.handle` must be preceded by `touch(seat)`; a
reconfiguration touches every seat and rebuilds the order.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any

from cc112_pbx.domain.acd.commands import AcdCommand, FallbackMembershipChanged, SeatStateChanged
from cc112_pbx.domain.acd.config import QueueConfig
from cc112_pbx.domain.acd.seats import Seat, SeatStatus

_Outward = tuple[SeatStatus, str | None, bool, bool]
_NEVER_REPORTED: _Outward = (SeatStatus.LOGGED_OUT, None, False, False)
_Entry = tuple[tuple[Any, ...], str]


def outward_of(seat: Seat) -> _Outward:
    return (seat.status, seat.pause_reason, seat.logged_in, seat.logged_in and seat.paused)


OrderKey = Callable[[Seat], tuple[Any, ...]]


class SeatBook:
    """Seats by id (in their own order), the touched ones, and the ready ones in `order`."""

    __slots__ = ("_config", "_order", "_ordinal", "_ready", "_ready_at", "_reported", "_touched", "seats")

    def __init__(self, config: QueueConfig, order: OrderKey) -> None:
        self.seats: dict[str, Seat] = {}
        self._ordinal: dict[str, int] = {}
        self._reported: dict[str, _Outward] = {}
        self._touched: set[str] = set()
        # the ready seats, sorted by (order key, seat id): [regular seats, overflow seats]
        self._ready: tuple[list[_Entry], list[_Entry]] = ([], [])
        self._ready_at: dict[str, tuple[_Entry, bool]] = {}  # seat id -> (its entry, overflow)
        self._config = config
        self._order = order
        self.reconfigure(config, order)

    def touch(self, seat: Seat) -> None:
        self._touched.add(seat.seat_id)

    def reconfigure(self, config: QueueConfig, order: OrderKey) -> None:
        """A new configuration (or seat order): add its new seats, and look at every seat again."""
        self._config, self._order = config, order
        for seat_config in config.seats:
            if seat_config.seat_id not in self.seats:
                self._ordinal[seat_config.seat_id] = len(self.seats)
                self.seats[seat_config.seat_id] = Seat(seat_config.seat_id)
        self._touched.update(self.seats)
        self._ready = ([], [])
        self._ready_at.clear()

    def has_ready(self) -> bool:
        self._sync_ready()
        return bool(self._ready_at)

    def is_ready(self, seat_id: str) -> bool:
        """Logged in, not paused, reachable, free and configured: may be offered a call."""
        self._sync_ready()
        return seat_id in self._ready_at

    def ready_seats(self, with_overflow: bool) -> list[Seat]:
        """Every ready seat (overflow seats only if `with_overflow`), in order (a fresh list)."""
        self._sync_ready()
        regular, overflow = self._ready
        entries = sorted(regular + overflow) if with_overflow and overflow else regular
        seats = self.seats
        return [seats[seat_id] for _, seat_id in entries]

    def first_ready(self, with_overflow: bool, count: int) -> list[Seat]:
        """The first `count` ready seats in order (overflow seats only if `with_overflow`)."""
        self._sync_ready()
        regular, overflow = self._ready
        entries = sorted(regular[:count] + overflow[:count])[:count] if with_overflow else regular[:count]
        seats = self.seats
        return [seats[seat_id] for _, seat_id in entries]

    def changes(self) -> list[AcdCommand]:
        """What the touched seats now show outwardly, where it differs from the last report."""
        self._sync_ready()
        out: list[AcdCommand] = []
        if not self._touched:
            return out
        ordinal = self._ordinal
        for seat_id in sorted(self._touched, key=ordinal.__getitem__):
            now_state = outward_of(self.seats[seat_id])
            old = self._reported.get(seat_id, _NEVER_REPORTED)
            if now_state == old:
                continue
            self._reported[seat_id] = now_state
            status, reason, member, paused = now_state
            if status != old[0] or (status is SeatStatus.PAUSED and reason != old[1]):
                out.append(SeatStateChanged(seat_id, old[0], status, reason))
            if (member, paused) != (old[2], old[3]):
                out.append(FallbackMembershipChanged(seat_id, member=member, paused=paused))
        self._touched.clear()
        return out

    def _sync_ready(self) -> None:
        """Bring the touched seats' place among the ready seats up to date."""
        if not self._touched:
            return
        for seat_id in self._touched:
            was = self._ready_at.pop(seat_id, None)
            if was is not None:
                entries = self._ready[was[1]]
                del entries[bisect_left(entries, was[0])]
            seat = self.seats[seat_id]
            if seat.ready and self._config.has_seat(seat_id):
                entry, overflow = (self._order(seat), seat_id), self._config.is_overflow(seat_id)
                insort(self._ready[overflow], entry)
                self._ready_at[seat_id] = (entry, overflow)
