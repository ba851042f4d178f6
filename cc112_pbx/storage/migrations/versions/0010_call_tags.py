"""Call tags (issue 19): prank, abusive, ghost (accidental) and silent calls.

- call_tags: one row per call and tag (unique), the caller's E.164 number (the repeat-prank flag
  and the reports by number), who tagged it (a call taker, or `system` for ghost calls and 5 5)
  and when.

Revision ID: 0010
Revises: 0009 (call ids up to 64 characters)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TAGS = ("prank", "abusive", "ghost", "silent")


def upgrade() -> None:
    op.create_table(
        "call_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(32), nullable=True),
        sa.Column("tag", sa.Enum(*TAGS, name=op.f("ck_call_tags_calltag"), native_enum=False,
                                 create_constraint=True, length=16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_tags")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_call_tags_incident_id_incidents")),
        sa.UniqueConstraint("call_id", "tag", name=op.f("uq_call_tags_call_id_tag")),
    )
    op.create_index(op.f("ix_call_tags_call_id"), "call_tags", ["call_id"], unique=False)
    op.create_index(op.f("ix_call_tags_incident_id"), "call_tags", ["incident_id"], unique=False)
    op.create_index(op.f("ix_call_tags_number"), "call_tags", ["number"], unique=False)
    op.create_index(op.f("ix_call_tags_at"), "call_tags", ["at"], unique=False)


def downgrade() -> None:
    for column in ("at", "number", "incident_id", "call_id"):
        op.drop_index(op.f(f"ix_call_tags_{column}"), table_name="call_tags")
    op.drop_table("call_tags")
