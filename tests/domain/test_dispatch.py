"""The dispatch lifecycle (issue 17): allowed moves stamp their time, everything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.domain.dispatch import (
    FINAL,
    OPEN,
    STAMP,
    TRANSITIONS,
    CannotAcknowledge,
    DispatchStatus,
    IllegalDispatchTransition,
    InvalidDispatchChange,
    acknowledge,
    is_overdue,
    new_dispatch,
    response_times,
    transition,
)

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
S = DispatchStatus


def _extras(target: DispatchStatus, step: int) -> dict:
    return {"officer_id": 100 + step, "reason": "unit kosong", "report": "selesai"}


def test_the_whole_lifecycle_stamps_each_step_and_measures_the_response():
    d = new_dispatch(7, 3, T0, "tono", priority=1, instructions="kebakaran")
    for minutes, (target, extra) in enumerate([(S.SENT_TO_AGENCY, {}), (S.ACCEPTED, {}),
                                               (S.ASSIGNED, {"officer_id": 5}), (S.EN_ROUTE, {}),
                                               (S.ON_SCENE, {}), (S.RESOLVED, {"report": "api padam"})], 1):
        d = transition(d, target, T0 + timedelta(minutes=minutes), **extra)
        assert d.status is target and getattr(d, STAMP[target]) == T0 + timedelta(minutes=minutes)
    assert d.officer_id == 5 and d.report == "api padam" and not d.is_open
    times = response_times(d)
    assert (times.accept_s, times.on_scene_s, times.resolved_s) == (60.0, 240.0, 300.0)


@pytest.mark.parametrize("target,field", [(S.REJECTED, "reason"), (S.ASSIGNED, "officer_id")])
def test_a_move_missing_what_it_needs_names_the_field(target, field):
    d = transition(transition(new_dispatch(1, 1, T0, "x"), S.SENT_TO_AGENCY, T0), S.ACCEPTED, T0)
    with pytest.raises(InvalidDispatchChange) as refused:
        transition(d, target, T0)
    assert refused.value.field == field


def test_resolving_needs_the_report_and_final_statuses_go_nowhere():
    d = new_dispatch(1, 1, T0, "x")
    for target, extra in ((S.SENT_TO_AGENCY, {}), (S.ACCEPTED, {}), (S.ASSIGNED, {"officer_id": 1}),
                          (S.ON_SCENE, {})):
        d = transition(d, target, T0, **extra)
    with pytest.raises(InvalidDispatchChange, match="report"):
        transition(d, S.RESOLVED, T0, report="  ")
    done = transition(d, S.RESOLVED, T0, report="ok")
    for target in DispatchStatus:
        with pytest.raises(IllegalDispatchTransition):
            transition(done, target, T0, officer_id=2, reason="r", report="r")


def test_priority_and_naive_times_are_refused():
    with pytest.raises(InvalidDispatchChange, match="priority"):
        new_dispatch(1, 1, T0, "x", priority=9)
    with pytest.raises(ValueError):
        new_dispatch(1, 1, T0.replace(tzinfo=None), "x")


def test_overdue_only_while_waiting_for_an_accept():
    d = transition(new_dispatch(1, 1, T0, "x"), S.SENT_TO_AGENCY, T0)
    assert not is_overdue(d, T0 + timedelta(seconds=299), 300)
    assert is_overdue(d, T0 + timedelta(seconds=300), 300)
    assert not is_overdue(d, T0 + timedelta(hours=1), 0)  # 0: never
    accepted = transition(d, S.ACCEPTED, T0 + timedelta(seconds=10))
    assert not is_overdue(accepted, T0 + timedelta(hours=1), 300)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(DispatchStatus)), max_size=12))
def test_any_sequence_of_moves_follows_the_table_and_time_never_runs_backwards(targets):
    d = new_dispatch(1, 1, T0, "x")
    for step, target in enumerate(targets, 1):
        at = T0 + timedelta(seconds=step)
        before = d
        try:
            d = transition(d, target, at, **_extras(target, step))
        except IllegalDispatchTransition as exc:
            assert target not in TRANSITIONS[before.status]
            assert exc.current is before.status
            continue
        assert target in TRANSITIONS[before.status]
        assert d.status is target and getattr(d, STAMP[target]) == at
        assert (d.status in FINAL) != (d.status in OPEN)
        stamps = [getattr(d, f) for f in STAMP.values() if getattr(d, f) is not None]
        assert max(stamps) == at


def test_the_assigned_officer_acknowledges_once_and_a_new_officer_must_acknowledge_again():
    d = new_dispatch(7, 3, T0, "tono")
    for minutes, target in enumerate((S.SENT_TO_AGENCY, S.ACCEPTED), 1):
        d = transition(d, target, T0 + timedelta(minutes=minutes))
        with pytest.raises(CannotAcknowledge):  # nobody is assigned yet
            acknowledge(d, T0 + timedelta(minutes=minutes))
    d = transition(d, S.ASSIGNED, T0 + timedelta(minutes=3), officer_id=5)
    assert d.acknowledged_at is None
    acked = acknowledge(d, T0 + timedelta(minutes=4))
    assert acked.acknowledged_at == acked.updated_at == T0 + timedelta(minutes=4) and acked.status is S.ASSIGNED
    assert acknowledge(acked, T0 + timedelta(minutes=5)) is acked  # once: a retry changes nothing
    reassigned = transition(acked, S.ASSIGNED, T0 + timedelta(minutes=6), officer_id=6)
    assert reassigned.officer_id == 6 and reassigned.acknowledged_at is None
    going = transition(acknowledge(reassigned, T0 + timedelta(minutes=7)), S.EN_ROUTE, T0 + timedelta(minutes=8))
    assert going.acknowledged_at == T0 + timedelta(minutes=7)
    with pytest.raises(CannotAcknowledge):  # on the way: going was accepting
        acknowledge(transition(reassigned, S.EN_ROUTE, T0 + timedelta(minutes=8)), T0 + timedelta(minutes=9))
