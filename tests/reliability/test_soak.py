"""Soak: the controller (`cc112 run`, a separate process) under a steady arrival rate, API polled and
WebSocket subscribed, for `CC112_SOAK_SECONDS` (default 30; `make soak` runs 600).

One caller every `ARRIVAL_INTERVAL` s (each with its own number, so no repeat-caller linking), four
seats; every seventh caller has almost no patience (abandoned or not, as the race goes), the others
talk `TALK_TIME` s and hang up (dropped: the incident is still open). Callbacks are off so that
every seat stays on the arrival stream. `/api/live` is polled every 0.5 s and `/api/events` is
subscribed throughout.

Asserted: every call is accounted for (ended, outcome answered/abandoned/dropped, one incident
each), every poll answered 200, WebSocket events received; and the controller's RSS
(`/proc/<pid>/status` VmRSS) and open file descriptors (`/proc/<pid>/fd`) stay flat after warm-up:
from the warm-up mark (20 s, or a third of a shorter run) to the end, RSS grows by less than
15 MB and the fd count by less than 20.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys

import aiohttp
import pytest

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET
from tests.reliability.processes import CcProcess, controller_env, free_port, log_in_every_seat, seats_config
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

SEATS = 4
SOAK_SECONDS = float(os.environ.get("CC112_SOAK_SECONDS", "30"))
ARRIVAL_INTERVAL = 0.5
TALK_TIME = 1.0
WARM_UP = min(20.0, SOAK_SECONDS / 3)
RSS_BOUND_KB = 15 * 1024
FD_BOUND = 20
OUTCOMES = {"answered", "abandoned", "dropped"}


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def cli(env: dict[str, str], *args: str, stdin: bytes | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "--log-level", "error", *args, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(stdin), 30)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


def _stored(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT channel_id, incident_id, ended_at, outcome FROM calls "
                            "WHERE direction = 'inbound'").fetchall()


async def test_soak_steady_arrivals_account_for_every_call_with_flat_memory_and_fds(tmp_path):
    config = seats_config(tmp_path / "cc112.toml", SEATS, queue="wrapup_time = 0\nring_timeout = 10\n")
    db_path = tmp_path / "cc112.sqlite3"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with Emulator(EmulatorConfig(seats=SEATS, ami_secret=SECRET, ari_password=SECRET,
                                       recordings_dir=tmp_path / "rec", sound_seconds=0.3)) as emu, \
            aiohttp.ClientSession() as http:
        env = controller_env(tmp_path, emu, http_port=port, CC112_CALLBACK_ENABLED="false")
        proc = await CcProcess.start(tmp_path / "controller.log", ["run", "--config", str(config)], env)
        try:
            await proc.wait_for_event("ari_events_connected")
            await cli(env, "user", "add", "soak", "--role", "supervisor", "--password-stdin",
                      stdin=b"soak-password-0123456789\n")
            token = await cli(env, "token", "issue", "soak", "--ttl", "2h")
            await log_in_every_seat(emu, SEATS)

            loop = asyncio.get_running_loop()
            stop = asyncio.Event()
            polls = {"ok": 0, "bad": 0}
            ws_events = [0]
            samples: list[tuple[float, int, int]] = []

            async def poll() -> None:
                headers = {"Authorization": f"Bearer {token}"}
                while not stop.is_set():
                    async with http.get(f"{base}/api/live", headers=headers) as resp:
                        await resp.read()
                        polls["ok" if resp.status == 200 else "bad"] += 1
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 0.5)

            async def subscribe() -> None:
                async with http.ws_connect(f"{base}/api/events?access_token={token}") as ws:
                    while not stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            msg = await asyncio.wait_for(ws.receive(), 0.5)
                            if msg.type == aiohttp.WSMsgType.TEXT:
                                ws_events[0] += 1
                            elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                                raise AssertionError(f"event stream closed: {msg}")

            async def sample() -> None:
                start = loop.time()
                while not stop.is_set():
                    samples.append((loop.time() - start, rss_kb(proc.pid), fds(proc.pid)))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1.0)

            calls = []
            async with asyncio.TaskGroup() as group:
                for job in (poll(), subscribe(), sample()):
                    group.create_task(job)
                start = loop.time()
                n = 0
                while loop.time() - start < SOAK_SECONDS:
                    patience = 0.05 if n % 7 == 6 else None
                    calls.append(emu.place_call(number=f"+6281{n:08d}", talk_time=TALK_TIME, patience=patience))
                    n += 1
                    await asyncio.sleep(max(0.0, start + n * ARRIVAL_INTERVAL - loop.time()))  # the arrival clock
                await emu.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=60)
                samples.append((loop.time() - start, rss_kb(proc.pid), fds(proc.pid)))
                stop.set()

            rows = await wait_until(lambda: _all_closed(db_path, len(calls)), timeout=30, interval=0.2,
                                    what="every call closed in the database")
            assert sorted(row[0] for row in rows) == sorted(c.inbound_id for c in calls), "a call lost or doubled"
            assert len({row[1] for row in rows}) == len(calls), "an incident missing or shared"
            outcomes = [row[3] for row in rows]
            assert set(outcomes) <= OUTCOMES, set(outcomes)
            assert polls["bad"] == 0 and polls["ok"] > SOAK_SECONDS, polls
            assert ws_events[0] > len(calls), ws_events

            warm = [s for s in samples if s[0] >= WARM_UP]
            rss_growth, fd_growth = warm[-1][1] - warm[0][1], warm[-1][2] - warm[0][2]
            print(f"soak {SOAK_SECONDS:g}s: {len(calls)} calls "
                  f"({', '.join(f'{o} {outcomes.count(o)}' for o in sorted(OUTCOMES))}), {polls['ok']} polls, "
                  f"{ws_events[0]} ws events; RSS {warm[0][1] / 1024:.1f} -> {warm[-1][1] / 1024:.1f} MB "
                  f"(max {max(s[1] for s in samples) / 1024:.1f}), fds {warm[0][2]} -> {warm[-1][2]} "
                  f"(max {max(s[2] for s in samples)}) from {warm[0][0]:.0f}s to {warm[-1][0]:.0f}s")
            assert rss_growth < RSS_BOUND_KB, f"RSS grew {rss_growth} kB after warm-up"
            assert fd_growth < FD_BOUND, f"{fd_growth} more fds after warm-up"
        finally:
            assert await proc.terminate() == 0


def _all_closed(db_path, count: int) -> list[tuple] | None:
    rows = _stored(db_path)
    return rows if len(rows) == count and all(row[2] is not None for row in rows) else None
