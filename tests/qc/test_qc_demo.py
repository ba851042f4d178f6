"""The demo draws this week's QC samples for its call takers and scores a few (issue 18)."""

from __future__ import annotations

from collections import Counter

import pytest

from cc112_pbx.demo.runner import run_demo


@pytest.mark.slow  # the demo's callers in real time (about 15 s)
async def test_the_demo_draws_two_samples_per_call_taker_and_scores_a_few(tmp_path):
    seen: dict = {}

    async def inspect(sb):
        db = sb.app.db
        answered = Counter()
        for call in await db.qc.candidate_calls(*_week_bounds(sb)):
            if (call.ended_at - call.connected_at).total_seconds() > 1.0:
                answered[call.seat_id] += 1
        seen["answered"] = answered
        seen["samples"] = await db.qc.samples()
        seen["evaluations"] = await db.qc.evaluations()

    result = await run_demo(calls=12, seats=4, seed=5, workdir=tmp_path / "run", live=False, api=False,
                            inspect=inspect)
    per_seat = Counter(s.seat_id for s in seen["samples"])
    assert per_seat == {seat: min(2, n) for seat, n in seen["answered"].items()}
    assert result["qc_samples"] == sum(per_seat.values()) > 0
    assert result["qc_rubric_elements"] == 14
    assert result["qc_evaluated"] == len(seen["evaluations"]) == min(3, result["qc_samples"])
    assert all(e.evaluator == "demo-evaluator" and e.rubric_version == 1 for e in seen["evaluations"])


def _week_bounds(sb):
    from cc112_pbx.domain.qc import Week
    from cc112_pbx.services.qc_service import QcPolicy

    zone = QcPolicy().time_zone
    return Week.containing(sb.controller.ctx.clock.wall(), zone).bounds(zone)
