"""The demo's wallboard: drawn from the notices and a controller snapshot into a rich Console
(a StringIO file), with the flags, seats, service level, callbacks, the dispatch/QC panels
and the latest events; no escape code when the output is not a terminal."""

from __future__ import annotations

import argparse
import io
import itertools
from typing import Any

from rich.console import Console

from cc112_pbx.cli.demo_cmd import use_wallboard
from cc112_pbx.demo.live import LivePrinter
from cc112_pbx.demo.wallboard import (
    CountsPanel,
    LatestStatus,
    Wallboard,
    WallboardState,
    default_panels,
    has_flag,
    show,
)
from cc112_pbx.services.notifier import Notifier
from tests.waiting import wait_until

SNAPSHOT: dict[str, Any] = {
    "waiting": [
        {"call_id": "c3", "caller": None, "caller_kind": "none", "waiting_s": 12.4, "repeat_of": None},
        {"call_id": "c4", "caller": "+6281111111", "caller_kind": "number", "waiting_s": 3.0, "repeat_of": 7},
        {"call_id": "c5", "caller": "+6282222222", "caller_kind": "number", "waiting_s": 1.0, "repeat_of": None},
    ],
    "ringing": [{"call_id": "c6", "seat": "seat03"}],
    "connected": [{"call_id": "c1", "seat": "seat01"}],
    "longest_wait_s": 12.4,
    "seats": [
        {"seat": "seat01", "status": "on_call", "call_id": "c1", "state_s": 4.0, "answered": 3, "reachable": True},
        {"seat": "seat02", "status": "paused", "pause_reason": "break", "state_s": 9.0, "answered": 1,
         "call_id": None},
        {"seat": "seat03", "status": "offered", "call_id": "c6", "state_s": 0.5, "answered": 0},
        {"seat": "seat04", "status": "logged_out", "call_id": None, "state_s": None, "answered": 2},
        {"seat": "seat05", "status": "wrap_up", "call_id": None, "state_s": 0.2, "answered": 5},
    ],
}


def fed_board() -> tuple[Wallboard, Notifier]:
    notifier = Notifier()
    state = WallboardState()
    printer = LivePrinter(sink=state.log_line, start=0.0)
    notifier.subscribe(state)
    notifier.subscribe(printer)
    board = Wallboard(state, lambda: SNAPSHOT, numbers=printer.numbers, subtitle="console: http://x/#token=...",
                      clock=itertools.count(0.0, 42.0).__next__)  # started at 0, drawn at 42 s
    for panel in default_panels(notifier.subscribe):
        board.add_panel(panel)
    arrive = {"caller_kind": "number", "no_callback": False, "dialled": "112", "category": None}
    for n in range(1, 7):
        notifier.publish("call_arrived", call_id=f"c{n}", caller=f"+62800{n}", **arrive)
    notifier.publish("call_connected", call_id="c1", seat="seat01", waited=4.0)
    notifier.publish("call_connected", call_id="c2", seat="seat02", waited=12.0)
    notifier.publish("call_ended", call_id="c2", outcome="dropped", seat="seat02", waited=12.0)
    notifier.publish("callback_scheduled", call_id="c2", reason="dropped", number="+628002", dialable=True)
    notifier.publish("callback_outcome", call_id="cb1", callback_of="c2", attempt=1, outcome="no_answer")
    notifier.publish("callback_outcome", call_id="cb2", callback_of="c2", attempt=2, outcome="connected")
    notifier.publish("call_arrived", call_id="c7", caller=None, **{**arrive, "caller_kind": "none"})
    notifier.publish("call_ended", call_id="c7", outcome="abandoned", seat=None, waited=2.0)
    notifier.publish("callback_scheduled", call_id="c7", reason="abandoned", number=None, dialable=False)
    notifier.publish("silent_call", call_id="c5", incident_id=5)
    notifier.publish("seat_ringing", call_id="c4", seat="seat03", prank_flag={"pranks": 3})  # a repeat-prank number
    notifier.publish("call_tagged", call_id="c3", tag="abusive", seat="seat01")  # the call taker's one-key tag
    notifier.publish("dispatch_created", dispatch_id=1, status="created")
    notifier.publish("dispatch_changed", dispatch={"id": 1, "status": "en_route"}, status="en_route",
                     previous="created")  # the shape the dispatch feature publishes
    notifier.publish("dispatch_changed", dispatch_id=2, status="created")
    notifier.publish("dispatch_overdue", dispatch_id=3)  # no status: not counted
    notifier.publish("qc_sample_drawn", sample_id=9)
    return board, notifier


def draw(board: Wallboard, **console: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=130, **console).print(board.render())
    return out.getvalue()


def test_the_board_shows_the_queue_with_flags_the_seats_the_figures_and_the_latest_events():
    board, _ = fed_board()
    text = draw(board)
    assert "queue: 3 waiting" in text
    row3 = next(line for line in text.splitlines() if "#3 " in line and "12.4 s" in line)
    assert "no number" in row3 and "PRANK?" in row3
    row4 = next(line for line in text.splitlines() if "#4 " in line and "3.0 s" in line)
    assert "repeat" in row4 and "PRANK?" in row4
    row5 = next(line for line in text.splitlines() if "#5 " in line and "1.0 s" in line)
    assert "silent" in row5 and "repeat" not in row5 and "PRANK?" not in row5
    assert "longest 12.4 s" in text and "t =   42.0 s" in text
    seats = {line.split()[1]: line for line in text.splitlines() if "seat0" in line and "│" in line}
    assert "on a call" in seats["seat01"] and "#1" in seats["seat01"]
    assert "paused (break)" in seats["seat02"]
    assert "ringing" in seats["seat03"] and "#6" in seats["seat03"]
    assert "logged out" in seats["seat04"] and "wrap-up" in seats["seat05"]
    # two answered, one within 10 s; one abandoned: the shares are of the three decided calls
    assert "33%  answered within 10 s (1)" in text and "67%  answered within 15 s (2)" in text
    assert "1  abandoned" in text and "1  dropped" in text and "7  calls in" in text
    assert "1  scheduled" in text and "1  no answer" in text and "1  connected" in text
    assert "1  no number: supervisor's list" in text
    assert "1  created" in text and "1  en_route" in text and "1  drawn" in text
    assert "call #7   arrives from no number (SIM-less phone)" in text  # the log: LivePrinter's lines
    assert "call #2   dropped: will be called back on +628002" in text


