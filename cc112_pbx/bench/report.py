"""The benchmark's results as plain-text tables (the README shows the same tables)."""

from __future__ import annotations

from typing import Any

CORE, BASE = "acd_core", "baseline_app_queue_style"
CTRL, FALLBACK = "controller", "baseline_fallback_queue"


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    parts = [f"cc112 bench  (seed {result['seed']}, {m['cpus']} CPUs, Python {m['python']}, "
             f"{result['wall_seconds']} s{_load(m)})"]
    if "acd" in result:
        parts += ["", *acd_table(result["acd"])]
    if "e2e" in result:
        parts += ["", *e2e_table(result["e2e"])]
    if "levels" in result:
        parts += ["", *load_table(result)]
    return "\n".join(parts)


LOAD_FIGURES = (
    ("setups/s", "setups_per_s", None),
    ("StasisStart->originate ms p50", "stasis_to_originate_ms", "p50"),
    ("StasisStart->originate ms p99", "stasis_to_originate_ms", "p99"),
    ("seat free->ring ms p50", "free_to_ring_ms", "p50"),
    ("seat free->ring ms p99", "free_to_ring_ms", "p99"),
    ("CPU ms per call", "cpu_ms_per_call", None),
    ("RSS KiB per call in flight", "rss_kb_per_call", None),
)
LOAD_HEADER = ("in flight", "figure", "controller", "floor", "ctrl/floor")


def load_title(result: dict[str, Any]) -> str:
    load = result.get("load", {})
    return (f"Load: controller and emulator in separate processes, seats: {load.get('seats', '')}, answering after "
            f"{load.get('answer_after')} s; window: replacements at up to {load.get('rate')}/s "
            "(ctrl/floor = the controller's figure over the floor's)")


def load_rows(result: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per level and figure: (in flight, figure, controller, floor, ratio), as text."""
    rows: list[tuple[str, ...]] = []
    for level in result["levels"]:
        for label, key, part in LOAD_FIGURES:
            ctrl, floor = _figure(level, key, part), _figure(level["floor"], key, part)
            ratio = f"{ctrl / floor:.2f}x" if ctrl is not None and floor else "-"
            rows.append((f"{level['in_flight']:,}", label, _num(ctrl), _num(floor), ratio))
        emu, emu_floor = level["emulator"], level["floor"]["emulator"]
        rows.append((f"{level['in_flight']:,}", "emulator CPU share (window)", f"{emu['cpu_share']:.0%}",
                     f"{emu_floor['cpu_share']:.0%}", "-"))
    return rows


def load_table(result: dict[str, Any]) -> list[str]:
    rows = load_rows(result)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(LOAD_HEADER)]
    line = "  ".join(f"{{:>{w}}}" if i != 1 else f"{{:<{w}}}" for i, w in enumerate(widths))
    return [load_title(result), line.format(*LOAD_HEADER), *(line.format(*r) for r in rows)]


def render_rich(result: dict[str, Any]) -> Any:
    """The same report for a terminal: the load part as a rich Table, the rest as text."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    plain = {k: v for k, v in result.items() if k not in ("levels", "load")}
    items: list[Any] = [Text(render(plain), no_wrap=True, overflow="ignore")]  # as wide as it is
    if "levels" in result:
        table = Table(title=load_title(result), title_justify="left")
        for i, header in enumerate(LOAD_HEADER):
            table.add_column(header, justify="left" if i == 1 else "right")
        rows = load_rows(result)
        for i, row in enumerate(rows):
            table.add_row(*row, end_section=i + 1 < len(rows) and rows[i + 1][0] != row[0])
        items += [Text(""), table]
    return Group(*items)


def _load(machine: dict[str, Any]) -> str:
    start, end = machine.get("load_average_start"), machine.get("load_average_end")
    if not start:
        return ""
    return f", load average {start[0]:.2f} at the start" + (f", {end[0]:.2f} at the end" if end else "")


def _figure(level: dict[str, Any], key: str, part: str | None) -> float | None:
    value = level.get(key)
    if part is not None:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


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
