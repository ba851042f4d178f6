"""Run the Alembic migrations shipped in `storage/migrations/`: the only way the schema is made.

`await upgrade(url)` is what `cc112 db upgrade` and the app at start call. On PostgreSQL an
advisory lock serialises concurrent upgraders (two controllers starting together).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_ID = 112_112  # pg_advisory_xact_lock key for migrations

log = structlog.get_logger(__name__)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of cc112."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)
    log.info("database_upgraded", revision=revision, head=head_revision())


async def downgrade_engine(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)
    log.info("database_downgraded", revision=revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def upgrade(url: str) -> None:
    """Bring the database at `url` up to the newest schema (creates it when empty)."""
    from cc112_pbx.storage.database import Database  # the engine set-up (pragmas, directories) lives there

    db = Database(url)
    await db.start()
    try:
        await db.upgrade()
    finally:
        await db.dispose()


def _run(connection: sa.Connection, action: str, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_ID})
    config = alembic_config(connection)
    if action == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
