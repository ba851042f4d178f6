"""`cc112 emulator`: run the Asterisk emulator (real AMI over TCP, real ARI over HTTP + WebSocket).

Prints exactly one line on stdout once listening:
    emulator ready ami=HOST:PORT ari=http://HOST:PORT
and runs until SIGINT / SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cc112_pbx.cli.signals import stop_on_signals

if TYPE_CHECKING:
    from cc112_pbx.emulator.server import EmulatorConfig

EXIT_OK = 0
EXIT_FAILED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "emulator", help="run the Asterisk emulator (AMI + ARI) for tests and the demo",
        description="An Asterisk stand-in speaking AMI (TCP) and ARI (HTTP + WebSocket), with "
        "simulated softphones, callers and a trunk. Port 0 picks a free port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--ami-port", type=int, default=5038, help="AMI port (default: 5038; 0 = any)")
    parser.add_argument("--ari-port", type=int, default=8088, help="ARI port (default: 8088; 0 = any)")
    parser.add_argument("--ami-user", default="cc112")
    parser.add_argument("--ami-secret", default="cc112secret")
    parser.add_argument("--ari-user", default="cc112")
    parser.add_argument("--ari-password", default="cc112secret")
    parser.add_argument("--seats", type=int, default=0, metavar="N",
                        help="simulated softphones PJSIP/seat01..N, registered, answering after a delay")
    parser.add_argument("--seat-answer-after", type=float, default=1.0, metavar="SECONDS",
                        help="how long a simulated softphone rings before answering (default: 1.0)")
    parser.add_argument("--recordings-dir", type=Path, default=Path("var/recordings"), metavar="DIR",
                        help="where recordings are written (default: var/recordings)")
    parser.add_argument("--scenario", type=Path, default=None, metavar="FILE",
                        help="TOML or JSON scenario: seats, callers, trunk citizens")
    parser.set_defaults(func=run_emulator)


def run_emulator(args: argparse.Namespace) -> int:
    from cc112_pbx.emulator.scenario import Scenario, ScenarioError, load_scenario
    from cc112_pbx.emulator.server import EmulatorConfig

    if args.seats < 0:
        print("cc112 emulator: --seats must be 0 or more", file=sys.stderr)
        return EXIT_FAILED
    try:
        scenario = load_scenario(args.scenario) if args.scenario else Scenario()
    except ScenarioError as exc:
        print(f"cc112 emulator: {exc}", file=sys.stderr)
        return EXIT_FAILED
    config = EmulatorConfig(
        host=args.host, ami_port=args.ami_port, ari_port=args.ari_port, ami_user=args.ami_user,
        ami_secret=args.ami_secret, ari_user=args.ari_user, ari_password=args.ari_password,
        seats=args.seats, seat_answer_after=args.seat_answer_after, recordings_dir=args.recordings_dir,
        scenario=scenario,
    )
    try:
        asyncio.run(_serve(config))
    except OSError as exc:
        print(f"cc112 emulator: cannot listen: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


async def _serve(config: EmulatorConfig) -> None:
    from cc112_pbx.emulator.server import Emulator

    with stop_on_signals() as stop:
        async with Emulator(config) as emu:
            print(f"emulator ready ami={config.host}:{emu.ami_port} ari={emu.ari_url}", flush=True)
            await stop.wait()
