"""ORM tables (SQLAlchemy 2, `Mapped[...]` style). Only repositories and migrations use these.

The schema itself is made by the Alembic migrations in `storage/migrations/`; a test checks that
the migrations and these models agree. Seat ids are plain strings (no foreign key to `seats`):
a call is written even if its seat was never synced.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cc112_pbx.domain.agencies import AgencyKind, OfficerKind
from cc112_pbx.domain.dispatch import DispatchStatus
from cc112_pbx.storage.records import (
    ApiRole,
    CallbackOutcome,
    CallbackReason,
    CallbackStatus,
    CallDirection,
    CallerKind,
    CallOutcome,
    CallTag,
    Category,
    HangupParty,
    IncidentStatus,
    LocationSource,
    PositioningMethod,
    TimelineKind,
    Verification,
)
from cc112_pbx.storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


def enum_column(enum: type[StrEnum], *, name: str | None = None, length: int = 16) -> sa.Enum:
    """A VARCHAR with a CHECK constraint holding the enum's values (portable, no native enum types).
    `name` names the constraint (default: the enum's name) when one enum guards two columns."""
    return sa.Enum(
        enum,
        name=name or enum.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [member.value for member in e],
        validate_strings=True,
    )


CATEGORY_LENGTH = 32


class Incident(Base):
    """The SOP's report. `category_hint` comes from the legacy number dialled and is never edited;
    `category` is what the call taker decides (it starts as the hint)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    opened_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None]
    status: Mapped[IncidentStatus] = mapped_column(enum_column(IncidentStatus), index=True)
    dialled: Mapped[str] = mapped_column(sa.String(16))
    category_hint: Mapped[Category | None] = mapped_column(
        enum_column(Category, name="categoryhint", length=CATEGORY_LENGTH)
    )
    caller_number: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    no_callback: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[Category | None] = mapped_column(enum_column(Category, length=CATEGORY_LENGTH), index=True)
    reporter_name: Mapped[str] = mapped_column(sa.String(128), default="")
    callback_number: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    address: Mapped[str] = mapped_column(sa.String(512), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    location_source: Mapped[LocationSource | None] = mapped_column(enum_column(LocationSource))
    location_accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    verification: Mapped[Verification] = mapped_column(
        enum_column(Verification), default=Verification.UNVERIFIED, index=True
    )
    priority: Mapped[int | None] = mapped_column(sa.SmallInteger)
    owner: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    updated_at: Mapped[dt.datetime | None]


class IncidentEvent(Base):
    """The incident's timeline: append-only (no repository updates or deletes a row).
    `dedupe_key` makes a retried write of the same event land once."""

    __tablename__ = "incident_events"
    __table_args__ = (sa.Index("ix_incident_events_incident_id_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"))
    at: Mapped[dt.datetime]
    kind: Mapped[TimelineKind] = mapped_column(enum_column(TimelineKind, length=32), index=True)
    actor: Mapped[str] = mapped_column(sa.String(64))
    call_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    details: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(160), unique=True)


class Call(Base):
    """One row per channel leg: the citizen's inbound leg, each seat leg, each callback leg."""

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection))
    channel_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    channel_name: Mapped[str] = mapped_column(sa.String(128))
    caller_number: Mapped[str | None] = mapped_column(sa.String(64))
    caller_kind: Mapped[CallerKind | None] = mapped_column(enum_column(CallerKind))
    dialled: Mapped[str | None] = mapped_column(sa.String(32))
    seat_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    peer_call_id: Mapped[str | None] = mapped_column(sa.ForeignKey("calls.id"))
    arrived_at: Mapped[dt.datetime] = mapped_column(index=True)
    answered_at: Mapped[dt.datetime | None]
    connected_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    outcome: Mapped[CallOutcome | None] = mapped_column(enum_column(CallOutcome))
    hangup_cause: Mapped[str | None] = mapped_column(sa.String(64))
    hung_up_by: Mapped[HangupParty | None] = mapped_column(enum_column(HangupParty))


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    seat_id: Mapped[str | None] = mapped_column(sa.String(32))
    path: Mapped[str] = mapped_column(sa.String(512))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    duration_s: Mapped[float | None] = mapped_column(sa.Float)
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    checksum_state: Mapped[str | None] = mapped_column(sa.String(16))  # None, "ok" or "unchecked"
    checked_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]  # the retention policy deleted the file


