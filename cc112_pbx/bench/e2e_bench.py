"""End to end over loopback sockets: a burst of callers through the emulator and the controller.

One `Switchboard` per run (the emulator's AMI/ARI servers and the real controller on SQLite,
in this process and event loop). Every seat logs in with *11, so the controller also adds it
to Asterisk's fallback queue; then `callers` citizens call at once. Measured from the
emulator's timeline (what the simulated phones experienced):
- arrival -> ring: from the caller's call to the ring of the seat that took it; `idle` counts
  only the first `seats` callers of the burst (a free seat for each), `all` includes queueing;
- free -> ring: a seat free again (wrap-up 0) with callers waiting, to its next ring;
- calls per second: the burst fully handled (every call ended, and with the controller, its
  journal written to the database) over the time since the first call;
- CPU seconds of the process and RSS growth per concurrent caller (peak VmRSS during the
  burst over the one before it, sampled every 20 ms).
The baseline runs the same burst with the controller stopped: the dialplan sends every
caller to `Queue(cc112-fallback)` (the emulator's app_queue: ringall, retry 5 s).
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cc112_pbx.bench.stats import cpu_seconds, rss_bytes, summary_ms
from cc112_pbx.emulator.timeline import SeatLeg, SimulatedCall, Timeline
from cc112_pbx.harness import Switchboard

FALLBACK_QUEUE = "cc112-fallback"
BENCH_QUEUE = {"ring_timeout": 5, "wrapup_time": 0, "auto_pause_after_missed": 0, "overflow_after": 0}


@dataclass(frozen=True, slots=True)
class E2eCase:
    seats: int
    callers: int
    talk_time: float = 0.2
    answer_after: float = 0.1


async def run_e2e_case(case: E2eCase, workdir: Path, *, controller: bool, timeout: float = 120.0
                       ) -> dict[str, Any]:
    """One burst; `controller=False` stops the controller first (the fallback queue takes it)."""
    await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
    async with Switchboard(workdir, seats=case.seats, queue=BENCH_QUEUE, seat_answer_after=case.answer_after,
                           sound_seconds=0.3) as sb:
        await _log_in_everyone(sb, case.seats)
        if not controller:
            await sb.stop_controller()
        emu = sb.emulator
        gc.collect()
        rss_before, cpu_before = rss_bytes(), cpu_seconds()
        started = emu.core.clock.monotonic()
        records = [emu.place_call(number=f"+62811{n:07d}", talk_time=case.talk_time) for n in range(case.callers)]
        sampler = _RssSampler()
        async with asyncio.TaskGroup() as group:
            group.create_task(sampler.run())
            try:
                await emu.timeline.wait_for(lambda: all(r.ended_at is not None for r in records), timeout=timeout)
                if controller:
                    await sb.app.journal.flush(timeout=timeout)
            finally:
                sampler.stop()
        handled = emu.core.clock.monotonic() - started
        cpu = cpu_seconds() - cpu_before
        return _measures(case, emu.timeline, records, handled, cpu, sampler.peak - rss_before)


def _measures(case: E2eCase, timeline: Timeline, records: list[SimulatedCall], handled: float, cpu: float,
              rss_growth: int) -> dict[str, Any]:
    legs = _answering_legs(timeline)
    rings = [(legs[r.inbound_id].rang_at or 0.0) - r.placed_at for r in records if r.inbound_id in legs]
    idle = [(legs[r.inbound_id].rang_at or 0.0) - r.placed_at for r in records[:case.seats] if r.inbound_id in legs]
    waits = [r.connected_at - r.placed_at for r in records if r.connected_at is not None]
    return {
        "answered": sum(1 for r in records if r.connected_at is not None),
        "calls_per_s": round(len(records) / handled, 1) if handled > 0 else None,
        "handled_seconds": round(handled, 2),
        "arrival_to_ring_idle_ms": summary_ms(idle),
        "arrival_to_ring_all_ms": summary_ms(rings),
        "free_to_ring_ms": summary_ms(free_to_ring(timeline, records)),
        "wait_to_answer_ms": summary_ms(waits),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_call": round(cpu * 1000 / len(records), 2) if records else None,
        "rss_growth_kib_per_caller": round(rss_growth / 1024 / len(records), 1) if records else None,
    }


def _answering_legs(timeline: Timeline) -> dict[str, SeatLeg]:
    """Inbound channel id -> the seat leg bridged with it (the seat that took the call)."""
    legs: dict[str, SeatLeg] = {}
    for leg in timeline.seat_legs:
        if leg.rang_at is None:
            continue
        for channel in leg.bridged_with:
            legs.setdefault(channel, leg)
    by_call: dict[str, SeatLeg] = {}
    for call in timeline.calls:
        leg = legs.get(call.inbound_id) or legs.get(call.channel_id)
        if leg is not None:
            by_call[call.inbound_id] = leg
    return by_call


def free_to_ring(timeline: Timeline, records: list[SimulatedCall]) -> list[float]:
    """Seconds from a seat becoming free (its conversation over, wrap-up 0) while a caller of
    the burst was still waiting, to that seat's next ring. The same rule for both paths (the
    demo's version needs StasisStart, which fallback callers never get)."""
    by_inbound = {r.inbound_id: r for r in records}
    first = min((r.placed_at for r in records), default=0.0)
    by_seat: dict[str, list[SeatLeg]] = {}
    for leg in timeline.seat_legs:
        if leg.rang_at is not None and leg.created_at >= first:
            by_seat.setdefault(leg.seat, []).append(leg)
    delays: list[float] = []
    for legs in by_seat.values():
        legs.sort(key=lambda leg: leg.created_at)
        for index, leg in enumerate(legs):
            caller = next((by_inbound[c] for c in leg.bridged_with if c in by_inbound), None)
            if leg.answered_at is None or leg.ended_at is None or caller is None or index + 1 == len(legs):
                continue
            free_at = min(leg.ended_at, caller.ended_at or leg.ended_at)
            if any(r.placed_at < free_at and (r.connected_at or free_at + 1) > free_at
                   and (r.ended_at or free_at + 1) > free_at for r in records):
                delays.append(max(0.0, (legs[index + 1].rang_at or 0.0) - free_at))
    return delays


