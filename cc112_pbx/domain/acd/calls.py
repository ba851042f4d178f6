"""A caller's life in the queue: waiting -> offered -> (waiting again ...) -> connected -> ended.

Every call ends exactly once, with one `CallOutcome`: answered if a seat ever talked to it,
abandoned otherwise. `QueuedCall.move_to` refuses any other path, so a bug in the core
shows up as an error instead of a second outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CallPhase(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    ENDED = "ended"


_ALLOWED: dict[CallPhase, frozenset[CallPhase]] = {
    CallPhase.WAITING: frozenset({CallPhase.OFFERED, CallPhase.ENDED}),
    CallPhase.OFFERED: frozenset({CallPhase.WAITING, CallPhase.CONNECTED, CallPhase.ENDED}),
    CallPhase.CONNECTED: frozenset({CallPhase.ENDED, CallPhase.WAITING}),  # WAITING: the seat was lost unbridged
    CallPhase.ENDED: frozenset(),
}


class IllegalTransition(RuntimeError):
    pass


@dataclass(slots=True)
class QueuedCall:
    call_id: str
    priority: int
    arrived_at: float
    sequence: int  # arrival order among equal times
    preferred_seat_id: str | None = None
    phase: CallPhase = CallPhase.WAITING
    seat_id: str | None = None  # seat offered to or connected with
    offer_id: str | None = None
    last_missed_seat: str | None = None  # not offered there again at once if another seat is free
    overflow_open: bool = False  # may go to overflow seats
    overflow_armed: bool = False  # an OverflowTimer is running for it
    connected_at: float | None = None

    def move_to(self, phase: CallPhase) -> None:
        if phase not in _ALLOWED[self.phase]:
            raise IllegalTransition(f"call {self.call_id}: {self.phase} -> {phase} is not allowed")
        self.phase = phase

    def queue_key(self) -> tuple[int, float, int]:
        """Highest priority first, then longest waiting."""
        return (-self.priority, self.arrived_at, self.sequence)


@dataclass(frozen=True, slots=True)
class CallView:
    """A call as shown to supervisors (`Acd.snapshot()`); `position` is 1-based while waiting."""

    call_id: str
    phase: CallPhase
    priority: int
    arrived_at: float
    seat_id: str | None
    overflow_open: bool
    position: int | None
