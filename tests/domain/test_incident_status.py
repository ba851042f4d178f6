"""The status lifecycle: only the moves in the table are possible, and a refused move says why."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112_pbx.domain.incident_status import (
    FINAL_STATUSES,
    TRANSITIONS,
    IllegalTransition,
    IncidentStatus,
    can_transition,
    check_transition,
    is_open,
)

statuses = st.sampled_from(list(IncidentStatus))


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(IncidentStatus)


def test_closed_and_cancelled_are_final():
    assert FINAL_STATUSES == {IncidentStatus.CLOSED, IncidentStatus.CANCELLED}
    assert not is_open("closed") and is_open("dispatched")


@pytest.mark.parametrize(
    "path",
    [
        ["new", "in_progress", "verified", "dispatched", "resolved", "closed"],
        ["new", "in_progress", "cancelled"],  # a prank, found out on the phone
        ["new", "closed"],  # an information call
        ["new", "verified", "dispatched", "resolved", "dispatched", "resolved", "closed"],
    ],
)
def test_the_sop_paths_are_allowed(path):
    for current, target in itertools.pairwise(path):
        assert check_transition(current, target) == target


def test_dispatching_an_unverified_report_is_refused_naming_the_allowed_targets():
    with pytest.raises(IllegalTransition) as refused:
        check_transition("new", "dispatched")
    assert refused.value.current is IncidentStatus.NEW and refused.value.target is IncidentStatus.DISPATCHED
    assert refused.value.allowed == ("cancelled", "closed", "in_progress", "verified")
    assert "from 'new' to 'dispatched'; allowed: cancelled, closed, in_progress, verified" in str(refused.value)


def test_a_closed_incident_cannot_move_at_all():
    with pytest.raises(IllegalTransition, match="allowed: nothing \\(final status\\)"):
        check_transition(IncidentStatus.CLOSED, IncidentStatus.IN_PROGRESS)


@given(statuses, statuses)
def test_check_transition_agrees_with_the_table(current, target):
    if target in TRANSITIONS[current]:
        assert check_transition(current, target) is target
    else:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)


@given(statuses)
def test_no_status_moves_to_itself_and_new_is_never_reached_again(status):
    assert not can_transition(status, status)
    assert not can_transition(status, IncidentStatus.NEW)


@given(st.lists(statuses, max_size=12))
def test_any_accepted_walk_ends_at_most_once_in_a_final_status(walk):
    current = IncidentStatus.NEW
    finals = 0
    for target in walk:
        if can_transition(current, target):
            current = check_transition(current, target)
            finals += current in FINAL_STATUSES
    assert finals <= 1


def test_every_status_is_reachable_from_new_and_every_path_can_end():
    reachable, frontier = {IncidentStatus.NEW}, [IncidentStatus.NEW]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(IncidentStatus)
    for status in IncidentStatus:
        assert status in FINAL_STATUSES or TRANSITIONS[status] & (FINAL_STATUSES | {IncidentStatus.RESOLVED})
