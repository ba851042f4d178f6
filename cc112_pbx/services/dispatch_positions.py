"""Officers' positions (issue 17): a phone posts its fixes (OsmAnd / Traccar Client, OwnTracks),
authenticated by its own device token; each is checked, stored, kept as the officer's latest in
memory (for the map and the suggestions) and pushed on the event stream (`officer_position`).
A refused fix stores nothing and is counted; positions older than the retention are deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from cc112_pbx.domain.positions import (
    InvalidPosition,
    PositionLimits,
    PositionReport,
    parse_osmand,
    parse_owntracks,
    parse_traccar_json,
)
from cc112_pbx.services.api_errors import FieldProblem, Invalid, Unauthenticated
from cc112_pbx.services.dispatch_directory import DispatchDirectory
from cc112_pbx.services.ports import DispatchStore, Notices

log = structlog.get_logger("cc112.positions")

TRAIL_MINUTES = 60
MAX_TRAIL_MINUTES = 24 * 60


@dataclass(slots=True)
class PositionCounts:
    accepted: int = 0
    refused: int = 0  # malformed, out of range, too far in the future or too old
    unauthorized: int = 0  # unknown device or wrong token
    pruned: int = 0  # deleted after the retention


class PositionService:
    def __init__(self, store: DispatchStore, directory: DispatchDirectory, notices: Notices, *,
                 limits: PositionLimits, retention_days: int) -> None:
        self.store = store
        self.directory = directory
        self.notices = notices
        self.clock = directory.clock
        self.limits = limits
        self.retention_days = retention_days
        self.counts = PositionCounts()

    # --- receiving ---------------------------------------------------------------------------------
    async def receive_osmand(self, fields: Mapping[str, Any], token: str) -> dict[str, Any]:
        """Query/form fields, or a flat JSON object, or Traccar Client's JSON (`device_id`, `location`)."""
        device = str(fields.get("device_id") if "location" in fields else fields.get("id", fields.get("deviceid", "")))
        officer = self._authenticate(device, token)
        now = self.clock.wall()
        if "location" in fields:
            report = self._parse(device, lambda: parse_traccar_json(fields, now, self.limits))
        else:
            report = self._parse(device, lambda: parse_osmand(fields, now, self.limits))
        return await self._store(officer, report, now)

    async def receive_owntracks(self, body: Any, device: str, token: str) -> dict[str, Any] | None:
        """OwnTracks' JSON; messages other than `location` (e.g. `lwt`, `transition`) are acknowledged
        and ignored (None)."""
        officer = self._authenticate(device, token)
        if not isinstance(body, Mapping):
            self._refuse(device, [FieldProblem("body", "a JSON object with _type")])
        if body.get("_type") not in (None, "location"):
            return None
        now = self.clock.wall()
        report = self._parse(device, lambda: parse_owntracks(body, device, now, self.limits))
        return await self._store(officer, report, now)

    def _authenticate(self, device: str, token: str) -> Any:
        try:
            return self.directory.device(device, token)
        except Unauthenticated:
            self.counts.unauthorized += 1
            log.info("position_unauthorized", device=device[:64])
            raise

    def _refuse(self, device: str, problems: list[FieldProblem]) -> None:
        self.counts.refused += 1
        log.info("position_refused", device=device[:64], fields=[p.field for p in problems])
        raise Invalid(problems, "the position has invalid fields; nothing was stored",
                      message_id="posisi berisi isian yang tidak valid; tidak ada yang disimpan")

    def _parse(self, device: str, parse: Callable[[], PositionReport]) -> PositionReport:
        try:
            return parse()
        except InvalidPosition as exc:
            self._refuse(device, [FieldProblem(e.field, e.message) for e in exc.errors])
            raise AssertionError("unreachable") from None

    async def _store(self, officer: Any, report: PositionReport, now: datetime) -> dict[str, Any]:
        record = await self.store.positions.add(
            officer_id=officer.id, received_at=now, lat=report.lat, lon=report.lon, at=report.at,
            speed_kmh=report.speed_kmh, bearing=report.bearing, altitude=report.altitude,
            accuracy_m=report.accuracy_m, battery=report.battery, source=report.source)
        self.counts.accepted += 1
        current = self.directory.latest.get(officer.id)
        if current is None or datetime.fromisoformat(current["at"]) <= report.at:
            self.directory.latest[officer.id] = self.directory._position_dict(record)
            view = self.directory.position_view(officer.id, now)
            self.notices.publish("officer_position", position=view, officer_id=officer.id,
                                 agency_id=officer.agency_id)
        return {"id": record.id, "officer_id": officer.id, "at": report.at.isoformat()}

    # --- reading -------------------------------------------------------------------------------------
    def latest(self, principal: Any) -> list[dict[str, Any]]:
        now = self.clock.wall()
        views = []
        for officer_id in self.directory.latest:
            officer = self.directory.officers.get(officer_id)
            if officer is None or (principal.is_field and officer.agency_id != principal.agency_id):
                continue
            view = self.directory.position_view(officer_id, now)
            if view is not None:
                views.append({**view, "state": self.directory.officer_state(officer, now), "name": officer.name,
                              "callsign": officer.callsign})
        return views

    async def trail(self, principal: Any, officer_id: int, query: Mapping[str, str]) -> dict[str, Any]:
        officer = self.directory.officer(officer_id)
        self.directory.check_agency(principal, officer.agency_id)
        minutes = TRAIL_MINUTES
        if query.get("minutes"):
            text = query["minutes"]
            if not text.isdigit() or not 1 <= int(text) <= MAX_TRAIL_MINUTES:
                raise Invalid([FieldProblem("minutes", f"a whole number from 1 to {MAX_TRAIL_MINUTES}")])
            minutes = int(text)
        since = self.clock.wall() - timedelta(minutes=minutes)
        points = await self.store.positions.trail(officer_id, since)
        return {"officer_id": officer_id, "minutes": minutes,
                "points": [{"lat": p.lat, "lon": p.lon, "at": p.at.isoformat(), "speed_kmh": p.speed_kmh}
                           for p in points]}

    # --- retention -----------------------------------------------------------------------------------
    async def prune(self, now: datetime | None = None) -> int:
        now = now or self.clock.wall()
        deleted = await self.store.positions.delete_before(now - timedelta(days=self.retention_days))
        self.counts.pruned += deleted
        if deleted:
            log.info("officer_positions_pruned", count=deleted, retention_days=self.retention_days)
        return deleted

    def prune_job(self) -> Callable[[], Awaitable[int]]:
        return self.prune
