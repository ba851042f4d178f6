"""Officers' positions as their phones send them (issue 17): the OsmAnd / Traccar Client protocol
(query or form fields, or Traccar Client's JSON) and OwnTracks' JSON, parsed and checked into one
`PositionReport`. A report with any bad field is refused as a whole (`InvalidPosition` names every
field): nothing of it is stored. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

KNOTS_TO_KMH = 1.852
MPS_TO_KMH = 3.6
MAX_DEVICE_ID = 64


@dataclass(frozen=True, slots=True)
class PositionError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidPosition(ValueError):
    def __init__(self, errors: list[PositionError]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid position: " + "; ".join(str(e) for e in self.errors))


@dataclass(frozen=True, slots=True)
class PositionLimits:
    max_future: float = 120.0  # seconds a fix may be ahead of our clock (phones' clocks drift)
    max_age: float = 86400.0  # seconds: older fixes are refused (a phone replaying a lost day is not live)


@dataclass(frozen=True, slots=True)
class PositionReport:
    device_id: str
    lat: float
    lon: float
    at: datetime
    source: str  # "osmand" | "owntracks"
    speed_kmh: float | None = None
    bearing: float | None = None
    altitude: float | None = None
    accuracy_m: float | None = None
    battery: float | None = None  # percent


class _Fields:
    """Collects each field's problem instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[PositionError] = []

    def bad(self, name: str, message: str) -> None:
        self.errors.append(PositionError(name, message))

    def number(self, name: str, key: str | None = None, *, required: bool = False, low: float | None = None,
               high: float | None = None) -> float | None:
        value = self.raw.get(key or name)
        if value is None or value == "":
            if required:
                self.bad(name, "is required")
            return None
        if isinstance(value, bool):
            self.bad(name, "must be a number")
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.bad(name, "must be a number")
            return None
        if not math.isfinite(number):
            self.bad(name, "must be a finite number")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.bad(name, f"must be from {low:g} to {high:g}")
            return None
        return number


