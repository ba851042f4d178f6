"""`cc112 bench`: speed and memory of the ACD core and of the whole path, each beside a baseline."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure the ACD core and the controller end to end, each against a baseline",
        description="Measure (1) the ACD core's cost per event against an app_queue-style baseline on the "
                    "same seeded call stream (their decisions are checked to be identical), and (2) a burst "
                    "of callers through the Asterisk emulator and the controller over loopback sockets, "
                    "against the dialplan's fallback queue with the controller stopped. About 90 s on "
                    "2 cores; --quick about 10 s.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, about 10 s")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout instead of tables")
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="also write that JSON object to FILE "
                        "(the tables stay on stdout)")
    parser.add_argument("--seed", type=int, default=112, help="random seed of the call stream (default 112)")
    parser.add_argument("--acd-calls", type=_positive, help="calls per steady ACD case (default 20000; "
                        "a fifth of it from 50 seats on; --quick 2000)")
    parser.add_argument("--acd-seats", type=_sizes, help="seat counts of the ACD cases (default 10,200)")
    parser.add_argument("--surge-calls", type=_non_negative, help="callers of the ACD surge case at 3x "
                        "capacity (default 600, --quick 200, 0 = none)")
    parser.add_argument("--memory-waiting", type=_positive, help="waiting callers for the memory measure "
                        "(default 1000, --quick 200)")
    parser.add_argument("--e2e-seats", type=_positive, help="seats in the end-to-end runs (default 10)")
    parser.add_argument("--e2e-callers", type=_sizes, help="burst sizes of the end-to-end runs "
                        "(default 100,300; --quick 30)")
    parser.add_argument("--levels", type=_sizes, help="load mode: calls in flight per level "
                        "(default 250,500,1000,2000; --quick 20)")
    parser.add_argument("--window-calls", type=_positive, help="load mode: calls replaced per level while "
                        "measuring (default 200, at most the level; --quick 40)")
    parser.add_argument("--only", type=_parts, help="run only these parts, comma-separated among "
                        f"{','.join(PARTS)} (default: acd,load; the e2e burst only when named)")
    parser.add_argument("--workdir", type=Path, help="where the end-to-end runs keep their databases and "
                        "recordings (default var/bench; emptied per run)")
    parser.set_defaults(func=run)


PARTS = ("acd", "e2e", "load")


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [p for p in parts if p not in PARTS]
    if not parts or unknown:
        raise argparse.ArgumentTypeError(f"expected parts among {','.join(PARTS)}, got {text!r}")
    return parts


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _sizes(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected numbers of 1 or more, got {text!r}")
    return values


def options_from(args: argparse.Namespace):  # -> BenchOptions
    from cc112_pbx.bench.runner import BenchOptions

    overrides = {name: value for name in ("acd_calls", "acd_seats", "surge_calls", "memory_waiting",
                                          "e2e_seats", "e2e_callers", "workdir")
                 if (value := getattr(args, name)) is not None}
    if args.levels is not None:
        overrides["load_levels"] = args.levels
    if args.window_calls is not None:
        overrides["load_window_calls"] = args.window_calls
    overrides["seed"] = args.seed
    if args.only:
        overrides["parts"] = args.only
    return BenchOptions.quick(**overrides) if args.quick else BenchOptions(**overrides)


def run(args: argparse.Namespace) -> int:
    from cc112_pbx.bench.acd_bench import BenchMismatch
    from cc112_pbx.bench.report import render
    from cc112_pbx.bench.runner import run_bench
    from cc112_pbx.logs import configure_logging

    configure_logging("warning", "json" if args.json else args.log_format)
    progress = None if args.json else (lambda text: print(f"... {text}", file=sys.stderr, flush=True))
    try:
        result = run_bench(options_from(args), progress=progress)
    except BenchMismatch as exc:
        print(f"cc112 bench: the baseline decided differently from the core, no honest comparison: {exc}",
              file=sys.stderr)
        return 1
    except (RuntimeError, TimeoutError) as exc:  # a load-mode process failed: its log is named
        print(f"cc112 bench: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result))
    elif sys.stdout.isatty():
        from rich.console import Console

        from cc112_pbx.bench.report import render_rich

        Console().print(render_rich(result))
    else:
        print(render(result))
    return 0
