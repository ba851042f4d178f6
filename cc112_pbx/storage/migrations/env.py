"""Alembic environment: runs only on a connection handed over by `cc112_pbx.storage.migrate`.

There is no alembic.ini: `cc112 db upgrade` (or the app at start) calls `migrate.upgrade()`,
which opens the connection, takes a lock on PostgreSQL, and runs these migrations on it.
"""

from __future__ import annotations

from alembic import context

from cc112_pbx.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `cc112 db upgrade` (cc112_pbx.storage.migrate), not bare alembic")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
