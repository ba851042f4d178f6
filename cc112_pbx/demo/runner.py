"""Run the demo: emulator + controller on SQLite, seats log in with *11, callers arrive."""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from cc112_pbx.demo.call_takers import CallTakers
from cc112_pbx.demo.caller_intel import CallerIntel
from cc112_pbx.demo.dispatch import dispatch_summary, play_dispatches
from cc112_pbx.demo.live import LivePrinter
from cc112_pbx.demo.qc import qc_demo
from cc112_pbx.demo.report import summarize, summary_problems
from cc112_pbx.demo.scenario import DemoScenario, build_scenario
from cc112_pbx.demo.wallboard import REFRESH, CountsPanel, Wallboard, WallboardState, default_panels, show
from cc112_pbx.emulator.parties import CitizenBehaviour, SeatBehaviour
from cc112_pbx.harness import Switchboard
from cc112_pbx.services.notifier import Notifier

log = structlog.get_logger("cc112.demo")

DEMO_QUEUE = {"ring_timeout": 3, "wrapup_time": 1, "auto_pause_after_missed": 2,
              "hold_announcement_interval": 5, "overflow_after": 0}
# callbacks on a compressed clock: a couple of seconds after the call, two tries, 2 s apart
DEMO_CALLBACKS = {"enabled": True, "first_delay": 2, "retry_interval": 2, "ring_timeout": 2, "max_attempts": 2,
                  "seat_cap": 2}
DEMO_INCIDENT = {"ghost_call_threshold": 1, "repeat_caller_window": 600, "prank_flag_after": 2,
                 "silent_caller_prompt_after": 1}
