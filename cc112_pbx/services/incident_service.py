"""Incidents through the API: list with filters and paging, one with its timeline, calls,
recordings and callbacks, field edits and status moves decided by the domain
(`InvalidChanges` and `IllegalTransition` reach the HTTP layer as they are).

A call taker sees and edits only incidents of their own calls (a call their seat had, or the
incident's owner is their seat)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from cc112_pbx.domain.categories import parse_category
from cc112_pbx.domain.incident import Verification
from cc112_pbx.domain.incident_status import TRANSITIONS, IncidentStatus
from cc112_pbx.services.access import STAFF, Principal, seat_scope
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import ApiStore, Clock

MAX_PAGE = 200


def parse_time(name: str, text: str | None, problems: list[FieldProblem]) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        problems.append(FieldProblem(name, "an ISO 8601 time, e.g. 2026-12-01T08:00:00+07:00"))
        return None
    if value.tzinfo is None:
        problems.append(FieldProblem(name, "needs a time zone offset (e.g. +07:00 or Z)"))
        return None
    return value


def parse_page(query: Mapping[str, str], problems: list[FieldProblem], default: int = 50) -> tuple[int, int]:
    limit, offset = default, 0
    for name, low, high in (("limit", 1, MAX_PAGE), ("offset", 0, 10**9)):
        if name in query:
            try:
                value = int(query[name])
                if not low <= value <= high:
                    raise ValueError
            except ValueError:
                problems.append(FieldProblem(name, f"a whole number from {low} to {high}"))
                continue
            if name == "limit":
                limit = value
            else:
                offset = value
    return limit, offset


def incident_dict(record: Any) -> dict[str, Any]:
    """The incident as JSON, with `allowed_transitions`: the statuses it may move to now (the domain's
    `TRANSITIONS`, in the lifecycle's order), so a form offers only those."""
    allowed = TRANSITIONS.get(IncidentStatus(record.status), frozenset())
    return {**plain(record), "allowed_transitions": [s.value for s in IncidentStatus if s in allowed]}


class IncidentService:
    def __init__(self, store: ApiStore, clock: Clock,
                 on_status: Callable[[int, IncidentStatus], None] = lambda incident_id, status: None) -> None:
        self.store = store
        self.clock = clock
        self.on_status = on_status
        # issue 17: how many dispatches of an incident are still open (closing waits for them)
        self.open_dispatches: Callable[[int], Awaitable[int]] | None = None

    async def check_own(self, principal: Principal, incident_id: int) -> Any:
        """The incident when the principal may see it (`NotFound`, `Forbidden` otherwise)."""
        return await self._check_own(principal, incident_id)

    async def _check_own(self, principal: Principal, incident_id: int) -> Any:
        incident = await self.store.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id} not found", message_id=f"insiden {incident_id} tidak ditemukan")
        scope = seat_scope(principal)
        if scope is not None and incident.owner != scope:
            calls = await self.store.calls.for_incident(incident_id)
            if not any(c.seat_id == scope for c in calls):
                raise Forbidden("a call taker sees only the incidents of their own calls",
                                message_id="petugas hanya melihat insiden dari panggilannya sendiri")
        return incident

    async def search(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        filters: dict[str, Any] = {
            "opened_from": parse_time("from", query.get("from"), problems),
            "opened_before": parse_time("to", query.get("to"), problems),
        }
        if query.get("status"):
            statuses = query["status"].split(",")
            bad = [s for s in statuses if s not in IncidentStatus.__members__.values()]
            if bad:
                problems.append(FieldProblem("status", f"one or more of {', '.join(IncidentStatus)}"))
            filters["status"] = statuses
        if query.get("category"):
            try:
                filters["category"] = parse_category(query["category"])
            except ValueError:
                problems.append(FieldProblem("category", "not a known category"))
        if query.get("verification"):
            if query["verification"] not in Verification.__members__.values():
                problems.append(FieldProblem("verification", f"one of {', '.join(Verification)}"))
            filters["verification"] = query["verification"]
        if query.get("seat"):
            filters["seat"] = query["seat"]
        limit, offset = parse_page(query, problems)
        if problems:
            raise Invalid(problems)
        scope = seat_scope(principal)
        if scope is not None:
            if filters.get("seat") not in (None, scope):
                raise Forbidden("a call taker lists only their own seat's incidents")
            filters["seat"] = scope
        page = await self.store.incidents.search(**filters, limit=limit, offset=offset)
        return {"items": [incident_dict(i) for i in page.items], "total": page.total, "limit": page.limit,
                "offset": page.offset}

    async def get(self, principal: Principal, incident_id: int) -> dict[str, Any]:
        incident = await self._check_own(principal, incident_id)
        timeline = await self.store.timeline.for_incident(incident_id)
        calls = await self.store.calls.for_incident(incident_id)
        recordings = await self.store.recordings.for_incident(incident_id)
        callbacks = await self.store.callbacks.for_incident(incident_id)
        return {"incident": incident_dict(incident), "timeline": [plain(e) for e in timeline],
                "calls": [plain(c) for c in calls], "recordings": [plain(r, drop=("path",)) for r in recordings],
                "callbacks": [plain(c) for c in callbacks]}

    async def change(self, principal: Principal, incident_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(changes, Mapping) or not changes:
            raise Invalid([FieldProblem("body", "a JSON object of the fields to change")])
        await self._check_own(principal, incident_id)
        record, entries = await self.store.incidents.change(incident_id, changes, actor=principal.username,
                                                           at=self.clock.wall())
        return {"incident": incident_dict(record), "timeline": [plain(e) for e in entries]}

    async def transition(self, principal: Principal, incident_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        problems = []
        target = body.get("status") if isinstance(body, Mapping) else None
        reason = body.get("reason", "") if isinstance(body, Mapping) else ""
        if target not in IncidentStatus.__members__.values():
            problems.append(FieldProblem("status", f"one of {', '.join(IncidentStatus)}"))
        if not isinstance(reason, str) or len(reason) > 500:
            problems.append(FieldProblem("reason", "text up to 500 characters"))
        override = body.get("override", False) if isinstance(body, Mapping) else False
        if not isinstance(override, bool):
            problems.append(FieldProblem("override", "true or false"))
        if problems:
            raise Invalid(problems)
        await self._check_own(principal, incident_id)
        if target == IncidentStatus.CLOSED.value and self.open_dispatches is not None:
            reason = await self._closing_allowed(principal, incident_id, override, reason)
        record, entries = await self.store.incidents.transition(
            incident_id, target, actor=principal.username, at=self.clock.wall(), reason=reason)
        self.on_status(incident_id, IncidentStatus(target))
        return {"incident": incident_dict(record), "timeline": [plain(e) for e in entries]}

    async def _closing_allowed(self, principal: Principal, incident_id: int, override: bool, reason: str) -> str:
        """Issue 17: an incident with an open dispatch is closed only by a supervisor's override (which the
        status change's reason records); otherwise 409."""
        assert self.open_dispatches is not None
        still_open = await self.open_dispatches(incident_id)
        if not still_open:
            return reason
        if not override or principal.role not in STAFF:
            raise Conflict(f"incident {incident_id} has {still_open} open dispatch(es): close them first, or a "
                           "supervisor closes it with override", message_id=f"insiden {incident_id} masih memiliki "
                           f"{still_open} dispatch terbuka; hanya supervisor yang boleh menutupnya (override)")
        return f"{reason} [supervisor override: {still_open} dispatch(es) still open]".strip()[:600]
