"""Initial schema: incidents, calls, recordings, callbacks, seats, queue config, audit, API users.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _enum(table: str, column: str, type_name: str, *values: str, nullable: bool = False) -> sa.Column:
    """A VARCHAR(16) with a CHECK constraint named like the models' naming convention."""
    kind = sa.Enum(*values, name=op.f(f"ck_{table}_{type_name}"), native_enum=False,
                   create_constraint=True, length=16)
    return sa.Column(column, kind, nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "api_users",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("username", 64),
        _str("password_hash", 256),
        _enum("api_users", "role", "apirole", "admin", "supervisor", "call_taker"),
        _time("created_at"),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _pk("api_users", "id"),
        sa.UniqueConstraint("username", name=op.f("uq_api_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _time("at"),
        _str("actor", 128),
        _str("action", 64),
        sa.Column("details", sa.JSON(), nullable=False),
        _pk("audit_log", "id"),
    )
    _index("audit_log", "action")
    _index("audit_log", "at")
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        _time("opened_at"),
        _time("closed_at", nullable=True),
        _enum("incidents", "status", "incidentstatus", "draft", "open", "dispatched", "closed"),
        _str("dialled", 16),
        _enum("incidents", "category_hint", "categoryhint",
              "police", "fire", "sar", "ambulance", "health", "electricity", nullable=True),
        _str("caller_number", 64, nullable=True),
        sa.Column("no_callback", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        _pk("incidents", "id"),
    )
    _index("incidents", "opened_at")
    _index("incidents", "status")
    op.create_table(
        "queue_config_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        _str("author", 128),
        _time("created_at"),
        _pk("queue_config_versions", "version"),
    )
    op.create_table(
        "seats",
        _str("id", 32),
        _str("name", 128),
        _str("dial_string", 256),
        sa.Column("overflow", sa.Boolean(), nullable=False),
        sa.Column("logged_in", sa.Boolean(), nullable=False),
        _str("paused_reason", 64, nullable=True),
        _time("updated_at", nullable=True),
        _pk("seats", "id"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _str("token_hash", 64),
        _str("label", 128),
        _time("created_at"),
        _time("expires_at", nullable=True),
        _time("revoked_at", nullable=True),
        _fk("api_tokens", "user_id", "api_users", ondelete="CASCADE"),
        _pk("api_tokens", "id"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    _index("api_tokens", "user_id")
    _create_call_tables()


def _create_call_tables() -> None:
    op.create_table(
        "calls",
        _str("id", 36),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        _enum("calls", "direction", "calldirection", "inbound", "seat", "callback"),
        _str("channel_id", 64),
        _str("channel_name", 128),
        _str("caller_number", 64, nullable=True),
        _enum("calls", "caller_kind", "callerkind",
              "normal", "none", "anonymous", "unroutable", nullable=True),
        _str("dialled", 32, nullable=True),
        _str("seat_id", 32, nullable=True),
        _str("peer_call_id", 36, nullable=True),
        _time("arrived_at"),
        _time("answered_at", nullable=True),
        _time("connected_at", nullable=True),
        _time("ended_at", nullable=True),
        _enum("calls", "outcome", "calloutcome", "answered", "abandoned", "dropped", "failed", nullable=True),
        _str("hangup_cause", 64, nullable=True),
        _fk("calls", "incident_id", "incidents"),
        sa.ForeignKeyConstraint(["peer_call_id"], ["calls.id"], name=op.f("fk_calls_peer_call_id_calls")),
        _pk("calls", "id"),
    )
    for column in ("arrived_at", "channel_id", "incident_id", "seat_id"):
        _index("calls", column)
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        _str("call_id", 36, nullable=True),
        _str("number", 64, nullable=True),
        _enum("callbacks", "reason", "callbackreason", "abandoned", "dropped"),
        _enum("callbacks", "status", "callbackstatus",
              "pending", "in_progress", "done", "exhausted", "supervisor", "cancelled"),
        _time("created_at"),
        _time("due_at"),
        _str("seat_id", 32, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("closed_at", nullable=True),
        _fk("callbacks", "call_id", "calls"),
        _fk("callbacks", "incident_id", "incidents"),
        _pk("callbacks", "id"),
    )
    _index("callbacks", "incident_id")
    _index("callbacks", "status", "due_at", name="ix_callbacks_status_due_at")
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("call_id", 36),
        _str("seat_id", 32, nullable=True),
        _str("path", 512),
        _time("started_at"),
        _time("ended_at", nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        _fk("recordings", "call_id", "calls"),
        _pk("recordings", "id"),
    )
    _index("recordings", "call_id")
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        _time("started_at"),
        _time("ended_at", nullable=True),
        _str("seat_id", 32, nullable=True),
        _str("call_id", 36, nullable=True),
        _enum("callback_attempts", "outcome", "attemptoutcome",
              "answered", "no_answer", "busy", "failed", "no_seat", nullable=True),
        _fk("callback_attempts", "callback_id", "callbacks"),
        _pk("callback_attempts", "id"),
        sa.UniqueConstraint(
            "callback_id", "attempt_no", name=op.f("uq_callback_attempts_callback_id_attempt_no")
        ),
    )
    _index("callback_attempts", "callback_id")


def downgrade() -> None:
    for table in ("callback_attempts", "recordings", "callbacks", "calls", "api_tokens",
                  "seats", "queue_config_versions", "incidents", "audit_log", "api_users"):
        op.drop_table(table)  # dropping a table drops its indexes and constraints
