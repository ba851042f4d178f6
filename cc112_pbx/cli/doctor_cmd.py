"""`cc112 doctor [--config FILE] [--json]`: is this installation fit to take calls?

One line per check (OK / WARN / FAIL, the reason, and for a problem the fix); `--json` prints the
same as one JSON document. Exit 0 when nothing failed (warnings allowed), 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path

from cc112_pbx.settings import default_config_path

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check settings, database, ARI, AMI, disk space and recordings",
        description="Check the settings, the database (reachable, schema at head), ARI and AMI (reachable with "
                    "the configured credentials), the recordings disk and every recording's file (present, "
                    "size and SHA-256 as stored). Exit 0 when nothing failed, 1 otherwise.")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    parser.add_argument("--json", action="store_true", help="print the checks as one JSON document")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.cli.doctor_checks import FAIL, SHOWN_PROBLEMS, run_checks

    checks = asyncio.run(run_checks(args.config or default_config_path()))
    failed = any(check.status == FAIL for check in checks)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [dataclasses.asdict(c) for c in checks]}, indent=2))
    else:
        for check in checks:
            print(f"{check.status:<4}  {check.name:<10}  {check.detail}")
            for item in check.items[:SHOWN_PROBLEMS]:
                print(f"{'':<16}- {item}")
            if len(check.items) > SHOWN_PROBLEMS:
                print(f"{'':<16}... and {len(check.items) - SHOWN_PROBLEMS} more (--json lists them all)")
            if check.status != "OK" and check.fix:
                print(f"{'':<16}fix: {check.fix}")
    sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK
