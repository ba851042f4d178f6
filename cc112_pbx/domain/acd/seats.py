"""A call-taker seat as the ACD core tracks it.

Three independent facts make a seat's state: logged in or not; paused (with a reason) or
not; its device reachable or not (unregistered softphone, or in use elsewhere); plus what
it is doing with calls (`Engagement`). `SeatStatus` is the one word shown to people,
derived from them by precedence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SeatStatus(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    OFFERED = "offered"  # ringing with a call
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    UNREACHABLE = "unreachable"  # logged in, not paused, but its device cannot be rung


class Engagement(StrEnum):
    FREE = "free"
    OFFERED = "offered"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


AUTO_PAUSE_REASON = "missed_offers"


@dataclass(slots=True)
class Seat:
    seat_id: str
    logged_in: bool = False
    pause_reason: str | None = None
    reachable: bool = True  # unknown counts as reachable until the device says otherwise
    unreachable_reason: str = ""
    engagement: Engagement = Engagement.FREE
    call_id: str | None = None  # the call offered to or connected with this seat
    offer_id: str | None = None
    idle_since: float = 0.0
    missed_in_a_row: int = 0
    answered: int = 0
    wrapup_round: int = 0

    @property
    def paused(self) -> bool:
        return self.pause_reason is not None

    @property
    def ready(self) -> bool:
        """Logged in, not paused, reachable and free: may be offered a call (overflow aside)."""
        return self.logged_in and not self.paused and self.reachable and self.engagement is Engagement.FREE

    @property
    def status(self) -> SeatStatus:
        if self.engagement is Engagement.OFFERED:
            return SeatStatus.OFFERED
        if self.engagement is Engagement.ON_CALL:
            return SeatStatus.ON_CALL
        if not self.logged_in:
            return SeatStatus.LOGGED_OUT
        if self.engagement is Engagement.WRAP_UP:
            return SeatStatus.WRAP_UP
        if self.paused:
            return SeatStatus.PAUSED
        if not self.reachable:
            return SeatStatus.UNREACHABLE
        return SeatStatus.AVAILABLE


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat as shown to supervisors (`Acd.snapshot()`)."""

    seat_id: str
    status: SeatStatus
    logged_in: bool
    pause_reason: str | None
    reachable: bool
    unreachable_reason: str
    overflow: bool
    call_id: str | None
    idle_since: float
    missed_in_a_row: int
    answered: int


def view_of(seat: Seat, overflow: bool) -> SeatView:
    return SeatView(
        seat_id=seat.seat_id,
        status=seat.status,
        logged_in=seat.logged_in,
        pause_reason=seat.pause_reason,
        reachable=seat.reachable,
        unreachable_reason=seat.unreachable_reason,
        overflow=overflow,
        call_id=seat.call_id,
        idle_since=seat.idle_since,
        missed_in_a_row=seat.missed_in_a_row,
        answered=seat.answered,
    )
