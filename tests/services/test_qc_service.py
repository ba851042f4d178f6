"""`QcService` with fakes of its ports (issue 18): no database, no sockets, no sleeps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cc112_pbx.domain.qc import Week
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import Conflict, Forbidden, Invalid
from cc112_pbx.services.qc_service import QcPolicy, QcService
from tests.services.fakes import FakeClock
from tests.services.qc_fakes import FakeQcStore, row

JAKARTA = ZoneInfo("Asia/Jakarta")
W40 = Week.parse("2026-W40")
MONDAY = datetime(2026, 9, 28, 0, 30, tzinfo=JAKARTA)
EVA = Principal(9, "eva", Role.QC_EVALUATOR, seat_id="seat03")
SEEDS = iter(range(1000, 2000))


def service(store: FakeQcStore, **policy) -> QcService:
    clock = FakeClock(start=datetime(2026, 10, 6, 3, 0, tzinfo=UTC))  # Tuesday of 2026-W41 in Jakarta
    return QcService(store, store.audit, clock, QcPolicy(new_seed=lambda: next(SEEDS), **policy))


def candidate(call_id: str, seat: str, at: datetime, talk_s: float = 120.0) -> object:
    return row(call_id=call_id, seat_id=seat, recording_id=int(call_id.split("-")[-1]) + 1,
               connected_at=at, ended_at=at + timedelta(seconds=talk_s))


def store_with_calls() -> FakeQcStore:
    store = FakeQcStore()
    n = 0
    for seat, count, talk in (("seat01", 6, 120.0), ("seat02", 1, 45.0), ("seat03", 5, 300.0), ("seat04", 3, 30.0)):
        for _ in range(count):
            store.qc.candidates.append(candidate(f"{seat}-{n}", seat, MONDAY + timedelta(hours=n), talk))
            n += 1
    store.qc.candidates.append(candidate("late-99", "seat01", MONDAY + timedelta(days=7)))  # W41 in Jakarta
    store.api_users.users = [row(role="qc_evaluator", seat_id="seat03"), row(role="call_taker", seat_id="seat01")]
    return store


async def test_the_week_is_asked_in_the_centres_time_zone_and_drawn_with_exclusions_and_shortfall():
    store = store_with_calls()
    draw = await service(store).sample_week(W40, actor="eva")
    assert store.qc.windows == [(datetime(2026, 9, 28, tzinfo=JAKARTA), datetime(2026, 10, 5, tzinfo=JAKARTA))]
    seats = sorted(s["seat_id"] for s in draw["samples"])
    assert seats == ["seat01", "seat01", "seat02"]  # seat03: the evaluator's; seat04: exactly 30 s, not longer
    assert draw["shortfall"] == {"seat02": 1} and draw["excluded_seats"] == ["seat03"]
    assert draw["seed"] == store.qc.run_rows["2026-W40"].seed
    assert [e["action"] for e in store.audit.entries] == ["qc.sampled"]


async def test_two_draws_of_the_same_week_at_once_make_one_run():
    store = store_with_calls()
    store.qc.store_run_delay = 5
    qc = service(store)
    first, second = await asyncio.gather(qc.sample_week(W40, actor="a"), qc.sample_week(W40, actor="b"))
    assert sorted([first["created"], second["created"]]) == [False, True]
    assert len(store.qc.sample_rows) == 3 and first["samples"] == second["samples"]


async def test_a_draw_lost_to_another_process_answers_the_stored_one():
    store = store_with_calls()
    qc = service(store)
    original = store.qc.store_run

    async def someone_else_first(**kwargs):
        await original(**{**kwargs, "drawn_by": "other-process"})
        return await original(**kwargs)  # raises: the week exists

    store.qc.store_run = someone_else_first
    draw = await qc.sample_week(W40, actor="eva")
    assert draw["created"] is False and draw["drawn_by"] == "other-process"


async def test_the_default_week_is_the_last_finished_one_in_jakarta():
    assert str(service(FakeQcStore()).last_finished_week()) == "2026-W40"


async def test_a_correction_is_the_next_version_and_the_evaluator_never_scores_their_own_seat():
    store = store_with_calls()
    qc = service(store)
    draw = await qc.sample_week(W40, actor="eva")
    rubric = await qc.rubric(EVA)
    sample_id = draw["samples"][0]["id"]
    scores = {e["key"]: "yes" for e in rubric["elements"]}
    first = await qc.evaluate(EVA, sample_id, {"scores": scores})
    with pytest.raises(Conflict):
        await qc.evaluate(EVA, sample_id, {"scores": scores})
    with pytest.raises(Invalid):
        await qc.correct(EVA, first["id"], {"scores": scores})
    second = await qc.correct(EVA, first["id"], {"scores": {**scores, "closing": "no"}, "reason": "missed it"})
    assert (second["version"], second["supersedes_id"]) == (2, first["id"])
    assert store.qc.evaluation_rows[first["id"]].scores["closing"] == {"score": "yes", "comment": ""}
    assert store.audit.entries[-1]["details"]["changed"] == ["closing"]

    other = next(s for s in store.qc.sample_rows.values() if s.id != sample_id)
    other.__dict__["seat_id"] = "seat03"  # as if the evaluator had taken this call
    with pytest.raises(Forbidden):
        await qc.evaluate(EVA, other.id, {"scores": scores})


async def test_a_call_taker_without_a_seat_or_another_role_has_no_evaluations():
    qc = service(FakeQcStore())
    with pytest.raises(Forbidden):
        await qc.evaluations(Principal(1, "x", Role.CALL_TAKER, seat_id=None), {})
    mine = await qc.evaluations(Principal(2, "tono", Role.CALL_TAKER, seat_id="seat01"), {})
    assert mine == []
