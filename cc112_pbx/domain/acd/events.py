"""What the ACD core is fed: domain events, in the call centre's words (never Asterisk's).

The service translates telephony events and HTTP requests into these and calls
`Acd.handle(event, now)`. Seat and call ids are opaque strings chosen by the service
(the caller's channel id makes a good call id).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cc112_pbx.domain.acd.config import QueueConfig


@dataclass(frozen=True, slots=True)
class Offer:
    """One attempt to give a call to a seat. The service keeps it with the seat leg it
    originated and hands it back in `OfferAnswered` / `OfferFailed`; `offer_id` is unique
    for the lifetime of the core, so a late report about an old attempt is recognised."""

    offer_id: str
    call_id: str
    seat_id: str


class OfferFailure(StrEnum):
    BUSY = "busy"  # the seat's device is in use elsewhere: seat marked unreachable
    NO_ANSWER = "no_answer"  # rang out: counts as a missed offer
    UNREACHABLE = "unreachable"  # not registered / congestion: seat marked unreachable
    ERROR = "error"  # origination failed for another reason: counts as a missed offer


# --- calls -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallArrived:
    """A caller is waiting for a seat.

    `priority`: higher is served first (callbacks, legacy categories); equal priorities are
    served in arrival order. `preferred_seat_id`: offered first to that seat when it is free
    (a callback rings the seat that had the call), otherwise to whichever seat is free.
    `arrived_at`: the monotonic time the caller started waiting, when re-adopting a caller
    after a restart; defaults to `now`.
    """

    call_id: str
    priority: int = 0
    preferred_seat_id: str | None = None
    arrived_at: float | None = None


@dataclass(frozen=True, slots=True)
class CallResumed:
    """A call already connected to a seat when the controller (re)started: it is taken back as
    connected, never offered again. `arrived_at`/`connected_at` are monotonic times."""

    call_id: str
    seat_id: str
    arrived_at: float
    connected_at: float


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The caller's leg is gone, at any stage (waiting, ringing a seat, or talking)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class SeatHungUp:
    """The seat ended the conversation (its leg left the bridge) while the call was connected."""

    call_id: str


@dataclass(frozen=True, slots=True)
class SeatLost:
    """The seat's leg ended after it answered but before caller and seat could talk (it was never
    bridged): the caller waits for a seat again, first in line; the seat counts a missed offer."""

    call_id: str


@dataclass(frozen=True, slots=True)
class OfferAnswered:
    offer: Offer


@dataclass(frozen=True, slots=True)
class OfferFailed:
    offer: Offer
    reason: OfferFailure


# --- seats -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatLoggedIn:
    seat_id: str


@dataclass(frozen=True, slots=True)
class SeatLoggedOut:
    seat_id: str


@dataclass(frozen=True, slots=True)
class SeatPaused:
    seat_id: str
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class SeatUnpaused:
    seat_id: str


@dataclass(frozen=True, slots=True)
class SeatReachable:
    """The seat's device can be rung: registered and not in use elsewhere."""

    seat_id: str


@dataclass(frozen=True, slots=True)
class SeatUnreachable:
    """The seat's device must not be rung: unregistered, or in use elsewhere (`reason`)."""

    seat_id: str
    reason: str = ""


# --- time and configuration ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RingTimer:
    """Timer key: the ring timeout of one offer."""

    offer_id: str


@dataclass(frozen=True, slots=True)
class WrapupTimer:
    """Timer key: the end of one wrap-up period of a seat (`round` tells periods apart)."""

    seat_id: str
    round: int


@dataclass(frozen=True, slots=True)
class OverflowTimer:
    """Timer key: the moment a waiting caller may also go to the overflow seats."""

    call_id: str


TimerKey = RingTimer | WrapupTimer | OverflowTimer


@dataclass(frozen=True, slots=True)
class TimerFired:
    key: TimerKey


@dataclass(frozen=True, slots=True)
class Reconfigured:
    config: QueueConfig


AcdEvent = (
    CallArrived
    | CallResumed
    | CallerHungUp
    | SeatHungUp
    | SeatLost
    | OfferAnswered
    | OfferFailed
    | SeatLoggedIn
    | SeatLoggedOut
    | SeatPaused
    | SeatUnpaused
    | SeatReachable
    | SeatUnreachable
    | TimerFired
    | Reconfigured
)
