"""Run the demo: emulator + controller on SQLite, seats log in with *11, callers arrive."""

from __future__ import annotations

import asyncio
import random
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from cc112_pbx.demo.live import LivePrinter
from cc112_pbx.demo.qc import qc_demo
from cc112_pbx.demo.report import summarize
from cc112_pbx.demo.scenario import DemoScenario, build_scenario
from cc112_pbx.emulator.parties import CitizenBehaviour, SeatBehaviour
from cc112_pbx.harness import Switchboard
from cc112_pbx.services.notifier import Notifier

log = structlog.get_logger("cc112.demo")

DEMO_QUEUE = {"ring_timeout": 3, "wrapup_time": 1, "auto_pause_after_missed": 2,
              "hold_announcement_interval": 5, "overflow_after": 0}
# callbacks on a compressed clock: a couple of seconds after the call, two tries, 2 s apart
DEMO_CALLBACKS = {"enabled": True, "first_delay": 2, "retry_interval": 2, "ring_timeout": 2, "max_attempts": 2,
                  "seat_cap": 2}
DEMO_INCIDENT = {"ghost_call_threshold": 1, "repeat_caller_window": 600}
CALLBACK_TALK = 1.0  # seconds a citizen called back talks before the call taker ends it
SETTLE_CALLBACKS = 60.0  # seconds the demo waits for the last callbacks to be tried
STAY_CALL_EVERY = 4.0  # seconds between callers while `--stay` keeps the centre running


def seat_behaviours(scenario: DemoScenario, pace: float) -> dict[str, SeatBehaviour]:
    """Call takers end each call once the report is taken (2.5-3.9 s here, longer than a callback's
    ring time); one never answers."""
    behaviours = {}
    for n in range(1, scenario.seats + 1):
        seat = f"seat{n:02d}"
        if seat == scenario.never_answering_seat:
            behaviours[seat] = SeatBehaviour(seat, actions=("never",))
        else:
            behaviours[seat] = SeatBehaviour(seat, answer_after=0.3, talk_time=round((2.5 + 0.7 * (n % 3)) * pace, 3))
    return behaviours


