"""What the repositories hand out: frozen dataclasses (never ORM objects) and the enums of stored values.

All datetimes are timezone-aware UTC. Enums are `StrEnum`, so `IncidentStatus.NEW == "new"`;
repositories accept either the member or its string value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from cc112_pbx.domain.agencies import AgencyKind, OfficerKind
from cc112_pbx.domain.aml import PositioningMethod
from cc112_pbx.domain.call_end import CallOutcome
from cc112_pbx.domain.call_tags import CallTag
from cc112_pbx.domain.callbacks import CallbackOutcome, CallbackReason, CallbackStatus
from cc112_pbx.domain.caller import CallerKind
from cc112_pbx.domain.categories import Category
from cc112_pbx.domain.dispatch import DispatchStatus
from cc112_pbx.domain.incident import Incident, LocationSource, Priority, Verification
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.timeline import HangupParty, TimelineKind

__all__ = [
    "CALLBACK_OPEN_STATUSES", "AmlPositionRecord", "ApiRole", "ApiTokenRecord", "ApiUserRecord", "AuditEntry",
    "CallDirection", "CallOutcome", "CallRecord", "CallTag", "CallTagRecord", "CallbackAttemptRecord",
    "CallbackOutcome", "CallbackReason",
    "CallbackRecord", "CallbackStatus", "CallerKind", "Category", "HangupParty", "IncidentPage",
    "IncidentRecord", "IncidentStatus", "LocationSource", "PositioningMethod", "Priority", "QueueConfigVersion",
    "RecordNotFound", "RecordingRecord", "SeatRecord", "TimelineEntryRecord", "TimelineKind", "Verification",
    "to_record",
]


# The call, caller, incident, category and callback vocabularies are the domain's: one set of values
# from the call taker's form to the database's CHECK constraints (`parse_category` reads legacy
# stored names such as "sar" and "ambulance").


class CallDirection(StrEnum):
    INBOUND = "inbound"  # a citizen's call
    SEAT = "seat"  # a leg the controller originated to a seat
    CALLBACK = "callback"  # a leg dialled out to call a citizen back


CALLBACK_OPEN_STATUSES = (CallbackStatus.PENDING, CallbackStatus.IN_PROGRESS)


class ApiRole(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CALL_TAKER = "call_taker"
    AGENCY_DISPATCHER = "agency_dispatcher"  # issue 17
    OFFICER = "officer"  # issue 17
    QC_EVALUATOR = "qc_evaluator"  # issue 18 (migration 0009)


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    id: int
    opened_at: datetime
    closed_at: datetime | None
    status: IncidentStatus
    dialled: str
    category_hint: Category | None
    caller_number: str | None
    no_callback: bool
    notes: str
    category: Category | None = None
    reporter_name: str = ""
    callback_number: str | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_source: LocationSource | None = None
    location_accuracy_m: float | None = None
    description: str = ""
    verification: Verification = Verification.UNVERIFIED
    priority: Priority | None = None
    owner: str | None = None
    updated_at: datetime | None = None

    def to_domain(self) -> Incident:
        """The domain's `Incident`, to decide a change or a transition on."""
        names = {f.name for f in fields(Incident)}
        return Incident(**{name: getattr(self, name) for name in names})


@dataclass(frozen=True, slots=True)
class IncidentPage:
    """One page of a filtered incident list; `total` counts every match, not only this page."""

    items: list[IncidentRecord]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class TimelineEntryRecord:
    id: int
    incident_id: int
    at: datetime
    kind: TimelineKind
    actor: str
    call_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: str
    incident_id: int | None
    direction: CallDirection
    channel_id: str
    channel_name: str
    caller_number: str | None
    caller_kind: CallerKind | None
    dialled: str | None
    seat_id: str | None
    peer_call_id: str | None
    arrived_at: datetime
    answered_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    outcome: CallOutcome | None
    hangup_cause: str | None
    hung_up_by: HangupParty | None = None


