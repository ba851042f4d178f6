"""Incidents per the SOP, their append-only timeline, and what callbacks need.

- incidents: the SOP's fields (reporter, callback number, location, category, description,
  verification, priority, owner, updated_at); the status lifecycle of `domain.incident_status`
  (draft -> new, open -> in_progress); the one category vocabulary (sar -> search_and_rescue,
  ambulance and health -> medical); indexes for the list filters and repeat-caller lookups.
- incident_events: the timeline, with a unique `dedupe_key` so a retried write lands once.
- calls.hung_up_by; callbacks.detail and one callback per dropped call (unique call_id);
  callback_attempts.cause and the outcomes of `domain.callbacks` (answered -> connected,
  no_seat -> failed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUS_NEW = ("new", "in_progress", "verified", "dispatched", "resolved", "closed", "cancelled")
STATUS_OLD = ("draft", "open", "dispatched", "closed")
CATEGORY_NEW = ("police", "fire", "medical", "search_and_rescue", "disaster", "electricity", "water", "traffic",
                "public_order", "other")
CATEGORY_OLD = ("police", "fire", "sar", "ambulance", "health", "electricity")
OUTCOME_NEW = ("connected", "no_answer", "busy", "failed", "cancelled")
OUTCOME_OLD = ("answered", "no_answer", "busy", "failed", "no_seat")
TIMELINE_KINDS = (
    "arrived", "offered_to_seat", "answered_by_seat", "recording_started", "recording_stopped", "hung_up",
    "field_changed", "status_changed", "callback_scheduled", "callback_attempt", "callback_outcome",
    "callback_cancelled", "linked_repeat_call", "note",
)

UP = {
    ("incidents", "status"): {"draft": "new", "open": "in_progress"},
    ("incidents", "category_hint"): {"sar": "search_and_rescue", "ambulance": "medical", "health": "medical"},
    ("callback_attempts", "outcome"): {"answered": "connected", "no_seat": "failed"},
}
DOWN = {
    ("incidents", "status"): {"new": "draft", "in_progress": "open", "verified": "open", "resolved": "dispatched",
                              "cancelled": "closed"},
    ("incidents", "category_hint"): {"search_and_rescue": "sar", "medical": "ambulance", "disaster": None,
                                     "water": None, "traffic": None, "public_order": None, "other": None},
    ("callback_attempts", "outcome"): {"connected": "answered", "cancelled": "failed"},
}


def _enum(table: str, type_name: str, values: tuple[str, ...], length: int = 16) -> sa.Enum:
    return sa.Enum(*values, name=op.f(f"ck_{table}_{type_name}"), native_enum=False, create_constraint=True,
                   length=length)


def _check(table: str, column: str, type_name: str, values: tuple[str, ...]) -> tuple[str, str]:
    listed = ", ".join(f"'{v}'" for v in values)
    return op.f(f"ck_{table}_{type_name}"), f"{column} IN ({listed})"


def _batch(table: str):  # alembic's BatchOperations context manager
    """SQLite rebuilds the table (the only way to change its CHECK constraints); PostgreSQL alters it."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(table, recreate="always" if sqlite else "auto")


def _remap(mapping: dict[tuple[str, str], dict[str, str | None]]) -> None:
    for (table, column), values in mapping.items():
        for old, new in values.items():
            update = sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old")
            op.execute(update.bindparams(old=old, new=new))


