"""Recording checksums and retention.

- recordings.size_bytes, recordings.sha256: the file's size and SHA-256 when its recording ended
  (NULL until checked).
- recordings.checksum_state: NULL (not looked at yet), "ok" (size and sha256 stored) or "unchecked"
  (the file was not readable from the controller, e.g. it lives on the Asterisk host).
- recordings.checked_at: when the checksum was taken.
- recordings.deleted_at: the retention policy deleted the file (the row stays, for the record).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("checksum_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        for column in ("deleted_at", "checked_at", "checksum_state", "sha256", "size_bytes"):
            batch.drop_column(column)
