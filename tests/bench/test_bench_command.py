"""`cc112 bench`: the shape of its output at tiny sizes, and the honesty check of its baseline.

No timing is asserted here: the figures belong to the README, measured by the command itself.
"""

import json
import subprocess
import sys

import pytest

from cc112_pbx.bench import acd_bench
from cc112_pbx.bench.acd_bench import AcdCase, BenchMismatch, run_case
from cc112_pbx.bench.acd_stream import build_callers, queue_config, run_stream
from cc112_pbx.bench.naive_acd import NaiveAcd
from cc112_pbx.bench.report import render
from cc112_pbx.cli.main import main
from cc112_pbx.domain.acd import Acd

P = ("p50", "p99", "max", "n")


@pytest.mark.slow  # about 8 s: `cc112 bench --quick` runs every measure, end to end included
def test_quick_bench_prints_core_and_baseline_side_by_side_as_json_and_as_tables(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cc112_pbx", "bench", "--quick", "--only", "acd,e2e", "--json", "--acd-calls", "300",
         "--acd-seats", "5,60", "--surge-calls", "60", "--memory-waiting", "50", "--e2e-seats", "3",
         "--e2e-callers", "8", "--workdir", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)

    cases = result["acd"]["cases"]
    assert [(c["case"], c["seats"], c["calls"]) for c in cases] == [
        ("steady", 5, 300), ("steady", 60, 60), ("surge", 5, 60)]
    for case in cases:
        assert case["same_decisions"] is True
        assert case["answered"] + case["abandoned"] == case["calls"]
        for name in ("acd_core", "baseline_app_queue_style"):
            assert case[name]["events"] > case["calls"]
            assert case[name]["events_per_s"] > 0
            assert 0 < case[name]["us_per_event_p50"] <= case[name]["us_per_event_p99"]
    memory = result["acd"]["memory"]
    assert memory["waiting"] == 50
    assert memory["acd_core"]["peak_bytes_per_caller"] >= memory["acd_core"]["retained_bytes_per_caller"] > 0

    (run,) = result["e2e"]["runs"]
    assert (run["seats"], run["callers"]) == (3, 8)
    for name in ("controller", "baseline_fallback_queue"):
        measured = run[name]
        assert measured["answered"] == 8  # every caller reached a call taker on both paths
        assert measured["calls_per_s"] > 0 and measured["cpu_seconds"] > 0
        assert measured["arrival_to_ring_idle_ms"]["n"] == 3
        for key in ("arrival_to_ring_idle_ms", "arrival_to_ring_all_ms", "free_to_ring_ms", "wait_to_answer_ms"):
            assert tuple(measured[key]) == P
        assert measured["free_to_ring_ms"]["n"] > 0

    table = render(result)
    assert "core/base" in table and "8 calls: ctrl" in table and "fallback" in table
    assert "memory per waiting caller (50 waiting" in table


def test_baseline_makes_the_same_offers_as_the_core_on_a_seeded_stream():
    callers = build_callers(400, 7, seed=3, load=1.3)
    core = run_stream(Acd(queue_config(7)), 7, callers)
    baseline = run_stream(NaiveAcd(queue_config(7)), 7, callers)
    assert core.offers == baseline.offers
    offered_calls = {offer_id.split("/")[0] for offer_id, _ in core.offers}
    assert len(offered_calls) < len(core.offers)  # some offers rang out and were made again
    assert core.peak_waiting > 7 and core.abandoned > 0


class _MostRecentlyIdle(NaiveAcd):
    """A baseline with a different rule: the bench must refuse to compare it."""

    @staticmethod
    def _metric(member):
        return -member.last_call


def test_a_baseline_that_decides_differently_stops_the_bench(monkeypatch):
    monkeypatch.setitem(acd_bench.IMPLEMENTATIONS, "baseline_app_queue_style", _MostRecentlyIdle)
    with pytest.raises(BenchMismatch, match="offer #"):
        run_case(AcdCase("steady", 200, 4, 1.2), seed=1)


def test_bench_refuses_a_seat_count_of_zero(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--acd-seats", "10,0"])
    assert exit_.value.code == 2
    assert "expected numbers of 1 or more" in capsys.readouterr().err
