"""Leadership of an active/standby controller pair (issue 21): one row, the fencing token.

- leadership: a single row (id 1). `epoch` is bumped by each controller that becomes leader
  (while it holds the PostgreSQL session advisory lock); every write by a controller in a pair
  checks, in its own transaction, that `epoch` is still the one it was elected with, so a former
  leader's writes are refused. `holder` and `url` say who leads (the standby's API points to it).
  SQLite is single-node: the row exists but nothing reads it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "leadership",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leadership")),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": 0, "holder": "", "url": "", "since": None}])


def downgrade() -> None:
    op.drop_table("leadership")
