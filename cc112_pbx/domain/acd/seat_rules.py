"""The seat half of the ACD core: log in/out, pause, reachability, wrap-up, auto-pause.

A mixin of `Acd` (split out to keep modules small); it works on the core's seats and asks
the core to withdraw an offer when a ringing seat leaves. After each of these handlers the
core offers waiting callers to whatever seat became free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cc112_pbx.domain.acd.commands import AcdCommand, CancelTimer, SeatAutoPaused, StartTimer
from cc112_pbx.domain.acd.events import (
    SeatLoggedIn,
    SeatLoggedOut,
    SeatPaused,
    SeatReachable,
    SeatUnpaused,
    SeatUnreachable,
    WrapupTimer,
)
from cc112_pbx.domain.acd.seats import AUTO_PAUSE_REASON, Engagement, Seat

if TYPE_CHECKING:
    from cc112_pbx.domain.acd.config import QueueConfig


class SeatRules:
    _config: QueueConfig
    _seats: dict[str, Seat]

    def _seat(self, seat_id: str) -> Seat:  # provided by Acd
        raise NotImplementedError

    def _withdraw_offer(self, seat: Seat, out: list[AcdCommand]) -> None:  # provided by Acd
        raise NotImplementedError

    def _seat_logged_in(self, event: SeatLoggedIn, now: float, out: list[AcdCommand]) -> None:
        seat = self._seat(event.seat_id)
        if not self._config.has_seat(seat.seat_id):
            raise ValueError(f"seat {seat.seat_id!r} was removed from the queue configuration")
        if seat.logged_in:
            return
        seat.logged_in = True
        seat.pause_reason = None
        seat.missed_in_a_row = 0
        if seat.engagement is Engagement.FREE:
            seat.idle_since = now

    def _seat_logged_out(self, event: SeatLoggedOut, now: float, out: list[AcdCommand]) -> None:
        seat = self._seat(event.seat_id)
        if seat.logged_in:
            self._log_out(seat, out)

    def _log_out(self, seat: Seat, out: list[AcdCommand]) -> None:
        """A seat on a call keeps it until it ends (then no wrap-up); ringing or wrap-up stop now."""
        seat.logged_in = False
        seat.pause_reason = None
        if seat.engagement is Engagement.OFFERED:
            self._withdraw_offer(seat, out)
        elif seat.engagement is Engagement.WRAP_UP:
            out.append(CancelTimer(WrapupTimer(seat.seat_id, seat.wrapup_round)))
            seat.engagement = Engagement.FREE

    def _seat_paused(self, event: SeatPaused, now: float, out: list[AcdCommand]) -> None:
        """Pausing while ringing gives the call back; on a call or in wrap-up it applies after."""
        seat = self._seat(event.seat_id)
        if not seat.logged_in or seat.pause_reason == event.reason:
            return
        seat.pause_reason = event.reason
        if seat.engagement is Engagement.OFFERED:
            self._withdraw_offer(seat, out)

    def _seat_unpaused(self, event: SeatUnpaused, now: float, out: list[AcdCommand]) -> None:
        seat = self._seat(event.seat_id)
        if not seat.logged_in or not seat.paused:
            return
        seat.pause_reason = None
        seat.missed_in_a_row = 0

    def _seat_reachable(self, event: SeatReachable, now: float, out: list[AcdCommand]) -> None:
        seat = self._seat(event.seat_id)
        seat.reachable = True
        seat.unreachable_reason = ""

    def _seat_unreachable(self, event: SeatUnreachable, now: float, out: list[AcdCommand]) -> None:
        """Recorded at any time; a seat already ringing or talking is not disturbed by it
        (its own call makes its device busy); it just will not be offered the next call."""
        seat = self._seat(event.seat_id)
        seat.reachable = False
        seat.unreachable_reason = event.reason

    def _after_call(self, seat: Seat, now: float, out: list[AcdCommand]) -> None:
        wrapup = self._config.wrapup_time
        if seat.logged_in and wrapup > 0:
            seat.engagement = Engagement.WRAP_UP
            seat.wrapup_round += 1
            out.append(StartTimer(WrapupTimer(seat.seat_id, seat.wrapup_round), at=now + wrapup))
        else:
            seat.engagement = Engagement.FREE

    def _count_missed(self, seat: Seat, out: list[AcdCommand]) -> None:
        seat.missed_in_a_row += 1
        limit = self._config.auto_pause_after_missed
        if limit and seat.missed_in_a_row >= limit and seat.logged_in and not seat.paused:
            seat.pause_reason = AUTO_PAUSE_REASON
            out.append(SeatAutoPaused(seat.seat_id, AUTO_PAUSE_REASON, seat.missed_in_a_row))
