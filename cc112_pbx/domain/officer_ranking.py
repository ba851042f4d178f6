"""Which officers may be suggested for a dispatch, and in what order (issue 17). Standard library only.

An officer is a candidate only when marked available, not busy with another dispatch, active,
and seen (a position received) within `stale_after` seconds; the candidates are ranked by
estimated time of arrival at the scene, then by straight-line distance, then by id (stable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cc112_pbx.domain.geo import LatLon, haversine_m


@dataclass(frozen=True, slots=True)
class OfficerState:
    officer_id: int
    agency_id: int
    available: bool
    active: bool
    busy: bool
    position: LatLon | None
    seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ranked:
    officer_id: int
    agency_id: int
    eta_s: float
    distance_m: float
    estimate: bool  # True: straight line at a configured speed, not a road route
    seen_at: datetime


def is_stale(seen_at: datetime | None, now: datetime, stale_after: float) -> bool:
    return seen_at is None or (now - seen_at).total_seconds() > stale_after


def candidates(officers: Iterable[OfficerState], now: datetime, stale_after: float,
               agency_ids: Sequence[int] | None = None) -> list[OfficerState]:
    """The officers that may be suggested (never unavailable, busy, inactive, unplaced or stale ones)."""
    return [o for o in officers
            if o.available and o.active and not o.busy and o.position is not None
            and not is_stale(o.seen_at, now, stale_after)
            and (agency_ids is None or o.agency_id in agency_ids)]


def rank(chosen: Sequence[OfficerState], scene: LatLon, etas: Sequence[float | None],
         fallback_eta: Sequence[float], ) -> list[Ranked]:
    """Nearest first. `etas[i]` is the router's seconds for `chosen[i]` (None: it had no route), used
    when given; otherwise `fallback_eta[i]` (straight line), marked as an estimate."""
    if not len(chosen) == len(etas) == len(fallback_eta):
        raise ValueError("one ETA per officer")
    ranked = []
    for officer, eta, fallback in zip(chosen, etas, fallback_eta, strict=True):
        assert officer.position is not None and officer.seen_at is not None
        distance = haversine_m(officer.position, scene)
        routed = eta is not None and eta >= 0
        ranked.append(Ranked(officer.officer_id, officer.agency_id, round(eta if routed else fallback, 1),  # type: ignore[arg-type]
                             round(distance, 1), not routed, officer.seen_at))
    return sorted(ranked, key=lambda r: (r.eta_s, r.distance_m, r.officer_id))
