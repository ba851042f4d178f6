"""Capture the demo's wallboard as text for the README: run the default demo (as `cc112 demo`
does, on a 130x100 terminal that nobody sees), keep two frames the wallboard really drew in
that run, and print them and the run's summary.

- the flood night: the frame with the longest queue;
- the frame with the most dispatches on the board (the dispatch part plays once the callers are
  done, so its queue is empty), the latest such frame: by default the last one drawn.

    .venv/bin/python scripts/capture_wallboard.py [--calls 40] [--seats 10] [--seed 112]

Frames are exported with rich's `export_text()`: the text without its colours.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import sys
from pathlib import Path

from rich.console import Console

from cc112_pbx.demo import runner, wallboard
from cc112_pbx.logs import configure_logging

WIDTH = 130
HEIGHT = 100  # rows: the whole board fits (rich's Live crops a frame taller than the terminal)
QUEUE = re.compile(r"queue: (\d+) waiting")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=112)
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"))
    args = parser.parse_args()

    frames = {"flood": (-1, ""), "dispatch": (0, "")}  # kind -> (score, text)
    drawn = 0
    original = wallboard.Wallboard.render
    panels: list[wallboard.CountsPanel] = []  # the default panels the demo put on its board

    def default_panels(subscribe):  # type: ignore[no-untyped-def]
        panels.extend(wallboard.default_panels(subscribe))
        return panels

    def render(self: wallboard.Wallboard, width: int | None = None):  # type: ignore[no-untyped-def]
        nonlocal drawn
        renderable = original(self, width)
        recorder = Console(record=True, file=io.StringIO(), width=WIDTH, force_terminal=True)
        recorder.print(renderable)
        text = recorder.export_text()
        drawn += 1
        match = QUEUE.search(text)
        waiting = int(match.group(1)) if match else 0
        if waiting > frames["flood"][0]:
            frames["flood"] = (waiting, text)
        # what the board's `Dispatches by status` panel counted for this frame (no await in between)
        sent = sum(int(n) for p in panels if p.title == "Dispatches by status" for n in p.counts().values())
        if sent and sent >= frames["dispatch"][0]:
            frames["dispatch"] = (sent, text)
        return renderable

    wallboard.Wallboard.render = render  # type: ignore[method-assign]
    runner.default_panels = default_panels
    configure_logging("error", "console")  # as `cc112 demo` does under the wallboard
    terminal = Console(record=False, file=io.StringIO(), width=WIDTH, height=HEIGHT, force_terminal=True)
    result = asyncio.run(runner.run_demo(calls=args.calls, seats=args.seats, seed=args.seed,
                                         workdir=args.workdir, live=True, wallboard=True, console=terminal))
    print(f"# {drawn} frames drawn; the flood night: {frames['flood'][0]} waiting", file=sys.stderr)
    if "latest events" not in terminal.file.getvalue():  # type: ignore[attr-defined]
        print("# warning: the terminal cropped the board (its bottom block never reached it)", file=sys.stderr)
    print(frames["flood"][1].rstrip("\n"))
    if frames["dispatch"][1]:
        print(f"# the last frame with {frames['dispatch'][0]} dispatches on the board", file=sys.stderr)
        print()
        print(frames["dispatch"][1].rstrip("\n"))
    else:
        print("# no frame showed a dispatch", file=sys.stderr)
    runner.print_summary(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
