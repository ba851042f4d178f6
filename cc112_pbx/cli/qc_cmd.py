"""`cc112 qc sample [--week YYYY-Www] [--seed N]` and `cc112 qc report [--week W | --from W --to W]
--format csv|html|json [--output FILE]`: quality control (issue 18) from the command line.

`sample` draws a week's calls once (the controller also does it by itself with `[qc] enabled`);
run again for the same week it prints the draw already made and draws nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from cc112_pbx.cli.settings_arg import settings_from_args

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2


def _week(text: str) -> str:
    from cc112_pbx.domain.qc import Week

    try:
        return str(Week.parse(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("qc", help="quality control: weekly samples and reports",
                                   description="Quality control: weekly samples and reports (issue 18).")
    commands = parser.add_subparsers(dest="qc_command", metavar="ACTION", required=True)
    sample = commands.add_parser("sample", help="draw a week's samples (idempotent)",
                                 description="Draw [qc] samples_per_taker answered, recorded calls per call taker "
                                             "for an ISO week (default: the last finished week in [http] "
                                             "time_zone). A week is never drawn twice.")
    sample.add_argument("--week", type=_week, default=None, metavar="YYYY-Www")
    sample.add_argument("--seed", type=int, default=None, help="the random seed (default: a new random one)")
    sample.add_argument("--json", action="store_true", help="print the draw as JSON")
    report = commands.add_parser("report", help="compliance per call taker and per element",
                                 description="Compliance per call taker and per element, the trend and the "
                                             "elements most often missed, for a week or a range of weeks.")
    report.add_argument("--week", type=_week, default=None, metavar="YYYY-Www",
                        help="default: the last finished week")
    report.add_argument("--from", dest="first", type=_week, default=None, metavar="YYYY-Www")
    report.add_argument("--to", dest="last", type=_week, default=None, metavar="YYYY-Www")
    report.add_argument("--format", choices=("csv", "html", "json"), default="csv")
    report.add_argument("--output", type=Path, default=None, metavar="FILE", help="default: standard output")
    for command in (sample, report):
        command.add_argument("--config", type=Path, default=None, metavar="FILE",
                             help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    sample.set_defaults(func=run_sample)
    report.set_defaults(func=run_report)


def run_sample(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if settings is None:
        return EXIT_BAD_CONFIG
    try:
        draw = asyncio.run(_with_service(settings, lambda qc: qc.sample_week(
            _parse(args.week) if args.week else qc.last_finished_week(), actor="cli", seed=args.seed)))
    except Exception as exc:
        print(f"cc112: samples not drawn: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(draw, indent=2))
        return EXIT_OK
    verb = "drew" if draw["created"] else "already drawn (nothing new drawn)"
    print(f"week {draw['week']}: {verb}; seed {draw['seed']}, {len(draw['samples'])} sample(s)")
    for sample in draw["samples"]:
        print(f"  {sample['seat_id']:<10} call {sample['call_id']}  recording {sample['recording_id']}"
              f"{'  (swapped)' if sample['status'] == 'swapped' else ''}")
    for seat, missing in sorted(draw["shortfall"].items()):
        print(f"  shortfall: {seat} had {draw['available'].get(seat, 0)} eligible call(s), {missing} fewer than wanted")
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from cc112_pbx.reporting.qc_report import to_csv, to_html

    settings = settings_from_args(args)
    if settings is None:
        return EXIT_BAD_CONFIG
    query = {key: value for key, value in (("week", args.week), ("from", args.first), ("to", args.last)) if value}
    try:
        figures = asyncio.run(_with_service(settings, lambda qc: qc.report_for(qc.weeks_of(query))))
    except Exception as exc:
        print(f"cc112: no report: {getattr(exc, 'fields', None) or exc}", file=sys.stderr)
        return EXIT_FAILED
    text = {"csv": to_csv, "html": to_html, "json": lambda f: json.dumps(f, indent=2) + "\n"}[args.format](figures)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"report for {figures['from']}..{figures['to']} written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _parse(week: str) -> Any:
    from cc112_pbx.domain.qc import Week

    return Week.parse(week)


async def _with_service(settings: Any, job: Any) -> Any:
    from cc112_pbx.app import qc_policy
    from cc112_pbx.services.context import SystemClock
    from cc112_pbx.services.qc_service import QcService
    from cc112_pbx.storage import Database

    async with Database(settings.database.url) as db:
        await db.upgrade()
        return await job(QcService(db, db.audit, SystemClock(), qc_policy(settings)))
