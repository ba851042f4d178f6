"""The demo summary's arithmetic: `summary_problems` names whatever does not add up."""

from __future__ import annotations

import pytest

from cc112_pbx.demo.report import summary_problems

GOOD = {"calls": 10, "stored_calls": 10, "answered": 8, "dropped": 2, "abandoned": 2, "incidents": 9,
        "repeat_calls": 1, "callback_due": 3, "callback_results": {"done": 1, "exhausted": 1, "cancelled": 1},
        "answered_with_recording": 8}


def test_a_summary_that_adds_up_has_no_problem():
    assert summary_problems(GOOD) == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"abandoned": 3}, "answered 8 + abandoned 3"),
    ({"stored_calls": 9}, "10 calls placed but 9 stored"),
    ({"dropped": 9}, "dropped 9 > answered 8"),
    ({"incidents": 10}, "incidents 10 + repeat calls 1 != calls 10"),
    ({"callback_results": {"done": 1, "exhausted": 1, "pending": 1}}, "no callback outcome: {'pending': 1}"),
    ({"callback_results": {"done": 1, "exhausted": 1, "missing": 1}}, "no callback outcome: {'missing': 1}"),
    ({"callback_results": {"done": 2}}, "do not cover every caller due a callback"),
    ({"answered_with_recording": 7}, "1 answered calls without a recording"),
])
def test_each_thing_that_does_not_add_up_is_named(change, problem):
    problems = summary_problems({**GOOD, **change})
    assert len(problems) == 1 and problem in problems[0]
