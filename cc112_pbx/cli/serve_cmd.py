"""`cc112 run` (alias `cc112 serve`): the whole controller beside a real Asterisk (ARI, AMI, the
database and the HTTP API on `[http] host:port`, 127.0.0.1:8112 by default): the production entry point."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

import structlog

from cc112_pbx.cli.settings_arg import settings_from_args
from cc112_pbx.cli.signals import EXIT_FORCED, stop_on_signals

EXIT_OK = 0  # stopped by SIGINT/SIGTERM (what could not be written in time is logged)
EXIT_UNAVAILABLE = 1  # cannot start: Asterisk unreachable or refusing the credentials
EXIT_TASK_FAILED = 1  # an essential task failed (logged as essential_task_failed): restart the controller
EXIT_BAD_CONFIG = 2

log = structlog.get_logger("cc112.serve")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", aliases=["serve"], help="run the controller against Asterisk (ARI + AMI) with the HTTP API",
        description="Connect to Asterisk's ARI and AMI as configured, take the Stasis app, and handle every "
                    "call until SIGINT or SIGTERM, then stop taking calls, write what is pending and exit 0 "
                    "within the shutdown deadline; a second signal exits at once (130). Fails fast (exit 1) "
                    "when Asterisk is unreachable or refuses the credentials, exits 1 when an essential task "
                    "fails (restart it: calls stay in Asterisk); exit 2 on a bad configuration.",
    )
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    parser.add_argument("--shutdown-deadline", type=_seconds, default=None, metavar="SECONDS",
                        help="on SIGINT/SIGTERM, how long writing what is pending and closing may take; "
                             "what is left is logged (default: 10)")
    parser.add_argument("--no-api", action="store_true", help="do not serve the HTTP API")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.asterisk.errors import AsteriskError
    from cc112_pbx.logs import configure_from_settings
    from cc112_pbx.supervisor import EssentialTaskFailed

    settings = settings_from_args(args)
    if settings is None:
        return EXIT_BAD_CONFIG
    configure_from_settings(settings.logging, args.log_level, args.log_format)
    try:
        asyncio.run(_serve(settings, args.shutdown_deadline, serve_api=not getattr(args, "no_api", False)))
    except AsteriskError as exc:
        print(f"cc112: cannot start: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except EssentialTaskFailed:  # logged once, as essential_task_failed, when it happened
        return EXIT_TASK_FAILED
    return EXIT_OK


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


async def _serve(settings: object, shutdown_deadline: float | None, *, serve_api: bool = True) -> None:
    from cc112_pbx.app import Cc112App

    app = Cc112App(settings)
    app.serve_api = serve_api  # the HTTP API on [http] host:port
    if shutdown_deadline is not None:
        app.shutdown_deadline = shutdown_deadline
    with stop_on_signals(force_exit_code=EXIT_FORCED) as stop:  # a second signal: os._exit(130)
        async with app:
            # what start-up built (about 140,000 objects: modules, the ORM's mappers, settings) lives as
            # long as the process: frozen, a full collection no longer scans it; with 1,000 calls up
            # such a collection had stopped the loop for 30-130 ms (README Performance)
            gc.collect()
            gc.freeze()
            await app.serve_forever(until=stop)  # raises EssentialTaskFailed: stopped in order, exit 1
            log.info("stopping", reason="signal")