def test_the_board_in_bahasa_indonesia():
    board, _ = fed_board()
    board.words = Wallboard(WallboardState(), dict, language="id").words
    text = draw(board)
    assert "antrean: 3 menunggu" in text and "tanpa nomor ISENG?" in text and "berulang ISENG?" in text
    assert "jeda (istirahat)" in text and "sedang melayani" in text and "keluar" in text
    assert "33%  dijawab dalam 10 dtk (1)" in text and "1  tidak diangkat" in text
    assert "Pengerahan per status" in text and "Telepon balik" in text and "kejadian terbaru" in text
    assert "queue" not in text and "answered within" not in text


def test_a_narrow_terminal_gets_the_blocks_one_under_the_other():
    board, _ = fed_board()
    out = io.StringIO()
    Console(file=out, width=80).print(board.render(80))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    seats = next(i for i, line in enumerate(lines) if "─ seats " in line)
    queue = next(i for i, line in enumerate(lines) if "─ queue: 3 waiting " in line)
    assert queue < seats  # stacked, not side by side
    assert any("paused (break)" in line for line in lines)  # not cut to fit half a screen
    assert any("no number PRANK?" in line for line in lines)


def test_a_panel_plugged_in_shows_its_counts_and_a_broken_one_does_not_stop_the_board():
    board, _ = fed_board()
    board.add_panel(CountsPanel("Officers", lambda: {"on scene": 2, "en route": 1}))

    def broken() -> dict[str, int]:
        raise RuntimeError("no data")

    board.add_panel(CountsPanel("Broken", broken))
    text = draw(board)
    assert "2  on scene" in text and "1  en route" in text
    assert "unavailable: RuntimeError('no data')" in text


def test_empty_panels_say_so():
    state = WallboardState()
    notifier = Notifier()
    board = Wallboard(state, lambda: {"waiting": [], "seats": []}, clock=lambda: 0.0)
    for panel in default_panels(notifier.subscribe):
        board.add_panel(panel)
    text = draw(board)
    assert "no caller waiting" in text and "no dispatch yet" in text and "no sample drawn yet" in text
    assert "(nothing yet)" in text


def test_latest_status_reads_notices_defensively():
    counts = LatestStatus("dispatch", ("dispatch.id", "dispatch_id", "id"), ("status", "dispatch.status"))
    for notice in ({"kind": "dispatch_changed", "id": 4, "status": "accepted"},
                   {"kind": "dispatch_changed", "dispatch_id": 4, "status": "resolved"},
                   {"kind": "dispatch_changed", "status": "accepted"},  # no id
                   {"kind": "dispatch_changed", "dispatch_id": 5},  # no status
                   {"kind": "call_ended", "id": 6, "status": "accepted"},  # not a dispatch
                   {"kind": "dispatch_changed", "dispatch": {"id": 7, "status": "on_scene"}},  # nested
                   {"kind": "dispatch_changed", "dispatch": "8", "status": "x"}):  # not a mapping: no id
        counts(notice)
    assert counts.counts() == {"resolved": 1, "on_scene": 1}


def test_flags_come_in_several_shapes():
    assert has_flag({"prank": True}, "prank") and has_flag({"prank_suspect": 1}, "prank")
    assert has_flag({"flags": ["prank", "ghost"]}, "prank") and has_flag({"tags": ("prank",)}, "prank")
    assert has_flag({"prank_flag": {"number": "+62811", "pranks": 3}}, "prank")  # the repeat-prank flag
    assert not has_flag({"prank": False, "flags": None}, "prank") and not has_flag({}, "prank")


def test_no_escape_codes_unless_the_output_is_a_terminal():
    board, _ = fed_board()
    assert "\x1b" not in draw(board)  # a StringIO is not a terminal: plain text
    assert "\x1b[" in draw(board, force_terminal=True)  # the same board on a terminal is in colour


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_wallboard_is_used_only_on_a_terminal_without_json_or_plain():
    args = argparse.Namespace(json=False, plain=False)
    assert use_wallboard(args, _Tty()) and not use_wallboard(args, io.StringIO())
    assert not use_wallboard(argparse.Namespace(json=True, plain=False), _Tty())
    assert not use_wallboard(argparse.Namespace(json=False, plain=True), _Tty())


async def test_show_redraws_while_the_demo_runs_and_leaves_the_last_frame():
    frames = []
    state = WallboardState()
    board = Wallboard(state, lambda: {"waiting": [], "seats": []}, clock=lambda: 0.0)
    original = board.render

    def counting_render(width=None):
        frames.append(len(state.log))
        return original(width)

    board.render = counting_render  # type: ignore[method-assign]
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True)
    async with show(board, console, refresh=0.01):
        state.log_line("first line")
        await wait_until(lambda: len(frames) >= 3 and frames[-1] == 1, timeout=5)
        state.log_line("last line")
    assert "last line" in out.getvalue()  # the final frame is drawn on the way out
