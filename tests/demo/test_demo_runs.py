"""`cc112 demo` end to end, small and fast-clocked: the JSON summary has its keys and adds up
(checked again straight from the SQLite file it names), and the plain output (not a terminal)
carries no escape code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cc112_pbx.demo.runner import DEMO_INCIDENT
from cc112_pbx.domain.caller import callback_number

GHOST_CALL_THRESHOLD = DEMO_INCIDENT["ghost_call_threshold"]

SMALL = ["--calls", "8", "--seats", "6", "--speed", "3", "--seed", "5"]
KEYS = {"calls", "answered", "abandoned", "dropped", "no_callback", "callbacks", "incidents", "recordings",
        "service_level", "free_to_ring_ms", "database"}


def demo(*args: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cc112_pbx", "demo", *args, "--workdir", str(workdir)],
                          capture_output=True, text=True, timeout=110, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                          check=True)


@pytest.mark.slow  # about 10 s: a whole (small) demo in a subprocess
def test_the_json_summary_has_its_keys_and_adds_up_as_the_database_says(tmp_path):
    run = demo(*SMALL, "--json", workdir=tmp_path / "demo")
    result = json.loads(run.stdout)
    assert KEYS <= set(result)
    assert set(result["service_level"]) == {"10s", "15s", "20s"} and set(result["free_to_ring_ms"]) >= {"p50", "p99"}
    assert result["problems"] == [], result
    # inbound citizen calls: each either reached a call taker (answered; dropped ones among them) or gave up
    assert result["calls"] == result["answered"] + result["abandoned"] and result["calls"] >= 8, result
    assert 1 <= result["dropped"] <= result["answered"], result  # the scenario always drops one line
    assert result["incidents"] + result["repeat_calls"] == result["calls"] and result["repeat_calls"] >= 1, result
    assert result["answered_with_recording"] == result["answered"], result
    assert sum(result["callback_results"].values()) == result["callback_due"] >= 1, result
    assert set(result["callback_results"]) <= {"done", "exhausted", "cancelled"}, result
    assert result["callers"]["repeat"] == 1 and result["callers"]["sim_less"] >= 1 and result["callers"]["drop"] >= 1
    assert sum(n for k, n in result["callers"].items() if k in ("report", "abandon", "drop", "repeat")) == \
        result["calls"]
    assert any("pause" in a for a in result["seat_actions"]) and any("logout" in a for a in result["seat_actions"])
    # the same from the database file and the recordings on disk
    db = sqlite3.connect(result["database"])
    inbound = db.execute("SELECT id, outcome, caller_number, arrived_at, ended_at FROM calls "
                         "WHERE direction = 'inbound'").fetchall()
    assert len(inbound) == result["calls"]
    outcomes = [o for _, o, *_ in inbound]
    assert outcomes.count("answered") + outcomes.count("dropped") == result["answered"]
    assert outcomes.count("abandoned") == result["abandoned"] and outcomes.count("dropped") == result["dropped"]
    assert db.execute("SELECT COUNT(DISTINCT incident_id) FROM calls WHERE direction = 'inbound'").fetchone()[0] \
        == result["incidents"]
    for call_id, outcome, number, arrived, ended in inbound:
        paths = [p for (p,) in db.execute("SELECT path FROM recordings WHERE call_id = ?", (call_id,))]
        if outcome in ("answered", "dropped"):
            assert paths and all(Path(p).is_file() and Path(p).stat().st_size > 44 for p in paths), call_id
        if outcome in ("abandoned", "dropped"):
            statuses = [s for (s,) in db.execute("SELECT status FROM callbacks WHERE call_id = ?", (call_id,))]
            seconds = (datetime.fromisoformat(ended) - datetime.fromisoformat(arrived)).total_seconds()
            if outcome == "abandoned" and seconds < GHOST_CALL_THRESHOLD:
                assert statuses == [], (call_id, statuses)  # a ghost call: by policy not called back
            elif callback_number(number) is not None:
                assert len(statuses) == 1 and statuses[0] in ("done", "exhausted", "cancelled"), (call_id, statuses)
            else:
                assert statuses == ["supervisor"], (call_id, statuses)  # on the no-callback list
    assert Path(result["recordings_dir"]).is_dir()


@pytest.mark.slow  # about 10 s: a whole (small) demo in a subprocess
def test_plain_output_when_not_a_terminal_has_no_escape_codes_and_ends_with_the_summary(tmp_path):
    run = demo(*SMALL, workdir=tmp_path / "demo")
    assert "\x1b" not in run.stdout and "\x1b" not in run.stderr
    lines = run.stdout.splitlines()
    assert any("arrives from" in line for line in lines) and any("ringing seat" in line for line in lines)
    assert "Summary" in lines and any(line.startswith("  adds up          yes") for line in lines)
    assert any(line.startswith(f"  database         {tmp_path / 'demo'}") for line in lines)
    assert run.stderr.startswith("api http://127.0.0.1:")
