"""The demo's scenario has every kind of caller and seat action the wallboard should show,
whatever the seed, and `--speed` only compresses its clock."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest

from cc112_pbx.cli.demo_cmd import _speed
from cc112_pbx.demo.scenario import build_scenario


@pytest.mark.parametrize("seed", [112, 7, 3, 1, 2026])
def test_every_kind_of_caller_and_seat_action_is_there(seed):
    scenario = build_scenario(40, 10, seed)
    callers = scenario.callers
    kinds = Counter(c.kind for c in callers)
    assert len(callers) == 41 and kinds["repeat"] == 1
    assert kinds["report"] >= 20 and kinds["abandon"] >= 2
    assert any(c.kind == "drop" and c.number.startswith("+") for c in callers if c.number)
    assert any(c.kind == "abandon" and c.number is None for c in callers)  # SIM-less and impatient
    assert any(c.number in (None, "anonymous") for c in callers if c.kind != "abandon")  # reports without a number
    assert len({c.category for c in callers if c.kind == "report"}) >= 4
    repeat = next(c for c in callers if c.kind == "repeat")
    first = next(c for c in callers if c.number == repeat.number and c.kind == "abandon")
    assert first.at + first.patience < repeat.at < first.at + first.patience + 2  # before the callback (2 s)
    burst = [c for c in callers if c.burst]
    assert len(burst) == 12 and max(c.at for c in burst) - min(c.at for c in burst) <= 1.1
    assert [(a.seat, a.code) for a in scenario.seat_actions] == [("seat02", "*13"), ("seat03", "*12"),
                                                                  ("seat02", "*13")]
    assert scenario.never_answering_seat == "seat10"


def test_speed_compresses_the_scenario_clock_and_nothing_else():
    slow, fast = build_scenario(40, 10, 5), build_scenario(40, 10, 5, pace=0.5)
    assert [c.number for c in slow.callers] == [c.number for c in fast.callers]
    assert [c.kind for c in slow.callers] == [c.kind for c in fast.callers]
    # talk times halve; arrivals come faster (not quite twice: the 1 s wrap-up is the centre's own)
    assert [c.talk_time / 2 for c in slow.callers if c.talk_time] == pytest.approx(
        [c.talk_time for c in fast.callers if c.talk_time], abs=0.001)  # rounded to the millisecond
    assert slow.duration / 2 < fast.duration < slow.duration * 0.7


def test_speed_must_be_reasonable():
    assert _speed("2") == 2.0 and _speed("0.5") == 0.5
    for bad in ("0", "-1", "11", "fast"):
        with pytest.raises(argparse.ArgumentTypeError):
            _speed(bad)
