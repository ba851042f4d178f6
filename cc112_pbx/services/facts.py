"""What the call services decided or learnt, as typed facts on one bus.

The orchestration (`call_flow.py`, `holding.py`, `seat_service.py`) publishes a fact once;
subscribers do the rest: `persistence.py` writes it to the store through the journal,
`notices.py` turns it into a notice for people (demo, API event stream). A subscriber never
blocks and never raises into the orchestration (`FactBus.publish` logs and carries on).

The ACD core's own seat commands (`SeatStateChanged`, `SeatAutoPaused`) and the adapters'
`ConnectionChanged` travel on the bus as they are: they are facts already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from cc112_pbx.domain.caller import CallerKind

log = structlog.get_logger("cc112.facts")

Subscriber = Callable[[object], None]


class FactBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def publish(self, fact: object) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(fact)
            except Exception:
                log.exception("fact_subscriber_failed", fact=type(fact).__name__)


@dataclass(frozen=True, slots=True)
class CallOpened:
    """A citizen's call is the controller's: new (`stored_call` False) or adopted after a restart."""

    call_id: str
    channel_id: str
    channel_name: str
    arrived_at: datetime
    dialled: str
    caller_number: str | None
    caller_kind: CallerKind
    category: str | None
    adopted: bool = False
    stored_call: bool = False  # a previous run stored it (and its incident) already
    incident_id: int | None = None
    recording_id: int | None = None
    repeat_of: int | None = None  # a repeat caller: the open incident this call joins
    repeat_window: float = 0.0  # seconds: the store may still find an open incident for the number

    @property
    def no_callback(self) -> bool:
        return self.caller_kind.no_callback


@dataclass(frozen=True, slots=True)
class IncidentLinked:
    """The store opened the call's incident (or found it)."""

    call_id: str
    incident_id: int


@dataclass(frozen=True, slots=True)
class CallAnswered:
    call_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordingBegan:
    call_id: str
    path: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SeatRinging:
    call_id: str
    seat_id: str
    caller_number: str | None
    no_callback: bool
    incident_id: int | None


@dataclass(frozen=True, slots=True)
class CallConnected:
    """Caller and seat are in one bridge (`at`: when both were in it)."""

    call_id: str
    seat_id: str
    seat_channel_id: str
    at: datetime
    caller_number: str | None
    no_callback: bool
    incident_id: int | None
    waited: float


@dataclass(frozen=True, slots=True)
class CallerSilent:
    """A connected caller has not been heard: asked to press 5 5 if they cannot talk."""

    call_id: str
    incident_id: int | None
    seat_id: str | None


@dataclass(frozen=True, slots=True)
class SilentCallConfirmed:
    call_id: str
    incident_id: int | None
    caller_number: str | None = None  # the call's tag (silent) keeps it for the reports


@dataclass(frozen=True, slots=True)
class CallFinished:
    """A citizen's call (or a callback attempt's leg) ended; `outcome` is a `CallOutcome` value."""

    call_id: str
    outcome: str
    seat_id: str | None
    waited: float
    at: datetime
    recording_path: str | None
    incident_id: int | None
    hung_up_by: str | None = None
    ghost: bool = False
    callback: bool = False
    caller_number: str | None = None  # a ghost call's tag keeps it for the reports


@dataclass(frozen=True, slots=True)
class CallbackScheduled:
    """An abandoned or dropped call will be called back (`dialable`), or goes on the supervisor's
    no-callback list (no number to dial). `key` is the ended call's id."""

    key: str
    incident_id: int | None
    reason: str
    number: str | None
    created_at: datetime
    due_at: datetime
    seat_id: str | None
    dialable: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CallbackStored:
    """Loop input: the store gave the callback `key` its id (callbacks restored at start have one)."""

    key: str
    callback_id: int


@dataclass(frozen=True, slots=True)
class CallbackAttemptStarted:
    key: str
    attempt: int
    call_id: str  # the attempt's session (the citizen's leg, once dialled)
    channel_id: str
    number: str
    incident_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class CallbackAttemptEnded:
    key: str
    attempt: int
    call_id: str
    outcome: str  # a `CallbackOutcome` value
    at: datetime
    seat_id: str | None
    next_due_at: datetime | None  # when it is tried again (None: done, exhausted or cancelled)


@dataclass(frozen=True, slots=True)
class CallbackCancelled:
    key: str
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class SeatLegEnded:
    """The seat's leg of a connected call ended."""

    channel_id: str
    at: datetime
