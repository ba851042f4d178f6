"""Which officers are suggested and in what order (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.domain.geo import LatLon, haversine_m, straight_line_eta_s
from cc112_pbx.domain.officer_ranking import OfficerState, candidates, rank

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SCENE = LatLon(-6.99, 110.42)


def officer(i: int, lat: float, *, available=True, busy=False, active=True, seen_s_ago=10.0, agency=1):
    return OfficerState(i, agency, available, active, busy, LatLon(lat, 110.42), NOW - timedelta(seconds=seen_s_ago))


def test_haversine_of_a_known_distance():
    # one degree of latitude is about 111.2 km
    assert abs(haversine_m(LatLon(0, 0), LatLon(1, 0)) - 111_195) < 10
    assert straight_line_eta_s(LatLon(0, 0), LatLon(0, 0), 30) == 0


def test_unavailable_busy_inactive_stale_and_unplaced_officers_are_never_candidates():
    states = [officer(1, -6.99), officer(2, -6.99, available=False), officer(3, -6.99, busy=True),
              officer(4, -6.99, active=False), officer(5, -6.99, seen_s_ago=601),
              OfficerState(6, 1, True, True, False, None, None), officer(7, -6.99, agency=2)]
    assert [o.officer_id for o in candidates(states, NOW, 600)] == [1, 7]
    assert [o.officer_id for o in candidates(states, NOW, 600, agency_ids=[2])] == [7]


def test_the_router_decides_the_order_and_its_gaps_fall_back_to_the_straight_line():
    near, far = officer(1, -6.995), officer(2, -7.03)
    ranked = rank([near, far], SCENE, [900.0, 240.0], [66.0, 480.0])
    assert [(r.officer_id, r.eta_s, r.estimate) for r in ranked] == [(2, 240.0, False), (1, 900.0, False)]
    ranked = rank([near, far], SCENE, [None, 600.0], [66.0, 480.0])
    assert [(r.officer_id, r.estimate) for r in ranked] == [(1, True), (2, False)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(-7.2, -6.8), st.booleans(), st.booleans(), st.floats(0, 1200)),
                min_size=1, max_size=15))
def test_straight_line_ranking_is_nearest_first_and_never_suggests_the_ineligible(rows):
    states = [officer(i, lat, available=avail, busy=busy, seen_s_ago=age)
              for i, (lat, avail, busy, age) in enumerate(rows)]
    chosen = candidates(states, NOW, 600)
    straight = [straight_line_eta_s(o.position, SCENE, 30) for o in chosen]
    ranked = rank(chosen, SCENE, [None] * len(chosen), straight)
    by_id = {s.officer_id: s for s in states}
    for r in ranked:
        s = by_id[r.officer_id]
        assert s.available and not s.busy and (NOW - s.seen_at).total_seconds() <= 600 and r.estimate
    distances = [r.distance_m for r in ranked]
    assert distances == sorted(distances) or [r.eta_s for r in ranked] == sorted(r.eta_s for r in ranked)
    assert len(ranked) == sum(1 for s in states if s.available and not s.busy
                              and (NOW - s.seen_at).total_seconds() <= 600)