def _parse_time(value: Any) -> datetime | None:
    """Unix seconds (or milliseconds), or ISO 8601 with an offset ("Z" allowed)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    numeric = isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()
    if isinstance(value, int | float) or numeric:
        seconds = float(value)
        if not math.isfinite(seconds):
            return None
        if seconds > 1e11:  # milliseconds (Traccar Client sends them in some versions)
            seconds /= 1000.0
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    return None


def _check_time(fields: _Fields, name: str, value: Any, now: datetime, limits: PositionLimits,
                required: bool = True) -> datetime:
    if value is None or value == "":
        if required:
            fields.bad(name, "is required")
        return now
    at = _parse_time(value)
    if at is None:
        fields.bad(name, "unix seconds or ISO 8601 with a time zone")
        return now
    if at > now + timedelta(seconds=limits.max_future):
        fields.bad(name, f"is more than {limits.max_future:g} s in the future")
    elif at < now - timedelta(seconds=limits.max_age):
        fields.bad(name, f"is more than {limits.max_age:g} s old")
    return at


def _device(fields: _Fields, value: Any, name: str = "id") -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        fields.bad(name, "the device id is required")
        return ""
    text = str(value).strip()
    if len(text) > MAX_DEVICE_ID or any(c.isspace() for c in text):
        fields.bad(name, f"a device id of at most {MAX_DEVICE_ID} characters without spaces")
    return text


def _finish(fields: _Fields, **values: Any) -> PositionReport:
    if fields.errors:
        raise InvalidPosition(fields.errors)
    return PositionReport(**values)


def parse_osmand(raw: Mapping[str, Any], now: datetime, limits: PositionLimits = PositionLimits()) -> PositionReport:
    """OsmAnd / Traccar Client fields: `id`, `lat`, `lon`, `timestamp`, `speed` (knots), `bearing`,
    `altitude`, `accuracy`, `batt` (query, form or a flat JSON object)."""
    fields = _Fields(raw)
    device = _device(fields, raw.get("id", raw.get("deviceid")))
    lat = fields.number("lat", required=True, low=-90, high=90)
    lon = fields.number("lon", required=True, low=-180, high=180)
    at = _check_time(fields, "timestamp", raw.get("timestamp"), now, limits, required=False)
    speed = fields.number("speed", low=0, high=1000)
    bearing = fields.number("bearing", low=0, high=360)
    altitude = fields.number("altitude", low=-500, high=10000)
    accuracy = fields.number("accuracy", low=0, high=100000)
    battery = fields.number("batt", low=0, high=100)
    return _finish(fields, device_id=device, lat=lat, lon=lon, at=at, source="osmand",
                   speed_kmh=None if speed is None else round(speed * KNOTS_TO_KMH, 2), bearing=bearing,
                   altitude=altitude, accuracy_m=accuracy, battery=battery)


def parse_traccar_json(body: Mapping[str, Any], now: datetime,
                       limits: PositionLimits = PositionLimits()) -> PositionReport:
    """Traccar Client's JSON: `{device_id, location: {timestamp, coords: {latitude, longitude, speed (m/s),
    heading, altitude, accuracy}, battery: {level (0-1)}}}`."""
    location = body.get("location")
    if not isinstance(location, Mapping):
        raise InvalidPosition([PositionError("location", "an object with timestamp and coords is required")])
    coords = location.get("coords")
    if not isinstance(coords, Mapping):
        raise InvalidPosition([PositionError("location.coords", "an object with latitude and longitude")])
    fields = _Fields(coords)
    device = _device(fields, body.get("device_id"), "device_id")
    lat = fields.number("location.coords.latitude", "latitude", required=True, low=-90, high=90)
    lon = fields.number("location.coords.longitude", "longitude", required=True, low=-180, high=180)
    speed = fields.number("location.coords.speed", "speed", low=-1, high=300)
    heading = fields.number("location.coords.heading", "heading", low=-1, high=360)
    altitude = fields.number("location.coords.altitude", "altitude", low=-500, high=10000)
    accuracy = fields.number("location.coords.accuracy", "accuracy", low=0, high=100000)
    at = _check_time(fields, "location.timestamp", location.get("timestamp"), now, limits)
    battery_raw = location.get("battery")
    level = _Fields(battery_raw).number("level", low=0, high=1) if isinstance(battery_raw, Mapping) else None
    return _finish(fields, device_id=device, lat=lat, lon=lon, at=at, source="osmand",
                   speed_kmh=None if speed is None or speed < 0 else round(speed * MPS_TO_KMH, 2),
                   bearing=None if heading is None or heading < 0 else heading, altitude=altitude,
                   accuracy_m=accuracy, battery=None if level is None else round(level * 100, 1))


def parse_owntracks(body: Mapping[str, Any], device_id: str, now: datetime,
                    limits: PositionLimits = PositionLimits()) -> PositionReport:
    """OwnTracks' `_type: location`: `lat`, `lon`, `tst` (unix s), `acc` (m), `vel` (km/h), `cog`, `alt`,
    `batt` (%). The device is named by the transport (Basic user or `X-Limit-D`), not the JSON."""
    fields = _Fields(body)
    if body.get("_type") != "location":
        fields.bad("_type", "must be \"location\"")
    device = _device(fields, device_id, "device")
    lat = fields.number("lat", required=True, low=-90, high=90)
    lon = fields.number("lon", required=True, low=-180, high=180)
    tst = body.get("tst")
    if (tst is not None and not isinstance(tst, int | float)) or isinstance(tst, bool):
        fields.bad("tst", "unix seconds (a number)")
        at = now
    else:
        at = _check_time(fields, "tst", tst, now, limits)
    return _finish(fields, device_id=device, lat=lat, lon=lon, at=at, source="owntracks",
                   speed_kmh=fields.number("vel", low=0, high=1000), bearing=fields.number("cog", low=0, high=360),
                   altitude=fields.number("alt", low=-500, high=10000),
                   accuracy_m=fields.number("acc", low=0, high=100000), battery=fields.number("batt", low=0, high=100))
