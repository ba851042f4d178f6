"""Quality control's pure core (issue 18): weeks, the seeded draw, compliance, the report."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112_pbx.domain import qc
from cc112_pbx.domain.qc import Candidate, RubricElement, Score, Week

JAKARTA = ZoneInfo("Asia/Jakarta")


def calls(seat: str, n: int, talk: float = 120.0, start: int = 0) -> list[Candidate]:
    return [Candidate(f"{seat}-call{start + i:03d}", seat, 100 + start + i, talk) for i in range(n)]


# --- weeks --------------------------------------------------------------------------------------


def test_a_week_starts_monday_midnight_in_jakarta():
    start, end = Week.parse("2026-W49").bounds(JAKARTA)
    assert start.astimezone(UTC) == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Mon 30 Nov 00:00 WIB
    assert (end - start).days == 7


def test_a_call_late_sunday_utc_belongs_to_the_next_week_in_jakarta():
    sunday_night_utc = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)  # Monday 01:30 in Jakarta
    assert str(Week.containing(sunday_night_utc, JAKARTA)) == "2026-W50"
    assert str(Week.containing(sunday_night_utc, UTC)) == "2026-W49"


@pytest.mark.parametrize("text", ["2026-49", "2026-W54", "2026-W00", "26-W01", "", "2026-W1"])
def test_bad_weeks_are_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match=r"YYYY-Www|has no week"):
        Week.parse(text)


def test_week_arithmetic_crosses_years():
    assert str(Week.parse("2027-W01").previous()) == "2026-W53"
    assert str(Week.parse("2026-W53").following()) == "2027-W01"
    assert [str(w) for w in qc.weeks_between(Week.parse("2026-W52"), Week.parse("2027-W02"))] == [
        "2026-W52", "2026-W53", "2027-W01", "2027-W02"]


# --- the draw --------------------------------------------------------------------------------------


def test_many_calls_per_taker_give_exactly_two_each_and_the_same_seed_the_same_draw():
    pool = calls("seat01", 30) + calls("seat02", 12) + calls("seat03", 5)
    first = qc.draw_samples(pool, seed=424242)
    again = qc.draw_samples(list(reversed(pool)), seed=424242)
    assert {seat: len(drawn) for seat, drawn in first.samples.items()} == {"seat01": 2, "seat02": 2, "seat03": 2}
    assert first.samples == again.samples
    assert first.shortfall == {}
    other = qc.draw_samples(pool, seed=7)
    assert other.samples != first.samples  # another seed, another draw (for these calls and seeds)


def test_a_taker_with_one_call_gets_one_and_the_shortfall_is_reported():
    draw = qc.draw_samples(calls("seat01", 5) + calls("seat02", 1), seed=1)
    assert len(draw.samples["seat02"]) == 1
    assert draw.shortfall == {"seat02": 1}
    assert draw.available == {"seat01": 5, "seat02": 1}


def test_short_calls_and_the_evaluators_own_seat_are_never_eligible():
    pool = calls("seat01", 3, talk=29.0) + calls("seat01", 2, talk=31.0, start=10) + calls("seat09", 4)
    eligible = qc.eligible(pool, min_talk_s=30, exclude_seats={"seat09"})
    assert {c.call_id for c in eligible} == {"seat01-call010", "seat01-call011"}


def test_a_swap_continues_the_same_seeded_order():
    pool = calls("seat01", 6)
    order = qc.draw_order(pool, 99, "seat01")
    drawn = qc.draw_samples(pool, 99).samples["seat01"]
    assert drawn == order[:2]
    assert qc.next_replacement(pool, 99, "seat01", [c.call_id for c in drawn]) == order[2]
    assert qc.next_replacement(pool, 99, "seat01", [c.call_id for c in pool]) is None


candidate_lists = st.lists(
    st.builds(Candidate, st.text("abcdef0123", min_size=1, max_size=6), st.sampled_from(["s1", "s2", "s3"]),
              st.integers(1, 10_000), st.floats(0, 600)),
    max_size=40, unique_by=lambda c: c.call_id)


@given(candidate_lists, st.integers(0, 2**48), st.integers(1, 4), st.floats(0, 120))
def test_the_draw_never_exceeds_the_quota_never_repeats_and_only_takes_eligible_calls(pool, seed, per, minimum):
    eligible = qc.eligible(pool, min_talk_s=minimum, exclude_seats={"s3"})
    draw = qc.draw_samples(eligible, seed, per_taker=per)
    picked = [c for drawn in draw.samples.values() for c in drawn]
    assert len({c.call_id for c in picked}) == len(picked)
    assert all(c.talk_s > minimum and c.seat_id != "s3" for c in picked)
    for seat, drawn in draw.samples.items():
        assert len(drawn) == min(per, draw.available[seat])
        assert all(c.seat_id == seat for c in drawn)
        assert draw.shortfall.get(seat, 0) == per - len(drawn)
    assert qc.draw_samples(list(reversed(eligible)), seed, per_taker=per).samples == draw.samples


# --- compliance -----------------------------------------------------------------------------------

RUBRIC = (RubricElement("a", "A", "A", weight=2.0), RubricElement("b", "B", "B", weight=1.0),
          RubricElement("c", "C", "C", weight=3.0))


def test_compliance_leaves_not_applicable_elements_out():
    result = qc.compliance(RUBRIC, {"a": Score.YES, "b": Score.NO, "c": Score.NOT_APPLICABLE})
    assert (result.earned, result.possible, result.ratio) == (2.0, 3.0, pytest.approx(2 / 3))


def test_compliance_with_everything_not_applicable_is_none_not_zero():
    assert qc.compliance(RUBRIC, dict.fromkeys("abc", "na")).ratio is None


@given(st.lists(st.sampled_from(["yes", "no", "na"]), min_size=3, max_size=3))
def test_compliance_is_a_share_and_na_changes_neither_side(scores):
    result = qc.compliance(RUBRIC, dict(zip("abc", scores, strict=True)))
    assert 0 <= result.earned <= result.possible <= 6
    without_na = {k: s for k, s in zip("abc", scores, strict=True) if s != "na"}
    assert qc.compliance(RUBRIC, without_na) == result


def test_the_default_rubric_has_the_fourteen_elements_of_the_issue_with_both_languages():
    assert len(qc.DEFAULT_RUBRIC) == 14
    assert len({e.key for e in qc.DEFAULT_RUBRIC}) == 14
    assert all(e.title_id and e.title_en and e.weight > 0 for e in qc.DEFAULT_RUBRIC)
    parsed, problems = qc.parse_rubric([e.to_dict() for e in qc.DEFAULT_RUBRIC])
    assert problems == [] and parsed == qc.DEFAULT_RUBRIC


def test_scores_name_every_missing_unknown_or_forbidden_na_element():
    elements = (RubricElement("a", "A", "A", na_allowed=False), RubricElement("b", "B", "B"))
    _, problems = qc.check_scores(elements, {"a": "na", "zzz": "yes"})
    assert dict(problems) == {"scores.zzz": "not an element of this rubric",
                              "scores.a.score": "this element cannot be not applicable",
                              "scores.b": "is required (yes, no or na)"}


def test_a_rubric_with_duplicate_keys_and_bad_weights_is_refused_field_by_field():
    _, problems = qc.parse_rubric([{"key": "a", "title_id": "A", "title_en": "A", "weight": 0},
                                   {"key": "a", "title_id": "", "title_en": "B"}])
    assert dict(problems) == {"elements[0].weight": "must be a number above 0 and at most 100",
                              "elements[1].key": "'a' is used twice",
                              "elements[1].title_id": "must be a text of 1-500 characters"}


# --- the report ----------------------------------------------------------------------------------


def test_the_report_pools_points_per_taker_and_counts_misses_per_element():
    rows = [
        qc.ScoredEvaluation("seat01", "2026-W48", {"a": "yes", "b": "no", "c": "yes"}, 5, 6),
        qc.ScoredEvaluation("seat01", "2026-W49", {"a": "no", "b": "no", "c": "na"}, 0, 3),
        qc.ScoredEvaluation("seat02", "2026-W49", {"a": "yes", "b": "yes", "c": "yes"}, 6, 6),
    ]
    report = qc.build_report(rows, RUBRIC, ["2026-W48", "2026-W49"])
    assert report.overall["compliance"] == pytest.approx(11 / 15)
    seat01 = report.takers[0]
    assert (seat01["seat_id"], seat01["earned"], seat01["possible"]) == ("seat01", 5, 9)
    assert [p["compliance"] for p in seat01["trend"]] == [pytest.approx(5 / 6), 0.0]
    assert seat01["missed"] == [{"key": "b", "count": 2}, {"key": "a", "count": 1}]
    b = next(e for e in report.elements if e["key"] == "b")
    assert (b["yes"], b["no"], b["na"], b["compliance"]) == (1, 2, 0, pytest.approx(1 / 3))
    assert [m["key"] for m in report.most_missed] == ["b", "a"]
    assert report.takers[1]["trend"][0]["compliance"] is None  # seat02 was not evaluated in W48
