"""`cc112 db upgrade` (apply the migrations) and `cc112 db current` (show the schema revision)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import structlog

from cc112_pbx.cli.settings_arg import settings_from_args
from cc112_pbx.settings.summary import safe_url
from cc112_pbx.storage import Database, head_revision

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2

log = structlog.get_logger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db", help="manage the database schema",
        description="Manage the database schema (Alembic migrations).",
    )
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = commands.add_parser(
        "upgrade",
        help="create or upgrade the schema to the newest version",
        description="Apply the migrations shipped with cc112 (idempotent); the controller does it at start.",
    )
    current = commands.add_parser(
        "current", help="print the schema revision",
        description="Print the database's schema revision and the newest one shipped.",
    )
    for sub, func in ((upgrade, run_upgrade), (current, run_current)):
        sub.add_argument("--config", type=Path, default=None, metavar="FILE",
                         help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
        sub.add_argument("--url", default=None,
                         help="database URL overriding the configuration, e.g. sqlite+aiosqlite:///var/x.sqlite3")
        sub.set_defaults(func=func)


def _database_url(args: argparse.Namespace) -> str | None:
    if args.url:
        return args.url
    settings = settings_from_args(args)
    return settings.database.url if settings is not None else None


def run_upgrade(args: argparse.Namespace) -> int:
    url = _database_url(args)
    if url is None:
        return EXIT_BAD_CONFIG
    try:
        revision = asyncio.run(_upgrade(url))
    except Exception as exc:  # the message is the useful part; the traceback only with --log-level debug
        log.debug("database_upgrade_failed", url=safe_url(url), exc_info=True)
        print(f"cc112: database upgrade failed for {safe_url(url)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"database {safe_url(url)} is at revision {revision} (head {head_revision()})")
    return EXIT_OK


def run_current(args: argparse.Namespace) -> int:
    url = _database_url(args)
    if url is None:
        return EXIT_BAD_CONFIG
    try:
        revision = asyncio.run(_current(url))
    except Exception as exc:
        print(f"cc112: cannot read {safe_url(url)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"database {safe_url(url)} is at revision {revision or 'none (empty)'} (head {head_revision()})")
    return EXIT_OK


async def _upgrade(url: str) -> str | None:
    async with Database(url) as db:
        await db.upgrade()
        return await db.revision()


async def _current(url: str) -> str | None:
    async with Database(url) as db:
        return await db.revision()
