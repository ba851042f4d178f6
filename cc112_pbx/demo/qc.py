"""The demo's quality control (issue 18): draw this week's samples for the demo's call takers and
score a few with the default rubric, as a QC evaluator would in the console.

The demo's calls last seconds, not minutes: the draw takes calls longer than one second (the
centre's `[qc] min_talk_time` is 30 s). Scores are drawn from the demo's seed, so a run repeats.
"""

from __future__ import annotations

import random
from typing import Any

from cc112_pbx.domain.qc import Week
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.qc_service import QcPolicy, QcService

DEMO_MIN_TALK_S = 1.0
SCORED = 3  # how many samples the demo's evaluator scores
EVALUATOR = Principal(0, "demo-evaluator", Role.QC_EVALUATOR)


async def qc_demo(sb: Any, seed: int) -> dict[str, Any]:
    """`sb`: the running `Switchboard`. Returns the summary's `qc_*` figures."""
    db = sb.app.db
    policy = QcPolicy(min_talk_s=DEMO_MIN_TALK_S)
    service = QcService(db, db.audit, sb.controller.ctx.clock, policy)
    week = Week.containing(sb.controller.ctx.clock.wall(), policy.time_zone)
    draw = await service.sample_week(week, actor=EVALUATOR.username, seed=seed)
    rubric = await service.rubric(EVALUATOR)
    rng = random.Random(seed)
    scored = []
    for sample in draw["samples"][:SCORED]:
        scores = {e["key"]: rng.choices(("yes", "no", "na") if e["na_allowed"] else ("yes", "no"),
                                        (8, 1, 1) if e["na_allowed"] else (8, 1))[0] for e in rubric["elements"]}
        scored.append(await service.evaluate(EVALUATOR, sample["id"], {"scores": scores, "comment": "demo"}))
    report = await service.report_for([week])
    return {"qc_samples": len(draw["samples"]), "qc_rubric_elements": len(rubric["elements"]),
            "qc_evaluated": len(scored), "qc_week": str(week), "qc_seed": draw["seed"],
            "qc_shortfall": draw["shortfall"], "qc_compliance": report["overall"]["compliance"]}
