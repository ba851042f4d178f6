"""The ACD core's decision cost against the app_queue-style baseline, on the same stream.

For each case (calls, seats, load) both implementations run the same seeded stream
(`acd_stream`); the time inside `handle()` gives events per second and microseconds per
event (p50/p99). The offers each made, (offer id, seat) in order, must be identical, or the
benchmark stops with `BenchMismatch`: the baseline has to make the same decisions to be a
fair comparison. Memory: `tracemalloc` while W callers wait with no seat logged in.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cc112_pbx.bench.acd_stream import build_callers, queue_config, run_stream
from cc112_pbx.bench.naive_acd import NaiveAcd
from cc112_pbx.bench.stats import percentile
from cc112_pbx.domain.acd import Acd, CallArrived

IMPLEMENTATIONS: dict[str, Callable[[Any], Any]] = {"acd_core": Acd, "baseline_app_queue_style": NaiveAcd}


class BenchMismatch(AssertionError):
    """The baseline and the core decided differently: the comparison would not be honest."""


@dataclass(frozen=True, slots=True)
class AcdCase:
    name: str
    calls: int
    seats: int
    load: float  # arrival rate over what the seats can take on average


def run_case(case: AcdCase, seed: int) -> dict[str, Any]:
    """Both implementations on the same stream; raises BenchMismatch if their offers differ."""
    callers = build_callers(case.calls, case.seats, seed, case.load)
    row: dict[str, Any] = {"case": case.name, "calls": case.calls, "seats": case.seats, "load": case.load}
    offers: dict[str, list[tuple[str, str]]] = {}
    for name, factory in IMPLEMENTATIONS.items():
        gc.collect()
        result = run_stream(factory(queue_config(case.seats)), case.seats, callers)
        offers[name] = result.offers
        total_s = sum(result.handle_ns) / 1e9
        micros = [ns / 1000.0 for ns in result.handle_ns]
        row[name] = {
            "events": result.events,
            "events_per_s": round(result.events / total_s) if total_s else None,
            "us_per_event_p50": round(percentile(micros, 50) or 0.0, 2),
            "us_per_event_p99": round(percentile(micros, 99) or 0.0, 2),
            "handle_seconds": round(total_s, 3),
        }
        row.update(peak_waiting=result.peak_waiting, answered=result.answered, abandoned=result.abandoned,
                   offers=len(result.offers))
    core, baseline = offers["acd_core"], offers["baseline_app_queue_style"]
    if core != baseline:
        first = next((i for i, (a, b) in enumerate(zip(core, baseline, strict=False)) if a != b),
                     min(len(core), len(baseline)))
        raise BenchMismatch(f"case {case.name}: offer #{first} differs: core "
                            f"{core[first:first + 1]} vs baseline {baseline[first:first + 1]}")
    row["same_decisions"] = True
    return row


def memory_per_waiting_caller(seats: int, waiting: int) -> dict[str, Any]:
    """Bytes per waiting caller (retained and peak, tracemalloc) with `waiting` callers queued."""
    row: dict[str, Any] = {"seats": seats, "waiting": waiting}
    for name, factory in IMPLEMENTATIONS.items():
        gc.collect()
        acd = factory(queue_config(seats))
        events = [CallArrived(f"call-{n}") for n in range(waiting)]
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            for n, event in enumerate(events):
                acd.handle(event, float(n))
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        row[name] = {"retained_bytes_per_caller": round((current - before) / waiting),
                     "peak_bytes_per_caller": round((peak - before) / waiting)}
    return row


def run_acd_bench(cases: list[AcdCase], seed: int, memory_waiting: int, memory_seats: int = 10,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    rows = []
    for case in cases:
        if progress is not None:
            progress(f"acd: {case.name} ({case.calls} calls, {case.seats} seats, load {case.load})")
        start = time.perf_counter()
        row = run_case(case, seed)
        row["wall_seconds"] = round(time.perf_counter() - start, 2)
        rows.append(row)
    if progress is not None:
        progress(f"acd: memory with {memory_waiting} callers waiting")
    return {"cases": rows, "memory": memory_per_waiting_caller(memory_seats, memory_waiting)}