@dataclass(frozen=True, slots=True)
class RecordingRecord:
    id: int
    call_id: str
    seat_id: str | None
    path: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float | None
    size_bytes: int | None = None  # the file's size and SHA-256 when the recording ended
    sha256: str | None = None
    checksum_state: str | None = None  # None: not looked at yet; "ok"; "unchecked": file not reachable here
    checked_at: datetime | None = None
    deleted_at: datetime | None = None  # the retention policy deleted the file


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    id: int
    incident_id: int
    call_id: str | None
    number: str | None
    reason: CallbackReason
    status: CallbackStatus
    created_at: datetime
    due_at: datetime
    seat_id: str | None
    attempts: int
    closed_at: datetime | None
    detail: str | None = None  # why it is on the no-callback list, or why it was cancelled


@dataclass(frozen=True, slots=True)
class CallbackAttemptRecord:
    id: int
    callback_id: int
    attempt_no: int
    started_at: datetime
    ended_at: datetime | None
    seat_id: str | None
    call_id: str | None
    outcome: CallbackOutcome | None
    cause: str | None = None  # the Q.850 cause of the citizen's leg, when known


@dataclass(frozen=True, slots=True)
class SeatRecord:
    id: str
    name: str
    dial_string: str
    overflow: bool
    logged_in: bool
    paused_reason: str | None
    updated_at: datetime | None
    origin: str = "settings"  # or "api": created through the API, kept across restarts

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


@dataclass(frozen=True, slots=True)
class QueueConfigVersion:
    version: int
    settings: dict[str, Any]
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ApiUserRecord:
    id: int
    username: str
    role: ApiRole
    created_at: datetime
    disabled: bool
    seat_id: str | None = None


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class AmlPositionRecord:
    id: int
    number: str
    latitude: float
    longitude: float
    radius_m: float
    method: PositioningMethod
    confidence: int
    positioned_at: datetime
    received_at: datetime
    message_number: int | None
    dedupe_key: str
    sender: str
    raw: str
    incident_id: int | None
    matched_at: datetime | None


@dataclass(frozen=True, slots=True)
class CallTagRecord:
    """A call tagged prank, abusive, ghost or silent (issue 19); `number` is the caller's E.164
    number (None without one), `actor` the call taker's username or `system`."""

    id: int
    call_id: str
    incident_id: int | None
    number: str | None
    tag: CallTag
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    id: int
    code: str
    name: str
    kind: AgencyKind
    contacts: list[Any]
    categories: list[Any]
    area: dict[str, Any]
    active: bool
    origin: str
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    id: int
    agency_id: int
    name: str
    callsign: str
    kind: OfficerKind
    device_id: str
    token_sha256: str | None
    available: bool
    active: bool
    user_id: int | None
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class AgencyDispatcherRecord:
    user_id: int
    agency_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DispatchRecord:
    id: int
    incident_id: int
    agency_id: int
    officer_id: int | None
    status: DispatchStatus
    priority: int
    instructions: str
    created_by: str
    reason: str
    report: str
    photo_path: str | None
    eta_s: float | None
    eta_estimate: bool | None
    created_at: datetime
    sent_at: datetime | None
    accepted_at: datetime | None
    assigned_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    cancelled_at: datetime | None
    rejected_at: datetime | None
    updated_at: datetime | None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OfficerPositionRecord:
    id: int
    officer_id: int
    lat: float
    lon: float
    at: datetime
    received_at: datetime
    speed_kmh: float | None
    bearing: float | None
    altitude: float | None
    accuracy_m: float | None
    battery: float | None
    source: str


R = TypeVar("R")


def to_record(cls: type[R], row: Any) -> R:
    """Copy the ORM row's columns named like `cls`'s fields into a `cls`."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


class RecordNotFound(LookupError):
    """An update named a row that does not exist (`call 'abc' not found`)."""
