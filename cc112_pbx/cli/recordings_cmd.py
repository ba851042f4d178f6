"""`cc112 recordings prune [--dry-run]`: apply the retention policy now (the controller also runs it daily).

Deletes the files of recordings older than `[recordings] retention_days` whose incident is closed
or cancelled (or that have none) and no QC sample needs, and marks their rows deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from cc112_pbx.cli.settings_arg import settings_from_args

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("recordings", help="recordings upkeep (retention)",
                                   description="Recordings upkeep.")
    commands = parser.add_subparsers(dest="recordings_command", metavar="ACTION", required=True)
    prune = commands.add_parser(
        "prune", help="delete recordings older than [recordings] retention_days",
        description="Delete the files of recordings older than [recordings] retention_days whose incident is "
                    "closed or cancelled and that no QC sample needs; their rows are kept, marked deleted.")
    prune.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    prune.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    prune.add_argument("--now", type=_moment, default=None, metavar="ISO-TIME",
                       help="judge ages as of this time (default: now; e.g. 2027-03-01T12:00:00+00:00)")
    prune.set_defaults(func=run_prune)


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def run_prune(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if settings is None:
        return EXIT_BAD_CONFIG
    try:
        report = asyncio.run(_prune(settings, args.now or datetime.now(UTC), args.dry_run))
    except Exception as exc:
        print(f"cc112: recordings not pruned: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if report.skipped:
        print(f"nothing pruned: {report.skipped}")
        return EXIT_OK
    verb = "would delete" if report.dry_run else "deleted"
    for recording_id, path in report.deleted:
        print(f"{verb} recording {recording_id}: {path}")
    cutoff = report.cutoff.isoformat() if report.cutoff else "-"
    print(f"{verb} {len(report.deleted)} recording(s) ended before {cutoff}; "
          f"{len(report.kept_for_qc)} kept for QC samples")
    return EXIT_OK


async def _prune(settings, now: datetime, dry_run: bool):
    from cc112_pbx.services.retention import RetentionService
    from cc112_pbx.storage import Database

    async with Database(settings.database.url) as db:
        await db.upgrade()
        service = RetentionService(db.recordings, str(settings.asterisk.recordings_dir),
                                   settings.recordings.retention_days, qc=db.qc)
        return await service.prune(now, dry_run=dry_run)
