"""A PostgreSQL database of its own for one test, on the CI's server (CC112_TEST_POSTGRES_URL).

    async with fresh_database("cc112_ha") as url:   # postgresql+asyncpg://.../cc112_ha_1a2b3c4d
        ...
Advisory locks are per database, so tests of the leadership lock never see each other's.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

POSTGRES_URL = os.environ.get("CC112_TEST_POSTGRES_URL")
NO_POSTGRES = "PostgreSQL: CC112_TEST_POSTGRES_URL not set (see bash .ci/postgres.sh)"


def dsn(database: str | None = None) -> str:
    assert POSTGRES_URL is not None
    base, _, name = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://").rpartition("/")
    return f"{base}/{database or name}"


async def admin(sql: str, database: str | None = None) -> list:
    import asyncpg

    conn = await asyncpg.connect(dsn(database))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    assert POSTGRES_URL is not None
    name = f"{prefix}_{secrets.token_hex(4)}"
    await admin(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rpartition("/")[0] + f"/{name}"
    finally:
        await admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        await admin(f'DROP DATABASE IF EXISTS "{name}"')
