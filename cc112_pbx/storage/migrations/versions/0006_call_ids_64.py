"""Call ids up to 64 characters.

The controller names the legs it places itself (`cc112-seat-<32 hex>`, `callback-<uuid>`): longer
than the 36 characters of a UUID that the first schema allowed. SQLite never enforced the length;
PostgreSQL refused every connected call's seat-leg row (`value too long for type character
varying(36)`), and the write-behind journal retried it forever, holding back every later write.

- calls.id, calls.peer_call_id, recordings.call_id, callbacks.call_id, callback_attempts.call_id,
  incident_events.call_id: VARCHAR(36) -> VARCHAR(64).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (("calls", "id"), ("calls", "peer_call_id"), ("recordings", "call_id"), ("callbacks", "call_id"),
           ("callback_attempts", "call_id"), ("incident_events", "call_id"))


def _resize(length_from: int, length_to: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in dict.fromkeys(table for table, _ in COLUMNS):
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            for column in (c for t, c in COLUMNS if t == table):
                batch.alter_column(column, type_=sa.String(length_to), existing_type=sa.String(length_from))


def upgrade() -> None:
    _resize(36, 64)


def downgrade() -> None:
    _resize(64, 36)
