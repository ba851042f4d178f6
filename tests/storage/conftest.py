"""Storage fixtures: every `db` test runs on SQLite and on PostgreSQL.

PostgreSQL needs CC112_TEST_POSTGRES_URL (`bash .ci/postgres.sh` starts a private server and writes
it to var/ci-postgres.env; `.ci/run` does this in CI). Without it those tests are skipped, with
the reason shown in pytest's summary.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from cc112_pbx.storage import Database

POSTGRES_URL = os.environ.get("CC112_TEST_POSTGRES_URL")
NO_POSTGRES = "PostgreSQL: CC112_TEST_POSTGRES_URL not set (see bash .ci/postgres.sh)"
T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def at():
    """`at(seconds)`: a fixed UTC time `seconds` after T0 (2026-11-29 08:00 UTC)."""
    return _at


async def reset_postgres(url: str) -> None:
    """An empty `public` schema: each test starts from nothing and migrates."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def empty_db_url(request, tmp_path) -> str:
    """A URL of an empty database, on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/db/cc112.sqlite3"
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
async def db(empty_db_url):
    """A started, migrated `Database`, on each backend."""
    database = Database(empty_db_url)
    await database.start()
    try:
        await database.upgrade()
        yield database
    finally:
        await database.dispose()
