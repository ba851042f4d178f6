"""The core's seats, with the bookkeeping that keeps an event's cost independent of their number.

Each event touches a few seats; the core marks them (`touch`) before changing them. Only the
touched seats are then looked at again:
- outward state (status, pause reason, fallback membership): `changes()` compares each touched
  seat with what was last reported for it and returns `SeatStateChanged` /
  `FallbackMembershipChanged`, in the seats' own order (configured order, then seats added by
  a reconfiguration), exactly as a comparison of every seat would;
- readiness: the seats that may be offered a call (logged in, not paused, reachable, free and
  still configured) are kept in configured order, so the dispatcher never scans all seats.

Every change to a `Seat` inside `Acd.handle` must be preceded by `touch(seat)`; a
reconfiguration touches every seat and rebuilds the order.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from cc112_pbx.domain.acd.commands import AcdCommand, FallbackMembershipChanged, SeatStateChanged
from cc112_pbx.domain.acd.config import QueueConfig
from cc112_pbx.domain.acd.seats import Seat, SeatStatus

_Outward = tuple[SeatStatus, str | None, bool, bool]
_NEVER_REPORTED: _Outward = (SeatStatus.LOGGED_OUT, None, False, False)


def outward_of(seat: Seat) -> _Outward:
    return (seat.status, seat.pause_reason, seat.logged_in, seat.logged_in and seat.paused)


class SeatBook:
    """Seats by id (in their own order), the touched ones, and the ready ones in configured order."""

    __slots__ = ("_config", "_ordinal", "_ready", "_reported", "_touched", "seats")

    def __init__(self, config: QueueConfig) -> None:
        self.seats: dict[str, Seat] = {}
        self._ordinal: dict[str, int] = {}
        self._reported: dict[str, _Outward] = {}
        self._touched: set[str] = set()
        self._ready: list[tuple[int, str]] = []  # (configured position, seat id), sorted
        self._config = config
        self.reconfigure(config)

    def touch(self, seat: Seat) -> None:
        self._touched.add(seat.seat_id)

    def reconfigure(self, config: QueueConfig) -> None:
        """A new configuration: add its new seats, and look at every seat again."""
        self._config = config
        for seat_config in config.seats:
            if seat_config.seat_id not in self.seats:
                self._ordinal[seat_config.seat_id] = len(self.seats)
                self.seats[seat_config.seat_id] = Seat(seat_config.seat_id)
        self._touched.update(self.seats)
        self._ready = sorted(
            (config.position(s.seat_id), s.seat_id) for s in self.seats.values() if self._may_ring(s)
        )

    def ready_seats(self) -> list[Seat]:
        """The seats that may be offered a call now, in configured order (a fresh list)."""
        self._sync_ready()
        seats = self.seats
        return [seats[seat_id] for _, seat_id in self._ready]

    def has_ready(self) -> bool:
        self._sync_ready()
        return bool(self._ready)

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
        ready = self._ready
        for seat_id in self._touched:
            key = (self._config.position(seat_id), seat_id)
            index = bisect_left(ready, key)
            present = index < len(ready) and ready[index] == key
            if self._may_ring(self.seats[seat_id]):
                if not present:
                    insort(ready, key)
            elif present:
                del ready[index]

    def _may_ring(self, seat: Seat) -> bool:
        return seat.ready and self._config.has_seat(seat.seat_id)
