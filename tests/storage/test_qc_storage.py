"""The QC tables (issue 18) on SQLite and PostgreSQL: candidates in a week (time zones and all), a
week drawn once, append-only evaluations with unique versions, responses, the qc_evaluator role."""

from __future__ import annotations

import datetime as dt

import pytest

from cc112_pbx.storage.repositories.qc import EvaluationVersionTaken, SampleRunExists
from tests.qc_data import add_recorded_call

T = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Jakarta, 2026-W40


async def test_candidates_are_answered_recorded_inbound_calls_connected_in_the_window(db):
    await add_recorded_call(db, "in-week", "seat01", T, talk_s=40)
    await add_recorded_call(db, "before", "seat01", T - dt.timedelta(days=1), talk_s=40)
    await add_recorded_call(db, "deleted", "seat02", T + dt.timedelta(hours=1), talk_s=40)
    [deleted] = await db.recordings.for_call("deleted")
    await db.recordings.mark_deleted(deleted.id, T + dt.timedelta(days=30))
    rows = await db.qc.candidate_calls(T - dt.timedelta(hours=2), T + dt.timedelta(days=6))
    assert [(r.call_id, r.seat_id) for r in rows] == [("in-week", "seat01")]
    assert rows[0].connected_at == T and rows[0].ended_at == T + dt.timedelta(seconds=40)
    assert rows[0].connected_at.tzinfo is not None


async def test_a_week_is_stored_once_and_its_samples_with_it(db):
    recording = await add_recorded_call(db, "c1", "seat01", T)
    run, samples = await db.qc.store_run(week="2026-W40", seed=2**47 + 5, per_taker=2, min_talk_s=30.0, drawn_at=T,
                                         drawn_by="scheduler", report={"shortfall": {"seat01": 1}},
                                         samples=[("seat01", "c1", recording)])
    assert run.seed == 2**47 + 5 and [s.call_id for s in samples] == ["c1"]
    with pytest.raises(SampleRunExists):
        await db.qc.store_run(week="2026-W40", seed=1, per_taker=2, min_talk_s=30.0, drawn_at=T, drawn_by="x",
                              report={}, samples=[])
    assert [s.id for s in await db.qc.samples(week="2026-W40")] == [samples[0].id]
    assert await db.qc.referenced([recording, 999]) == {recording}


async def test_evaluations_are_appended_with_unique_versions_and_only_the_newest_counts(db):
    recording = await add_recorded_call(db, "c1", "seat01", T)
    _, [sample] = await db.qc.store_run(week="2026-W40", seed=1, per_taker=2, min_talk_s=30.0, drawn_at=T,
                                        drawn_by="x", report={}, samples=[("seat01", "c1", recording)])
    rubric = await db.qc.save_rubric([{"key": "a", "title_id": "A", "title_en": "A", "weight": 1.0,
                                       "na_allowed": True}], "default", T)
    fields = dict(sample_id=sample.id, rubric_version=rubric.version, week="2026-W40", seat_id="seat01",
                  evaluator="eva", comment="", signals={"answer_s": 6.0}, submitted_at=T)
    first = await db.qc.add_evaluation(version=1, supersedes_id=None, scores={"a": {"score": "no"}}, earned=0,
                                       possible=1, compliance=0.0, **fields)
    with pytest.raises(EvaluationVersionTaken):
        await db.qc.add_evaluation(version=1, supersedes_id=None, scores={}, earned=0, possible=0, compliance=None,
                                   **fields)
    second = await db.qc.add_evaluation(version=2, supersedes_id=first.id, scores={"a": {"score": "yes"}}, earned=1,
                                        possible=1, compliance=1.0, **fields)
    assert [e.id for e in await db.qc.evaluations(weeks=["2026-W40"])] == [second.id]
    assert [e.id for e in await db.qc.evaluations(current_only=False)] == [first.id, second.id]
    assert (await db.qc.evaluation(first.id)).scores == {"a": {"score": "no"}}
    await db.qc.add_response(second.id, kind="disputed", comment="why", author="tono", at=T)
    assert [(r.kind, r.author) for r in await db.qc.responses([second.id])] == [("disputed", "tono")]


async def test_the_api_users_role_allows_qc_evaluator(db):
    user = await db.api_users.create("eva", "a-long-password", "qc_evaluator", T)
    assert str(user.role) == "qc_evaluator"
