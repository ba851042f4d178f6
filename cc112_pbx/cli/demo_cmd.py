"""`cc112 demo`: the main job on the embedded default (emulator + controller + SQLite)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the controller against the built-in Asterisk emulator with simulated callers",
        description="Start the Asterisk emulator, the controller on SQLite, N seats that log in with *11, "
                    "and a seeded stream of callers (a flood night's burst among them); show a live wallboard on "
                    "a terminal (plain lines otherwise), then a summary. The database and the recordings stay in "
                    "--workdir for inspection.",
    )
    parser.add_argument("--calls", type=_positive, default=40, help="number of callers (default 40)")
    parser.add_argument("--seats", type=_positive, default=10, help="number of call-taker seats (default 10)")
    parser.add_argument("--seed", type=int, default=112, help="random seed of the scenario (default 112)")
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"),
                        help="where the database and recordings go (default var/demo; emptied first)")
    parser.add_argument("--speed", type=_speed, default=1.0,
                        help="run the scenario's clock this many times as fast (default 1: about half a minute for "
                             "40 callers; 0.5 is slower, 2 faster; the centre's own timers stay)")
    parser.add_argument("--lang", choices=("en", "id"), default="en",
                        help="the wallboard's language: en (English, default) or id (Bahasa Indonesia)")
    parser.add_argument("--json", action="store_true", help="no live output; one JSON object on stdout")
    parser.add_argument("--plain", action="store_true",
                        help="plain lines instead of the live wallboard even on a terminal (never any escape code "
                             "when standard output is not a terminal)")
    parser.add_argument("--stay", action="store_true",
                        help="after the scenario keep the emulator, the controller and the API running until "
                             "interrupted (Ctrl-C), to explore the API with the printed token")
    parser.add_argument("--no-api", action="store_true", help="do not start the HTTP API")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.1 <= value <= 10:
        raise argparse.ArgumentTypeError("must be between 0.1 and 10")
    return value


def use_wallboard(args: argparse.Namespace, stdout: object = None) -> bool:
    """The rich wallboard only on a terminal, never with --json or --plain."""
    stdout = stdout if stdout is not None else sys.stdout
    isatty = getattr(stdout, "isatty", None)
    return not args.json and not args.plain and isatty is not None and bool(isatty())


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.demo.runner import print_summary, run_demo
    from cc112_pbx.logs import configure_logging

    # the live lines are the demo's output; the controller's own log only shows warnings (errors
    # only under the wallboard: lines on stderr would tear the board, which shows the same news)
    fmt = "json" if args.json else ("console" if args.log_format == "auto" else args.log_format)
    wallboard = use_wallboard(args)
    configure_logging("error" if wallboard else "warning", fmt)
    def report(result: dict) -> None:
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            print_summary(result)
            if args.stay:
                print("\nstill running (--stay): press Ctrl-C to stop", flush=True)

    options = {"calls": args.calls, "seats": args.seats, "seed": args.seed, "workdir": args.workdir,
               "live": not args.json, "api": not args.no_api, "speed": args.speed, "wallboard": wallboard,
               "language": args.lang}

    async def main() -> dict:
        if not args.stay:
            return await run_demo(**options)
        from cc112_pbx.cli.signals import stop_on_signals

        with stop_on_signals() as stop:
            return await run_demo(**options, stay=stop, report=report)

    result = asyncio.run(main())
    if not args.stay:
        report(result)
    return 0
