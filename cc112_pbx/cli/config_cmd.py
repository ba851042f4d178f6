"""`cc112 config check FILE` and `cc112 config show`: validate and summarise the configuration."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cc112_pbx.settings import SettingsError, default_config_path, load_settings, summarize

EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config", help="check or show the configuration", description="Check or show the configuration."
    )
    commands = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = commands.add_parser(
        "check",
        help="validate a configuration file (with CC112_* environment overrides)",
        description='Validate FILE. Prints "ok" and a summary, or every error (exit code 2).',
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the TOML file, e.g. config/cc112.toml")
    check.set_defaults(func=run_check)
    show = commands.add_parser(
        "show",
        help="print the effective settings summary (secrets masked)",
        description="Print the effective settings (file plus CC112_* overrides); secrets show as set/unset.",
    )
    show.add_argument("--config", type=Path, default=None, metavar="FILE",
                      help="configuration file (default: $CC112_CONFIG, else config/cc112.toml if present)")
    show.set_defaults(func=run_show)


def run_check(args: argparse.Namespace) -> int:
    return _report(args.file, header="ok")


def run_show(args: argparse.Namespace) -> int:
    return _report(args.config or default_config_path(), header=None)


def _report(path: Path | None, header: str | None) -> int:
    try:
        settings = load_settings(path, os.environ)
    except SettingsError as exc:
        print(f"cc112: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if header:
        print(header)
    print(f"file: {path if path is not None else '(none: defaults)'}")
    for line in summarize(settings):
        print(line)
    return EXIT_OK
