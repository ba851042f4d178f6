"""The `cc112` command line: one sub-command module per role, registered here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cc112_pbx import __version__
from cc112_pbx.logs import configure_logging

# Each module exposes `register(subparsers)`; it adds its sub-command(s) and sets
# `func(args) -> int` on its parser. Add a line here when a command group exists.
COMMAND_MODULES: tuple[str, ...] = (
    "cc112_pbx.cli.config_cmd",
    "cc112_pbx.cli.asterisk_cmd",
    "cc112_pbx.cli.db_cmd",
    "cc112_pbx.cli.emulator_cmd",
    "cc112_pbx.cli.demo_cmd",
    "cc112_pbx.cli.serve_cmd",
    "cc112_pbx.cli.bench_cmd",
    "cc112_pbx.cli.user_cmd",
    "cc112_pbx.cli.watchdog_cmd",
    "cc112_pbx.cli.doctor_cmd",
    "cc112_pbx.cli.recordings_cmd",
    "cc112_pbx.cli.qc_cmd",
)

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cc112",
        description="cc112-pbx: the controller beside Asterisk for Call Center 112.",
    )
    parser.add_argument("--version", action="version", version=f"cc112 {__version__}")
    parser.add_argument(
        "--log-format",
        choices=("auto", "console", "json"),
        default="auto",
        help="console on a terminal, JSON lines otherwise (default: auto)",
    )
    parser.add_argument("--log-level", default=None, help="override the configured log level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        configure_logging(args.log_level or "info", args.log_format)
    except ValueError as exc:
        parser.error(str(exc))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return int(func(args) or 0)