CALLBACK_TALK = 1.0  # seconds a citizen called back talks before the call taker ends it
SETTLE_CALLBACKS = 60.0  # seconds the demo waits for the last callbacks to be tried
# figures other demo parts add to the result, shown in the summary as they are (dispatches, QC ...)
EXTRA_SUMMARY_KEYS: tuple[str, ...] = ()  # dispatch, caller intel and QC have their own lines
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
                   report: Callable[[dict[str, Any]], None] | None = None, speed: float = 1.0,
                   wallboard: bool = False, console: Any = None, language: str = "en") -> dict[str, Any]:
    """Play the scenario; `inspect(switchboard)` runs at the end while everything is still up.
    With `api`, the HTTP API runs on a free loopback port and one line on stderr gives its URL and
    an admin token (`api http://HOST:PORT token=TOKEN`). With `stay`, `report(result)` is called
    once the scenario is over and everything keeps running until `stay` is set.
    `live`: the live lines on stdout, or with `wallboard` the rich wallboard on `console` (a
    terminal, in `language`: en or id) with those lines as its log. `speed` runs the scenario's clock that many times as
    fast (the centre's own timers, whole seconds, stay)."""
    # every run starts afresh; its results stay until the next one
    await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
    pace = pace / speed
    scenario = build_scenario(calls, seats, seed, pace=pace)
    intel = CallerIntel(scenario, pace)  # issue 19: AML posts, prank tags, ghost and silent callers
    notifier = Notifier()
    board_state = WallboardState() if live and wallboard else None
    printer = LivePrinter(sink=board_state.log_line if board_state else None) if live else None
    if board_state is not None:
        notifier.subscribe(board_state)
    if printer is not None:
        notifier.subscribe(printer)
    async with Switchboard(workdir, seats=seats, queue=DEMO_QUEUE, seat_behaviours=seat_behaviours(scenario, pace),
                           notifier=notifier, seat_answer_after=0.3, api=api, callback=DEMO_CALLBACKS,
                           incident=DEMO_INCIDENT, aml=intel.aml_settings) as sb:
        subtitle = ""
        if api:
            token = await sb.api_token("demo-admin", "admin")
            print(f"api {sb.api_url} token={token}", file=sys.stderr, flush=True)
            subtitle = f"console: {sb.api_url}/#token=..."
        takers = CallTakers(sb.app)
        notifier.subscribe(takers)
        if printer is not None:
            printer.start = time.monotonic()
        board = None
        qc_figures: dict[str, int] = {}
        if board_state is not None and printer is not None:
            board = Wallboard(board_state, sb.app.api.live.snapshot, numbers=printer.numbers, subtitle=subtitle,
                              language=language)
            for panel in default_panels(notifier.subscribe):
                if panel.title != "QC samples":  # the QC draw below counts its own
                    board.add_panel(panel)
            board.add_panel(CountsPanel("QC samples", lambda: dict(qc_figures), "no sample drawn yet"))
        async with show(board, console) if board is not None else contextlib.nullcontext():
            await _log_in_everyone(sb, seats)
            await intel.start(sb, seats)
            await _play(sb, scenario, takers, pace)
            await sb.settled(timeout=10)  # the last hang-ups handled and the journal written
            await play_dispatches(sb, seed)  # issue 17: agencies, officers on the move, dispatch lifecycles
            intel_counts = await intel.finish(sb)
            await sb.settled(timeout=10)
            await takers.drain()
            qc = await qc_demo(sb, seed)  # issue 18: this week's QC samples, a few scored
            qc_figures.update({"drawn": qc["qc_samples"], "scored": qc["qc_evaluated"]})
            if board is not None:
                await asyncio.sleep(REFRESH * 2)  # the last frame shows the draw
        result = await summarize(sb.app.db, sb.emulator.timeline, wrapup=DEMO_QUEUE["wrapup_time"],
                                 database=str(workdir / "cc112.sqlite3"),
                                 ghost_after=DEMO_INCIDENT["ghost_call_threshold"])
        result.update(recordings_dir=str(workdir / "recordings"), seed=seed, speed=speed,
                      reports_written=takers.written, callers=caller_kinds(scenario),
                      seat_actions=seat_actions(scenario, sb))
        result.update(intel_counts)
        result.update(await dispatch_summary(sb.app.db))
        result.update(qc)
        result["problems"] = summary_problems(result)
        if inspect is not None:
            await inspect(sb)
        if stay is not None:
            if report is not None:
                report(result)
            async with show(board, console) if board is not None else contextlib.nullcontext():
                await _keep_the_centre_busy(sb, seats, stay, seed)
    return result


def caller_kinds(scenario: DemoScenario) -> dict[str, int]:
    """Who called, as the scenario played it: each `kind`, and SIM-less, withheld, in the burst."""
    callers = scenario.callers
    kinds = Counter(c.kind for c in callers)
    kinds.update(sim_less=sum(1 for c in callers if c.number is None),
                 withheld=sum(1 for c in callers if c.number == "anonymous"),
                 flood_burst=sum(1 for c in callers if c.burst))
    return dict(kinds)


def seat_actions(scenario: DemoScenario, sb: Switchboard) -> list[str]:
    """What the seats did on their own (feature codes), and which the ACD auto-paused."""
    done = [f"{a.seat} {a.what} ({a.code})" for a in scenario.seat_actions]
    done += [f"{s.seat_id} auto-paused" for s in sb.controller.acd.snapshot().seats
             if s.pause_reason == "missed_offers"]
    return done


async def _log_in_everyone(sb: Switchboard, seats: int) -> None:
    for n in range(1, seats + 1):
        sb.dial_feature_code(f"seat{n:02d}", "*11")
    acd = sb.controller.acd
    await sb.emulator.timeline.wait_for(lambda: sum(1 for s in acd.snapshot().seats if s.logged_in) == seats,
                                        timeout=10)


async def _play(sb: Switchboard, scenario: DemoScenario, takers: CallTakers, pace: float) -> None:
    emu = sb.emulator
    for caller in scenario.callers:  # the citizens the centre may call back
        if caller.number and caller.number.startswith("+"):
            emu.trunk.citizens[caller.number] = CitizenBehaviour(caller.number, action=caller.callback_answer,
                                                                 talk_time=CALLBACK_TALK * pace)
    start = time.monotonic()
    records = []
    events = sorted([(c.at, "call", c) for c in scenario.callers] + [(a.at, "seat", a) for a in scenario.seat_actions],
                    key=lambda item: item[0])
    for at, kind, item in events:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        if kind == "call":
            record = emu.place_call(number=item.number, dialled=item.dialled, patience=item.patience,
                                    talk_time=item.talk_time, silent=item.silent,
                                    dtmf=item.dtmf, **item.behaviour)
            takers.placed(record.inbound_id, item)
            records.append(record)
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
    problems = result.get("problems", [])
    lines = [
        "",
        "Summary",
        f"  callers          {_callers(result.get('callers', {}))}",
        f"  seats            {', '.join(result.get('seat_actions', [])) or 'no seat action'}",
        f"  calls            {result['calls']} citizen calls = {result['answered']} answered (a call taker took "
        f"them; {result['dropped']} of them dropped mid-report) + {result['abandoned']} abandoned (gave up waiting)",
        f"  incidents        {result['incidents']} (+ {result['repeat_calls']} repeat call(s) that joined an open one)"
        f"; reports by category: {_outcomes(result['categories'])}",
        f"  callbacks        {result['callback_due']} abandoned or dropped callers with a number"
        f"{' (not ghost calls)' if result['ghost_calls'] else ''}: "
        f"{_outcomes(result['callback_results'])}; attempts: {_outcomes(result['callbacks'])}",
        f"  no callback      {result['no_callback']} callers without a number on the supervisor's list",
        f"  recordings       {result['recordings']} files ({result['answered_with_recording']} of the "
        f"{result['answered']} answered calls recorded, and the callbacks)",
        f"  service level    {sl['10s']:.0%} answered within 10 s, {sl['15s']:.0%} within 15 s, "
        f"{sl['20s']:.0%} within 20 s",
        f"  free -> ring     p50 {ftr['p50']} ms, p99 {ftr['p99']} ms over {ftr['n']} hand-overs "
        "(seat free with a caller waiting, to its phone ringing)",
        f"  caller intel     {result.get('aml_matched', 0)} AML positions matched, {result.get('prank_tagged', 0)} "
        f"calls tagged prank ({result.get('prank_flagged_calls', 0)} arrived flagged, still answered), "
        f"{result.get('ghost_tagged', 0)} ghost, {result.get('silent_emergencies', 0)} silent emergencies (5 5)",
        f"  dispatches       {result.get('dispatches', 0)} to the agencies "
        f"({_outcomes(result.get('dispatch_statuses', {}))})",
        *[f"  {key:<16} {result[key]}" for key in EXTRA_SUMMARY_KEYS if key in result],
        f"  adds up          {'yes' if not problems else 'NO: ' + '; '.join(problems)}",
        f"  database         {result['database']}",
        f"  recordings dir   {result['recordings_dir']}",
        f"  quality control  {result.get('qc_samples', 0)} samples drawn for {result.get('qc_week', '-')}, "
        f"{result.get('qc_evaluated', 0)} scored on the {result.get('qc_rubric_elements', 0)}-element rubric",
    ]
    print("\n".join(lines), file=out)


CALLER_WORDS = {"report": "reports", "abandon": "impatient (may give up)", "drop": "lines that drop",
                "repeat": "repeat caller", "sim_less": "SIM-less (no number)", "withheld": "withheld number",
                "flood_burst": "in the flood night's burst"}


def _callers(kinds: dict[str, int]) -> str:
    order = [k for k in CALLER_WORDS if k in kinds] + sorted(k for k in kinds if k not in CALLER_WORDS)
    return ", ".join(f"{kinds[k]} {CALLER_WORDS.get(k, k.replace('_', ' '))}" for k in order)


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(counts.items())) or "none"
