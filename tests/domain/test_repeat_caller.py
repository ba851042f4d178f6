"""A citizen who calls again while the incident is open reaches the same incident and seat."""

from __future__ import annotations

import datetime as dt

from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.domain.repeat_caller import IncidentPolicy, RecentIncident, RepeatMatch, match_repeat_call

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def recent(incident_id, minutes_ago, numbers=("+6281234567890",), status="in_progress", seat="seat01"):
    return RecentIncident(incident_id, IncidentStatus(status), NOW - dt.timedelta(minutes=minutes_ago),
                          tuple(numbers), seat)


def test_a_repeat_call_within_the_window_links_to_the_open_incident_and_prefers_its_seat():
    match = match_repeat_call("0812-3456-7890", NOW, [recent(1, 10)], window_s=1800)
    assert match == RepeatMatch(1, "seat01")


def test_the_number_the_caller_gave_for_the_callback_also_matches():
    assert match_repeat_call("024 355 1234", NOW, [recent(2, 5, numbers=(None, "+62243551234"))], 1800).incident_id == 2


def test_the_most_recently_called_incident_wins():
    match = match_repeat_call("+6281234567890", NOW, [recent(1, 25), recent(2, 3, seat="seat04")], 1800)
    assert match == RepeatMatch(2, "seat04")


def test_no_link_outside_the_window_to_a_closed_incident_or_without_a_number():
    assert match_repeat_call("+6281234567890", NOW, [recent(1, 31)], 1800) is None
    assert match_repeat_call("+6281234567890", NOW, [recent(1, 1, status="closed")], 1800) is None
    assert match_repeat_call("+6281234567890", NOW, [recent(1, 1, numbers=("+628999",))], 1800) is None
    assert match_repeat_call(None, NOW, [recent(1, 1, numbers=(None,))], 1800) is None
    assert match_repeat_call("+6281234567890", NOW, [recent(1, 1)], 0) is None


def test_incident_policy_refuses_negative_times():
    import pytest

    with pytest.raises(ValueError, match="ghost_call_threshold: must be a number of seconds >= 0"):
        IncidentPolicy(ghost_call_threshold=-1)
