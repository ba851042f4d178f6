"""What the ACD core asks the service to do (or to record). Executed in list order.

Timers: `StartTimer(key, at)` asks for `TimerFired(key)` to be fed back at monotonic time
`at` (the same clock as `now`; with asyncio, `loop.call_at(at, ...)` when `now` is
`loop.time()`). Starting a key that is already running replaces it. `CancelTimer(key)` of a
timer that already fired or never ran is harmless; a late `TimerFired` is ignored by the core.
"""

from __future__ import annotations

from dataclasses import dataclass

from cc112_pbx.domain.acd.events import Offer, TimerKey
from cc112_pbx.domain.acd.seats import SeatStatus
from cc112_pbx.domain.call_end import CallOutcome


@dataclass(frozen=True, slots=True)
class OfferCall:
    """Originate the seat (its dial string) for this call; report back with the `offer`."""

    offer: Offer
    timeout: float


@dataclass(frozen=True, slots=True)
class CancelOffer:
    """Stop ringing the seat (hang up the seat leg of this offer, if it exists or answered late)."""

    offer: Offer


@dataclass(frozen=True, slots=True)
class ConnectCall:
    """The seat answered: bridge the caller with the seat leg of this offer."""

    offer: Offer


@dataclass(frozen=True, slots=True)
class HangUpCaller:
    """The seat ended the conversation: hang up the caller's leg."""

    call_id: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    key: TimerKey
    at: float


@dataclass(frozen=True, slots=True)
class CancelTimer:
    key: TimerKey


@dataclass(frozen=True, slots=True)
class SeatStateChanged:
    """For the supervisor's live view and the seat's screen; `reason` is the pause reason."""

    seat_id: str
    old: SeatStatus
    new: SeatStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SeatAutoPaused:
    """The seat missed `missed` offers in a row and was paused (`reason`); tell the seat."""

    seat_id: str
    reason: str
    missed: int


@dataclass(frozen=True, slots=True)
class FallbackMembershipChanged:
    """Keep Asterisk's fallback queue in step: a logged-in seat is a member (QueueAdd), paused
    (QueuePause) when paused; a logged-out seat is not a member (QueueRemove)."""

    seat_id: str
    member: bool
    paused: bool


@dataclass(frozen=True, slots=True)
class CallEndedOutcome:
    """The call left the queue for good, with its one outcome. `seat_id` is the seat that
    answered (None when abandoned); `waited` is seconds from arrival to answer or hang-up."""

    call_id: str
    outcome: CallOutcome  # the core says ANSWERED (a seat talked to the caller) or ABANDONED
    seat_id: str | None
    waited: float


AcdCommand = (
    OfferCall
    | CancelOffer
    | ConnectCall
    | HangUpCaller
    | StartTimer
    | CancelTimer
    | SeatStateChanged
    | SeatAutoPaused
    | FallbackMembershipChanged
    | CallEndedOutcome
)
