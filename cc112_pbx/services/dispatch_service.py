"""Dispatches (issue 17): the call taker hands an incident to one or more agencies; the agency's
dispatcher accepts and assigns the nearest available officer; the officer goes, arrives and
reports. The domain (`domain.dispatch`) decides every move; this service checks who may make it,
stores it, writes it on the incident's timeline and publishes it (`dispatch_changed`). A dispatch
not accepted within `accept_within` seconds is flagged (`dispatch_overdue`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import structlog

from cc112_pbx.domain.agencies import suggested_agencies
from cc112_pbx.domain.dispatch import (
    FINAL,
    OFFICER_BUSY,
    WAITING_FOR_ACCEPT,
    CannotAcknowledge,
    Dispatch,
    DispatchStatus,
    IllegalDispatchTransition,
    InvalidDispatchChange,
    acknowledge,
    allowed,
    is_overdue,
    new_dispatch,
    response_times,
    transition,
)
from cc112_pbx.domain.geo import LatLon
from cc112_pbx.domain.incident_status import IllegalTransition, IncidentStatus
from cc112_pbx.domain.officer_ranking import candidates, rank
from cc112_pbx.domain.timeline import TimelineEntry, TimelineKind
from cc112_pbx.services.access import Principal, Role
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.dispatch_directory import DispatchDirectory
from cc112_pbx.services.eta import EtaService
from cc112_pbx.services.plain import plain_value
from cc112_pbx.services.ports import DispatchStore, Notices

log = structlog.get_logger("cc112.dispatch")

S = DispatchStatus
OFFICER_MOVES = frozenset({S.EN_ROUTE, S.ON_SCENE, S.RESOLVED})
CALL_TAKER_MOVES = frozenset({S.CANCELLED})
STAGES = ("accept", "on_scene", "resolved")
BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0)
DOMAIN_FIELDS = tuple(f.name for f in fields(Dispatch))

IncidentCheck = Callable[[Principal, int], Awaitable[Any]]


@dataclass(slots=True)
class ResponseFigures:
    """Since start, per agency code and stage: the seconds observed (for `/metrics`)."""

    observed: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    overdue: int = 0

    def add(self, agency: str, stage: str, seconds: float | None) -> None:
        if seconds is not None:
            self.observed.setdefault((agency, stage), []).append(seconds)


def as_domain(record: Any) -> Dispatch:
    values = {name: getattr(record, name) for name in DOMAIN_FIELDS}
    return Dispatch(**{**values, "status": DispatchStatus(values["status"])})


def _int(body: Mapping[str, Any], name: str, problems: list[FieldProblem], low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(FieldProblem(name, f"a whole number from {low} to {high}"))
        return None
    return value


class DispatchService:
    def __init__(self, store: DispatchStore, directory: DispatchDirectory, notices: Notices, etas: EtaService,
                 *, accept_within: float,
                 check_incident: IncidentCheck | None = None) -> None:
        self.store = store
        self.directory = directory
        self.notices = notices
        self.etas = etas
        self.clock = directory.clock
        self.accept_within = accept_within
        self.check_incident = check_incident
        self.figures = ResponseFigures()
        self.waiting: dict[int, Dispatch] = {}  # sent, not accepted yet: the overdue watch
        self.flagged: set[int] = set()  # overdue already told
        self.scenes: dict[int, dict[str, Any] | None] = {}

    async def load(self) -> None:
        """The open dispatches: which officers are busy, which dispatches wait for an accept."""
        for record in await self.store.dispatches.listing(open_only=True, limit=100_000):
            self._track(as_domain(record))

    def _track(self, d: Dispatch) -> None:
        assert d.id is not None
        if d.status in WAITING_FOR_ACCEPT:
            self.waiting[d.id] = d
        else:
            self.waiting.pop(d.id, None)
        for officer_id, dispatch_id in list(self.directory.busy.items()):
            if dispatch_id == d.id and (d.status not in OFFICER_BUSY or d.officer_id != officer_id):
                del self.directory.busy[officer_id]
        if d.status in OFFICER_BUSY and d.officer_id is not None:
            self.directory.busy[d.officer_id] = d.id

    # --- the scene and the suggestions -------------------------------------------------------------
    async def incident(self, principal: Principal, incident_id: int) -> Any:
        if self.check_incident is not None:
            incident = await self.check_incident(principal, incident_id)
        else:
            incident = await self.store.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id} not found", message_id=f"insiden {incident_id} tidak ditemukan")
        self.scenes[incident_id] = self._scene_of(incident)
        return incident

    @staticmethod
    def _scene_of(incident: Any) -> dict[str, Any] | None:
        if incident.latitude is None or incident.longitude is None:
            return None
        source = incident.location_source
        category = incident.category or incident.category_hint
        # address and category: what the officer and the agency need beside the point (they cannot read incidents)
        return {"lat": incident.latitude, "lon": incident.longitude,
                "source": plain_value(source) if source is not None else None,
                "address": getattr(incident, "address", None) or None,
                "category": plain_value(category) if category else None}

    async def _scene(self, incident_id: int) -> dict[str, Any] | None:
        """The incident's location as it is now: read each time, never a remembered one, since it moves
        after the dispatch (an AML position arriving, the call taker correcting it) and the officer's
        navigation and the assignment's ETA must follow it."""
        incident = await self.store.incidents.get(incident_id)
        self.scenes[incident_id] = self._scene_of(incident) if incident is not None else None
        return self.scenes[incident_id]

    async def suggestions(self, principal: Principal, incident_id: int, query: Mapping[str, str]) -> dict[str, Any]:
        incident = await self.incident(principal, incident_id)
        category = incident.category or incident.category_hint
        agencies = suggested_agencies(plain_value(category) if category is not None else None,
                                      self.directory.profiles())
        agency_ids = [a.id for a in agencies]
        if query.get("agency_id"):
            if not query["agency_id"].isdigit():
                raise Invalid([FieldProblem("agency_id", "an agency id")])
            agency_ids = [self.directory.agency(int(query["agency_id"])).id]
        scene = self.scenes[incident_id]
        officers: list[dict[str, Any]] = []
        if scene is not None:
            officers = await self.rank_officers(LatLon(scene["lat"], scene["lon"]), agency_ids or None)
        return {"scene": scene, "category": plain_value(category) if category is not None else None,
                "agencies": [self.directory.agency_dict(self.directory.agencies[a.id]) for a in agencies],
                "officers": officers}

    async def rank_officers(self, scene: LatLon, agency_ids: list[int] | None) -> list[dict[str, Any]]:
        now = self.clock.wall()
        chosen = candidates(self.directory.states(), now, self.directory.stale_after, agency_ids)
        etas = await self.etas.etas([o.position for o in chosen if o.position is not None], scene)
        ranked = rank(chosen, scene, etas.routed, etas.straight)
        result = []
        for r in ranked:
            officer = self.directory.officers[r.officer_id]
            result.append({"officer_id": r.officer_id, "agency_id": r.agency_id, "name": officer.name,
                           "callsign": officer.callsign, "eta_s": r.eta_s, "distance_m": r.distance_m,
                           "estimate": r.estimate, "source": "haversine" if r.estimate else "osrm",
                           "position_age_s": round((now - r.seen_at).total_seconds(), 1)})
        return result

    # --- creating ------------------------------------------------------------------------------------
    async def create(self, principal: Principal, incident_id: int, body: Any) -> dict[str, Any]:
        if principal.is_field:
            raise Forbidden("dispatches are created by the call centre", message_id="dispatch dibuat oleh call center")
        items = body.get("dispatches") if isinstance(body, Mapping) and "dispatches" in body else [body]
        if not isinstance(items, list) or not items or len(items) > 10:
            raise Invalid([FieldProblem("dispatches", "a list of 1 to 10 {agency_id, instructions, priority}")])
        planned = []
        for item in items:
            problems: list[FieldProblem] = []
            if not isinstance(item, Mapping):
                raise Invalid([FieldProblem("body", "a JSON object {agency_id, instructions?, priority?}")])
            agency_id = _int(item, "agency_id", problems, 1, 2**31)
            if agency_id is None and not problems:
                problems.append(FieldProblem("agency_id", "is required"))
            if agency_id is not None and (agency_id not in self.directory.agencies
                                          or not self.directory.agencies[agency_id].active):
                problems.append(FieldProblem("agency_id", "the id of an active agency"))
            priority = _int(item, "priority", problems, 1, 5) or 3
            instructions = item.get("instructions", "")
            if not isinstance(instructions, str) or len(instructions) > 4000:
                problems.append(FieldProblem("instructions", "text up to 4000 characters"))
            if problems:
                raise Invalid(problems)
            planned.append((agency_id, priority, instructions))
        incident = await self.incident(principal, incident_id)
        if str(plain_value(incident.status)) in ("closed", "cancelled"):
            raise Conflict(f"incident {incident_id} is {plain_value(incident.status)}: nothing to dispatch",
                           message_id=f"insiden {incident_id} sudah ditutup atau dibatalkan")
        created = []
        for agency_id, priority, instructions in planned:
            now = self.clock.wall()
            draft = new_dispatch(incident_id, agency_id, now, principal.username, priority=priority,  # type: ignore[arg-type]
                                 instructions=instructions)
            record = await self.store.dispatches.add(fields={k: plain_value(v) if k == "status" else v
                                                             for k, v in _columns(draft).items()})
            d = as_domain(record)
            await self._changed(d, None, principal.username)
            sent = transition(d, S.SENT_TO_AGENCY, self.clock.wall())
            record = await self.store.dispatches.update(record.id, d.status.value, _changes(d, sent))
            created.append(await self._changed(as_domain(record), d.status, principal.username, record))
        await self._follow_incident(incident_id, IncidentStatus.VERIFIED, IncidentStatus.DISPATCHED, principal.username)
        return {"dispatches": created}

    async def _follow_incident(self, incident_id: int, current: IncidentStatus, target: IncidentStatus,
                               actor: str) -> None:
        """The incident follows its dispatches: a verified one becomes `dispatched` when dispatched, a
        dispatched one `resolved` when its last open dispatch ends with at least one resolved. Any other
        status is left as it is (the call taker's and the supervisor's decision)."""
        incident = await self.store.incidents.get(incident_id)
        if incident is None or str(plain_value(incident.status)) != current.value:
            return
        if target is IncidentStatus.RESOLVED:
            dispatches = await self.store.dispatches.listing(incident_id=incident_id)
            if any(as_domain(r).is_open for r in dispatches) or not any(
                    DispatchStatus(r.status) is S.RESOLVED for r in dispatches):
                return
        try:
            await self.store.incidents.transition(incident_id, target, actor=actor[:64], at=self.clock.wall(),
                                                  reason="dispatch")
        except IllegalTransition:  # moved meanwhile by someone else: theirs stands
            return
        log.info("incident_follows_dispatch", incident_id=incident_id, status=target.value)

    # --- moving --------------------------------------------------------------------------------------
    async def record_of(self, dispatch_id: int) -> Any:
        record = await self.store.dispatches.get(dispatch_id)
        if record is None:
            raise NotFound(f"dispatch {dispatch_id} not found", message_id=f"dispatch {dispatch_id} tidak ditemukan")
        return record

    def check_read(self, principal: Principal, record: Any) -> None:
        if principal.role is Role.OFFICER:
            if principal.officer_id is None or record.officer_id != principal.officer_id:
                raise Forbidden("an officer sees only their own assignments",
                                message_id="petugas hanya melihat penugasannya sendiri")
        elif principal.role is Role.AGENCY_DISPATCHER:
            self.directory.check_agency(principal, record.agency_id)

    def _check_move(self, principal: Principal, record: Any, target: DispatchStatus) -> None:
        self.check_read(principal, record)
        if principal.role is Role.OFFICER and target not in OFFICER_MOVES:
            raise Forbidden(f"an officer may only move their assignment to {', '.join(sorted(OFFICER_MOVES))}",
                            message_id="petugas hanya boleh mengubah status perjalanan dan laporannya")
        if principal.role is Role.CALL_TAKER and target not in CALL_TAKER_MOVES:
            raise Forbidden("a call taker may cancel a dispatch; the agency moves it on",
                            message_id="petugas call center hanya boleh membatalkan dispatch")

    async def move(self, principal: Principal, dispatch_id: int, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise Invalid([FieldProblem("body", "a JSON object {status, officer_id?, reason?, report?}")])
        problems: list[FieldProblem] = []
        target = body.get("status")
        if target not in DispatchStatus.__members__.values():
            problems.append(FieldProblem("status", f"one of {', '.join(DispatchStatus)}"))
        officer_id = _int(body, "officer_id", problems, 1, 2**31)
        texts = {}
        for name in ("reason", "report"):
            value = body.get(name, "")
            if not isinstance(value, str) or len(value) > 4000:
                problems.append(FieldProblem(name, "text up to 4000 characters"))
            texts[name] = value if isinstance(value, str) else ""
        if problems:
            raise Invalid(problems)
        record = await self.record_of(dispatch_id)
        target = DispatchStatus(target)
        self._check_move(principal, record, target)
        current = as_domain(record)
        if target is S.ASSIGNED and officer_id is not None:
            self._check_officer(current, officer_id)
        try:
            moved = transition(current, target, self.clock.wall(), officer_id=officer_id, reason=texts["reason"],
                               report=texts["report"])
        except InvalidDispatchChange as exc:
            raise Invalid([FieldProblem(exc.field, exc.message)]) from None
        changes = _changes(current, moved)
        if target is S.ASSIGNED and officer_id is not None:
            changes |= await self._eta_for(current.incident_id, officer_id)
        record = await self.store.dispatches.update(dispatch_id, current.status.value, changes)
        view = await self._changed(as_domain(record), current.status, principal.username, record)
        if target in FINAL:
            await self._follow_incident(current.incident_id, IncidentStatus.DISPATCHED, IncidentStatus.RESOLVED,
                                        principal.username)
        return view

    async def acknowledge(self, principal: Principal, dispatch_id: int) -> dict[str, Any]:
        """The assigned officer accepts their assignment (the officer page's "accept"): `acknowledged_at`
        stamped, a timeline entry (`details.event = "dispatch_acknowledged"`) and a `dispatch_changed`
        notice. Once: a second one answers the dispatch unchanged (a phone retrying)."""
        record = await self.record_of(dispatch_id)
        if principal.role is not Role.OFFICER or principal.officer_id is None \
                or record.officer_id != principal.officer_id:
            raise Forbidden("only the officer assigned to the dispatch acknowledges it",
                            message_id="hanya petugas yang ditugaskan yang dapat menerima penugasan ini")
        current = as_domain(record)
        try:
            acknowledged = acknowledge(current, self.clock.wall())
        except CannotAcknowledge as exc:
            raise Conflict(str(exc), message_id="hanya penugasan berstatus 'ditugaskan' yang dapat diterima; "
                           f"status sekarang {exc.status.value!r}") from None
        if acknowledged is current:
            return await self.dispatch_dict(record)
        # the status is written again so that a dispatch moved meanwhile (cancelled, re-assigned) refuses it
        record = await self.store.dispatches.update(dispatch_id, current.status.value,
                                                    {**_changes(current, acknowledged), "status": S.ASSIGNED.value})
        d = as_domain(record)
        at = d.acknowledged_at or self.clock.wall()
        officer = self.directory.officers.get(d.officer_id) if d.officer_id is not None else None
        entry = TimelineEntry(TimelineKind.NOTE, at, principal.username[:64], None, {
            "event": "dispatch_acknowledged", "dispatch_id": d.id, "agency_id": d.agency_id,
            "officer_id": d.officer_id, "officer": officer.name if officer is not None else None})
        await self.store.timeline.append(d.incident_id, [entry], key=f"dispatch:{d.id}:acknowledged:{at.isoformat()}")
        view = await self.dispatch_dict(record)
        self.notices.publish("dispatch_changed", dispatch=view, incident_id=d.incident_id, agency_id=d.agency_id,
                             officer_id=d.officer_id, status=d.status.value, previous=d.status.value)
        log.info("dispatch_acknowledged", dispatch_id=d.id, incident_id=d.incident_id, officer_id=d.officer_id)
        return view

    def _check_officer(self, d: Dispatch, officer_id: int) -> None:
        officer = self.directory.officers.get(officer_id)
        if officer is None or officer.agency_id != d.agency_id:
            raise Invalid([FieldProblem("officer_id", "an officer of the dispatch's agency")])
        if not officer.active or not officer.available:
            raise Invalid([FieldProblem("officer_id", "that officer is not available")])
        busy_with = self.directory.busy.get(officer_id)
        if busy_with is not None and busy_with != d.id:
            raise Conflict(f"officer {officer_id} is busy with dispatch {busy_with}",
                           message_id=f"petugas {officer_id} sedang menangani dispatch {busy_with}")

    async def _eta_for(self, incident_id: int, officer_id: int) -> dict[str, Any]:
        scene = await self._scene(incident_id)
        position = self.directory.latest.get(officer_id)
        if scene is None or position is None:
            return {"eta_s": None, "eta_estimate": None}
        etas = await self.etas.etas([LatLon(position["lat"], position["lon"])], LatLon(scene["lat"], scene["lon"]))
        routed = etas.routed[0]
        return {"eta_s": round(routed if routed is not None else etas.straight[0], 1), "eta_estimate": routed is None}

    async def _changed(self, d: Dispatch, previous: DispatchStatus | None, actor: str,
                       record: Any | None = None) -> dict[str, Any]:
        """Track, count, write on the timeline and publish one move; the dispatch as JSON."""
        assert d.id is not None
        self._track(d)
        if d.status not in WAITING_FOR_ACCEPT:
            self.flagged.discard(d.id)
        agency = self.directory.agencies.get(d.agency_id)
        code = agency.code if agency is not None else str(d.agency_id)
        times = response_times(d)
        stage_seconds = {S.ACCEPTED: times.accept_s, S.ON_SCENE: times.on_scene_s, S.RESOLVED: times.resolved_s}
        if d.status in stage_seconds:
            self.figures.add(code, {S.ACCEPTED: "accept", S.ON_SCENE: "on_scene", S.RESOLVED: "resolved"}[d.status],
                             stage_seconds[d.status])
        at = d.updated_at or d.created_at
        details = {"event": "dispatch", "dispatch_id": d.id, "agency_id": d.agency_id,
                   "agency": agency.name if agency is not None else None, "status": d.status.value,
                   "previous": previous.value if previous is not None else None, "officer_id": d.officer_id}
        if d.status is S.REJECTED or (d.status is S.CANCELLED and d.reason):
            details["reason"] = d.reason
        if d.status is S.RESOLVED:
            details["report"] = d.report
        if d.status is S.ASSIGNED and record is not None:
            details["eta_s"] = record.eta_s
            details["officer"] = self.directory.officers[d.officer_id].name if d.officer_id in self.directory.officers \
                else None
        entry = TimelineEntry(TimelineKind.NOTE, at, actor[:64], None, details)
        key = f"dispatch:{d.id}:{d.status.value}:{at.isoformat()}"
        await self.store.timeline.append(d.incident_id, [entry], key=key)
        view = await self.dispatch_dict(record if record is not None else d)
        self.notices.publish("dispatch_changed", dispatch=view, incident_id=d.incident_id, agency_id=d.agency_id,
                             officer_id=d.officer_id, status=d.status.value,
                             previous=previous.value if previous is not None else None)
        log.info("dispatch_changed", dispatch_id=d.id, incident_id=d.incident_id, agency=code, status=d.status.value,
                 previous=previous.value if previous is not None else None, actor=actor)
        return view

    async def dispatch_dict(self, record: Any) -> dict[str, Any]:
        d = as_domain(record) if not isinstance(record, Dispatch) else record
        agency = self.directory.agencies.get(d.agency_id)
        officer = self.directory.officers.get(d.officer_id) if d.officer_id is not None else None
        view = {name: plain_value(getattr(d, name)) for name in DOMAIN_FIELDS}
        return {**view, "agency_name": agency.name if agency is not None else None,
                "officer_name": officer.name if officer is not None else None,
                "has_photo": bool(getattr(record, "photo_path", None)),
                "eta_s": getattr(record, "eta_s", None), "eta_estimate": getattr(record, "eta_estimate", None),
                "overdue": is_overdue(d, self.clock.wall(), self.accept_within),
                "allowed_transitions": [s.value for s in allowed(d.status)],
                "scene": await self._scene(d.incident_id)}

    # --- reading -------------------------------------------------------------------------------------
    async def get(self, principal: Principal, dispatch_id: int) -> dict[str, Any]:
        record = await self.record_of(dispatch_id)
        self.check_read(principal, record)
        return await self.dispatch_dict(record)

    async def listing(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        problems: list[FieldProblem] = []
        statuses = tuple(s for s in query.get("status", "").split(",") if s)
        if any(s not in DispatchStatus.__members__.values() for s in statuses):
            problems.append(FieldProblem("status", f"one or more of {', '.join(DispatchStatus)}"))
        agency_id = None
        if query.get("agency_id"):
            if not query["agency_id"].isdigit():
                problems.append(FieldProblem("agency_id", "an agency id"))
            else:
                agency_id = int(query["agency_id"])
        open_only = query.get("open", "") in ("1", "true", "yes")
        if query.get("open", "") not in ("", "1", "0", "true", "false", "yes", "no"):
            problems.append(FieldProblem("open", "true or false"))
        if problems:
            raise Invalid(problems)
        officer_id = None
        if principal.role is Role.AGENCY_DISPATCHER:
            if agency_id is not None:
                self.directory.check_agency(principal, agency_id)
            agency_id = principal.agency_id if principal.agency_id is not None else -1
        elif principal.role is Role.OFFICER:
            officer_id = principal.officer_id if principal.officer_id is not None else -1
        records = await self.store.dispatches.listing(agency_id=agency_id, officer_id=officer_id, statuses=statuses,
                                                      open_only=open_only)
        return [await self.dispatch_dict(r) for r in records]

    async def for_incident(self, principal: Principal, incident_id: int) -> list[dict[str, Any]]:
        await self.incident(principal, incident_id)
        return [await self.dispatch_dict(r) for r in await self.store.dispatches.listing(incident_id=incident_id)]

    async def assignments(self, principal: Principal) -> list[dict[str, Any]]:
        if principal.role is not Role.OFFICER or principal.officer_id is None:
            raise Forbidden("only an officer bound to an officer record has assignments",
                            message_id="hanya petugas lapangan yang memiliki penugasan")
        records = await self.store.dispatches.listing(officer_id=principal.officer_id, limit=50)
        views = [await self.dispatch_dict(r) for r in records]
        return sorted(views, key=lambda v: v["status"] in ("resolved", "cancelled", "rejected"))

    async def open_count(self, incident_id: int) -> int:
        return len(await self.store.dispatches.open_for_incident(incident_id))

    # --- overdue -------------------------------------------------------------------------------------
    def check_overdue(self, now: datetime | None = None) -> list[int]:
        """Flag the dispatches not accepted within `accept_within` (each once); their ids."""
        now = now or self.clock.wall()
        flagged = []
        for dispatch_id, d in list(self.waiting.items()):
            if dispatch_id in self.flagged or not is_overdue(d, now, self.accept_within):
                continue
            self.flagged.add(dispatch_id)
            self.figures.overdue += 1
            waiting = round((now - (d.sent_at or d.created_at)).total_seconds(), 1)
            agency = self.directory.agencies.get(d.agency_id)
            self.notices.publish("dispatch_overdue", dispatch_id=dispatch_id, incident_id=d.incident_id,
                                 agency_id=d.agency_id, agency=agency.name if agency is not None else None,
                                 waiting_s=waiting)
            log.warning("dispatch_overdue", dispatch_id=dispatch_id, incident_id=d.incident_id, waiting_s=waiting)
            flagged.append(dispatch_id)
        return flagged

def _columns(d: Dispatch) -> dict[str, Any]:
    return {name: getattr(d, name) for name in DOMAIN_FIELDS if name != "id"}


def _changes(before: Dispatch, after: Dispatch) -> dict[str, Any]:
    changes = {name: getattr(after, name) for name in DOMAIN_FIELDS if getattr(after, name) != getattr(before, name)}
    if "status" in changes:
        changes["status"] = after.status.value
    return changes


__all__ = ["DispatchService", "IllegalDispatchTransition", "ResponseFigures"]
