"""`cc112 bench` load mode: the JSON shape and sane figures at a tiny level, the generated
controller settings, and the table beside the floor. No timing goal is asserted: the figures
belong to the README, measured by the command itself."""

import json
import subprocess
import sys

import pytest

from cc112_pbx.bench.load_bench import controller_toml
from cc112_pbx.bench.load_driver import LoadSpec
from cc112_pbx.bench.report import load_table, render_rich
from cc112_pbx.settings import load_settings

FIGURES = ("in_flight", "setups_per_s", "stasis_to_originate_ms", "free_to_ring_ms", "cpu_ms_per_call",
           "rss_kb_per_call")


@pytest.mark.slow  # about 15 s: three processes per consumer, a level of 20 calls in flight twice
def test_load_mode_measures_the_controller_and_the_floor_at_a_tiny_level(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cc112_pbx", "bench", "--only", "load", "--levels", "20", "--window-calls", "20",
         "--json", "--workdir", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    (level,) = result["levels"]
    for measured in (level, level["floor"]):
        assert set(FIGURES) <= set(measured)
        assert measured["in_flight"] == 20 and measured["in_flight_at_end"] == 20
        assert measured["setups_per_s"] > 0
        for key in ("stasis_to_originate_ms", "free_to_ring_ms"):
            assert measured[key]["n"] == 10  # every other replacement of the 20, each kind measured
            assert 0 < measured[key]["p50"] <= measured[key]["p99"] < 5000
        assert 0 < measured["cpu_ms_per_call"] < 1000
        assert measured["emulator"]["cpu_ms_per_call"] > 0
    # the controller writes every call down, records it and runs the ACD: it cannot cost less than the floor
    assert level["cpu_ms_per_call"] > level["floor"]["cpu_ms_per_call"]
    assert "load" in result and "acd" not in result


def test_generated_controller_settings_load_with_a_seat_per_call_in_flight(tmp_path):
    path = tmp_path / "cc112.toml"
    path.write_text(controller_toml(LoadSpec(in_flight=120), "http://127.0.0.1:8088", 5038, tmp_path))
    settings = load_settings(path, environ={})
    assert len(settings.seats) == 120 and settings.seats[-1].dial_string == "PJSIP/seat120"
    assert settings.queue.wrapup_time == 0 and settings.callback.enabled is False
    assert settings.database.url.endswith("cc112.sqlite3")


def _level(in_flight, scale):
    figures = {"in_flight": in_flight, "setups_per_s": 50.0 / scale, "cpu_ms_per_call": 10.0 * scale,
               "rss_kb_per_call": 8.0 * scale, "stasis_to_originate_ms": {"p50": 2.0 * scale, "p99": 4.0 * scale},
               "free_to_ring_ms": {"p50": 3.0 * scale, "p99": 6.0 * scale}, "emulator": {"cpu_share": 0.25}}
    return figures


def test_table_prints_each_figure_beside_the_floors_with_the_ratio():
    result = {"load": {"seats": "one per call in flight", "answer_after": 0.05, "rate": 20.0},
              "levels": [{**_level(250, 2.0), "floor": _level(250, 1.0)}]}
    lines = load_table(result)
    cpu = next(line for line in lines if "CPU ms per call" in line)
    assert cpu.split()[-3:] == ["20.0", "10.0", "2.00x"]
    setups = next(line for line in lines if "setups/s" in line)
    assert setups.split()[-1] == "0.50x"
    assert sum("250" in line for line in lines) == 8  # seven figures and the emulator's CPU share

    from rich.console import Console

    console = Console(record=True, width=160, force_terminal=True)
    console.print(render_rich({"seed": 1, "machine": {"cpus": 2, "python": "3"}, "wall_seconds": 1.0, **result}))
    text = console.export_text()
    assert "StasisStart->originate ms p99" in text and "2.00x" in text