def upgrade() -> None:
    # Old CHECK constraints go first, so that the values can be remapped, then the new ones.
    with _batch("incidents") as batch:
        batch.drop_constraint(op.f("ck_incidents_incidentstatus"), type_="check")
        batch.drop_constraint(op.f("ck_incidents_categoryhint"), type_="check")
        batch.alter_column("category_hint", type_=sa.String(32), existing_type=sa.String(16), existing_nullable=True)
    with _batch("callback_attempts") as batch:
        batch.drop_constraint(op.f("ck_callback_attempts_attemptoutcome"), type_="check")
    _remap(UP)
    with _batch("incidents") as batch:
        batch.create_check_constraint(*_check("incidents", "status", "incidentstatus", STATUS_NEW))
        batch.create_check_constraint(*_check("incidents", "category_hint", "categoryhint", CATEGORY_NEW))
        batch.add_column(sa.Column("category", sa.String(32), nullable=True))
        batch.create_check_constraint(*_check("incidents", "category", "category", CATEGORY_NEW))
        batch.add_column(sa.Column("reporter_name", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("callback_number", sa.String(32), nullable=True))
        batch.add_column(sa.Column("address", sa.String(512), nullable=False, server_default=""))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("location_source", sa.String(16), nullable=True))
        batch.create_check_constraint(*_check("incidents", "location_source", "locationsource",
                                              ("caller", "aml", "network", "map", "other")))
        batch.add_column(sa.Column("location_accuracy_m", sa.Float(), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("verification", sa.String(16), nullable=False, server_default="unverified"))
        batch.create_check_constraint(*_check("incidents", "verification", "verification",
                                              ("unverified", "verified", "false_report", "prank", "ghost")))
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE incidents SET category = category_hint")
    for column in ("caller_number", "callback_number", "category", "owner", "verification"):
        op.create_index(op.f(f"ix_incidents_{column}"), "incidents", [column])

    with _batch("callback_attempts") as batch:
        batch.create_check_constraint(*_check("callback_attempts", "outcome", "attemptoutcome", OUTCOME_NEW))
        batch.add_column(sa.Column("cause", sa.String(64), nullable=True))
    with _batch("callbacks") as batch:
        batch.add_column(sa.Column("detail", sa.String(128), nullable=True))
        batch.create_unique_constraint(op.f("uq_callbacks_call_id"), ["call_id"])
    with _batch("calls") as batch:
        batch.add_column(sa.Column("hung_up_by", sa.String(16), nullable=True))
        batch.create_check_constraint(*_check("calls", "hung_up_by", "hangupparty", ("caller", "seat", "system")))

    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", _enum("incident_events", "timelinekind", TIMELINE_KINDS, 32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(36), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(160), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_incident_events_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_incident_events_dedupe_key")),
    )
    op.create_index("ix_incident_events_incident_id_at", "incident_events", ["incident_id", "at"])
    op.create_index(op.f("ix_incident_events_kind"), "incident_events", ["kind"])
    op.create_index(op.f("ix_incident_events_call_id"), "incident_events", ["call_id"])


def downgrade() -> None:
    """Back to 0001's vocabulary; the SOP fields and the timeline are dropped (that data is lost)."""
    op.drop_table("incident_events")
    with _batch("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_hangupparty"), type_="check")
        batch.drop_column("hung_up_by")
    with _batch("callbacks") as batch:
        batch.drop_constraint(op.f("uq_callbacks_call_id"), type_="unique")
        batch.drop_column("detail")
    with _batch("callback_attempts") as batch:
        batch.drop_constraint(op.f("ck_callback_attempts_attemptoutcome"), type_="check")
        batch.drop_column("cause")
    for column in ("caller_number", "callback_number", "category", "owner", "verification"):
        op.drop_index(op.f(f"ix_incidents_{column}"), table_name="incidents")
    with _batch("incidents") as batch:
        batch.drop_constraint(op.f("ck_incidents_incidentstatus"), type_="check")
        batch.drop_constraint(op.f("ck_incidents_categoryhint"), type_="check")
        for name in ("category", "locationsource", "verification"):
            batch.drop_constraint(op.f(f"ck_incidents_{name}"), type_="check")
        for column in ("category", "reporter_name", "callback_number", "address", "latitude", "longitude",
                       "location_source", "location_accuracy_m", "description", "verification", "priority",
                       "owner", "updated_at"):
            batch.drop_column(column)
    _remap(DOWN)
    with _batch("incidents") as batch:
        batch.alter_column("category_hint", type_=sa.String(16), existing_type=sa.String(32), existing_nullable=True)
        batch.create_check_constraint(*_check("incidents", "status", "incidentstatus", STATUS_OLD))
        batch.create_check_constraint(*_check("incidents", "category_hint", "categoryhint", CATEGORY_OLD))
    with _batch("callback_attempts") as batch:
        batch.create_check_constraint(*_check("callback_attempts", "outcome", "attemptoutcome", OUTCOME_OLD))
