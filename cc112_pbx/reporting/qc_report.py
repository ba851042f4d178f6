"""The QC report (issue 18: `QcService.report_for`'s dict) as CSV and as a self-contained HTML page
whose chart is drawn by matplotlib (Agg backend, embedded as a PNG data URI).

CSV: one section per table, each row starting with the section's name, so one file holds the
overall figures, each call taker, each element, each week's trend and the most missed elements:

    section,week_or_range,seat_id,element,evaluations,earned,possible,compliance,yes,no,na
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Mapping
from typing import Any

COLUMNS = ("section", "weeks", "seat_id", "element", "evaluations", "earned", "possible", "compliance",
           "yes", "no", "na", "missed")


def _pct(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def to_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    span = report["from"] if report["from"] == report["to"] else f"{report['from']}..{report['to']}"
    overall = report["overall"]
    writer.writerow(["overall", span, "", "", overall["evaluations"], _num(overall["earned"]),
                     _num(overall["possible"]), _num(overall["compliance"]), "", "", "", ""])
    for taker in report["takers"]:
        writer.writerow(["taker", span, taker["seat_id"], "", taker["evaluations"], _num(taker["earned"]),
                         _num(taker["possible"]), _num(taker["compliance"]), "", "", "",
                         " ".join(f"{m['key']}:{m['count']}" for m in taker["missed"])])
    for element in report["elements"]:
        writer.writerow(["element", span, "", element["key"], "", "", "", _num(element["compliance"]),
                         element["yes"], element["no"], element["na"], element["no"]])
    for point in overall["trend"]:
        writer.writerow(["trend", point["week"], "", "", "", "", "", _num(point["compliance"]), "", "", "", ""])
    for taker in report["takers"]:
        for point in taker["trend"]:
            writer.writerow(["taker_trend", point["week"], taker["seat_id"], "", "", "", "",
                             _num(point["compliance"]), "", "", "", ""])
    for missed in report["most_missed"]:
        writer.writerow(["most_missed", span, "", missed["key"], "", "", "", "", "", "", "", missed["missed"]])
    return out.getvalue()


def chart_png(report: Mapping[str, Any]) -> bytes:
    """Compliance per call taker (bars) and, over a range of weeks, the overall trend (line)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    weeks = [p["week"] for p in report["overall"]["trend"]]
    two = len(weeks) > 1
    figure = Figure(figsize=(9 if two else 6, 3.6), dpi=100)
    axes = figure.subplots(1, 2 if two else 1, squeeze=False)[0]
    takers = report["takers"]
    bars = axes[0]
    bars.bar([t["seat_id"] for t in takers], [(t["compliance"] or 0) * 100 for t in takers], color="#2b6cb0")
    bars.set_ylim(0, 100)
    bars.set_ylabel("compliance %")
    bars.set_title("Per call taker / per petugas")
    if two:
        line = axes[1]
        values = [(p["compliance"] * 100) if p["compliance"] is not None else float("nan")
                  for p in report["overall"]["trend"]]
        line.plot(weeks, values, marker="o", color="#c05621")
        line.set_ylim(0, 100)
        line.set_title("Trend per week / tren per minggu")
        line.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def to_html(report: Mapping[str, Any]) -> str:
    e = html.escape
    span = report["from"] if report["from"] == report["to"] else f"{report['from']} – {report['to']}"
    png = base64.b64encode(chart_png(report)).decode()
    overall = report["overall"]
    rows_takers = "".join(
        f"<tr><td>{e(t['seat_id'])}</td><td>{t['evaluations']}</td><td>{_num(t['earned'])}</td>"
        f"<td>{_num(t['possible'])}</td><td>{_pct(t['compliance'])}</td>"
        f"<td>{e(', '.join(m['key'] for m in t['missed'][:3]))}</td></tr>" for t in report["takers"])
    rows_elements = "".join(
        f"<tr><td>{e(x['key'])}</td><td>{e(x['title_id'])} / {e(x['title_en'])}</td><td>{x['yes']}</td>"
        f"<td>{x['no']}</td><td>{x['na']}</td><td>{_pct(x['compliance'])}</td></tr>" for x in report["elements"])
    rows_missed = "".join(f"<li>{e(m['title_en'])} ({e(m['key'])}): {m['missed']}</li>" for m in report["most_missed"])
    signals = report.get("signals") or {}
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>QC {e(span)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;
padding:.2em .5em;text-align:left}}</style></head>
<body>
<h1>Laporan kendali mutu / Quality control report: {e(span)}</h1>
<p id="overall">Kepatuhan / compliance: <strong>{_pct(overall['compliance'])}</strong>
({_num(overall['earned'])} / {_num(overall['possible'])} points, {overall['evaluations']} evaluations;
rubric version {report['rubric_version']})</p>
<p>Mean answer time {_num(signals.get('mean_answer_s'))} s · hold {_num(signals.get('mean_hold_s'))} s ·
dispatch {_num(signals.get('mean_dispatch_s'))} s</p>
<img id="chart" alt="compliance chart" src="data:image/png;base64,{png}">
<h2>Per petugas / per call taker</h2>
<table id="takers"><tr><th>seat</th><th>evaluations</th><th>earned</th><th>possible</th><th>compliance</th>
<th>most missed</th></tr>{rows_takers}</table>
<h2>Per elemen / per element</h2>
<table id="elements"><tr><th>key</th><th>title</th><th>yes</th><th>no</th><th>n/a</th><th>compliance</th></tr>
{rows_elements}</table>
<h2>Paling sering terlewat / most often missed</h2><ol id="missed">{rows_missed}</ol>
</body></html>
"""