async def run_demo(*, calls: int, seats: int, seed: int, workdir: Path, live: bool = True,
                   pace: float = 1.0, inspect: Callable[[Switchboard], Awaitable[None]] | None = None,
                   api: bool = True, stay: asyncio.Event | None = None,
                   report: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Play the scenario; `inspect(switchboard)` runs at the end while everything is still up.
    With `api`, the HTTP API runs on a free loopback port and one line on stderr gives its URL and
    an admin token (`api http://HOST:PORT token=TOKEN`). With `stay`, `report(result)` is called
    once the scenario is over and everything keeps running until `stay` is set."""
    # every run starts afresh; its results stay until the next one
    await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
    scenario = build_scenario(calls, seats, seed, pace=pace)
    notifier = Notifier()
    printer = LivePrinter() if live else None
    if printer is not None:
        notifier.subscribe(printer)
    async with Switchboard(workdir, seats=seats, queue=DEMO_QUEUE, seat_behaviours=seat_behaviours(scenario, pace),
                           notifier=notifier, seat_answer_after=0.3, api=api, callback=DEMO_CALLBACKS,
                           incident=DEMO_INCIDENT) as sb:
        if api:
            token = await sb.api_token("demo-admin", "admin")
            print(f"api {sb.api_url} token={token}", file=sys.stderr, flush=True)
        if printer is not None:
            printer.start = time.monotonic()
        await _log_in_everyone(sb, seats)
        await _play(sb, scenario)
        await sb.settled(timeout=10)  # the last hang-ups handled and the journal written
        result = await summarize(sb.app.db, sb.emulator.timeline, wrapup=DEMO_QUEUE["wrapup_time"],
                                 database=str(workdir / "cc112.sqlite3"))
        result.update(await qc_demo(sb, seed))  # issue 18: this week's QC samples, a few scored
        if inspect is not None:
            await inspect(sb)
        if stay is not None:
            result.update(recordings_dir=str(workdir / "recordings"), seed=seed)
            if report is not None:
                report(result)
            await _keep_the_centre_busy(sb, seats, stay, seed)
    result["recordings_dir"] = str(workdir / "recordings")
    result["seed"] = seed
    return result


async def _log_in_everyone(sb: Switchboard, seats: int) -> None:
    for n in range(1, seats + 1):
        sb.dial_feature_code(f"seat{n:02d}", "*11")
    acd = sb.controller.acd
    await sb.emulator.timeline.wait_for(lambda: sum(1 for s in acd.snapshot().seats if s.logged_in) == seats,
                                        timeout=10)


async def _play(sb: Switchboard, scenario: DemoScenario) -> None:
    emu = sb.emulator
    for caller in scenario.callers:  # the citizens the centre may call back
        if caller.number and caller.number.startswith("+"):
            emu.trunk.citizens[caller.number] = CitizenBehaviour(caller.number, action=caller.callback_answer,
                                                                 talk_time=CALLBACK_TALK)
    start = time.monotonic()
    records = []
    events = sorted([(c.at, "call", c) for c in scenario.callers] + [(a.at, "seat", a) for a in scenario.seat_actions],
                    key=lambda item: item[0])
    for at, kind, item in events:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        if kind == "call":
            records.append(emu.place_call(number=item.number, dialled=item.dialled, patience=item.patience,
                                          talk_time=item.talk_time))
        else:
            sb.dial_feature_code(item.seat, item.code)
    await emu.timeline.wait_for(lambda: all(r.ended_at is not None for r in records), timeout=120)
    await _callbacks_tried(sb)


async def _callbacks_tried(sb: Switchboard) -> None:
    """The callbacks of the last dropped and abandoned calls are tried before the summary."""
    controller, emu = sb.controller, sb.emulator

    def done() -> bool:
        legs_done = all(leg.ended_at is not None for leg in emu.timeline.trunk_legs)
        return not controller.callbacks.pending and legs_done and not controller.ctx.sessions.calls

    changed = asyncio.Event()
    unsubscribe = sb.notifier.subscribe(lambda notice: changed.set())  # every call or callback news
    try:
        async with asyncio.timeout(SETTLE_CALLBACKS):
            while not done():
                changed.clear()
                await changed.wait()
    except TimeoutError:
        log.warning("demo_callbacks_still_pending", pending=len(controller.callbacks.pending))
    finally:
        unsubscribe()


async def _keep_the_centre_busy(sb: Switchboard, seats: int, stay: asyncio.Event, seed: int) -> None:
    """`--stay`: while the newcomer explores the console, citizens keep calling: a burst that fills
    the queue (a flood night), then one caller every few seconds, until `stay` is set."""
    rng = random.Random(seed)
    emu = sb.emulator

    def caller() -> None:
        emu.place_call(number=f"+628{rng.randint(11, 99)}{rng.randint(1000000, 9999999)}",
                       dialled=rng.choice(("112", "112", "112", "113", "118")))

    for _ in range(2 * seats):
        caller()
    while not stay.is_set():
        try:
            async with asyncio.timeout(STAY_CALL_EVERY):
                await stay.wait()
        except TimeoutError:
            caller()


def print_summary(result: dict[str, Any], out: Any = None) -> None:
    out = out or sys.stdout
    sl = result["service_level"]
    ftr = result["free_to_ring_ms"]
    lines = [
        "",
        "Summary",
        f"  calls            {result['calls']} ({result['answered']} answered, {result['dropped']} dropped,"
        f" {result['abandoned']} abandoned) in {result['incidents']} incidents",
        f"  callbacks        {_outcomes(result['callbacks'])}; {result['no_callback']} callers without a number "
        "on the supervisor's list",
        f"  recordings       {result['recordings']} files ({result['answered_with_recording']} of "
        f"{result['answered'] + result['dropped']} calls that reached a call taker recorded)",
        f"  service level    {sl['10s']:.0%} answered within 10 s, {sl['15s']:.0%} within 15 s, "
        f"{sl['20s']:.0%} within 20 s",
        f"  free -> ring     p50 {ftr['p50']} ms, p99 {ftr['p99']} ms over {ftr['n']} hand-overs "
        "(seat free with a caller waiting, to its phone ringing)",
        f"  database         {result['database']}",
        f"  recordings dir   {result['recordings_dir']}",
        f"  quality control  {result.get('qc_samples', 0)} samples drawn for {result.get('qc_week', '-')}, "
        f"{result.get('qc_evaluated', 0)} scored on the {result.get('qc_rubric_elements', 0)}-element rubric",
    ]
    print("\n".join(lines), file=out)


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(counts.items())) or "none"
