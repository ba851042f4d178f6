"""How a citizen's call ended: abandoned, dropped or answered (completed); and whether it was a ghost call.

The difference decides what happens next: abandoned and dropped calls are called back
(see `callbacks`), completed calls are not. A *dropped* line is one the caller's side ended
while the report was still being taken (status new or in progress): the seat did not end it
and the call taker had not finished. When the seat hangs up, or the report already moved on
(verified, dispatched, ...), the call completed.

A *ghost* call (pocket dial, misdial) is tagged by policy: shorter than the threshold and never
talked to a seat. Silent calls (the caller pressed 5 5) are never ghosts: they may be callers
who cannot speak. Answered silent calls are judged by the call taker (verification `ghost`).
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cc112_pbx.domain.incident_status import INTAKE_STATUSES, IncidentStatus
from cc112_pbx.domain.timeline import HangupParty


class CallOutcome(StrEnum):
    """How a citizen's call ended: the one word stored on the call, shown and counted."""

    ANSWERED = "answered"  # a seat talked to the caller and the call completed
    ABANDONED = "abandoned"  # the caller hung up before any seat answered
    DROPPED = "dropped"  # the caller's leg ended while the report was still being taken
    FAILED = "failed"  # never connected (a callback that could not be placed, a channel error)


@dataclass(frozen=True, slots=True)
class EndedCall:
    """What is known about a citizen's call when its leg ends."""

    arrived_at: datetime
    ended_at: datetime
    hung_up_by: HangupParty
    incident_status: IncidentStatus
    answered_by_seat_at: datetime | None = None  # when a seat was bridged with the caller
    silent_call: bool = False  # the caller pressed 5 5

    @property
    def duration_s(self) -> float:
        return max(0.0, (self.ended_at - self.arrived_at).total_seconds())


def classify_call_end(call: EndedCall) -> CallOutcome:
    if call.answered_by_seat_at is None:
        return CallOutcome.ABANDONED
    if call.hung_up_by is not HangupParty.SEAT and call.incident_status in INTAKE_STATUSES:
        return CallOutcome.DROPPED
    return CallOutcome.ANSWERED


def is_ghost_call(call: EndedCall, threshold_s: float) -> bool:
    """Short (below `threshold_s`, 0 = never) and no conversation with a seat, and not a silent call."""
    return (
        threshold_s > 0
        and call.duration_s < threshold_s
        and call.answered_by_seat_at is None
        and not call.silent_call
    )
