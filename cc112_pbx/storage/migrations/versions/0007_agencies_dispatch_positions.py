"""Dispatch to the agencies, field officers and their positions (issue 17).

- agencies: the directory (name, kind, contacts, categories handled, service area), seeded from
  `[dispatch] agencies_file` (origin "settings") or made through the API (origin "api").
- officers: an agency's officers, units and volunteer teams, each with a tracking device id and
  the SHA-256 of that device's token; `user_id` binds the officer's API user.
- agency_dispatchers: the API users (role agency_dispatcher) bound to one agency.
- dispatches: an incident handed to an agency, with its status and each status's time.
- officer_positions: the positions the officers' phones report (pruned after
  `[dispatch] position_retention_days`).
- api_users.role: two more roles, `agency_dispatcher` and `officer` (VARCHAR(16) -> VARCHAR(32)).
- callbacks.reason: one more, `inform_reporter` (a callback to tell the reporter the outcome).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_ROLES = ("admin", "supervisor", "call_taker")
NEW_ROLES = (*OLD_ROLES, "agency_dispatcher", "officer", "qc_evaluator")  # qc_evaluator: issue 18 (0009)
AGENCY_KINDS = ("police", "fire", "health", "disaster", "sar", "electricity", "water", "internet", "volunteer",
                "other")
OFFICER_KINDS = ("officer", "unit", "team")
OLD_REASONS = ("abandoned", "dropped")
NEW_REASONS = (*OLD_REASONS, "inform_reporter")
DISPATCH_STATUSES = ("created", "sent_to_agency", "accepted", "assigned", "en_route", "on_scene", "resolved",
                     "cancelled", "rejected")


def _enum(table: str, type_name: str, values: tuple[str, ...], length: int = 16) -> sa.Enum:
    return sa.Enum(*values, name=op.f(f"ck_{table}_{type_name}"), native_enum=False, create_constraint=True,
                   length=length)


def _time(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _rebuild(table: str, column: str, type_name: str, old: tuple[str, ...], new: tuple[str, ...],
             old_length: int, new_length: int, children: tuple[str, ...]) -> None:
    """Change a CHECK-constrained enum column. SQLite rebuilds the table, and dropping the old one with
    foreign keys on would delete (cascade) or orphan the rows that refer to it: those child rows are kept
    aside, removed, and put back once the rebuilt table has its name again."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    kept = {child: [dict(row._mapping) for row in bind.execute(sa.text(f"SELECT * FROM {child}"))]
            for child in children} if sqlite else {}
    for child in kept:
        bind.execute(sa.text(f"DELETE FROM {child}"))
    with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
        batch.alter_column(column, type_=_enum(table, type_name, new, new_length),
                           existing_type=_enum(table, type_name, old, old_length), existing_nullable=False)
    for child, rows in kept.items():
        if rows:
            op.bulk_insert(sa.table(child, *(sa.column(name) for name in rows[0])), rows)


def _roles(old: tuple[str, ...], new: tuple[str, ...], old_length: int, new_length: int) -> None:
    _rebuild("api_users", "role", "apirole", old, new, old_length, new_length, ("api_tokens",))


def _reasons(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    _rebuild("callbacks", "reason", "callbackreason", old, new, 16, 16, ("callback_attempts",))


def upgrade() -> None:
    _roles(OLD_ROLES, NEW_ROLES, 16, 32)
    _reasons(OLD_REASONS, NEW_REASONS)
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", _enum("agencies", "agencykind", AGENCY_KINDS), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        _time("created_at", nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("callsign", sa.String(32), nullable=False),
        sa.Column("kind", _enum("officers", "officerkind", OFFICER_KINDS), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _time("created_at", nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_officers_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["api_users.id"], name=op.f("fk_officers_user_id_api_users"),
                                ondelete="SET NULL"),
        sa.UniqueConstraint("device_id", name=op.f("uq_officers_device_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_officers_user_id")),
    )
    op.create_index(op.f("ix_officers_agency_id"), "officers", ["agency_id"], unique=False)
    op.create_table(
        "agency_dispatchers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        _time("created_at", nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agency_dispatchers")),
        sa.ForeignKeyConstraint(["user_id"], ["api_users.id"], name=op.f("fk_agency_dispatchers_user_id_api_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_agency_dispatchers_agency_id_agencies")),
    )
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("dispatches", "dispatchstatus", DISPATCH_STATUSES), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("photo_path", sa.String(512), nullable=True),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("eta_estimate", sa.Boolean(), nullable=True),
        _time("created_at", nullable=False),
        *(_time(name) for name in ("sent_at", "accepted_at", "assigned_at", "en_route_at", "on_scene_at",
                                   "resolved_at", "cancelled_at", "rejected_at", "updated_at")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_dispatches_incident_id_incidents")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_dispatches_agency_id_agencies")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_dispatches_officer_id_officers")),
    )
    for column in ("incident_id", "agency_id", "officer_id", "status"):
        op.create_index(op.f(f"ix_dispatches_{column}"), "dispatches", [column], unique=False)
    op.create_table(
        "officer_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        _time("at", nullable=False),
        _time("received_at", nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("bearing", sa.Float(), nullable=True),
        sa.Column("altitude", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("battery", sa.Float(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_positions")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_officer_positions_officer_id_officers"),
                                ondelete="CASCADE"),
    )
    op.create_index("ix_officer_positions_officer_id_at", "officer_positions", ["officer_id", "at"], unique=False)
    op.create_index(op.f("ix_officer_positions_received_at"), "officer_positions", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_officer_positions_received_at"), table_name="officer_positions")
    op.drop_index("ix_officer_positions_officer_id_at", table_name="officer_positions")
    op.drop_table("officer_positions")
    for column in ("status", "officer_id", "agency_id", "incident_id"):
        op.drop_index(op.f(f"ix_dispatches_{column}"), table_name="dispatches")
    op.drop_table("dispatches")
    op.drop_table("agency_dispatchers")
    op.drop_index(op.f("ix_officers_agency_id"), table_name="officers")
    op.drop_table("officers")
    op.drop_table("agencies")
    op.execute(sa.text("DELETE FROM api_users WHERE role IN ('agency_dispatcher', 'officer', 'qc_evaluator')"))
    _roles(NEW_ROLES, OLD_ROLES, 32, 16)
    op.execute(sa.text("DELETE FROM callbacks WHERE reason = 'inform_reporter' AND id NOT IN "
                       "(SELECT callback_id FROM callback_attempts)"))
    _reasons(NEW_REASONS, OLD_REASONS)
