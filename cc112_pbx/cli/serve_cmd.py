"""`cc112 serve`: the controller beside a real Asterisk (the production entry point)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import structlog

from cc112_pbx.cli.signals import stop_on_signals
from cc112_pbx.settings import SettingsError, default_config_path, load_settings

EXIT_OK = 0
EXIT_UNAVAILABLE = 1
EXIT_BAD_CONFIG = 2

log = structlog.get_logger("cc112.serve")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the controller against Asterisk (ARI + AMI)",
        description="Connect to Asterisk's ARI and AMI as configured, take the Stasis app, and handle every "
                    "call until SIGINT or SIGTERM. Fails fast (exit 1) when Asterisk is unreachable or refuses "
                    "the credentials; exit 2 on a bad configuration.",
    )
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.asterisk.errors import AsteriskError
    from cc112_pbx.logs import configure_from_settings

    try:
        settings = load_settings(args.config or default_config_path(), os.environ)
    except SettingsError as exc:
        print(f"cc112: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    configure_from_settings(settings.logging, args.log_level, args.log_format)
    try:
        asyncio.run(_serve(settings))
    except AsteriskError as exc:
        print(f"cc112: cannot start: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return EXIT_OK


async def _serve(settings: object) -> None:
    from cc112_pbx.app import Cc112App

    with stop_on_signals() as stop:
        async with Cc112App(settings):
            await stop.wait()
            log.info("stopping", reason="signal")
