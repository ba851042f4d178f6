"""The database stops taking writes while the controller (`cc112 run`, a separate process) handles calls.

The test takes SQLite's exclusive lock on the controller's database file (as another process would),
so every write the controller tries waits out its busy timeout and fails; `SELECT 1` still answers,
which is why `/healthz` also looks at the journal. Meanwhile callers keep arriving: each is answered
and connected to a seat. `/healthz` says degraded (200, database disconnected, writes unwritten);
once the lock is released every call and incident is written, in the order the calls arrived, one
incident each, and `/healthz` is ok again.
"""

from __future__ import annotations

import asyncio
import sqlite3

import aiohttp

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET
from tests.reliability.processes import CcProcess, controller_env, free_port, log_in_every_seat, seats_config
from tests.waiting import wait_until

SEATS = 3
BEFORE, DURING = 2, 6


def _stored(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT c.channel_id, c.incident_id, c.ended_at, c.connected_at FROM calls c "
                            "WHERE c.direction = 'inbound' ORDER BY c.incident_id").fetchall()


async def test_calls_are_answered_and_connected_while_the_database_is_locked_and_written_in_order_after(tmp_path):
    config = seats_config(tmp_path / "cc112.toml", SEATS)
    db_path = tmp_path / "cc112.sqlite3"
    port = free_port()
    async with Emulator(EmulatorConfig(seats=SEATS, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec", sound_seconds=0.3)) as emu, \
            aiohttp.ClientSession() as http:
        env = controller_env(tmp_path, emu, http_port=port)
        proc = await CcProcess.start(tmp_path / "controller.log", ["run", "--config", str(config)], env)
        lock: sqlite3.Connection | None = None
        try:
            await proc.wait_for_event("ari_events_connected")
            await log_in_every_seat(emu, SEATS)

            async def health() -> dict:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    assert resp.status == 200
                    return await resp.json()

            calls = []

            async def one_call(n: int) -> None:
                call = emu.place_call(number=f"+62812111{n:04d}", talk_time=0.3)
                calls.append(call)
                await emu.timeline.wait_for(lambda: call.connected_at is not None, timeout=15)

            for n in range(BEFORE):
                await one_call(n)
            await wait_until(lambda: len(_stored(db_path)) == BEFORE, timeout=10, what="the first calls stored")
            assert (await health())["status"] == "ok"

            lock = sqlite3.connect(db_path, timeout=10, check_same_thread=False, isolation_level=None)
            await asyncio.to_thread(lock.execute, "BEGIN EXCLUSIVE")
            for n in range(BEFORE, BEFORE + DURING):
                await one_call(n)  # answered and connected with the database locked
            body = await wait_until(lambda: _degraded(health), timeout=20, interval=0.2,
                                    what="/healthz degraded while the database takes no writes")
            assert body["ari"]["state"] == "connected" and body["database"]["state"] == "disconnected"
            assert len(_stored(db_path)) == BEFORE, "written through the lock?"
            await asyncio.to_thread(lock.rollback)
            lock.close()
            lock = None

            await emu.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=20)
            rows = await wait_until(lambda: _all_written(db_path, len(calls)), timeout=30, interval=0.2,
                                    what="every call written once the database is back")
            assert [row[0] for row in rows] == [c.inbound_id for c in calls], "not written in arrival order"
            assert len({row[1] for row in rows}) == len(calls), "an incident is missing or shared"
            assert all(row[3] is not None for row in rows), "a connection was not recorded"
            await wait_until(lambda: _ok(health), timeout=20, interval=0.2, what="/healthz ok again")
            assert proc.events("journal_write_failed_will_retry")
            assert proc.events("journal_write_recovered")
        finally:
            if lock is not None:
                lock.close()
            assert await proc.terminate() == 0


async def _degraded(health) -> dict | None:
    body = await health()
    return body if body["status"] == "degraded" else None


async def _ok(health) -> bool:
    return (await health())["status"] == "ok"


def _all_written(db_path, count: int) -> list[tuple] | None:
    rows = _stored(db_path)
    return rows if len(rows) == count and all(row[2] is not None for row in rows) else None
