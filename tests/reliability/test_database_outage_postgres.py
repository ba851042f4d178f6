"""PostgreSQL goes away while the controller (`cc112 run`, a separate process) handles calls.

The test gives the controller a database of its own on the CI's PostgreSQL server, then takes it
away: `ALLOW_CONNECTIONS false` and every session on it terminated (what a stopped or unreachable
server looks like to the controller, without stopping the server the other tests share). Callers
keep arriving and are answered and connected; `/healthz` says degraded; once the database is back,
every call and incident is written, one incident each, in arrival order.
"""

from __future__ import annotations

import os
import secrets

import aiohttp
import pytest

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET
from tests.reliability.processes import CcProcess, controller_env, free_port, log_in_every_seat, seats_config
from tests.waiting import wait_until

POSTGRES_URL = os.environ.get("CC112_TEST_POSTGRES_URL")
NO_POSTGRES = "PostgreSQL: CC112_TEST_POSTGRES_URL not set (see bash .ci/postgres.sh)"
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)]
SEATS, BEFORE, DURING = 3, 2, 5


def _dsn(database: str | None = None) -> str:
    base, _, name = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://").rpartition("/")
    return f"{base}/{database or name}"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _take_away(database: str) -> None:
    await _admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
    await _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")


async def _stored(database: str) -> list[tuple]:
    import asyncpg

    conn = await asyncpg.connect(_dsn(database))
    try:
        rows = await conn.fetch("SELECT channel_id, incident_id, ended_at, connected_at FROM calls "
                                "WHERE direction = 'inbound' ORDER BY incident_id")
    finally:
        await conn.close()
    return [tuple(row) for row in rows]


async def test_calls_go_on_while_postgresql_is_gone_and_everything_is_written_once_it_is_back(tmp_path):
    database = f"cc112_outage_{secrets.token_hex(4)}"
    await _admin(f'CREATE DATABASE "{database}"')
    port = free_port()
    config = seats_config(tmp_path / "cc112.toml", SEATS)
    try:
        async with Emulator(EmulatorConfig(seats=SEATS, ami_secret=SECRET, ari_password=SECRET,
                                           recordings_dir=tmp_path / "rec")) as emu, aiohttp.ClientSession() as http:
            url = POSTGRES_URL.rpartition("/")[0] + f"/{database}"
            env = controller_env(tmp_path, emu, http_port=port, CC112_DATABASE_URL=url)
            proc = await CcProcess.start(tmp_path / "controller.log", ["run", "--config", str(config)], env)
            try:
                await proc.wait_for_event("ari_events_connected")
                await log_in_every_seat(emu, SEATS)

                async def status() -> str:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        return (await resp.json())["status"]

                calls = []

                async def one_call(n: int) -> None:
                    call = emu.place_call(number=f"+62812333{n:04d}", talk_time=0.3)
                    calls.append(call)
                    await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=15)

                for n in range(BEFORE):
                    await one_call(n)
                await wait_until(lambda: _count_is(database, BEFORE), timeout=15, what="the first calls stored")
                await _take_away(database)
                for n in range(BEFORE, BEFORE + DURING):
                    await one_call(n)  # answered and connected with no database at all
                await wait_until(lambda: _is(status, "degraded"), timeout=30, interval=0.2,
                                 what="/healthz degraded while PostgreSQL is gone")
                await _admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')

                await emu.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=20)
                rows = await wait_until(lambda: _all_written(database, len(calls)), timeout=60, interval=0.5,
                                        what="every call written once PostgreSQL is back")
                assert [row[0] for row in rows] == [c.inbound_id for c in calls], "not written in arrival order"
                assert len({row[1] for row in rows}) == len(calls), "an incident is missing or shared"
                await wait_until(lambda: _is(status, "ok"), timeout=30, interval=0.2, what="/healthz ok again")
            finally:
                assert await proc.terminate() == 0
    finally:
        await _admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")
        await _admin(f'DROP DATABASE IF EXISTS "{database}"')


async def _count_is(database: str, count: int) -> bool:
    return len(await _stored(database)) == count


async def _is(status, wanted: str) -> bool:
    return await status() == wanted


async def _all_written(database: str, count: int) -> list[tuple] | None:
    rows = await _stored(database)
    return rows if len(rows) == count and all(row[2] is not None for row in rows) else None
