"""Great-circle distance and the straight-line ETA used when no road router answers. Standard library only."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class LatLon:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0) or math.isnan(self.lat + self.lon):
            raise ValueError(f"not a position: {self.lat}, {self.lon}")


def haversine_m(a: LatLon, b: LatLon) -> float:
    """Metres along the earth's surface between two points."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def straight_line_eta_s(a: LatLon, b: LatLon, speed_kmh: float) -> float:
    """Seconds to cover the straight line at `speed_kmh` (an estimate: roads are longer)."""
    if speed_kmh <= 0:
        raise ValueError("speed_kmh must be more than 0")
    return haversine_m(a, b) / (speed_kmh / 3.6)
