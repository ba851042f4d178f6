"""The benchmark's results as plain-text tables (the README shows the same tables)."""

from __future__ import annotations

from typing import Any

CORE, BASE = "acd_core", "baseline_app_queue_style"
CTRL, FALLBACK = "controller", "baseline_fallback_queue"


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    parts = [f"cc112 bench  (seed {result['seed']}, {m['cpus']} CPUs, Python {m['python']}, "
             f"{result['wall_seconds']} s)"]
    if "acd" in result:
        parts += ["", *acd_table(result["acd"])]
    if "e2e" in result:
        parts += ["", *e2e_table(result["e2e"])]
    return "\n".join(parts)


def acd_table(acd: dict[str, Any]) -> list[str]:
    lines = [
        "ACD core vs app_queue-style baseline (same seeded stream; identical decisions checked)",
        f"{'case':<7}{'seats':>6}{'calls':>7}{'load':>5}{'events':>8}{'peak wait':>10} | "
        f"{'core ev/s':>10}{'p50 us':>8}{'p99 us':>8} | {'base ev/s':>10}{'p50 us':>8}{'p99 us':>8} | {'core/base':>9}",
    ]
    for row in acd["cases"]:
        core, base = row[CORE], row[BASE]
        ratio = core["events_per_s"] / base["events_per_s"] if base["events_per_s"] else 0.0
        lines.append(
            f"{row['case']:<7}{row['seats']:>6}{row['calls']:>7}{row['load']:>5}{core['events']:>8}"
            f"{row['peak_waiting']:>10} | {core['events_per_s']:>10}{core['us_per_event_p50']:>8}"
            f"{core['us_per_event_p99']:>8} | {base['events_per_s']:>10}{base['us_per_event_p50']:>8}"
            f"{base['us_per_event_p99']:>8} | {ratio:>8.2f}x")
    mem = acd["memory"]
    lines += [
        f"memory per waiting caller ({mem['waiting']} waiting, {mem['seats']} seats, tracemalloc): "
        f"core {mem[CORE]['retained_bytes_per_caller']} B retained / {mem[CORE]['peak_bytes_per_caller']} B peak, "
        f"baseline {mem[BASE]['retained_bytes_per_caller']} B / {mem[BASE]['peak_bytes_per_caller']} B",
    ]
    return lines


_E2E_ROWS = (
    ("answered", "answered", None),
    ("calls/s (burst fully handled)", "calls_per_s", None),
    ("arrival->ring, free seat (ms)", "arrival_to_ring_idle_ms", "p50/p99"),
    ("arrival->ring, whole burst (ms)", "arrival_to_ring_all_ms", "p50/p99"),
    ("free->ring (ms)", "free_to_ring_ms", "p50/p99"),
    ("wait to answer (ms)", "wait_to_answer_ms", "p50/p99"),
    ("CPU s (process)", "cpu_seconds", None),
    ("CPU ms per call", "cpu_ms_per_call", None),
    ("RSS growth KiB per caller", "rss_growth_kib_per_caller", None),
)


def e2e_table(e2e: dict[str, Any]) -> list[str]:
    runs = e2e["runs"]
    header = f"{'':<32}" + "".join(
        f"{str(r['callers']) + ' calls: ctrl':>20}{'fallback':>14}" for r in runs)
    lines = [
        f"End to end over loopback: {runs[0]['seats'] if runs else 0} seats, a burst of callers, talk "
        f"{e2e['talk_time']} s, seats answer after {e2e['answer_after']} s, wrap-up 0 "
        "(controller vs the fallback queue with the controller stopped)",
        header,
    ]
    for label, key, kind in _E2E_ROWS:
        cells = []
        for run in runs:
            for name, width in ((CTRL, 20), (FALLBACK, 14)):
                cells.append(f"{_cell(run[name][key], kind):>{width}}")
        lines.append(f"{label:<32}" + "".join(cells))
    return lines


def _cell(value: Any, kind: str | None) -> str:
    if kind == "p50/p99":
        if value["p50"] is None:
            return "-"
        return f"{value['p50']:.0f} / {value['p99']:.0f}"
    return "-" if value is None else str(value)
