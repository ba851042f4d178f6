"""The HTTP API's needs: a call taker's seat on the API user, and where a seat came from.

- api_users.seat_id: the seat a call taker works at (their own seat and their own calls'
  incidents are all they may act on); NULL for admins and supervisors.
- seats.origin: "settings" (the settings file's `[[seats]]`, re-synced at every start) or "api"
  (created through the API: kept across restarts, never deleted by the settings sync).
- passwords: new hashes are argon2id (`$argon2id$...`); old `scrypt$...` hashes still verify and
  are re-hashed at the next successful login (no schema change needed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_users") as batch:
        batch.add_column(sa.Column("seat_id", sa.String(32), nullable=True))
    with op.batch_alter_table("seats") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False, server_default="settings"))


def downgrade() -> None:
    with op.batch_alter_table("seats") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("api_users") as batch:
        batch.drop_column("seat_id")
