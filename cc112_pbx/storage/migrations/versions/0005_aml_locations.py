"""AML positions (issue 19): handsets' own positions received over HTTPS or SMS.

- aml_positions: one row per AML message (unique `dedupe_key`: the number and the message
  number, so a retried message lands once), the incident it was attached to (NULL until
  matched; unmatched rows are deleted after `[aml] unmatched_retention`).

Revision ID: 0005
Revises: 0004 (recording checksums)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

METHODS = ("gnss", "wifi", "cell", "hybrid")


def upgrade() -> None:
    op.create_table(
        "aml_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("method", sa.Enum(*METHODS, name=op.f("ck_aml_positions_amlmethod"), native_enum=False,
                                    create_constraint=True, length=16), nullable=False),
        sa.Column("confidence", sa.SmallInteger(), nullable=False),
        sa.Column("positioned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_number", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aml_positions")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_aml_positions_incident_id_incidents")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_aml_positions_dedupe_key")),
    )
    op.create_index(op.f("ix_aml_positions_number"), "aml_positions", ["number"], unique=False)
    op.create_index(op.f("ix_aml_positions_received_at"), "aml_positions", ["received_at"], unique=False)
    op.create_index(op.f("ix_aml_positions_incident_id"), "aml_positions", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_aml_positions_incident_id"), table_name="aml_positions")
    op.drop_index(op.f("ix_aml_positions_received_at"), table_name="aml_positions")
    op.drop_index(op.f("ix_aml_positions_number"), table_name="aml_positions")
    op.drop_table("aml_positions")
