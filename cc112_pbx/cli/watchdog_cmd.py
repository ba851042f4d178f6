"""`cc112 watchdog`: beside the controller, hand callers orphaned in the Stasis app to the fallback queue.

See `cc112_pbx/services/watchdog.py` for what it does and how it decides that no controller holds
the app (the controller's `/healthz`). Runs until SIGINT/SIGTERM; exit 2 on a bad configuration,
1 when ARI is unreachable at start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import structlog

from cc112_pbx.cli.settings_arg import settings_from_args

EXIT_OK = 0
EXIT_UNAVAILABLE = 1
EXIT_BAD_CONFIG = 2
PROBE_TIMEOUT = 1.0  # seconds the controller's /healthz may take before it counts as absent

log = structlog.get_logger("cc112.watchdog")


def register(subparsers: argparse._SubParsersAction) -> None:
    from cc112_pbx.services.watchdog import ABSENT_AFTER, CHECK_INTERVAL, FALLBACK_TARGET

    parser = subparsers.add_parser(
        "watchdog", help="hand callers orphaned in the Stasis app to the fallback queue when no controller holds it",
        description="Watch the controller (its /healthz); when no controller has held the Stasis app for "
                    "--absent-after seconds, send every caller still held in the app into the dialplan's "
                    "fallback (ARI POST /channels/{id}/continue), where the logged-in seats ring. "
                    "Runs beside `cc112 run` until SIGINT/SIGTERM.")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    parser.add_argument("--controller-url", default=None, metavar="URL",
                        help="the controller's HTTP API (default: http://[http] host:port)")
    parser.add_argument("--absent-after", type=_seconds, default=ABSENT_AFTER, metavar="SECONDS",
                        help=f"seconds with no controller before its callers move (default {ABSENT_AFTER:g})")
    parser.add_argument("--interval", type=_seconds, default=CHECK_INTERVAL, metavar="SECONDS",
                        help=f"seconds between looks (default {CHECK_INTERVAL:g})")
    parser.add_argument("--context", default=FALLBACK_TARGET.context, help="fallback context (default %(default)s)")
    parser.add_argument("--extension", default=FALLBACK_TARGET.extension,
                        help="fallback extension (default %(default)s)")
    parser.add_argument("--priority", type=int, default=FALLBACK_TARGET.priority,
                        help="fallback priority (default %(default)s)")
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.asterisk.errors import AsteriskError
    from cc112_pbx.logs import configure_from_settings

    settings = settings_from_args(args)
    if settings is None:
        return EXIT_BAD_CONFIG
    configure_from_settings(settings.logging, args.log_level, args.log_format)
    url = (args.controller_url or f"http://{settings.http.host}:{settings.http.port}").rstrip("/")
    try:
        asyncio.run(_watch(settings, args, url))
    except AsteriskError as exc:
        print(f"cc112: watchdog cannot start: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return EXIT_OK


async def controller_holds_app(http: Any, url: str) -> bool:
    """The controller at `url` holds the Stasis app (`/healthz`: `ari.state == "connected"`). A standby of
    an HA pair (issue 21) does not: the leader it names is asked instead."""
    import aiohttp

    async def healthz(where: str) -> object:
        async with http.get(f"{where}/healthz", timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)) as resp:
            return await resp.json(content_type=None)

    body = await healthz(url)
    leader = (body.get("ha") or {}).get("leader") if isinstance(body, dict) else None
    if isinstance(body, dict) and body.get("role") == "standby" and isinstance(leader, str) and leader:
        body = await healthz(leader)
    return isinstance(body, dict) and (body.get("ari") or {}).get("state") == "connected"


async def _watch(settings, args: argparse.Namespace, url: str) -> None:
    import aiohttp

    from cc112_pbx.asterisk import AriClient
    from cc112_pbx.cli.signals import stop_on_signals
    from cc112_pbx.services.watchdog import FallbackTarget, OrphanWatchdog, WatchdogPorts

    async with AriClient.from_settings(settings) as ari, aiohttp.ClientSession() as http:
        await ari.list_channels()  # fail fast on a wrong address or password

        async def holds_app() -> bool:
            return await controller_holds_app(http, url)

        async def hand_over(channel_id: str, target: FallbackTarget) -> None:
            await ari.continue_in_dialplan(channel_id, context=target.context, extension=target.extension,
                                           priority=target.priority)

        ports = WatchdogPorts(holds_app=holds_app, channels=ari.list_channels, bridges=ari.list_bridges,
                              hand_over=hand_over, monotonic=time.monotonic)
        watchdog = OrphanWatchdog(ports, app=settings.asterisk.ari_app, absent_after=args.absent_after,
                                  target=FallbackTarget(args.context, args.extension, args.priority))
        log.info("watchdog_watching", controller=url, ari=ari.base_url)
        with stop_on_signals() as stop:
            await watchdog.run(stop, interval=args.interval)