class Callback(Base):
    __tablename__ = "callbacks"
    __table_args__ = (sa.Index("ix_callbacks_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(sa.ForeignKey("calls.id"), unique=True)
    number: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[CallbackReason] = mapped_column(enum_column(CallbackReason))
    status: Mapped[CallbackStatus] = mapped_column(enum_column(CallbackStatus))
    created_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    seat_id: Mapped[str | None] = mapped_column(sa.String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[dt.datetime | None]
    detail: Mapped[str | None] = mapped_column(sa.String(128))


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"
    __table_args__ = (sa.UniqueConstraint("callback_id", "attempt_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(sa.ForeignKey("callbacks.id"), index=True)
    attempt_no: Mapped[int]
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    seat_id: Mapped[str | None] = mapped_column(sa.String(32))
    call_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[CallbackOutcome | None] = mapped_column(enum_column(CallbackOutcome, name="attemptoutcome"))
    cause: Mapped[str | None] = mapped_column(sa.String(64))


class SeatRow(Base):
    __tablename__ = "seats"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    dial_string: Mapped[str] = mapped_column(sa.String(256))
    overflow: Mapped[bool] = mapped_column(default=False)
    logged_in: Mapped[bool] = mapped_column(default=False)
    paused_reason: Mapped[str | None] = mapped_column(sa.String(64))
    updated_at: Mapped[dt.datetime | None]
    # "settings" (re-synced from the settings file at every start) or "api" (made through the API, kept)
    origin: Mapped[str] = mapped_column(sa.String(16), default="settings", server_default="settings")


class QueueConfigVersionRow(Base):
    """Every change of the queue configuration is a new row; the current one has the highest version."""

    __tablename__ = "queue_config_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    settings: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[dt.datetime]


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(128))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    details: Mapped[dict[str, Any]]


class ApiUser(Base):
    __tablename__ = "api_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[ApiRole] = mapped_column(enum_column(ApiRole, length=32))
    created_at: Mapped[dt.datetime]
    disabled: Mapped[bool] = mapped_column(default=False)
    seat_id: Mapped[str | None] = mapped_column(sa.String(32))  # a call taker's own seat


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token itself is shown once, when issued."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("api_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(128), default="")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class AmlPosition(Base):
    """A handset's AML position (issue 19): personal data, so one not matched to an incident is
    deleted after `[aml] unmatched_retention`. `dedupe_key` (number and message number) makes a
    message a sender retries land once."""

    __tablename__ = "aml_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), index=True)
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    radius_m: Mapped[float] = mapped_column(sa.Float)
    method: Mapped[PositioningMethod] = mapped_column(enum_column(PositioningMethod, name="amlmethod"))
    confidence: Mapped[int] = mapped_column(sa.SmallInteger)
    positioned_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    message_number: Mapped[int | None] = mapped_column(sa.Integer)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sender: Mapped[str] = mapped_column(sa.String(64))
    raw: Mapped[str] = mapped_column(sa.Text)
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    matched_at: Mapped[dt.datetime | None]


class CallTagRow(Base):
    """A call's tag (issue 19): prank, abusive, ghost (accidental) or silent, once per call and tag.
    `number` is the caller's E.164 number, kept for the repeat-prank flag and the reports; the
    call id is a plain string (a tag may be written before the journal has stored the call)."""

    __tablename__ = "call_tags"
    __table_args__ = (sa.UniqueConstraint("call_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    number: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    tag: Mapped[CallTag] = mapped_column(enum_column(CallTag))
    actor: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(index=True)


# --- dispatch to the agencies (issue 17) ------------------------------------------------------------


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind))
    contacts: Mapped[list[Any]] = mapped_column(sa.JSON)
    categories: Mapped[list[Any]] = mapped_column(sa.JSON)
    area: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(default=True)
    origin: Mapped[str] = mapped_column(sa.String(16), default="api")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime | None]


class OfficerRow(Base):
    """An officer, a unit or a volunteer team; only the SHA-256 of its device's token is kept."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    callsign: Mapped[str] = mapped_column(sa.String(32), default="")
    kind: Mapped[OfficerKind] = mapped_column(enum_column(OfficerKind))
    device_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    available: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_users.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime | None]


class AgencyDispatcherRow(Base):
    __tablename__ = "agency_dispatchers"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("api_users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    created_at: Mapped[dt.datetime]


class DispatchRow(Base):
    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    status: Mapped[DispatchStatus] = mapped_column(enum_column(DispatchStatus), index=True)
    priority: Mapped[int] = mapped_column(sa.SmallInteger)
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    report: Mapped[str] = mapped_column(sa.Text, default="")
    photo_path: Mapped[str | None] = mapped_column(sa.String(512))
    eta_s: Mapped[float | None] = mapped_column(sa.Float)
    eta_estimate: Mapped[bool | None]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    assigned_at: Mapped[dt.datetime | None]
    en_route_at: Mapped[dt.datetime | None]
    on_scene_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    rejected_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]  # the assigned officer accepted (0012)


class OfficerPositionRow(Base):
    """Personal data: pruned after `[dispatch] position_retention_days`."""

    __tablename__ = "officer_positions"
    __table_args__ = (sa.Index("ix_officer_positions_officer_id_at", "officer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id", ondelete="CASCADE"))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    speed_kmh: Mapped[float | None] = mapped_column(sa.Float)
    bearing: Mapped[float | None] = mapped_column(sa.Float)
    altitude: Mapped[float | None] = mapped_column(sa.Float)
    accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    battery: Mapped[float | None] = mapped_column(sa.Float)
    source: Mapped[str] = mapped_column(sa.String(16))


class LeadershipRow(Base):
    """The one row (id 1) of an active/standby pair (issue 21): `epoch` is the fencing token, bumped
    by each new leader; `holder` and `url` name it (see `cc112_pbx.storage.leadership`)."""

    __tablename__ = "leadership"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(sa.BigInteger)
    holder: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(500))
    since: Mapped[dt.datetime | None]
