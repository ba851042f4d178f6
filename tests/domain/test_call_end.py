"""How a call ended decides whether the centre calls back: abandoned, dropped or completed."""

from __future__ import annotations

import datetime as dt

import pytest

from cc112_pbx.domain.call_end import CallOutcome, EndedCall, classify_call_end, is_ghost_call
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.timeline import HangupParty

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def ended(seconds, by="caller", status="new", answered_after=None, silent=False) -> EndedCall:
    answered = T0 + dt.timedelta(seconds=answered_after) if answered_after is not None else None
    return EndedCall(T0, T0 + dt.timedelta(seconds=seconds), HangupParty(by), IncidentStatus(status), answered, silent)


def test_caller_who_hangs_up_before_any_seat_answered_abandoned():
    assert classify_call_end(ended(40)) is CallOutcome.ABANDONED
    assert classify_call_end(ended(40, by="system")) is CallOutcome.ABANDONED


@pytest.mark.parametrize(("by", "status"), [("caller", "in_progress"), ("system", "new"), ("caller", "new")])
def test_caller_leg_ending_while_the_report_is_still_being_taken_dropped(by, status):
    assert classify_call_end(ended(60, by, status, answered_after=10)) is CallOutcome.DROPPED


@pytest.mark.parametrize(
    ("by", "status"),
    [("seat", "in_progress"), ("caller", "verified"), ("caller", "dispatched"), ("system", "closed")],
)
def test_seat_ending_the_call_or_a_report_that_moved_on_completed(by, status):
    assert classify_call_end(ended(60, by, status, answered_after=10)) is CallOutcome.ANSWERED


def test_a_short_call_that_never_reached_a_seat_is_a_ghost_call():
    assert is_ghost_call(ended(3), threshold_s=5)
    assert not is_ghost_call(ended(5), threshold_s=5)
    assert not is_ghost_call(ended(3), threshold_s=0)  # the policy can switch tagging off


def test_a_call_that_talked_to_a_seat_or_pressed_5_5_is_never_a_ghost():
    assert not is_ghost_call(ended(4, answered_after=1), threshold_s=5)
    assert not is_ghost_call(ended(3, silent=True), threshold_s=5)