async def run_e2e_isolated(case: E2eCase, workdir: Path, *, controller: bool, timeout: float = 180.0
                           ) -> dict[str, Any]:
    """`run_e2e_case` in a fresh Python process, so CPU time and RSS belong to this run alone."""
    spec = json.dumps({"case": asdict(case), "workdir": str(workdir), "controller": controller})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx.bench.e2e_bench", spec,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"e2e bench run failed ({proc.returncode}): {err.decode()[-2000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


def _worker_main(spec_json: str) -> None:
    from cc112_pbx.logs import configure_logging

    configure_logging("error", "json")  # e.g. the fallback run warns once per caller: app missing
    spec = json.loads(spec_json)
    result = asyncio.run(run_e2e_case(E2eCase(**spec["case"]), Path(spec["workdir"]),
                                      controller=spec["controller"]))
    print(json.dumps(result))


async def _log_in_everyone(sb: Switchboard, seats: int) -> None:
    """*11 from every softphone; wait for the controller and for Asterisk's fallback queue."""
    for n in range(1, seats + 1):
        sb.dial_feature_code(f"seat{n:02d}", "*11")
    acd = sb.controller.acd
    queue = sb.emulator.ami.queues.get(FALLBACK_QUEUE)
    await sb.emulator.timeline.wait_for(
        lambda: sum(1 for s in acd.snapshot().seats if s.logged_in) == seats, timeout=10)
    deadline = time.monotonic() + 10
    while sum(1 for m in queue.members.values() if m.logged_in) < seats:
        if time.monotonic() > deadline:
            raise TimeoutError("the seats did not reach the fallback queue in time")
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # the feature-code calls end and every softphone is idle again


class _RssSampler:
    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = rss_bytes()
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            self.peak = max(self.peak, rss_bytes())
            try:
                await asyncio.wait_for(self._stopped.wait(), timeout=self.interval)
            except TimeoutError:
                pass
        self.peak = max(self.peak, rss_bytes())


if __name__ == "__main__":
    _worker_main(sys.argv[1])
