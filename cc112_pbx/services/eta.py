"""Estimated times of arrival for the officers' suggestion (issue 17): the road router when one is
configured and answers, otherwise the straight line at a configured speed (marked as an estimate).
A router that fails is logged once per failure and never fails the suggestion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from cc112_pbx.domain.geo import LatLon, straight_line_eta_s
from cc112_pbx.services.ports import Router

log = structlog.get_logger("cc112.eta")


@dataclass(frozen=True, slots=True)
class Etas:
    routed: list[float | None]  # the router's seconds, None where it had none (or no router)
    straight: list[float]  # straight line at the fallback speed
    source: str  # "osrm" when the router answered, else "haversine"


class EtaService:
    def __init__(self, router: Router | None, fallback_speed_kmh: float) -> None:
        self.router = router
        self.fallback_speed_kmh = fallback_speed_kmh
        self.failures = 0

    async def etas(self, sources: Sequence[LatLon], scene: LatLon) -> Etas:
        straight = [straight_line_eta_s(s, scene, self.fallback_speed_kmh) for s in sources]
        routed: list[float | None] = [None] * len(sources)
        if self.router is None or not sources:
            return Etas(routed, straight, "haversine")
        try:
            answer = await self.router.durations([(s.lat, s.lon) for s in sources], (scene.lat, scene.lon))
        except Exception as exc:
            self.failures += 1
            log.warning("router_failed_straight_line_used", error=repr(exc)[:200], officers=len(sources))
            return Etas(routed, straight, "haversine")
        if len(answer) != len(sources):
            self.failures += 1
            log.warning("router_answer_wrong_length", expected=len(sources), got=len(answer))
            return Etas(routed, straight, "haversine")
        return Etas(list(answer), straight, "osrm")
