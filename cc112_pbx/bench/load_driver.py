"""The load mode's emulator process: the Asterisk emulator, the simulated callers and seats, and
the measures (run as `python -m cc112_pbx.bench.load_driver SPEC_JSON` by `load_bench`).

Protocol with the parent, one JSON line each way:
1. it starts the emulator with `in_flight` seats and prints `{"ari_url": ..., "ami_port": ...}`;
2. it reads `{"pid": PID, "login": bool}`: the consumer process (the controller, or the floor)
   it measures from /proc/PID, and whether the seats log in with `*11` first (the controller);
3. it runs the level and prints the result object; then it stops at the next line or at EOF.

A level of N calls in flight, with N seats (every call in flight talks to a seat, so a new
caller can find a seat free while N calls are up):
- fill: N callers, at most `outstanding` of them not yet bridged with a seat at any time;
  setups per second = N over the time from the first call to the N-th caller bridged;
- memory: the consumer's VmRSS with N calls up, minus before the first, over N;
- window: `window_calls` replacements, one after the other, at most `rate` per second, each ending the oldest call and
  placing a new one, so N stay in flight. Even ones: the oldest call ends first and the new
  caller arrives 50 ms after it has fully ended, to the one seat free: StasisStart to that
  seat's originate. Odd ones: the new caller arrives first and waits (every seat busy); once
  the consumer has answered it, the oldest call ends: from the seat free (the conversation's
  end) to its next ring. The caller or the seat hangs up, in turn. CPU per call = the
  consumer's CPU time (/proc/PID/stat) in the window over the replacements (each is one call
  ended and one call set up); the emulator's own CPU is reported too.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cc112_pbx.bench.stats import (
    cpu_seconds,
    process_cpu_seconds,
    process_rss_bytes,
    rss_bytes,
    summary_ms,
)
from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.emulator.timeline import SeatLeg, SimulatedCall

SECRET = "cc112-bench-secret"
APP = "cc112"
FALLBACK_QUEUE = "cc112-fallback"
ARRIVE_AFTER_FREE = 0.05  # seconds between a call's end and its free-seat replacement's arrival
LOGIN_CHUNK = 100
IDLE_SECONDS = 2.0  # seats dialling *11 at once


@dataclass(frozen=True, slots=True)
class LoadSpec:
    in_flight: int
    window_calls: int = 200
    rate: float = 20.0  # replacements started per second in the window
    outstanding: int = 16  # fill: callers placed but not yet bridged with a seat, at most
    answer_after: float = 0.05  # seats answer after this many seconds
    sound_seconds: float = 0.5  # every prompt lasts this long
    recordings_dir: str = "var/bench/load/recordings"
    timeout: float = 240.0
    profile: str = ""  # a path: py-spy samples the consumer during the window into it (collapsed stacks)


class LoadDriver:
    def __init__(self, spec: LoadSpec, emu: Emulator) -> None:
        self.spec = spec
        self.emu = emu
        self.numbers = 0
        self.up: deque[SimulatedCall] = deque()  # bridged with a seat, oldest first
        self.leg_of: dict[str, SeatLeg] = {}  # seat -> its latest leg
        self._legs_seen = 0
        self.free_seat_arrivals: list[SimulatedCall] = []
        self.free_to_ring: list[float] = []
        self.tasks: set[asyncio.Task[None]] = set()

    # --- parties ------------------------------------------------------------------------------
    def place(self) -> SimulatedCall:
        self.numbers += 1
        return self.emu.place_call(number=f"+62811{self.numbers:07d}")  # patient, talks until hung up

    def seat_leg(self, seat: str) -> SeatLeg | None:
        legs = self.emu.timeline.seat_legs
        for leg in legs[self._legs_seen:]:
            self.leg_of[leg.seat] = leg
        self._legs_seen = len(legs)
        return self.leg_of.get(seat)

    async def wait(self, predicate: Any, timeout: float | None = None) -> None:
        await self.emu.timeline.wait_for(predicate, timeout=timeout or self.spec.timeout)

    async def connected(self, call: SimulatedCall) -> None:
        await asyncio.wait_for(call.connected.wait(), self.spec.timeout)
        self.up.append(call)

    def end(self, call: SimulatedCall, by_seat: bool) -> SeatLeg:
        leg = self.seat_leg(call.seat or "")
        assert leg is not None, f"no seat leg for {call.channel_id}"
        if by_seat:
            self.emu.core.hangup(leg.channel_id, 16, origin="sip")
        else:
            self.emu.hang_up(call)
        return leg

    # --- phases -------------------------------------------------------------------------------
    async def log_in(self) -> None:
        seats = self.spec.in_flight
        queue = self.emu.ami.queues.get(FALLBACK_QUEUE)
        for first in range(1, seats + 1, LOGIN_CHUNK):
            last = min(seats, first + LOGIN_CHUNK - 1)
            for n in range(first, last + 1):
                self.emu.dial_feature_code(f"seat{n:02d}", "*11")
            await self._poll(lambda last=last: queue is not None and _logged_in(queue) >= last)
        await self._poll(lambda: _busy_channels(self.emu) == 0)

    async def _poll(self, predicate: Any, interval: float = 0.02) -> None:
        deadline = time.monotonic() + self.spec.timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the bench's setup did not complete in time")
            await asyncio.sleep(interval)

    async def fill(self) -> dict[str, Any]:
        limit = asyncio.Semaphore(self.spec.outstanding)
        calls: list[SimulatedCall] = []

        async def one() -> None:
            try:
                call = self.place()
                calls.append(call)
                await self.connected(call)
            finally:
                limit.release()

        started = time.monotonic()
        async with asyncio.TaskGroup() as group:
            for _ in range(self.spec.in_flight):
                await limit.acquire()
                group.create_task(one())
        last = max(c.connected_at or 0.0 for c in calls)
        first = min(c.placed_at for c in calls)
        return {"setups": len(calls), "seconds": round(time.monotonic() - started, 2),
                "setups_per_s": round(len(calls) / (last - first), 1) if last > first else None}

    async def window(self) -> None:
        """One replacement after the other (so a free seat is never taken by another's caller),
        started at most `rate` per second."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n in range(self.spec.window_calls):
            await asyncio.sleep(max(0.0, start + n / self.spec.rate - loop.time()))
            await self._replace(n)

    async def _replace(self, n: int) -> None:
        old = self.up.popleft()
        by_seat = (n // 2) % 2 == 1
        if n % 2 == 0:  # the call ends, then a caller arrives to the seat it freed
            leg = self.end(old, by_seat)
            await self.wait(lambda: old.ended_at is not None and leg.ended_at is not None)
            await asyncio.sleep(ARRIVE_AFTER_FREE)
            new = self.place()
            self.free_seat_arrivals.append(new)
            await self.connected(new)
            return
        new = self.place()  # a caller waits (every seat busy), then the call ends
        await self.wait(lambda: new.answered_at is not None)
        leg = self.end(old, by_seat)
        await self.connected(new)
        free_at = min(leg.ended_at or 1e18, old.ended_at or 1e18)
        next_leg = self.seat_leg(new.seat or "")
        if next_leg is not None and next_leg.seat == leg.seat and next_leg.rang_at is not None:
            self.free_to_ring.append(max(0.0, next_leg.rang_at - free_at))

    def stasis_to_originate(self) -> list[float]:
        out = []
        for call in self.free_seat_arrivals:
            leg = self.leg_of.get(call.seat or "")
            if leg is not None and call.stasis_at is not None and call.inbound_id in leg.bridged_with:
                out.append(leg.created_at - call.stasis_at)
        return out


async def run_level(spec: LoadSpec, pid: int, login: bool, emu: Emulator) -> dict[str, Any]:
    driver = LoadDriver(spec, emu)
    await driver._poll(lambda: _app_connected(emu))
    started = time.monotonic()
    if login:
        await driver.log_in()
    login_seconds = time.monotonic() - started
    await asyncio.sleep(0.5)
    gc.collect()
    rss_before = process_rss_bytes(pid)
    fill = await driver.fill()
    settle = await _settle(pid, spec.timeout)  # the consumer writes down what the fill started
    rss_full = process_rss_bytes(pid)
    idle0 = process_cpu_seconds(pid)
    await asyncio.sleep(IDLE_SECONDS)  # N calls up, nothing happening: what the consumer spends anyway
    idle_share = (process_cpu_seconds(pid) - idle0) / IDLE_SECONDS
    spy = await _py_spy(spec.profile, pid) if spec.profile else None
    own = cProfile.Profile() if spec.profile else None  # the emulator's own profile beside it
    cpu0, emu_cpu0, wall0 = process_cpu_seconds(pid), cpu_seconds(), time.monotonic()
    if own is not None:
        own.enable()
    await driver.window()
    if own is not None:
        own.disable()
        own.dump_stats(spec.profile + ".emulator.prof")
    emu_cpu1, wall1 = cpu_seconds(), time.monotonic()
    after = await _settle(pid, spec.timeout)  # what the window's calls left to write is theirs too
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        await spy.wait()
    cpu1 = process_cpu_seconds(pid)
    driver.seat_leg("")  # index the last legs
    calls, wall = spec.window_calls, wall1 - wall0
    return {
        "in_flight": spec.in_flight,
        "seats": spec.in_flight,
        "setups_per_s": fill["setups_per_s"],
        "fill_seconds": fill["seconds"],
        "stasis_to_originate_ms": summary_ms(driver.stasis_to_originate()),
        "free_to_ring_ms": summary_ms(driver.free_to_ring),
        "cpu_ms_per_call": round((cpu1 - cpu0) * 1000 / calls, 2),
        "cpu_share": round((cpu1 - cpu0) / (wall + after), 3),
        "settle_after_window_seconds": round(after, 2),
        "rss_kb_per_call": round((rss_full - rss_before) / 1024 / spec.in_flight, 1),
        "rss_mb": round(rss_full / 1024 / 1024, 1),
        "idle_cpu_share": round(idle_share, 3),
        "settle_seconds": round(settle, 2),
        "login_seconds": round(login_seconds, 2),
        "window_seconds": round(wall, 2),
        "window_calls": calls,
        "in_flight_at_end": len(driver.up),
        "emulator": {"cpu_ms_per_call": round((emu_cpu1 - emu_cpu0) * 1000 / calls, 2),
                     "cpu_share": round((emu_cpu1 - emu_cpu0) / wall, 3),
                     "rss_mb": round(rss_bytes() / 1024 / 1024, 1)},
    }


async def _settle(pid: int, timeout: float, quiet: float = 0.05, step: float = 0.5) -> float:
    """Wait until process `pid` uses under `quiet` of a core over `step` s; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = process_cpu_seconds(pid)
        await asyncio.sleep(step)
        if (process_cpu_seconds(pid) - before) / step < quiet:
            break
    return time.monotonic() - started


async def _py_spy(path: str, pid: int) -> asyncio.subprocess.Process:
    """`py-spy record` on the consumer (pip install py-spy), stopped with SIGINT after the window."""
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--format", "raw",
        "--rate", "200", "--output", path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(1.0)  # attached
    return spy


def _logged_in(queue: Any) -> int:
    return sum(1 for m in queue.members.values() if m.logged_in)


def _busy_channels(emu: Emulator) -> int:
    return sum(1 for c in emu.core.channels.values() if c.alive)


def _app_connected(emu: Emulator) -> bool:
    app = emu.ari.apps.get(APP) if emu.ari is not None else None
    return app is not None and app.socket is not None


async def _main(spec: LoadSpec) -> None:
    config = EmulatorConfig(seats=spec.in_flight, seat_answer_after=spec.answer_after,
                            recordings_dir=Path(spec.recordings_dir), ami_secret=SECRET, ari_password=SECRET,
                            sound_seconds=spec.sound_seconds)
    loop = asyncio.get_running_loop()
    async with Emulator(config) as emu:
        print(json.dumps({"ari_url": emu.ari_url, "ami_port": emu.ami_port}), flush=True)
        go = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
        result = await run_level(spec, int(go["pid"]), bool(go["login"]), emu)
        print(json.dumps(result), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)


def main(argv: list[str]) -> None:
    from cc112_pbx.logs import configure_logging

    configure_logging("error", "json")
    spec = LoadSpec(**json.loads(argv[0]))
    asyncio.run(_main(spec))


if __name__ == "__main__":
    main(sys.argv[1:])
