"""The officer acknowledges an assignment (issue 17's officer page: "accept").

- dispatches.acknowledged_at: when the assigned officer accepted the assignment on their phone
  (NULL: not yet; cleared when the dispatch is re-assigned to another officer). Not a status: the
  agency's `accepted` stays the agency's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dispatches") as batch:
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispatches") as batch:
        batch.drop_column("acknowledged_at")
