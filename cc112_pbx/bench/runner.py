"""Run the whole benchmark: the ACD core part, the end-to-end burst (on request) and the load mode,
one dict of results."""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cc112_pbx.bench.acd_bench import AcdCase, run_acd_bench
from cc112_pbx.bench.e2e_bench import E2eCase, run_e2e_isolated
from cc112_pbx.bench.load_bench import run_load_bench
from cc112_pbx.bench.load_driver import LoadSpec

BIG_SEATS = 50  # from this many seats a steady case gets a fifth of the calls (the baseline is slow there)


@dataclass(frozen=True, slots=True)
class BenchOptions:
    seed: int = 112
    acd_calls: int = 20_000
    acd_seats: tuple[int, ...] = (10, 200)
    surge_calls: int = 600
    memory_waiting: int = 1000
    e2e_seats: int = 10
    e2e_callers: tuple[int, ...] = (100, 300)
    talk_time: float = 0.2
    answer_after: float = 0.1
    workdir: Path = Path("var/bench")
    load_levels: tuple[int, ...] = (250, 500, 1000, 2000)
    load_window_calls: int = 200
    load_rate: float = 20.0
    parts: tuple[str, ...] = ("acd", "load")  # the e2e burst on request: --only e2e

    @classmethod
    def quick(cls, **overrides: Any) -> BenchOptions:
        """About 10 s on two cores: the same measures at small sizes."""
        values: dict[str, Any] = {"acd_calls": 2000, "surge_calls": 200, "memory_waiting": 200,
                                  "e2e_callers": (30,), "load_levels": (20,), "load_window_calls": 40}
        values.update(overrides)
        return cls(**values)

    def acd_cases(self) -> list[AcdCase]:
        cases = [AcdCase("steady", self.acd_calls if seats < BIG_SEATS else max(1, self.acd_calls // 5), seats, 1.0)
                 for seats in self.acd_seats]
        if self.surge_calls:
            cases.append(AcdCase("surge", self.surge_calls, min(self.acd_seats), 3.0))
        return cases


def run_bench(options: BenchOptions, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {"seed": options.seed, "machine": machine()}
    if "acd" in options.parts:
        result["acd"] = run_acd_bench(options.acd_cases(), options.seed, options.memory_waiting,
                                      memory_seats=min(options.acd_seats), progress=progress)
    if "e2e" in options.parts:
        result["e2e"] = asyncio.run(_run_e2e(options, progress))
    if "load" in options.parts:
        spec = LoadSpec(in_flight=0, window_calls=options.load_window_calls, rate=options.load_rate)
        load = asyncio.run(run_load_bench(options.load_levels, spec, options.workdir / "load", progress))
        result["levels"] = load.pop("levels")
        result["load"] = load
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["machine"]["load_average_end"] = _load_average()
    return result


async def _run_e2e(options: BenchOptions, progress: Callable[[str], None] | None) -> dict[str, Any]:
    runs = []
    for callers in options.e2e_callers:
        case = E2eCase(options.e2e_seats, callers, options.talk_time, options.answer_after)
        row: dict[str, Any] = {"seats": case.seats, "callers": callers}
        for name, controller in (("controller", True), ("baseline_fallback_queue", False)):
            if progress is not None:
                progress(f"e2e: {callers} callers on {case.seats} seats, {name}")
            row[name] = await run_e2e_isolated(case, options.workdir / f"{callers}-{name}", controller=controller)
        runs.append(row)
    return {"talk_time": options.talk_time, "answer_after": options.answer_after, "wrapup_time": 0,
            "runs": runs}


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_start": _load_average()}


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (other work on the machine skews every figure)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
